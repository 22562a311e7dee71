package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// phoneList is one list page as a phone shows it (issue 21 part 1): its path, and whether its
// filters sit in a drawer (a list with no filters has no drawer).
type phoneList struct {
	path    string
	filters bool
}

// phoneLists are the list pages, by the data-test of their menu entry (menu-<path>).
var phoneLists = map[string]phoneList{
	"menu-townships":      {"/townships", false},
	"menu-enterprises":    {"/enterprises", true},
	"menu-reviews":        {"/reviews", false},
	"menu-rectifications": {"/rectifications", true},
	"menu-users":          {"/users", true},
	"menu-roster":         {"/roster", true},
	"menu-checkins":       {"/checkins", true},
	"menu-alerts":         {"/alerts", true},
	"menu-channels":       {"/channels", false},
	"menu-messages":       {"/messages", true},
	"menu-audit":          {"/audit", true},
}

// refusals counts the audit log's access.denied entries, as the platform admin sees them
// (every township's).
func refusals(t *testing.T, s *server) int {
	t.Helper()
	_, p := s.login(t, "platform")
	var res struct {
		Total int `json:"total"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/audit?action=access.denied&page_size=1", p["access_token"].(string), nil, &res)
	return res.Total
}

// TestBrowserPhoneLists opens, at 360×740, every list page in the menu of the town admin, a
// supervisor, two enterprises' HR (hr21's enterprise is reopened, with workers) and the
// platform admin, and checks that each is a page a phone can use: nothing scrolls sideways,
// every card's action is on screen, the filters open in a drawer, no list failed, and the
// console stays clean. No page makes a request its user may not make: the audit log has no
// new refusal after the walk.
func TestBrowserPhoneLists(t *testing.T) {
	b := newBrowser(t, 360, 740)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "m.db")})
	before := refusals(t, s)
	// Pages the demo fills for the role: their cards must be there, not only the empty state.
	withRows := map[string][]string{
		"changshan":   {"/enterprises", "/users", "/audit"},
		"supervisor1": {"/enterprises", "/reviews"},
		"hr1":         {"/roster", "/alerts"},
		"hr21":        {"/roster", "/checkins"},
		"platform":    {"/townships", "/audit"},
	}
	for _, user := range []string{"changshan", "supervisor1", "hr1", "hr21", "platform"} {
		t.Run(user, func(t *testing.T) {
			b.do(t, "sign in", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, user),
				poll(`location.pathname !== "/login"`), chromedp.WaitVisible("#menu-toggle"))
			menu := phoneMenu(t, b)
			visited := 0
			for _, entry := range menu {
				page, ok := phoneLists[entry]
				if !ok {
					continue
				}
				visited++
				t.Run(strings.TrimPrefix(page.path, "/"), func(t *testing.T) {
					checkPhoneList(t, b, s, page, slices.Contains(withRows[user], page.path))
				})
			}
			if visited == 0 {
				t.Errorf("menu %v: no list page in it", menu)
			}
		})
	}
	if after := refusals(t, s); after != before {
		t.Errorf("access.denied entries: got %d after the walk, want %d as before: a page asked for what its user may not read", after, before)
	}
	b.noProblems(t)
}

// phoneMenu opens the phone's menu drawer and returns its entries' data-test, in order.
func phoneMenu(t *testing.T, b *browser) []string {
	t.Helper()
	b.do(t, "open the menu", chromedp.Click("#menu-toggle"), chromedp.WaitVisible("#side-menu"), animationsSettled())
	menu, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#side-menu [data-test^="menu-"]')].map((e) => e.dataset.test)`))
	if err != nil || len(menu) == 0 {
		t.Fatalf("menu entries: got %v (%v)", menu, err)
	}
	return menu
}

