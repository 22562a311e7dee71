package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/internal/app"
	"fugong/repo/dbtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplates()
	os.Exit(code)
}

// server is the whole program started by run, as `fugong serve --demo` would be.
type server struct {
	url     string
	metrics string     // the metrics listener's base URL
	out     *lockedBuf // everything the program wrote: its JSON log and the start-up lines
	stop    func()
}

// lockedBuf collects what the program writes while the test reads it.
type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) WriteLine(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s + "\n")
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer runs `serve --demo` with env on random ports (the API on env's FUGONG_ADDR when
// it names one: a restart on the same port) and waits until it listens.
func startServer(t testing.TB, env map[string]string) *server {
	t.Helper()
	if env["FUGONG_ADDR"] == "" {
		env["FUGONG_ADDR"] = "127.0.0.1:0"
	}
	env["FUGONG_METRICS_ADDR"] = "127.0.0.1:0"
	if env["FUGONG_DATA_DIR"] == "" {
		env["FUGONG_DATA_DIR"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--demo"}, func(k string) string { return env[k] }, strings.NewReader(""), pw)
		pw.Close()
	}()
	urlc := make(chan string, 1)
	out := &lockedBuf{}
	metrics := ""
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			out.WriteLine(line)
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "metrics listening" {
				metrics = "http://" + l.Addr // logged before the API's address is printed
			}
			if u, ok := strings.CutPrefix(line, "Fugong listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		var once sync.Once
		s := &server{url: u, metrics: metrics, out: out, stop: func() {
			once.Do(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve returned %v", err)
				}
			})
		}}
		t.Cleanup(s.stop)
		return s
	case err := <-done:
		cancel()
		t.Fatalf("serve ended before listening: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not listen within 60 s")
	}
	return nil
}

func (s *server) login(t *testing.T, username string) (int, map[string]any) {
	t.Helper()
	body := fmt.Sprintf(`{"username":%q,"password":"demo1234"}`, username)
	res, err := http.Post(s.url+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestServeDemo starts the real program on each engine and checks the demo: the accounts sign
// in, the township has its zones and enterprises, and the UI is served.
func TestServeDemo(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			url := "sqlite:" + filepath.Join(t.TempDir(), "fugong.db")
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
			}
			s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": url})
			for user, role := range map[string]string{"platform": "platform_admin", "changshan": "town_admin", "supervisor1": "supervisor", "hr1": "enterprise_hr"} {
				status, out := s.login(t, user)
				if status != http.StatusOK {
					t.Fatalf("login %s: got %d %v", user, status, out)
				}
				if got := out["user"].(map[string]any)["role"]; got != role {
					t.Errorf("%s: got role %v, want %s", user, got, role)
				}
			}
			_, out := s.login(t, "changshan")
			req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/enterprises?page_size=1", nil)
			req.Header.Set("Authorization", "Bearer "+out["access_token"].(string))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var list struct{ Total int }
			_ = json.NewDecoder(res.Body).Decode(&list)
			res.Body.Close()
			if list.Total < 30 {
				t.Errorf("got %d demo enterprises, want a few dozen", list.Total)
			}
			res, err = http.Get(s.url + "/enterprises")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(page), `<div id="app">`) {
				t.Errorf("UI: got %d %.200s, want index.html", res.StatusCode, page)
			}
		})
	}
}

// TestServeRestart checks that a second start on the same database keeps the demo as it is
// and that the generated secrets are reused, so tokens survive a restart.
func TestServeRestart(t *testing.T) {
	dir := t.TempDir()
	env := func() map[string]string {
		return map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(dir, "f.db"), "FUGONG_DATA_DIR": dir}
	}
	s := startServer(t, env())
	_, out := s.login(t, "changshan")
	access := out["access_token"].(string)
	s.stop()
	secret, err := os.ReadFile(filepath.Join(dir, "jwt_secret"))
	if err != nil || len(secret) < 32 {
		t.Fatalf("generated secret: %v (%d bytes)", err, len(secret))
	}
	s = startServer(t, env())
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("token from before the restart: got %d, want 200", res.StatusCode)
	}
}

func TestMigrateTwice(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
			}
			env := map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_DATA_DIR": t.TempDir()}
			var versions []string
			for i := range 2 {
				var out strings.Builder
				if err := app.Run(context.Background(), []string{"migrate"}, func(k string) string { return env[k] }, nil, &out); err != nil {
					t.Fatalf("run %d: %v", i+1, err)
				}
				applied := strings.Contains(out.String(), "applied migrations")
				if applied != (i == 0) {
					t.Errorf("run %d: applied=%v, want %v (%s)", i+1, applied, i == 0, out.String())
				}
				_, v, ok := strings.Cut(out.String(), "database is at migration ")
				if !ok || strings.HasPrefix(v, "0") {
					t.Fatalf("run %d: got %s, want a migration version", i+1, out.String())
				}
				versions = append(versions, v)
			}
			if versions[0] != versions[1] {
				t.Errorf("got versions %q, want the same twice", versions)
			}
		})
	}
}

