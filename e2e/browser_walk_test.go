package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"fugong/internal/demo"
)

// walkInFlight counts the page's API requests still unanswered (the dashboard's and the wall's
// live streams stay open for ever, so they are left out): a page whose skeletons have gone but
// whose second request has not come back is not loaded yet.
const walkInFlight = `(() => {
	window.__walkInFlight = 0;
	const f = window.fetch;
	window.fetch = function (input, init) {
		const u = String((input && input.url) || input);
		if (u.includes('/stream')) return f.apply(this, arguments);
		window.__walkInFlight++;
		const done = () => { window.__walkInFlight--; };
		const p = f.apply(this, arguments);
		p.then(done, done);
		return p;
	};
})();`

// walkLoaded is true once the page at path has been quiet for 400 ms: no request in flight, no
// loading mask, no skeleton, no dimmed card list, and something rendered in the app.
func walkLoaded(path string) string {
	return fmt.Sprintf(`(() => {
	const seen = (sel) => [...document.querySelectorAll(sel)].some((e) => e.checkVisibility());
	const busy = location.pathname !== %q || window.__walkInFlight !== 0 || document.readyState !== 'complete' ||
		!document.querySelector('#app').children.length ||
		seen('.el-loading-mask') || seen('.el-skeleton') || seen('.card-list.is-loading');
	if (busy) { window.__walkQuiet = 0; return false; }
	window.__walkQuiet = window.__walkQuiet || performance.now();
	return performance.now() - window.__walkQuiet > 400;
})()`, path)
}

// walkOffScreen lists what a thumb could not reach without scrolling sideways: each card's
// action bar and the controls in it, every primary button shown (a closed dialog's are not),
// and the buttons and links in a table's rows, that do not lie within the screen's width or are
// cut off by a box that scrolls sideways (a table wider than the screen scrolls inside itself:
// its figures may, a row's action may not).
const walkOffScreen = `(() => {
	const clipped = (e) => {
		const r = e.getBoundingClientRect();
		if (r.width === 0) return false;
		if (r.left < -0.5 || r.right > innerWidth + 0.5) return true;
		for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
			const ox = getComputedStyle(a).overflowX;
			if (ox === 'visible' || a.scrollWidth <= a.clientWidth) continue;
			const c = a.getBoundingClientRect();
			if (r.left < c.left - 0.5 || r.right > c.right + 0.5) return true;
		}
		return false;
	};
	const name = (e) => (e.id ? '#' + e.id : '') + (e.dataset.test ? '[' + e.dataset.test + ']' : '') +
		' "' + (e.innerText || '').trim().slice(0, 24) + '" ' + Math.round(e.getBoundingClientRect().left) + '..' + Math.round(e.getBoundingClientRect().right);
	const actions = [...document.querySelectorAll('[data-test="card-action"]')].flatMap((bar) => [bar, ...bar.children]);
	const primary = [...document.querySelectorAll('.el-button--primary')].filter((e) => e.checkVisibility());
	const rows = [...document.querySelectorAll('.el-table__row .el-button, .el-table__row .el-link, .el-table__row a')].filter((e) => e.checkVisibility());
	return [...new Set([...actions, ...primary, ...rows])].filter(clipped).map(name);
})()`

// walkWide names the innermost elements wider than the screen, when the page scrolls sideways.
const walkWide = `(() => {
	if (document.documentElement.scrollWidth <= innerWidth && document.body.scrollWidth <= innerWidth) return [];
	return [...document.querySelectorAll('body *')].filter((e) => e.checkVisibility() && e.getBoundingClientRect().right > innerWidth + 0.5 &&
		![...e.children].some((c) => c.getBoundingClientRect().right > innerWidth + 0.5))
		.slice(0, 8).map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right));
})()`

// walkRole is one account's walk: who signs in, whether a side menu lists their pages, and the
// pages beyond it.
type walkRole struct {
	user string
	// menu: the role has the staff layout, whose side menu lists its pages.
	menu bool
	// pages reached from the menu's pages rather than listed in it (found through the API, in
	// the account's own scope), and, for roles without a menu, their pages.
	extra []string
}

