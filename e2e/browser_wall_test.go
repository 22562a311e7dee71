package e2e

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// wallLayout is the wall screen's layout as JavaScript gives it: how far the document scrolls,
// the panels, and each thing that sticks out of the viewport or out of its panel.
const wallLayout = `JSON.stringify((() => {
	const de = document.documentElement, out = [];
	if (de.scrollHeight > innerHeight) out.push('document scrollHeight ' + de.scrollHeight + ' > ' + innerHeight);
	if (de.scrollWidth > innerWidth) out.push('document scrollWidth ' + de.scrollWidth + ' > ' + innerWidth);
	const inside = (el, what) => {
		const r = el.getBoundingClientRect();
		if (r.width <= 0 || r.height <= 0) out.push(what + ' is not drawn');
		if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5)
			out.push(what + ' outside the viewport: ' + JSON.stringify({top: r.top, left: r.left, bottom: r.bottom, right: r.right}));
	};
	const panels = [...document.querySelectorAll('[data-test="wall-panel"]')];
	panels.forEach((p) => {
		inside(p, 'panel ' + p.id);
		if (p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1)
			out.push('panel ' + p.id + ' overflows: ' + p.scrollWidth + 'x' + p.scrollHeight + ' in ' + p.clientWidth + 'x' + p.clientHeight);
	});
	['#wall-date', '#wall-clock', '#wall-status', '.wall-title'].forEach((s) => {
		const e = document.querySelector(s);
		if (!e) out.push(s + ' missing'); else inside(e, s);
	});
	return {panels: panels.length, problems: out};
})())`

// wallState is what the wall shows of its day and connection, for a failure's message.
const wallState = `JSON.stringify({path: location.pathname, day: document.querySelector('#wall')?.dataset.day,
	figures: document.querySelector('#wall')?.dataset.figuresDate, date: document.querySelector('#wall-date')?.innerText,
	clock: document.querySelector('#wall-clock')?.innerText, status: document.querySelector('#wall-status')?.innerText,
	state: document.querySelector('#wall-status')?.dataset.state})`

// wallReady is true once the wall has today's figures, its charts and its lists drawn, and
// its stream is live.
const wallReady = `(() => {
	const w = document.querySelector('#wall');
	return !!w && w.dataset.figuresDate === w.dataset.day && document.querySelectorAll('#wall-trend canvas, #wall-zones canvas').length >= 2
		&& document.querySelectorAll('#wall-alerts [data-test="wall-row"]').length > 0
		&& document.querySelector('#wall-status')?.dataset.state === 'live';
})()`

