package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAuditLog signs in as the demo town admin, opens the audit log from the menu and
// sees the demo's fortnight in it, then narrows it to refused requests with the filter; no
// entry shows a phone number or an ID number.
func TestBrowserAuditLog(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "a.db")})
	b.do(t, "sign in", login(s, "changshan"), chromedp.WaitVisible(`[data-test="menu-audit"]`))
	b.do(t, "open the audit log", chromedp.Click(`[data-test="menu-audit"]`),
		poll(`location.pathname === "/audit"`), chromedp.WaitVisible("#audit-table"),
		// The newest first: this very sign-in of the town admin.
		waitText("#audit-table tbody tr:first-child", "长山镇复工专班(changshan)"),
		waitText("#audit-table tbody tr:first-child", "登录"),
		waitText(".pager", "共"))
	b.do(t, "every kind of entry is there", poll(`(() => {
		const seen = new Set([...document.querySelectorAll('[data-test="audit-action"]')].map((e) => e.dataset.action));
		return seen.has('auth.login') && document.querySelector('.pager').innerText.match(/共 (\d+) 条/)[1] > 100;
	})()`))
	b.screenshot(t, "all")
	b.do(t, "filter refused requests",
		chromedp.Click("#audit-action-filter input, input#audit-action-filter"),
		chromedp.WaitVisible(`[data-test="audit-action-option"][data-value="access"]`),
		pick(`[data-test="audit-action-option"][data-value="access"]`),
		poll(`location.search.includes("action=access")`),
		waitText("#audit-table", "越权访问被拒绝"),
		waitText("#audit-table", "PATCH /api/v1/enterprises/:id"),
		poll(`[...document.querySelectorAll('[data-test="audit-action"]')].every((e) => e.dataset.action.startsWith('access.'))`))
	b.screenshot(t, "refused")
	b.do(t, "filter exports of personal data",
		chromedp.Click("#audit-action-filter input, input#audit-action-filter"),
		chromedp.WaitVisible(`[data-test="audit-action-option"][data-value="roster.export"]`),
		pick(`[data-test="audit-action-option"][data-value="roster.export"]`),
		poll(`location.search.includes("action=roster.export")`),
		waitText("#audit-table", "导出花名册"), waitText("#audit-table", "山东长星纺织有限公司"))
	b.do(t, "no personal data shown", chromedp.Navigate(s.url+"/audit?page_size=100"), chromedp.WaitVisible("#audit-table"),
		waitText("#audit-table", "登录"),
		poll(`!/1[3-9][0-9]{9}|[1-8][0-9]{5}(19|20)[0-9]{9}[0-9X]/.test(document.querySelector('#audit-table').innerText)`))
	b.noProblems(t)
}

// pick clicks an option of an open Element Plus dropdown. The dropdown slides in, so a click at
// the option's coordinates can land on its neighbour; the option's own click does not.
func pick(sel string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(() => { const o = document.querySelector(%q); if (!o) return false; o.click(); return true; })()`, sel))
}
