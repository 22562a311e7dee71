package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserEarlyReopeningAndAmendment (issue 18): supervisor1 confirms the reopening of its
// approved demo enterprise a day before the plan's first batch; the server asks for a reason,
// which the page shows beside the field; with one the enterprise reopens and its timeline shows
// the reason. Its HR then amends the approved plan: 修改方案 opens a copy of it in the form, with
// the batches' departments, and the submitted amendment leaves version 1 in force and the
// enterprise reopened.
func TestBrowserEarlyReopeningAndAmendment(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "a.db")})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	var session struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "supervisor1", "password": "demo1234"}, &session)
	var approved struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises?status=approved&page_size=1", session.AccessToken, nil, &approved)
	if len(approved.Items) != 1 {
		t.Fatal("got no approved enterprise of supervisor1 in the demo, want one")
	}
	ent := approved.Items[0]
	var plans struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/plans", ent.ID), session.AccessToken, nil, &plans)

	b.do(t, "open the approved plan", login(s, "supervisor1"), chromedp.WaitVisible(`[data-test="menu-reviews"]`),
		chromedp.Navigate(fmt.Sprintf("%s/plans/%d", s.url, plans.Items[0].ID)), chromedp.WaitVisible("#reopen-confirm"))
	b.do(t, "confirm yesterday without a reason", replaceText(in("reopen-date"), yesterday+kb.Enter),
		chromedp.Click("#reopen-confirm"), waitText("#reopen-box .el-form-item__error", "确认复工日期早于首批返岗日期 "))
	b.screenshot(t, "reason-asked")
	b.do(t, "confirm with a reason", chromedp.SendKeys(in("reopen-reason"), "订单急需,首批人员已提前到岗"),
		chromedp.Click("#reopen-confirm"), chromedp.WaitVisible("#reopened-note"))
	b.do(t, "the timeline shows the reason", chromedp.Navigate(fmt.Sprintf("%s/enterprises/%d", s.url, ent.ID)),
		waitText("#status-timeline", "理由:订单急需,首批人员已提前到岗"))

	// hrN keeps enterprise N of the demo, whose IDs follow the same order.
	b.do(t, "sign in as its HR", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, fmt.Sprintf("hr%d", ent.ID)),
		chromedp.WaitVisible(`[data-test="menu-plan"]`))
	b.do(t, "amend the plan", chromedp.Click(`[data-test="menu-plan"]`), waitText("#plan-new", "修改方案"),
		chromedp.Click("#plan-new"), chromedp.WaitVisible("#plan-form"),
		poll(`!!document.querySelector('[data-test="batch-date-0"]')?.value`), waitText("#plan-batches", "行政后勤"))
	b.screenshot(t, "amendment")
	b.do(t, "submit the amendment", chromedp.Click("#plan-pledge"), chromedp.Click("#plan-submit"),
		chromedp.WaitVisible(`#plan-state[data-status="submitted"]`),
		chromedp.WaitVisible(`[data-test="plan-version"][data-version="1"][data-in-force="true"]`),
		waitText(".header-meta", "已复工"))
	b.noProblems(t)
}
