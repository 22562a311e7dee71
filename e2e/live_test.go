package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fugong/internal/demo"
	"fugong/repo/dbtest"
)

// proc is the fugong binary running as its own process.
type proc struct {
	url   string
	mu    sync.Mutex
	lines []string
	seen  chan struct{} // a new line arrived
}

// waitLine returns the first output line matching re, waiting up to a minute.
func (p *proc) waitLine(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if m := re.FindStringSubmatch(l); m != nil {
				p.mu.Unlock()
				return m
			}
		}
		p.mu.Unlock()
		select {
		case <-p.seen:
		case <-deadline:
			t.Fatalf("no line matching %s within a minute", re)
		}
	}
}

// buildBinary builds fugong once per test into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fugong")
	out, err := exec.Command("go", "build", "-o", bin, "fugong").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProc runs `fugong serve` (with args) as a process with env, and waits until it listens.
func startProc(t *testing.T, bin string, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "FUGONG_ADDR=127.0.0.1:0", "FUGONG_METRICS_ADDR=off")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("the server did not stop within 30 s of SIGINT")
		}
	})
	p := &proc{seen: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.seen <- struct{}{}:
			default:
			}
		}
	}()
	p.url = p.waitLine(t, regexp.MustCompile(`^Fugong listening on (\S+)`))[1]
	return p
}

// TestLiveAcrossProcesses is the promise: with two server processes on one
// PostgreSQL database, a check-in sent to one reaches a dashboard viewer connected to the
// other, through LISTEN/NOTIFY.
func TestLiveAcrossProcesses(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skip("needs PostgreSQL: " + dbtest.PostgresURLEnv + " is not set")
	}
	bin := buildBinary(t)
	env := map[string]string{"FUGONG_DATABASE_URL": dbtest.EmptyPostgres(t), "FUGONG_DATA_DIR": t.TempDir()}
	a := startProc(t, bin, env, "--demo")
	b := startProc(t, bin, env) // the same database and secrets, as a second replica
	b.waitLine(t, regexp.MustCompile(`live: listening`))

	admin := loginAt(t, b.url, "/api/v1/auth/login", map[string]string{"username": "changshan", "password": "demo1234"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := openEvents(t, ctx, b.url, admin)
	if ev := nextUpdate(t, events, 5*time.Second); ev == "" {
		t.Fatal("no first event")
	}

	code, phone := enrolledDemoWorker(t, b.url, admin)
	workerToken := loginAt(t, a.url, "/api/v1/auth/worker-login",
		map[string]string{"enterprise_code": code, "phone": phone, "pin": demo.PIN})
	sent := time.Now()
	body := strings.NewReader(`{"slot":"pm","temperature":36.4}`)
	req, _ := http.NewRequest(http.MethodPost, a.url+"/api/v1/checkins", body)
	req.Header.Set("Authorization", "Bearer "+workerToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		t.Fatalf("check-in on process A: got %d", res.StatusCode)
	}
	// Updates for other changes (the sweeps of both processes raise alerts) may come first.
	deadline := time.Now().Add(5 * time.Second)
	for {
		data := nextUpdate(t, events, time.Until(deadline))
		var ev struct{ Kinds []string }
		_ = json.Unmarshal([]byte(data), &ev)
		if slices.Contains(ev.Kinds, "checkin") {
			break
		}
	}
	t.Logf("a check-in on process A reached a viewer of process B after %v", time.Since(sent).Round(time.Millisecond))
}

// enrolledDemoWorker finds, as the town admin, a demo worker who has set the demo PIN, as a
// newcomer would from the README: the enterprise's code on its page, the phone on the roster.
func enrolledDemoWorker(t *testing.T, url, admin string) (code, phone string) {
	t.Helper()
	var ents struct {
		Items []struct {
			ID   int64  `json:"id"`
			Code string `json:"code"`
		} `json:"items"`
	}
	getJSON(t, url+"/api/v1/enterprises?page_size=100", admin, &ents)
	for _, e := range ents.Items {
		var ws struct {
			Items []struct {
				Phone  string `json:"phone"`
				PINSet bool   `json:"pin_set"`
			} `json:"items"`
		}
		getJSON(t, fmt.Sprintf("%s/api/v1/enterprises/%d/workers?status=on_duty", url, e.ID), admin, &ws)
		for _, w := range ws.Items {
			if w.PINSet {
				return e.Code, w.Phone
			}
		}
	}
	t.Fatal("no demo worker on duty has set the demo PIN")
	return "", ""
}

// getJSON reads a JSON answer with a token, failing the test on anything but 200.
func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: got %d %s", url, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// loginAt signs in at a server and returns the access token.
func loginAt(t *testing.T, url, path string, body map[string]string) string {
	t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(url+path, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != 200 || out.AccessToken == "" {
		t.Fatalf("sign in at %s: got %d", path, res.StatusCode)
	}
	return out.AccessToken
}

// openEvents connects to the dashboard stream and sends the data of each update event.
func openEvents(t *testing.T, ctx context.Context, url, token string) <-chan string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/dashboard/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("stream: got %d %s", res.StatusCode, b)
	}
	out := make(chan string, 16)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		update := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "event: update":
				update = true
			case update && strings.HasPrefix(line, "data: "):
				out <- line[6:]
				update = false
			}
		}
	}()
	return out
}

func nextUpdate(t *testing.T, events <-chan string, wait time.Duration) string {
	t.Helper()
	select {
	case d, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return d
	case <-time.After(wait):
		t.Fatal(fmt.Sprintf("no update within %v", wait))
	}
	return ""
}