// checkPhoneList opens one list page on the phone and checks it.
func checkPhoneList(t *testing.T, b *browser, s *server, page phoneList, wantRows bool) {
	t.Helper()
	b.do(t, "open "+page.path, chromedp.Navigate(s.url+page.path),
		// Loaded: the card list is there, no skeleton is left and no reload dims it.
		poll(`!!document.querySelector('[data-test="card-list"]') && !document.querySelector('[data-test="list-skeleton"]') && !document.querySelector('.card-list.is-loading')`),
		animationsSettled())
	if failed, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`(document.querySelector('[data-test="list-error"]') || {}).innerText || ''`)); failed != "" {
		t.Errorf("%s: the list failed to load: %s", page.path, failed)
	}
	cards, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-test="card"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if wantRows && cards == 0 {
		t.Errorf("%s: no cards, want the demo's rows", page.path)
	}
	if cards == 0 {
		b.do(t, "an empty list says why", chromedp.WaitVisible(`[data-test="list-empty"]`))
	}
	noSideScroll(t, b, page.path)
	// Every card's action bar and each control in it lie within the screen's width.
	off, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-test="card-action"]')].flatMap((bar) =>
		[bar, ...bar.children].filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < 0 || r.right > innerWidth + 0.5); })
			.map((e) => (bar.closest('[data-test="card"]').dataset.id || '?') + ': ' + e.innerText.trim() + ' ' + Math.round(e.getBoundingClientRect().right)))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(off) > 0 {
		t.Errorf("%s: card actions off screen (card: text right edge): %v", page.path, off)
	}
	t.Logf("%s: %d cards", page.path, cards)
	b.screenshot(t, "360")
	if !page.filters {
		return
	}
	b.do(t, "open the filters", chromedp.Click(`[data-test="filter-open"]`),
		poll(`(() => { const d = document.querySelector('.filter-drawer'); return !!d && d.checkVisibility() && d.querySelectorAll('.filter-stack input').length > 0; })()`),
		animationsSettled(),
		poll(`(() => { const r = document.querySelector('.filter-drawer').getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth + 0.5; })()`))
	noSideScroll(t, b, page.path+" with the filters open")
	b.screenshot(t, "360-filters")
	b.do(t, "close the filters", chromedp.Click(`[data-test="filter-done"]`),
		poll(`![...document.querySelectorAll('.filter-drawer')].some((d) => d.checkVisibility())`))
}

