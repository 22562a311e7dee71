package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCheckinRetries is issue 22's phone during a failover: the first two answers to
// the worker's report are 503 with Retry-After (what Fugong, or HAProxy with no process up,
// answers while the database changes leader), and the page sends the report again by itself,
// saying that it retries, until the real server acknowledges it. A proxy in front of the real
// server stands in for the outage.
func TestBrowserCheckinRetries(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "retry.db")})
	_, hr := s.login(t, "hr1")
	const phoneNo = "13800002201"
	_, code, _ := workerOfHR1(t, s, hr["access_token"].(string), "卫国强", testID("19860315", 22), phoneNo)

	target, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	var refuse atomic.Int32 // reports still to be answered 503; below 0, one more went through
	refuse.Store(2)
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/checkins" && refuse.Add(-1) >= 0 {
			w.Header().Set("Retry-After", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"服务暂不可用,请稍后再试"}}`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	viaProxy := &server{url: proxy.URL, out: s.out, stop: func() {}}

	phone := newBrowser(t, 360, 740)
	workerSignsIn(phone, t, viaProxy, code, phoneNo)
	phone.do(t, "a report answered 503 twice is sent again by itself, saying so, until acknowledged",
		replaceText(in("checkin-temperature"), "36.6"), chromedp.Click("#checkin-submit"),
		chromedp.WaitVisible("#checkin-retrying"), chromedp.WaitVisible("#checkin-done"),
		poll(`!document.querySelector('#checkin-retrying') && !document.querySelector('#checkin-error')`))
	if got := refuse.Load(); got != -1 {
		t.Errorf("reports sent: got %d answered 503 and %d through, want 2 and 1", 2-max(got, 0), max(-got, 0))
	}
}