// TestBrowserPhoneEveryPage is issue 21's 360-px walk: every demo role (platform admin, town
// admin, supervisor, two HRs, a guard, a wall screen and a worker) opens every page of its
// menu, as the phone's menu drawer lists it, and the detail pages one reaches from them; each
// page, once loaded, must not scroll sideways, must show every card's action, every primary
// button and every table row's buttons and links within the screen (not behind a table's own
// sideways scrolling), and must show no load error. The console stays clean and no page
// asks for what its user may not read.
func TestBrowserPhoneEveryPage(t *testing.T) {
	b := newBrowser(t, 360, 740)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "walk.db")})
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: walkInFlight}); err != nil {
		t.Fatalf("count the page's requests: %v", err)
	}
	before := refusals(t, s)
	roles := []walkRole{
		{"platform", true, walkScope(t, s, "platform")},
		{"changshan", true, walkScope(t, s, "changshan")},
		{"supervisor1", true, walkScope(t, s, "supervisor1")},
		{"hr1", true, walkScope(t, s, "hr1")},
		{"hr21", true, walkScope(t, s, "hr21")},
		{"gate1", false, []string{"/gate"}},
		{"wall1", false, []string{"/wall"}},
		{"worker", false, []string{"/checkin"}},
	}
	for _, r := range roles {
		t.Run(r.user, func(t *testing.T) {
			walkSignIn(t, b, s, r.user)
			pages := r.extra
			if r.menu {
				pages = append(walkMenu(t, b), r.extra...)
			}
			t.Logf("pages: %v", pages)
			for _, p := range pages {
				t.Run(strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", "-"), func(t *testing.T) {
					walkPage(t, b, s, p)
				})
			}
		})
	}
	if after := refusals(t, s); after != before {
		t.Errorf("access.denied entries: got %d after the walk, want %d as before: a page asked for what its user may not read", after, before)
	}
	b.noProblems(t)
}

// walkSignIn signs the browser in as user: a staff account on the staff sign-in, the worker on
// the phone page's, as a demo worker on duty who set the demo PIN.
func walkSignIn(t *testing.T, b *browser, s *server, user string) {
	t.Helper()
	if user != "worker" {
		b.do(t, "sign in", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, user), poll(`location.pathname !== "/login"`))
		return
	}
	code, phone := walkWorker(t, s)
	b.do(t, "the worker signs in", chromedp.Navigate(s.url+"/login"), clearStorage(),
		chromedp.Navigate(s.url+"/checkin/login"), chromedp.WaitVisible(in("worker-pin")),
		replaceText(in("worker-code"), code), chromedp.SendKeys(in("worker-phone"), phone),
		chromedp.SendKeys(in("worker-pin"), demo.PIN), chromedp.Click("#worker-login-submit"),
		poll(`location.pathname === "/checkin"`))
}

// walkMenu reads the pages of the phone's menu drawer, in its order, and closes it again.
func walkMenu(t *testing.T, b *browser) []string {
	t.Helper()
	var pages []string
	for _, entry := range phoneMenu(t, b) {
		if p := "/" + strings.TrimPrefix(entry, "menu-"); !slices.Contains(pages, p) {
			pages = append(pages, p)
		}
	}
	return pages
}

// walkPage opens one page at 360 px, waits until it has loaded, and checks it.
func walkPage(t *testing.T, b *browser, s *server, path string) {
	t.Helper()
	b.mu.Lock()
	seen := len(b.problems)
	b.mu.Unlock()
	b.do(t, "open "+path+" and wait until it has loaded", chromedp.Navigate(s.url+path), poll(walkLoaded(path)), animationsSettled())
	failed, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-test="list-error"], [data-test="load-error"]')].filter((e) => e.checkVisibility()).map((e) => e.innerText.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) > 0 {
		t.Errorf("%s: failed to load: %v", path, failed)
	}
	noSideScroll(t, b, path)
	if w, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](`[document.body.scrollWidth, innerWidth]`)); err != nil || len(w) != 2 || w[0] > w[1] {
		t.Errorf("%s: body is %v px wide against the screen (%v), want no horizontal scrolling", path, w, err)
	}
	if wide, _ := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](walkWide)); len(wide) > 0 {
		t.Errorf("%s: wider than the screen: %v", path, wide)
	}
	if bad, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](walkScrollTables)); err != nil || len(bad) > 0 {
		t.Errorf("%s: tables that scroll sideways without their first column kept in view and a cue (%v): %v", path, err, bad)
	}
	off, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](walkOffScreen))
	if err != nil {
		t.Fatal(err)
	}
	if len(off) > 0 {
		t.Errorf("%s: actions off screen (what, left..right): %v", path, off)
	}
	b.screenshot(t, "360")
	b.mu.Lock()
	for _, p := range b.problems[seen:] {
		t.Logf("%s: console: %s", path, p)
	}
	b.mu.Unlock()
}

