package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"fugong/internal/demo"
)

// findChromium looks for a Chromium the way the e2e tests do; "" when there is none.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is one headless Chromium tab that keeps the console errors of the page it shows and
// counts its requests in flight, which is how it tells a page has finished loading.
type browser struct {
	ctx    context.Context
	cancel func()

	mu       sync.Mutex
	problems []string
	inflight map[network.RequestID]bool
	lastNet  time.Time // when a request last started or ended
}

// newBrowser starts Chromium with the flags checked on this kind of machine (NOTES.md) and a
// fresh profile in profileDir.
func newBrowser(path, profileDir string) (*browser, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profileDir),
		chromedp.WindowSize(1920, 1080),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b := &browser{ctx: ctx, cancel: func() { cancelTab(); cancelAlloc() }, inflight: map[network.RequestID]bool{}}
	// The first Do starts the browser and must carry no timeout: that would end the browser.
	if err := chromedp.Do(ctx); err != nil {
		b.cancel()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		b.cancel()
		return nil, err
	}
	go b.collectConsole()
	return b, nil
}

// onEvent counts requests in flight. A live stream (the dashboard's, read with fetch) never
// ends, so it is not counted: the page is loaded once everything else has arrived.
func (b *browser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if e.Type == network.ResourceTypeEventSource || strings.Contains(e.Request.URL, "/stream") {
			return
		}
		b.inflight[e.RequestID] = true
	case *network.EventLoadingFinished:
		delete(b.inflight, e.RequestID)
	case *network.EventLoadingFailed:
		delete(b.inflight, e.RequestID)
	default:
		return
	}
	b.lastNet = time.Now()
}

// collectConsole keeps what a page logs at error level, its exceptions and CSP violations.
func (b *browser) collectConsole() {
	for m, err := range chromedp.Console(b.ctx) {
		if err != nil {
			return
		}
		if m.IsException() || m.Type == chromedp.ConsoleError || strings.Contains(m.Text, "Content Security Policy") {
			text := m.String()
			switch { // a failed request's message names no URL
			case m.URL == "" || strings.Contains(text, m.URL):
			case m.Line == 0:
				text += " (" + m.URL + ")"
			default:
				text += fmt.Sprintf(" (%s:%d)", m.URL, m.Line)
			}
			b.mu.Lock()
			b.problems = append(b.problems, text)
			b.mu.Unlock()
		}
	}
}

// newPage forgets the requests and console errors of the page before, whose requests a
// navigation cancels without always saying so.
func (b *browser) newPage() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = nil
	clear(b.inflight)
	b.lastNet = time.Now()
}

// takeProblems returns the console errors since newPage.
func (b *browser) takeProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// networkQuiet tells whether no request is in flight and none started or ended for quiet.
func (b *browser) networkQuiet(quiet time.Duration) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.inflight) == 0 && time.Since(b.lastNet) >= quiet
}

// do runs steps with a time limit, saying what was being done when they fail.
func (b *browser) do(what string, limit time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// eval evaluates a JavaScript expression with a short time limit.
func eval[T any](b *browser, js string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js))
}

// viewport sets the page's size; a window cannot be narrower than Chromium's minimum (500
// px), so a phone's width is emulated, as the e2e tests do.
func (b *browser) viewport(width, height int) error {
	return b.do("viewport", 15*time.Second, chromedp.EmulateViewport(int64(width), int64(height)))
}

// in is the selector of the input an Element Plus component with id renders (the id lands on
// the wrapper or on the input itself, depending on the component).
func in(id string) string {
	return "#" + id + " input, input#" + id
}

// poll waits until the JavaScript expression js is true.
func poll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js)(ctx, t)
		return err
	})
}

// signIn signs s in through the real sign-in form (the worker's phone form for a worker), on
// a profile emptied of the account before.
func (b *browser) signIn(base string, s session) error {
	clearStorage := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`localStorage.clear(), true`)(ctx, t)
		return err
	})
	if s.role == "worker" {
		return b.do("sign in as the worker", time.Minute, chromedp.Navigate(base+"/checkin/login"), clearStorage,
			chromedp.Navigate(base+"/checkin/login"), chromedp.WaitVisible(in("worker-pin")),
			chromedp.SendKeys(in("worker-code"), s.code), chromedp.SendKeys(in("worker-phone"), s.phone),
			chromedp.SendKeys(in("worker-pin"), demo.PIN), chromedp.Click("#worker-login-submit"),
			poll(`location.pathname === "/checkin"`))
	}
	return b.do("sign in as "+s.account, time.Minute, chromedp.Navigate(base+"/login"), clearStorage,
		chromedp.Navigate(base+"/login"), chromedp.WaitVisible(in("login-username")),
		chromedp.SendKeys(in("login-username"), s.account), chromedp.SendKeys(in("login-password"), demoPassword),
		chromedp.Click("#login-submit"), poll(`location.pathname !== "/login"`))
}

// settledJS is "" while the page is still loading (an Element Plus loading mask shown, a
// transition running, the document not complete), else a signature of what it shows: its
// path, the length of its text and a hash of each canvas, since ECharts draws its charts'
// entry animation on canvas where no other sign of it shows.
const settledJS = `(() => {
  if (document.readyState !== 'complete') return '';
  const shown = (e) => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
  if ([...document.querySelectorAll('.el-loading-mask')].some(shown)) return '';
  if (!document.getAnimations().every((a) => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)) return '';
  let sig = location.pathname + '|' + document.body.innerText.length;
  for (const c of document.querySelectorAll('canvas')) {
    const d = c.toDataURL();
    let h = 0;
    for (let i = 0; i < d.length; i += 31) h = (h * 31 + d.charCodeAt(i)) | 0;
    sig += '|' + d.length + ':' + h;
  }
  return sig;
})()`

// errNotSettled says a page was still loading when its time ran out; it is photographed
// anyway, and the summary says so.
var errNotSettled = errors.New("not settled")

// settle waits until the page has loaded: no request in flight for half a second, no loading
// mask or transition, and the same content on two looks a quarter of a second apart.
func (b *browser) settle(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	prev, why := "", "requests in flight"
	for {
		if !b.networkQuiet(500 * time.Millisecond) {
			prev, why = "", "requests in flight"
		} else if sig, err := eval[string](b, settledJS); err != nil {
			prev, why = "", err.Error()
		} else if sig == "" {
			prev, why = "", "a loading mask or a transition shown"
		} else if sig == prev {
			return nil
		} else {
			prev, why = sig, "the page still changing"
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w after %v: %s", errNotSettled, limit, why)
		}
		<-tick.C
	}
}

// screenshot takes the whole page as PNG.
func (b *browser) screenshot() ([]byte, error) {
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	return chromedp.Run(ctx, chromedp.FullScreenshot(100))
}
