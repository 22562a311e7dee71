package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// dashValue reads a dashboard headline's raw number.
func dashValue(t *testing.T, b *browser, id string) float64 {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.dataset.value ?? ""`, id)))
	if err != nil {
		t.Fatalf("read %s: %v", id, err)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s: got data-value %q, want a number", id, s)
	}
	return v
}

// TestBrowserDashboard: the town admin opens the dashboard on the demo and sees its numbers
// and charts, and beside the fevers the township's own threshold (set to 37.5 first); a
// worker's fever check-in, sent meanwhile through the API, changes the fever and new-alert
// numbers on the open page without a reload; a row leads to its enterprise.
func TestBrowserDashboard(t *testing.T) {
	b := newBrowser(t, 1920, 1080)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "d.db")})

	// A worker of hr1's enterprise, back yesterday, to report a fever.
	id := testID("19900312", 41)
	code := addWorker(t, s, "孙立新", id, "13800004141")
	var worker struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{
		"enterprise_code": code, "phone": "13800004141", "id_number": id, "pin": testPIN}, &worker)
	loc, _ := time.LoadLocation("Asia/Shanghai")

	// The township counts fevers from 37.5 °C: the page must say so, not a threshold of its own.
	_, admin := s.login(t, "changshan")
	adminToken := admin["access_token"].(string)
	var me struct {
		TownshipID int64 `json:"township_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", adminToken, nil, &me)
	apiCall(t, s, http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", me.TownshipID), adminToken, map[string]any{"fever_threshold": 37.5}, nil)

	b.do(t, "open the dashboard", login(s, "changshan"), poll(`location.pathname === "/enterprises"`),
		chromedp.Click(`[data-test="menu-dashboard"]`), chromedp.WaitVisible("#dashboard"),
		poll(`document.querySelector("#dash-fever")?.dataset.value !== undefined`),
		poll(`document.querySelector("#dash-live")?.dataset.state === "open"`),
		poll(`document.querySelectorAll("#dash-trend-chart canvas, #dash-zone-chart canvas, #dash-origin-chart canvas").length === 3`),
		poll(`document.querySelectorAll('[data-test="dash-enterprise-name"]').length === 36`))
	if total := dashValue(t, b, "#dash-enterprises-total"); total != 36 {
		t.Errorf("got %v enterprises, want the demo's 36", total)
	}
	// Just after midnight nobody has reported yet, and 0 is the true share.
	if c := dashValue(t, b, "#dash-completion"); c < 0 || c > 1 {
		t.Errorf("got completion %v, want a share between 0 and 1", c)
	}
	if at := dashValue(t, b, "#dash-fever-threshold"); at != 37.5 {
		t.Errorf("got fever threshold %v beside the fevers, want the township's 37.5", at)
	}
	b.do(t, "the threshold is written out", waitText("#dash-fever-threshold", "37.5"))
	fever, fresh := dashValue(t, b, "#dash-fever"), dashValue(t, b, "#dash-alerts-new")
	b.screenshot(t, "wall")

	// The page must not reload: a mark left on window would be gone.
	b.do(t, "mark the page", poll(`(window.__stillHere = true)`))
	apiCall(t, s, http.MethodPost, "/api/v1/checkins", worker.AccessToken, map[string]any{"temperature": 38.4,
		"slot": map[bool]string{true: "am", false: "pm"}[time.Now().In(loc).Hour() < 12]}, nil)
	b.do(t, "see the fever arrive", poll(fmt.Sprintf(`Number(document.querySelector("#dash-fever").dataset.value) === %v`, fever+1)),
		// The fever's alert is new today (at least: the minute's sweep may raise others). The
		// open ones need not grow: after the cut-off the report also closes the worker's
		// missed-check-in alert, if the sweep raised one.
		poll(fmt.Sprintf(`Number(document.querySelector("#dash-alerts-new").dataset.value) >= %v`, fresh+1)),
		poll(`window.__stillHere === true`))

	b.do(t, "open an enterprise from its row", chromedp.Click(`[data-test="dash-enterprise-name"]`),
		poll(`location.pathname.startsWith("/enterprises/")`))
	b.noProblems(t)
}