// noSideScroll fails the test when the page is wider than the screen.
func noSideScroll(t *testing.T, b *browser, what string) {
	t.Helper()
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, innerWidth]`))
	if err != nil || len(w) != 2 || w[0] > w[1] {
		t.Errorf("%s: page is %v px wide against the screen (%v), want no horizontal scrolling", what, w, err)
	}
}

// TestBrowserAuditNoFalseAlarm: the platform admin opens the audit log at a desktop's width,
// where every filter is shown at once; the visit records no refused request against them.
func TestBrowserAuditNoFalseAlarm(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "n.db")})
	before := refusals(t, s)
	b.do(t, "sign in", login(s, "platform"), poll(`location.pathname === "/townships"`))
	b.do(t, "open the audit log", chromedp.Navigate(s.url+"/audit"), chromedp.WaitVisible("#audit-table"),
		waitText("#audit-table", "登录"), chromedp.WaitVisible("#audit-actor-filter"),
		poll(`!document.querySelector('#audit-enterprise-filter')`))
	// The page's own requests (the people for the actor filter) have had their answers.
	b.do(t, "the actor filter has its people", chromedp.Click(in("audit-actor-filter")),
		chromedp.WaitVisible(`[data-test="audit-actor-option"][data-value="changshan"]`))
	if after := refusals(t, s); after != before {
		t.Errorf("access.denied entries: got %d after the platform admin's visit, want %d", after, before)
	}
	b.noProblems(t)
}

// TestBrowserListStates: at 360 px, a list still loading shows skeletons (no 0 total, no empty
// message), a failed request says what failed and offers 重试 which loads it, filters that hide
// every row say so and clear with one button, and a past day is labelled with its date.
func TestBrowserListStates(t *testing.T) {
	b := newBrowser(t, 360, 740)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "st.db")})
	b.do(t, "sign in", login(s, "changshan"), poll(`location.pathname !== "/login"`))

	// The list's request is held in the browser until the test lets it fail.
	paused := make(chan fetch.EventRequestPaused, 4)
	ctx, stop := context.WithCancel(b.ctx)
	defer stop()
	go func() {
		for ev, err := range chromedp.Events(ctx, fetch.RequestPaused) {
			if err != nil {
				return
			}
			paused <- ev
		}
	}()
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/v1/users?*"}}}); err != nil {
		t.Fatalf("hold the list's request: %v", err)
	}
	b.do(t, "open the accounts", chromedp.Navigate(s.url+"/users"))
	var held fetch.EventRequestPaused
	select {
	case held = <-paused:
	case <-time.After(60 * time.Second):
		t.Fatal("the accounts page sent no request for its list within 60 s")
	}
	t.Run("LoadingShowsSkeletons", func(t *testing.T) {
		b.do(t, "skeletons while it loads", chromedp.WaitVisible(`#user-table [data-test="list-skeleton"]`),
			poll(`!document.querySelector('[data-test="list-empty"]') && !document.querySelector('.el-pagination') && !document.body.innerText.includes('共 0 条')`))
		b.screenshot(t, "loading")
	})
	if _, err := chromedp.Call(b.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: held.RequestID, ErrorReason: network.ErrorReasonConnectionFailed}); err != nil {
		t.Fatalf("fail the request: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatalf("let requests through: %v", err)
	}
	t.Run("FailedOffersRetry", func(t *testing.T) {
		b.do(t, "what failed, and 重试", chromedp.WaitVisible(`[data-test="list-error"]`),
			waitText(`[data-test="list-error"]`, "用户管理加载失败"), chromedp.WaitVisible(`[data-test="list-retry"]`))
		b.screenshot(t, "failed")
		b.do(t, "重试 loads it", chromedp.Click(`[data-test="list-retry"]`),
			poll(`document.querySelectorAll('#user-table [data-test="card"]').length > 0 && !document.querySelector('[data-test="list-error"]')`))
	})
	t.Run("FilteredEmptySaysWhy", func(t *testing.T) {
		b.do(t, "search for no one", chromedp.SendKeys(in("user-search"), "查无此人"+kb.Enter),
			chromedp.WaitVisible(`[data-test="list-empty"]`), waitText(`[data-test="list-empty"]`, "没有符合筛选条件的记录"),
			poll(`!document.querySelector('[data-test="list-empty"]').innerText.includes('暂无数据')`))
		b.screenshot(t, "empty")
		b.do(t, "清除筛选 brings them back", chromedp.Click(`[data-test="list-clear"]`),
			poll(`document.querySelectorAll('#user-table [data-test="card"]').length > 0 && !location.search.includes('q=')`))
	})
	t.Run("PastDayHasItsDate", func(t *testing.T) {
		loc, _ := time.LoadLocation("Asia/Shanghai")
		yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
		b.do(t, "hr21 opens yesterday's check-ins", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, "hr21"),
			poll(`location.pathname !== "/login"`), chromedp.Navigate(s.url+"/checkins?date="+yesterday),
			chromedp.WaitVisible(`[data-test="status-day"][data-today="false"]`), waitText(`[data-test="status-day"]`, yesterday),
			poll(`!/今日|今天/.test(document.querySelector('[data-test="status-day"]').innerText)`))
		b.screenshot(t, "yesterday")
	})
	// The request failed on purpose; anything else in the console is a defect.
	b.mu.Lock()
	for _, p := range b.problems {
		if !strings.Contains(p, "ERR_CONNECTION_FAILED") {
			t.Errorf("browser console: %s", p)
		}
	}
	b.mu.Unlock()
}
