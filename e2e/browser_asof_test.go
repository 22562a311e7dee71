package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fugong/api"
	"fugong/repo/dbtest"
)

// replicaLag reads the dashboard summary as a client that has written nothing and returns how
// far behind the server's clock its data were (zero and false when it was read from the
// primary, with no as-of).
func replicaLag(t *testing.T, s *server, token string) (time.Duration, bool) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/dashboard/summary", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	asOf, err1 := time.Parse(time.RFC3339, res.Header.Get(api.AsOfHeader))
	sent, err2 := http.ParseTime(res.Header.Get("Date"))
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return sent.Sub(asOf), true
}

// TestBrowserDataAsOf: with a streaming replica, the enterprise list read from a replica that
// keeps up says nothing of its age; with the replica's replay paused while the primary
// writes, the list (read again) says "数据截至 HH:MM:SS"; once the town admin has changed
// something, their pages read the primary and the as-of is gone.
func TestBrowserDataAsOf(t *testing.T) {
	b := newBrowser(t, 1440, 900)
	st := dbtest.NewStreaming(t)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": st.PrimaryURL("fugong"),
		"FUGONG_DATABASE_READ_URL": st.ReplicaURL("fugong"), "FUGONG_READ_MAX_LAG": "60s", "FUGONG_READ_AFTER_WRITE": "90s"})
	_, out := s.login(t, "changshan")
	token := out["access_token"].(string)
	waitCond(t, "a summary read from the replica", func() bool { _, ok := replicaLag(t, s, token); return ok })

	rows := `document.querySelectorAll('[data-test="enterprise-name"]').length > 0`
	b.do(t, "open the enterprise list", login(s, "changshan"), poll(`location.pathname === "/enterprises"`), poll(rows))
	if shown, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector("#data-as-of")`)); shown {
		t.Error("a replica that keeps up: got an as-of on the page, want none")
	}

	st.PauseReplay(t)
	defer st.ResumeReplay(t)
	if err := st.ExecPrimary("CREATE TABLE asof_probe (id int)"); err != nil {
		t.Fatal(err)
	}
	waitCond(t, "the replica more than 6 s behind", func() bool { lag, ok := replicaLag(t, s, token); return ok && lag > 6*time.Second })
	b.do(t, "read the list again, behind", chromedp.Reload(), poll(rows),
		poll(`/^数据截至 \d\d:\d\d:\d\d$/.test(document.querySelector("#data-as-of")?.textContent.trim() ?? "")`))
	b.screenshot(t, "as-of")

	// The town admin writes (from this browser): their reads go to the primary.
	var me struct {
		TownshipID int64 `json:"township_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", token, nil, &me)
	write := fmt.Sprintf(`fetch("/api/v1/townships/%d", {method: "PATCH", headers: {"Content-Type": "application/json",
		Authorization: "Bearer " + localStorage.getItem("fugong.access")}, body: JSON.stringify({fever_threshold: 37.3})}).then(r => r.status)`, me.TownshipID)
	status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](write, chromedp.EvalAwaitPromise))
	if err != nil || status != http.StatusOK {
		t.Fatalf("write from the browser: got %d (%v), want 200", status, err)
	}
	b.do(t, "read the list again, after a write", chromedp.Reload(), poll(rows))
	if shown, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector("#data-as-of")`)); shown {
		t.Error("after the admin's write: got an as-of on the page, want none (read from the primary)")
	}
}

// waitCond waits, at most 30 s, until cond holds.
func waitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}