func TestUserCreate(t *testing.T) {
	env := map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "u.db"), "FUGONG_DATA_DIR": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	err := app.Run(context.Background(), []string{"user", "create", "--username", "ops", "--name", "运维"}, getenv, strings.NewReader("long-password-1\n"), &out)
	if err != nil || !strings.Contains(out.String(), "created platform admin ops") {
		t.Fatalf("got %v %q, want created", err, out.String())
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		err := app.Run(context.Background(), []string{"user", "create", "--username", "x"}, getenv, strings.NewReader("short\n"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "username") || !strings.Contains(err.Error(), "password") {
			t.Errorf("got %v, want an error naming username and password", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := app.Run(context.Background(), []string{"user", "create", "--username", "ops"}, getenv, strings.NewReader("long-password-2\n"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), "ops") {
			t.Errorf("got %v, want a conflict naming ops", err)
		}
	})
}

// TestFrontendAssets checks how the embedded UI is served: history-mode paths get index.html,
// hashed assets are cached for good, and a missing asset is a 404, never index.html.
func TestFrontendAssets(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "a.db")})
	get := func(path string) (*http.Response, string) {
		res, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, index := get("/users")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("/users: got %d %q, want 200 no-cache", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	i := strings.Index(index, "/assets/")
	if i < 0 {
		t.Fatalf("index.html names no asset: %.300s", index)
	}
	asset := index[i : i+strings.IndexAny(index[i:], `"'`)]
	if res, _ := get(asset); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: got %d %q, want 200 immutable", asset, res.StatusCode, res.Header.Get("Cache-Control"))
	}
	if res, body := get("/assets/index-gone.js"); res.StatusCode != 404 || strings.Contains(body, "<html") || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("missing asset: got %d %q %.80s, want an uncached 404", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	if res, _ := get("/api/v1/nothing"); res.StatusCode != 401 && res.StatusCode != 404 {
		t.Errorf("unknown API path: got %d, want 401 or 404", res.StatusCode)
	}
}

// TestDockerfileMetricsOnLoopback: the image keeps metrics and profiling on the container's
// loopback and publishes only the API's port (issue 16, item 12): it listened on every
// interface, /debug/pprof included.
func TestDockerfileMetricsOnLoopback(t *testing.T) {
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, "FUGONG_METRICS_ADDR=127.0.0.1:") {
		t.Errorf("the image's FUGONG_METRICS_ADDR is not on loopback")
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "EXPOSE") && strings.Contains(line, "9091") {
			t.Errorf("the image publishes the metrics port: %q", line)
		}
	}
}

// TestDataKeyChecked: a server started with another data key than the one its database's
// personal data was sealed with refuses to start, naming the key, rather than answering
// /readyz and then failing every roster read (issue 16, item 11) — also on a database from
// before the check, whose workers' sealed ID numbers tell.
func TestDataKeyChecked(t *testing.T) {
	keyA, keyB := strings.Repeat("a", 64), strings.Repeat("b", 64) // hex, 32 bytes each
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			url := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
			driver, dsn := "sqlite", strings.TrimPrefix(url, "sqlite:")
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
				driver, dsn = "pgx", url
			}
			start := func(key string, args ...string) error {
				env := map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_DATA_DIR": t.TempDir(), "FUGONG_DATA_KEY": key}
				var out strings.Builder
				return app.Run(context.Background(), args, func(k string) string { return env[k] }, nil, &out)
			}
			// The demo seals its workers' ID numbers with key A.
			s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_DATA_KEY": keyA})
			s.stop()
			if err := start(keyB, "migrate"); err == nil || !strings.Contains(err.Error(), "FUGONG_DATA_KEY") {
				t.Errorf("another key: got %v, want a refusal naming FUGONG_DATA_KEY", err)
			}
			if err := start(keyA, "migrate"); err != nil {
				t.Errorf("the key of the data: got %v, want a start", err)
			}
			// A database from before the canary: its workers' ID numbers are what tells.
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec("DELETE FROM data_key_canary")
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			if err := start(keyB, "migrate"); err == nil || !strings.Contains(err.Error(), "FUGONG_DATA_KEY") {
				t.Errorf("another key, no canary yet: got %v, want a refusal", err)
			}
			if err := start(keyA, "migrate"); err != nil {
				t.Errorf("the key of the data, no canary yet: got %v, want a start", err)
			}
		})
	}
}

// openApp opens the database of the program started with env as the program itself does
// (app.Open, with the configuration env gives), for a test to plant or read what it holds; it
// is closed when the test ends.
func openApp(t testing.TB, env map[string]string) *app.App {
	t.Helper()
	cfg, err := app.LoadConfig(func(k string) string { return env[k] }, false, dbtest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, dbtest.Quiet, domain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// testPIN is the PIN the tests' workers enrol with: six digits no rule of domain.CheckPIN
// refuses.
const testPIN = "731946"