// walkScope finds, with user's own token, the detail pages its menu's pages lead to: a
// township's settings for the platform admin; a reopened enterprise's page, roster and
// check-ins, and a plan to review (waiting, else approved) for a town admin or a supervisor;
// HR's own plan and the check-in poster for HR.
func walkScope(t *testing.T, s *server, user string) []string {
	t.Helper()
	_, l := s.login(t, user)
	token := l["access_token"].(string)
	var me struct {
		Role         string `json:"role"`
		EnterpriseID int64  `json:"enterprise_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", token, nil, &me)
	switch me.Role {
	case "platform_admin":
		if id := walkFirst(t, s, token, "/api/v1/townships"); id != 0 {
			return []string{fmt.Sprintf("/townships/%d", id)}
		}
	case "town_admin", "supervisor":
		var pages []string
		if id := walkFirst(t, s, token, "/api/v1/enterprises", "status=reopened"); id != 0 {
			base := fmt.Sprintf("/enterprises/%d", id)
			pages = append(pages, base, base+"/roster", base+"/checkins")
		}
		if id := walkFirst(t, s, token, "/api/v1/plans", "status=submitted", "status=approved"); id != 0 {
			pages = append(pages, fmt.Sprintf("/plans/%d", id))
		}
		return pages
	case "enterprise_hr":
		pages := []string{"/enterprise/poster"}
		if id := walkFirst(t, s, token, fmt.Sprintf("/api/v1/enterprises/%d/plans", me.EnterpriseID), ""); id != 0 {
			pages = append(pages, fmt.Sprintf("/plans/%d", id))
		}
		return pages
	}
	return nil
}

// walkFirst is the id of the first item path lists, trying each query in turn, or 0.
func walkFirst(t *testing.T, s *server, token, path string, queries ...string) int64 {
	t.Helper()
	if len(queries) == 0 {
		queries = []string{""}
	}
	for _, q := range queries {
		var l struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		apiCall(t, s, http.MethodGet, path+"?page_size=1&"+q, token, nil, &l)
		if len(l.Items) > 0 {
			return l.Items[0].ID
		}
	}
	return 0
}

// walkWorker finds, as the README tells a visitor, a demo worker to sign in as: the town admin
// opens a reopened enterprise for its code, and its roster for the phone of a worker on duty
// who has set the demo PIN.
func walkWorker(t *testing.T, s *server) (code, phone string) {
	t.Helper()
	_, l := s.login(t, "changshan")
	token := l["access_token"].(string)
	var ents struct {
		Items []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises?status=reopened&page_size=100", token, nil, &ents)
	for _, e := range ents.Items {
		var ws struct {
			Items []struct {
				Phone  string `json:"phone"`
				PINSet bool   `json:"pin_set"`
			} `json:"items"`
		}
		apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers?status=on_duty&page_size=50", e.ID), token, nil, &ws)
		for _, w := range ws.Items {
			if w.PINSet {
				return e.Code, w.Phone
			}
		}
	}
	t.Fatal("no demo worker on duty has set the demo PIN")
	return "", ""
}

// walkScrollTables finds the tables that scroll sideways inside their box at this width and
// names each that does not keep its first column in view when scrolled to its far end, or
// shows no cue that it scrolls (a visible [data-test="scroll-cue"] in the box's
// [data-scroll-cue] wrapper). It leaves each box scrolled back to its start.
const walkScrollTables = `(() => {
	const bad = [];
	const name = (el) => {
		const c = el.closest('[id], [data-test]');
		return c ? (c.id ? '#' + c.id : '[data-test=' + c.dataset.test + ']') : el.className;
	};
	for (const box of document.querySelectorAll('*')) {
		const cs = getComputedStyle(box);
		if (!['auto', 'scroll'].includes(cs.overflowX) || box.scrollWidth <= box.clientWidth + 1 || !box.checkVisibility()) continue;
		const row = [...box.querySelectorAll('tbody tr')].find((r) => r.cells.length > 1 && r.checkVisibility());
		if (!row) continue;
		const problems = [];
		box.scrollLeft = box.scrollWidth;
		const b = box.getBoundingClientRect(), c = row.cells[0].getBoundingClientRect();
		if (c.left < b.left - 1 || c.right > b.right + 1 || c.width < 8) problems.push('first column out of view');
		box.scrollLeft = 0;
		const wrap = box.closest('[data-scroll-cue]');
		const cue = wrap && wrap.querySelector('[data-test="scroll-cue"]');
		if (!cue || !cue.checkVisibility()) problems.push('no cue');
		if (problems.length) bad.push(name(box) + ' (' + box.clientWidth + ' of ' + box.scrollWidth + ' px): ' + problems.join(', '));
	}
	return bad;
})()`
