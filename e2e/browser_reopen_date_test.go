package e2e

import (
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserReopenDefaultsToPlanDate: the supervisor's confirmation of a reopening starts at
// the day the approved plan set, not at today, and confirming sends that day. The demo's
// approved plans are set for today, which would not tell the two apart, so the test first
// moves one plan (its date, its first batch and the enterprise's first return batch) to
// yesterday in the database, as a plan approved a day earlier would be: a past planned date
// cannot be made through the API, which refuses one.
func TestBrowserReopenDefaultsToPlanDate(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "reopen.db")
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + dbPath})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(loc).Format(time.DateOnly)
	yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)

	var session struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "supervisor1", "password": "demo1234"}, &session)
	var approved struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises?status=approved&page_size=1", session.AccessToken, nil, &approved)
	if len(approved.Items) != 1 {
		t.Fatal("got no approved enterprise of supervisor1 in the demo, want one")
	}
	ent := approved.Items[0].ID
	var plans struct {
		Items []struct {
			ID                int64  `json:"id"`
			Status            string `json:"status"`
			PlannedReopenDate string `json:"planned_reopen_date"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/plans", ent), session.AccessToken, nil, &plans)
	if len(plans.Items) == 0 || plans.Items[0].Status != "approved" {
		t.Fatalf("enterprise %d: got plans %+v, want an approved one first", ent, plans.Items)
	}
	plan := plans.Items[0]
	movePlanToDay(t, dbPath, plan.ID, ent, plan.PlannedReopenDate, yesterday)
	var moved struct {
		PlannedReopenDate string `json:"planned_reopen_date"`
	}
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/plans/%d", plan.ID), session.AccessToken, nil, &moved)
	if moved.PlannedReopenDate != yesterday {
		t.Fatalf("plan %d: got planned_reopen_date %s after moving it, want %s", plan.ID, moved.PlannedReopenDate, yesterday)
	}

	b := newBrowser(t, 1366, 900)
	b.do(t, "open the approved plan", login(s, "supervisor1"), chromedp.WaitVisible(`[data-test="menu-reviews"]`),
		chromedp.Navigate(fmt.Sprintf("%s/plans/%d", s.url, plan.ID)), chromedp.WaitVisible("#reopen-confirm"),
		poll(`(document.querySelector('#reopen-date input, input#reopen-date') || {}).value !== ''`))
	value, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#reopen-date input, input#reopen-date').value`))
	if err != nil {
		t.Fatal(err)
	}
	if value != yesterday {
		t.Errorf("the reopening date field holds %q, want the plan's date %s (today is %s)", value, yesterday, today)
	}
	b.screenshot(t, "default-date")
	b.do(t, "confirm as it stands", chromedp.SendKeys(in("reopen-reason"), "按方案日期确认复工"),
		chromedp.Click("#reopen-confirm"), chromedp.WaitVisible("#reopened-note"))
	var e struct {
		Status     string `json:"status"`
		ReopenedOn string `json:"reopened_on"`
	}
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", ent), session.AccessToken, nil, &e)
	if e.Status != "reopened" || e.ReopenedOn != yesterday {
		t.Errorf("enterprise %d: got %s on %q, want reopened on the plan's date %s", ent, e.Status, e.ReopenedOn, yesterday)
	}
	b.noProblems(t)
}

// movePlanToDay sets an approved plan's date, and the first batch dated from (in the plan and
// among the enterprise's return batches), to day, straight in the SQLite database.
func movePlanToDay(t *testing.T, dbPath string, planID, enterpriseID int64, from, day string) {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stamp := func(d string) string { return d + " 00:00:00+00:00" } // as the server's driver writes a date
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE reopening_plans SET planned_reopen_date = ?, batches = replace(batches, ?, ?) WHERE id = ?`,
			[]any{stamp(day), `"date":"` + from + `"`, `"date":"` + day + `"`, planID}},
		{`UPDATE return_batches SET date = ? WHERE enterprise_id = ? AND date = ?`, []any{stamp(day), enterpriseID, stamp(from)}},
	} {
		res, err := db.Exec(q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s %v: changed no row", q.sql, q.args)
		}
	}
}
