package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAlertsBulk: the town admin opens /alerts?status=open as the dashboard's card
// links it, narrows it to one enterprise with the filter (which the address then shows),
// selects the page's alerts, resolves them all with one note, and sees them leave the open
// list; the server has them resolved with that note. The dashboard's card links to the open
// alerts of the zone it shows.
func TestBrowserAlertsBulk(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "al.db")})
	_, admin := s.login(t, "changshan")
	token := admin["access_token"].(string)

	// The enterprise with the most open alerts on the demo's first page, to filter by.
	type alert struct {
		ID             int64  `json:"id"`
		EnterpriseID   int64  `json:"enterprise_id"`
		EnterpriseName string `json:"enterprise_name"`
		Zone           string `json:"zone"`
		Status         string `json:"status"`
		Note           string `json:"note"`
	}
	var open struct {
		Items []alert `json:"items"`
		Total int     `json:"total"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/alerts?status=open&page_size=200", token, nil, &open)
	counts := map[int64]int{}
	for _, a := range open.Items {
		counts[a.EnterpriseID]++
	}
	var target alert
	for _, a := range open.Items {
		if counts[a.EnterpriseID] > counts[target.EnterpriseID] {
			target = a
		}
	}
	if counts[target.EnterpriseID] < 2 {
		t.Fatalf("the demo has %d open alerts, none of an enterprise with two or more: %v", open.Total, counts)
	}

	b.do(t, "sign in", login(s, "changshan"), poll(`location.pathname === "/enterprises"`))
	b.do(t, "open the open alerts by link", chromedp.Navigate(s.url+"/alerts?status=open"),
		chromedp.WaitVisible("#alert-table"),
		poll(`document.querySelectorAll('#alert-table [data-test="alert-type"]').length > 0`),
		// Every row open, with the names the list now carries.
		poll(`[...document.querySelectorAll('#alert-table tbody .el-table__row')].every((r) => r.innerText.includes('待处理'))`),
		poll(`[...document.querySelectorAll('[data-test="alert-enterprise"]')].every((e) => e.innerText.trim() !== '' && e.innerText.trim() !== '—')`))
	b.screenshot(t, "open")

	rowsOf := `[...document.querySelectorAll('[data-test="alert-enterprise"]')]`
	b.do(t, "filter by "+target.EnterpriseName,
		chromedp.Click(in("alert-enterprise-filter")),
		chromedp.SendKeys(in("alert-enterprise-filter"), target.EnterpriseName),
		chromedp.WaitVisible(fmt.Sprintf(`[data-test="enterprise-option"][data-value=%q]`, target.EnterpriseName)),
		pick(fmt.Sprintf(`[data-test="enterprise-option"][data-value=%q]`, target.EnterpriseName)),
		poll(fmt.Sprintf(`location.search.includes("enterprise_id=%d") && location.search.includes("status=open")`, target.EnterpriseID)),
		poll(fmt.Sprintf(`(() => { const r = %s; return r.length > 1 && r.every((e) => e.dataset.id === "%d"); })()`, rowsOf, target.EnterpriseID)))

	// Select every row the table shows once it has settled (a live update may reload the list
	// while the page opens: the count is of the rows there when the box was ticked).
	b.do(t, "select them all", animationsSettled(),
		poll(`!document.querySelector('#alert-table .el-loading-mask:not([style*="display: none"])')`),
		chromedp.Click("#alert-table .el-table__header .el-checkbox"),
		poll(`(() => { const n = document.querySelectorAll('#alert-table [data-test="alert-type"]').length;
			return n > 1 && document.querySelector('[data-test="alert-selected"]').dataset.count === String(n); })()`))
	// The page's alerts, as the table shows them, all selected.
	ids, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#alert-table [data-test="alert-type"]')].map((e) => e.dataset.id)`))
	if err != nil || len(ids) < 2 {
		t.Fatalf("rows: got %v (%v), want two or more", ids, err)
	}
	note := "已逐一电话联系,复测正常"
	b.do(t, "resolve them in one go", chromedp.Click("#alert-bulk-resolve"), chromedp.WaitVisible(in("alert-note")),
		chromedp.SendKeys(in("alert-note"), note), chromedp.Click("#alert-note-submit"),
		chromedp.WaitVisible(".el-message--success"),
		// They leave the open list: none of them is a row any more.
		poll(fmt.Sprintf(`(() => { const gone = %s; const now = [...document.querySelectorAll('#alert-table [data-test="alert-type"]')].map((e) => e.dataset.id);
			return !document.querySelector('#alert-table .el-loading-mask:not([style*="display: none"])') && now.every((id) => !gone.includes(id)); })()`, jsList(ids))),
		poll(`document.querySelector('[data-test="alert-selected"]').dataset.count === "0"`))
	b.screenshot(t, "resolved")

	var resolved struct{ Items []alert }
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/alerts?status=resolved&enterprise_id=%d&page_size=200", target.EnterpriseID), token, nil, &resolved)
	for _, id := range ids {
		i := slices.IndexFunc(resolved.Items, func(a alert) bool { return fmt.Sprint(a.ID) == id })
		if i < 0 || resolved.Items[i].Note != note {
			t.Errorf("alert %s: not resolved with the note on the server (found at %d)", id, i)
		}
	}

	// The dashboard's open-alerts card, with a zone chosen, opens the list of that zone.
	zone := target.Zone
	b.do(t, "the dashboard's card links to the zone's open alerts",
		chromedp.Navigate(s.url+"/dashboard?zone="+url.QueryEscape(zone)), chromedp.WaitVisible("#dash-alerts-link"),
		poll(fmt.Sprintf(`(() => { const u = new URL(document.querySelector('#dash-alerts-link').href);
			return u.pathname === '/alerts' && u.searchParams.get('status') === 'open' && u.searchParams.get('zone') === %q; })()`, zone)),
		chromedp.Click("#dash-alerts-link"),
		poll(`location.pathname === "/alerts"`),
		poll(fmt.Sprintf(`new URLSearchParams(location.search).get('zone') === %q`, zone)),
		poll(fmt.Sprintf(`(() => { const z = [...document.querySelectorAll('[data-test="alert-zone"]')];
			return !document.querySelector('#alert-table .el-loading-mask:not([style*="display: none"])') && z.every((e) => e.innerText.trim() === %q); })()`, zone)))
	b.noProblems(t)
}

// jsList writes strings as a JavaScript array literal.
func jsList(ss []string) string {
	b, _ := json.Marshal(ss)
	return strings.TrimSpace(string(b))
}