// TestBrowserWall is issue 21's wall screen (大屏) in a real Chromium, as the demo's wall screen
// account wall1: at 1920×1080 and 3840×2160 everything is on screen and nothing scrolls (and as
// a town admin, who opens it from the menu); at a
// simulated midnight (the page's clock set to 23:59:50 in Asia/Shanghai, on a PC set to
// another time zone) it turns to the new day and reads that day's figures by itself; and when
// the server stops it says the connection is lost, and when the server is back on the same
// port and database it is live again without a reload.
func TestBrowserWall(t *testing.T) {
	dir := t.TempDir()
	// A fixed port, so that the restarted server is where the page left it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := func() map[string]string {
		return map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(dir, "wall.db"), "FUGONG_DATA_DIR": dir, "FUGONG_ADDR": addr}
	}
	s := startServer(t, env())

	t.Run("Fits1080", func(t *testing.T) {
		b := newBrowser(t, 1920, 1080)
		b.do(t, "wall1 signs in and lands on the wall", login(s, "wall1"), poll(`location.pathname === "/wall"`))
		b.waitFor(t, "the wall's figures, charts, alerts and live stream", wallReady, 60*time.Second, wallState)
		checkWallLayout(t, b, 5)
		b.screenshot(t, "1920x1080")
		b.noProblems(t)
	})

	t.Run("Fits4K", func(t *testing.T) {
		b := newBrowser(t, 3840, 2160)
		b.do(t, "wall1 signs in and lands on the wall", login(s, "wall1"), poll(`location.pathname === "/wall"`))
		b.waitFor(t, "the wall's figures, charts, alerts and live stream", wallReady, 60*time.Second, wallState)
		checkWallLayout(t, b, 5)
		b.screenshot(t, "3840x2160")
		b.noProblems(t)
	})

	// A town admin opens the wall from the menu (大屏) and comes back to the dashboard.
	t.Run("FromMenu", func(t *testing.T) {
		b := newBrowser(t, 1920, 1080)
		b.do(t, "changshan opens 大屏 from the menu", login(s, "changshan"), chromedp.WaitVisible(`[data-test="menu-wall"]`),
			waitText(`[data-test="menu-wall"]`, "大屏"), chromedp.Click(`[data-test="menu-wall"]`), poll(`location.pathname === "/wall"`))
		b.waitFor(t, "the wall's figures, charts, alerts and live stream", wallReady, 60*time.Second, wallState)
		checkWallLayout(t, b, 5)
		b.do(t, "back to the dashboard", chromedp.Click("#wall-back"), poll(`location.pathname === "/dashboard"`),
			chromedp.WaitVisible("#dashboard"))
		b.noProblems(t)
	})

	t.Run("Midnight", func(t *testing.T) {
		loc, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Now().In(loc)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		yesterday := today.AddDate(0, 0, -1).Format(time.DateOnly)
		// Yesterday's last seconds, so that the new day is the server's today, whose figures it
		// has; each new document starts its clock there again.
		fake := today.Add(-10 * time.Second).UnixMilli()
		b := newBrowser(t, 1920, 1080)
		b.do(t, "wall1 signs in", login(s, "wall1"), poll(`location.pathname === "/wall"`))
		if _, err := chromedp.Call(b.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/London"}); err != nil {
			t.Fatalf("time zone: %v", err)
		}
		if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: fakeClock(fake)}); err != nil {
			t.Fatalf("fake clock: %v", err)
		}
		// The page must be seen on the day before with that day's figures; a load slower than
		// the ten seconds left (a busy machine) is tried again, the clock starting over.
		onEve := fmt.Sprintf(`(() => { const w = document.querySelector('#wall');
			return !!w && w.dataset.day === %q && w.dataset.figuresDate === %q; })()`, yesterday, yesterday)
		for attempt := 1; ; attempt++ {
			b.do(t, "open the wall at 23:59:50", chromedp.Navigate(s.url+"/wall"))
			if b.within(9*time.Second, onEve) {
				break
			}
			if attempt == 3 {
				b.waitFor(t, "the wall on "+yesterday+" with its figures, before midnight", onEve, time.Second, wallState)
			}
			t.Logf("attempt %d: the wall was not on %s with its figures before midnight; again", attempt, yesterday)
		}
		b.screenshot(t, "before-midnight")
		day := today.Format(time.DateOnly)
		b.waitFor(t, "the wall to turn to "+day+" and read its figures", fmt.Sprintf(`(() => {
			const w = document.querySelector('#wall'), d = document.querySelector('#wall-date');
			return w.dataset.day === %q && w.dataset.figuresDate === %q && d.dataset.date === %q
				&& d.innerText.includes(%q) && document.querySelector('#wall-clock').innerText.startsWith('00:0');
		})()`, day, day, day, fmt.Sprintf("%d月%d日", today.Month(), today.Day())), 60*time.Second, wallState)
		b.screenshot(t, "after-midnight")
		b.noProblems(t)
	})

	t.Run("Restart", func(t *testing.T) {
		b := newBrowser(t, 1920, 1080)
		b.do(t, "wall1 signs in and lands on the wall", login(s, "wall1"), poll(`location.pathname === "/wall"`))
		b.waitFor(t, "the wall live", wallReady, 60*time.Second, wallState)
		s.stop()
		b.waitFor(t, "the wall to say the connection is lost", `(() => {
			const e = document.querySelector('#wall-status');
			return e.dataset.state === 'down' && e.innerText.includes('连接中断，正在重连');
		})()`, 60*time.Second, wallState)
		b.screenshot(t, "down")
		s = startServer(t, env())
		// The stream's backoff is at most 15 s between attempts.
		b.waitFor(t, "the wall live again after the restart", `(() => {
			const e = document.querySelector('#wall-status');
			return e.dataset.state === 'live' && e.innerText.includes('更新于') && !e.innerText.includes('连接中断');
		})()`, 90*time.Second, wallState)
		if path, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || path != "/wall" {
			t.Errorf("got %q (%v) after the restart, want the wall still signed in", path, err)
		}
		b.screenshot(t, "live-again")
	})
}

// checkWallLayout fails for a wall that scrolls, or a panel (of the panels it should have) or
// header item out of the viewport or overflowing.
func checkWallLayout(t *testing.T, b *browser, panels int) {
	t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](wallLayout))
	if err != nil {
		t.Fatalf("measure the wall: %v", err)
	}
	if !strings.Contains(got, fmt.Sprintf(`"panels":%d,`, panels)) || !strings.Contains(got, `"problems":[]`) {
		b.screenshot(t, "layout")
		t.Errorf("wall layout: got %s, want %d panels inside the viewport and nothing scrolling", got, panels)
	}
}

// fakeClock is a script that runs the page's Date from at (Unix ms) on, from the moment the
// document starts: new Date() and Date.now() move on in real time from there.
func fakeClock(at int64) string {
	return fmt.Sprintf(`(() => {
	const Real = Date, offset = %d - Real.now();
	class Fake extends Real {
		constructor(...a) { if (a.length === 0) super(Real.now() + offset); else super(...a); }
		static now() { return Real.now() + offset; }
	}
	globalThis.Date = Fake;
})();`, at)
}
