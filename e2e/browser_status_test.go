package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// suspendedCount reads the dashboard's count of suspended enterprises once it is shown.
func suspendedCount(t *testing.T, b *browser) int {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('[data-test="dash-status-suspended"]')?.dataset.count ?? ""`))
	if err != nil {
		t.Fatalf("read the suspended count: %v", err)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("got suspended count %q, want a number", s)
	}
	return n
}

// TestBrowserSuspendEnterprise: the town admin suspends a reopened demo enterprise from its
// page (the first try without a reason shows the server's message beside the field), sees the
// banner with the reason and the suspension in the status timeline, and the dashboard then
// counts one more suspended enterprise; lifting the suspension puts the enterprise back.
func TestBrowserSuspendEnterprise(t *testing.T) {
	b := newBrowser(t, 1920, 1080)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "s.db")})
	var session struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "changshan", "password": "demo1234"}, &session)
	var reopened struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises?status=reopened&page_size=1", session.AccessToken, nil, &reopened)
	if len(reopened.Items) == 0 {
		t.Fatal("got no reopened enterprise in the demo, want some")
	}
	ent := reopened.Items[0]
	countShown := poll(`/^\d+$/.test(document.querySelector('[data-test="dash-status-suspended"]')?.dataset.count ?? "")`)

	b.do(t, "open the dashboard", login(s, "changshan"), poll(`location.pathname === "/enterprises"`),
		chromedp.Navigate(s.url+"/dashboard"), chromedp.WaitVisible("#dashboard"), countShown)
	before := suspendedCount(t, b)

	b.do(t, "open the enterprise", chromedp.Navigate(fmt.Sprintf("%s/enterprises/%d", s.url, ent.ID)),
		waitText("body", ent.Name), chromedp.WaitVisible("#enterprise-suspend"),
		chromedp.WaitVisible(`#status-timeline [data-test="status-change"][data-to="reopened"]`))
	// The enterprise page loads its panels (return progress, shifts) as the dialog opens: click
	// in it only once it stands still.
	b.do(t, "open the suspend dialog", chromedp.Click("#enterprise-suspend"), chromedp.WaitVisible("#status-form"),
		animationsSettled())
	t.Run("ReasonRequired", func(t *testing.T) {
		b.do(t, "suspend without a reason", chromedp.Click("#status-save"), waitText("#status-form", "请填写停工整顿原因"))
	})
	reason := "食堂未落实分餐,停工整顿"
	b.do(t, "suspend with a reason", chromedp.SendKeys(in("status-reason"), reason), chromedp.Click("#status-save"),
		waitText("#suspension-banner", reason),
		chromedp.WaitVisible(`#status-timeline [data-test="status-change"][data-to="suspended"]`),
		waitText("#status-timeline", reason), chromedp.WaitVisible("#enterprise-resume"))
	b.screenshot(t, "suspended")

	b.do(t, "see one more suspended enterprise on the dashboard", chromedp.Navigate(s.url+"/dashboard"),
		chromedp.WaitVisible("#dashboard"),
		poll(fmt.Sprintf(`document.querySelector('[data-test="dash-status-suspended"]')?.dataset.count === "%d"`, before+1)))
	b.screenshot(t, "dashboard")

	b.do(t, "resume", chromedp.Navigate(fmt.Sprintf("%s/enterprises/%d", s.url, ent.ID)), chromedp.WaitVisible("#enterprise-resume"),
		chromedp.Click("#enterprise-resume"), chromedp.WaitVisible("#status-form"),
		chromedp.SendKeys(in("status-note"), "已整改,复查合格"), chromedp.Click("#status-save"),
		chromedp.WaitVisible("#enterprise-suspend"),
		poll(`!document.querySelector("#suspension-banner")`),
		waitText("#status-timeline", "已整改,复查合格"))
	b.noProblems(t)
}
