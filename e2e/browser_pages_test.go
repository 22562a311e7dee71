package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// gate holds, fails or lets through the browser's requests to a few API paths, through the
// DevTools Fetch domain: what a slow or broken server looks like to the page, without one.
type gate struct {
	b    *browser
	mu   sync.Mutex
	mode map[string]string // path fragment → "fail", "hold" or "pass"
	held []fetch.RequestID
	seen map[string]int // path fragment → requests paused
	news chan struct{}  // a token per paused request, for waitSeen
}

// newGate intercepts the requests whose URL contains one of the fragments; all pass at first.
func newGate(t *testing.T, b *browser, fragments ...string) *gate {
	t.Helper()
	g := &gate{b: b, mode: map[string]string{}, seen: map[string]int{}, news: make(chan struct{}, 1)}
	var patterns []*fetch.RequestPattern
	for _, f := range fragments {
		g.mode[f] = "pass"
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: "*" + f + "*", RequestStage: fetch.RequestStageRequest})
	}
	paused := chromedp.Events(b.ctx, fetch.RequestPaused)
	b.do(t, "intercept the API", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: patterns})
		return err
	}))
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			g.decide(ev)
		}
	}()
	return g
}

// set changes what happens to the next requests to fragment.
func (g *gate) set(fragment, mode string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mode[fragment] = mode
}

// count is how many requests to fragment have been paused so far.
func (g *gate) count(fragment string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen[fragment]
}

// waitSeen waits until more than n requests to fragment have been paused.
func (g *gate) waitSeen(t *testing.T, fragment string, n int, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for g.count(fragment) <= n {
		select {
		case <-g.news:
		case <-timeout:
			t.Fatalf("waited %v for a request to %s: none came", d, fragment)
		}
	}
}

func (g *gate) decide(ev fetch.EventRequestPaused) {
	g.mu.Lock()
	mode := "pass"
	for f, m := range g.mode {
		if strings.Contains(ev.Request.URL, f) {
			mode = m
			g.seen[f]++
		}
	}
	if mode == "hold" {
		g.held = append(g.held, ev.RequestID)
	}
	g.mu.Unlock()
	select {
	case g.news <- struct{}{}:
	default: // a token is already waiting
	}
	switch mode {
	case "fail":
		g.call(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			return err
		})
	case "pass":
		g.cont(ev.RequestID)
	}
}

// release lets every held request go on to the server.
func (g *gate) release() {
	g.mu.Lock()
	held := g.held
	g.held = nil
	g.mu.Unlock()
	for _, id := range held {
		g.cont(id)
	}
}

func (g *gate) cont(id fetch.RequestID) {
	g.call(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
		return err
	})
}

// call runs one protocol command; a request the page has dropped meanwhile cannot be answered,
// which is no failure of the page.
func (g *gate) call(f func(ctx context.Context, tg *chromedp.Target) error) {
	ctx, cancel := context.WithTimeout(g.b.ctx, 20*time.Second)
	defer cancel()
	_ = chromedp.Do(ctx, chromedp.Func(f))
}

// dropBlocked drops from the browser's console problems the network errors the gate
// caused on purpose (a request failed as blocked).
func (b *browser) dropBlocked() {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.problems[:0]
	for _, p := range b.problems {
		if !strings.Contains(p, "ERR_BLOCKED_BY_CLIENT") {
			kept = append(kept, p)
		}
	}
	b.problems = kept
}

// zoneLabelsJS measures a chart's zone names (SVG text on a phone): it gives "n overlaps
// clipped" — how many zone names are drawn, how many pairs of them overlap, and how many stick
// out of the chart. %q is the chart's selector.
const zoneLabelsJS = `(() => {
	const chart = document.querySelector(%q);
	if (!chart) return "no chart";
	const box = chart.getBoundingClientRect();
	const labels = [...chart.querySelectorAll("svg text")].filter((e) => e.textContent.endsWith("责任区")).map((e) => e.getBoundingClientRect());
	let overlaps = 0, clipped = 0;
	for (let i = 0; i < labels.length; i++) {
		const a = labels[i];
		if (a.left < box.left - 1 || a.right > box.right + 1 || a.top < box.top - 1 || a.bottom > box.bottom + 1) clipped++;
		for (let j = i + 1; j < labels.length; j++) {
			const b = labels[j];
			if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps++;
		}
	}
	return labels.length + " " + overlaps + " " + clipped;
})()`

// noSideScrollJS is true when the page is no wider than the screen.
const noSideScrollJS = `document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth`

// requiredPlanFields are the plan form's inputs a submission needs (domain/plan_rules.go,
// CheckSubmit), by id.
var requiredPlanFields = []string{
	"plan-planned_reopen_date", "plan-expected_workers", "plan-lead_name", "plan-lead_phone",
	"plan-supplies-masks", "plan-supplies-thermometers", "plan-supplies-disinfectant_liters", "plan-supplies-gloves",
	"plan-isolation_room", "plan-shift_size", "plan-canteen", "plan-dormitory", "plan-disinfection",
	"plan-emergency_plan", "plan-pledge",
}

// TestBrowserPageStates (issue 21 part 3) on a phone, 360×740: the dashboard's zone chart
// names its zones without overlap and the page does not scroll sideways; a past day is named by
// its date, never 今日; with the summary failing the page says what failed and a 重试 brings
// the figures; while the first answer is slow the cards show skeletons, no zeros; and hr1's
// plan form marks the fields a submission needs before any submit. Screenshots at 360 and 1920.
func TestBrowserPageStates(t *testing.T) {
	b := newBrowser(t, 360, 740)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "p.db")})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	g := newGate(t, b, "/api/v1/dashboard/summary", "/api/v1/dashboard/stream", "/api/v1/enterprises/4")
	ready := poll(`document.querySelector("#dash-cards")?.dataset.state === "ready"`)

	b.do(t, "sign in as the town admin", login(s, "changshan"), poll(`location.pathname === "/enterprises"`))

	t.Run("ZoneLabelsFit", func(t *testing.T) {
		b.do(t, "open the dashboard", chromedp.Navigate(s.url+"/dashboard"), chromedp.WaitVisible("#dashboard"), ready)
		for _, chart := range []string{"#dash-zone-chart", "#dash-pass-chart"} {
			js := fmt.Sprintf(zoneLabelsJS, chart)
			b.waitFor(t, chart+": the ten zone names drawn apart, inside the chart", js+` === "10 0 0"`, 30*time.Second, js)
		}
		b.waitFor(t, "no sideways scrolling", noSideScrollJS, 10*time.Second,
			`document.documentElement.scrollWidth + " > " + window.innerWidth`)
		b.screenshot(t, "dashboard-360")
	})

	t.Run("PastDayNamed", func(t *testing.T) {
		day := time.Now().In(loc).AddDate(0, 0, -3)
		want := fmt.Sprintf("%d月%d日", int(day.Month()), day.Day())
		b.do(t, "open a past day", chromedp.Navigate(s.url+"/dashboard?date="+day.Format("2006-01-02")), chromedp.WaitVisible("#dashboard"), ready)
		b.waitFor(t, "the title naming "+want, fmt.Sprintf(`document.querySelector("#dash-title").innerText.includes(%q)`, want), 10*time.Second,
			`document.querySelector("#dash-title").innerText`)
		b.waitFor(t, "the completion card naming "+want, fmt.Sprintf(`document.querySelector("#dash-cards").innerText.includes(%q)`, want), 10*time.Second,
			`document.querySelector("#dash-cards").innerText`)
		b.waitFor(t, "no 今日 anywhere on the dashboard", `!document.querySelector("#dashboard").innerText.includes("今日")`, 10*time.Second,
			`document.querySelector("#dashboard").innerText`)
	})

	// The stream is held from here on: its summary would fill the cards whatever the summary
	// request does.
	g.set("/api/v1/dashboard/stream", "hold")

	t.Run("FailedSaysWhatAndRetries", func(t *testing.T) {
		g.set("/api/v1/dashboard/summary", "fail")
		b.do(t, "open the dashboard with the summary failing", chromedp.Navigate(s.url+"/dashboard"), chromedp.WaitVisible("#dashboard"))
		b.waitFor(t, "the failure named, with 重试", `document.querySelector("#dash-error")?.innerText.includes("汇总数字") && !!document.querySelector("#dash-retry")`,
			30*time.Second, `document.querySelector("#dash-error")?.innerText ?? "no message"`)
		b.waitFor(t, "cards without figures", `document.querySelector("#dash-cards").dataset.state === "failed" && !/\d/.test(document.querySelector("#dash-cards").innerText)`,
			10*time.Second, `document.querySelector("#dash-cards").innerText`)
		b.screenshot(t, "failed-360")
		g.set("/api/v1/dashboard/summary", "pass")
		b.do(t, "retry", chromedp.Click("#dash-retry"), ready,
			poll(`Number(document.querySelector("#dash-enterprises-total").dataset.value) === 36`),
			poll(`!document.querySelector("#dash-error")`))
	})

	t.Run("SlowShowsSkeletons", func(t *testing.T) {
		g.set("/api/v1/dashboard/summary", "hold")
		before := g.count("/api/v1/dashboard/summary")
		b.do(t, "open the dashboard with the summary held", chromedp.Navigate(s.url+"/dashboard"), chromedp.WaitVisible("#dashboard"))
		g.waitSeen(t, "/api/v1/dashboard/summary", before, 30*time.Second)
		b.waitFor(t, "skeleton cards", `document.querySelector("#dash-cards")?.dataset.state === "loading" && document.querySelectorAll('#dash-cards [data-test="dash-skeleton"]').length === 6`,
			10*time.Second, `document.querySelector("#dash-cards")?.outerHTML.slice(0, 300) ?? "no cards"`)
		if txt, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#dash-cards").innerText + " | " + document.querySelector("#dash-status").innerText`)); err != nil {
			t.Fatal(err)
		} else if strings.ContainsAny(txt, "0123456789") {
			t.Errorf("got %q while loading, want no figures", txt)
		}
		b.screenshot(t, "loading-360")
		g.set("/api/v1/dashboard/summary", "pass")
		g.release()
		b.do(t, "the figures come", ready, poll(`Number(document.querySelector("#dash-enterprises-total").dataset.value) === 36`))
	})

	t.Run("DashboardWide", func(t *testing.T) {
		b.do(t, "widen the screen", chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url+"/dashboard"), ready,
			poll(`document.querySelectorAll("#dash-zone-chart canvas").length === 1`))
		b.screenshot(t, "dashboard-1920")
		b.do(t, "back to a phone", chromedp.EmulateViewport(360, 740))
	})
	g.set("/api/v1/dashboard/stream", "pass")
	g.release()

	t.Run("EnterpriseFailedRetries", func(t *testing.T) {
		g.set("/api/v1/enterprises/4", "fail")
		b.do(t, "open an enterprise with its API failing", chromedp.Navigate(s.url+"/enterprises/4"))
		b.waitFor(t, "the failure named, with 重试", `document.querySelector('[data-test="load-error"]')?.innerText.includes("企业信息加载失败") && !!document.querySelector('[data-test="load-retry"]')`,
			30*time.Second, `document.querySelector('[data-test="load-error"]')?.innerText ?? document.body.innerText.slice(0, 300)`)
		g.set("/api/v1/enterprises/4", "pass")
		b.do(t, "retry", chromedp.Click(`[data-test="load-retry"]`), chromedp.WaitVisible("#enterprise-roster-link"),
			poll(`!document.querySelector('[data-test="load-error"]')`))
	})

	t.Run("PlanRequiredMarked", func(t *testing.T) {
		b.do(t, "sign in as hr1 and start a plan", clearStorage(), login(s, "hr1"), poll(`location.pathname === "/enterprise"`),
			chromedp.Navigate(s.url+"/plan"), chromedp.WaitVisible("#plan-new"), chromedp.Click("#plan-new"), chromedp.WaitVisible("#plan-form"))
		ids := `["` + strings.Join(requiredPlanFields, `","`) + `"]`
		unmarked := fmt.Sprintf(`%s.filter((id) => !document.getElementById(id)?.closest(".el-form-item")?.classList.contains("is-required")).join(" ")`, ids)
		b.waitFor(t, "every required field marked", unmarked+` === ""`, 10*time.Second, unmarked)
		marks := `[...document.querySelectorAll("#plan-form .el-form-item.is-required > .el-form-item__label")].filter((l) => getComputedStyle(l, "::before").content.includes("*")).length`
		b.waitFor(t, "the marks drawn on the labels", marks+` >= 14`, 10*time.Second, marks+` + ""`)
		for _, sel := range []string{`#plan-supplies-goggles`} {
			js := fmt.Sprintf(`document.querySelector(%q).closest(".el-form-item").classList.contains("is-required")`, sel)
			if got, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err != nil || got {
				t.Errorf("%s: got required %v (%v), want optional: the server does not ask for it", sel, got, err)
			}
		}
		b.do(t, "nothing in error before a submit", poll(`!document.querySelector("#plan-form .is-error") && !!document.querySelector("#plan-required-note")`))
		b.screenshot(t, "plan-form-360")
		b.do(t, "widen the screen", chromedp.EmulateViewport(1920, 1080), poll(`window.innerWidth === 1920`))
		b.screenshot(t, "plan-form-1920")
	})

	// hr8's plan is approved and waits for the supervisor; hr4's enterprise has reopened since:
	// its page must no longer say 确认后即可复工.
	t.Run("PlanTextMatchesState", func(t *testing.T) {
		for _, c := range []struct{ hr, state, want, not string }{
			{"hr8", "approved", "确认后即可复工", "企业已于"},
			{"hr4", "reopened", "企业已于", "确认后即可复工"},
		} {
			b.do(t, c.hr+" opens the plan", clearStorage(), login(s, c.hr), poll(`location.pathname === "/enterprise"`),
				chromedp.Navigate(s.url+"/plan"), chromedp.WaitVisible("#plan-state"))
			text := `document.querySelector("#plan-state").dataset.state + " " + document.querySelector("#plan-state").innerText`
			b.waitFor(t, c.hr+": the text of the "+c.state+" state", fmt.Sprintf(`document.querySelector("#plan-state").dataset.state === %q && document.querySelector("#plan-state").innerText.includes(%q) && !document.querySelector("#plan-state").innerText.includes(%q)`, c.state, c.want, c.not),
				10*time.Second, text)
		}
	})
	b.dropBlocked()
	b.noProblems(t)
}
