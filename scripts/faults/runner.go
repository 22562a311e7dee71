package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"fugong/api"
	"fugong/pii"
	"fugong/repo"
)

// runner is what every scenario shares: the built server binary, the scratch folder, the
// shared PostgreSQL server, and the secrets every server it starts is given, so that the
// script can load personal data and mint tokens the server accepts. (The same plumbing as
// scripts/bench/runner.go, trimmed to what faults need.)
type runner struct {
	pg        string
	pgVersion string
	quick     bool
	dir       string
	bin       string
	jwtSecret []byte
	dataKey   []byte
}

func newRunner(ctx context.Context, pg string, quick bool) (*runner, error) {
	dir, err := os.MkdirTemp("", "fugong-faults-")
	if err != nil {
		return nil, err
	}
	r := &runner{pg: pg, quick: quick, dir: dir, bin: filepath.Join(dir, "fugong"),
		jwtSecret: []byte(hex.EncodeToString(randomBytes(32))), dataKey: randomBytes(32)} // hex: an environment variable cannot hold a NUL
	root, err := moduleRoot()
	if err != nil {
		r.close()
		return nil, err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", r.bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		r.close()
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	db, err := sql.Open("pgx", pg)
	if err != nil {
		r.close()
		return nil, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&r.pgVersion); err != nil {
		r.close()
		return nil, fmt.Errorf("PostgreSQL at -pg: %w", err)
	}
	return r, nil
}

func (r *runner) close() { os.RemoveAll(r.dir) }

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return "", errors.New("run the fault scripts from the fugong module: go run ./scripts/faults")
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// size picks the full size, or the quick one with -quick.
func (r *runner) size(full, quick int) int {
	if r.quick {
		return quick
	}
	return full
}

// newPostgres creates an empty database on the shared server for one scenario; drop removes it.
func (r *runner) newPostgres(ctx context.Context) (dbURL string, drop func(), err error) {
	admin, err := sql.Open("pgx", r.pg)
	if err != nil {
		return "", nil, err
	}
	name := "fugong_faults_" + hex.EncodeToString(randomBytes(4))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(r.pg)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}, nil
}

// seedDatabase migrates a database through the product's own code and loads a township into
// it (see seed), with the data key the servers get.
func (r *runner) seedDatabase(ctx context.Context, dbURL string, nEnt, nWorkers int) (*dataset, error) {
	db, err := repo.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	box, err := pii.New(r.dataKey)
	if err != nil {
		return nil, err
	}
	d, err := seed(ctx, repo.Stores(db, box), nEnt, nWorkers)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	tokens := &api.Tokens{Secret: r.jwtSecret, Issuer: "fugong", Audience: "fugong-api", TTL: 2 * time.Hour}
	for _, w := range d.workers {
		tok, err := tokens.Issue(w.Actor())
		if err != nil {
			return nil, err
		}
		d.tokens = append(d.tokens, tok)
	}
	if d.adminToken, err = tokens.Issue(d.admin.Actor()); err != nil {
		return nil, err
	}
	return d, nil
}

// freePort finds a port nobody listens on, so that a server started again keeps its address
// and the phones carry on with the same URL.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// server is the fugong binary running as its own process.
type server struct {
	URL     string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed when the process has ended; then exitErr and exitedAt are set
	exitErr error
	at      time.Time
}

// startServer runs `fugong serve` on a database, listening on port, and waits until it listens.
// Its output goes to a log file in the scratch folder (read it when a scenario fails).
func (r *runner) startServer(ctx context.Context, dbURL string, port int) (*server, error) {
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(os.Environ(), "FUGONG_DATABASE_URL="+dbURL, "FUGONG_DATA_DIR="+r.dir,
		fmt.Sprintf("FUGONG_ADDR=127.0.0.1:%d", port), "FUGONG_METRICS_ADDR=off",
		"FUGONG_JWT_SECRET="+string(r.jwtSecret), "FUGONG_DATA_KEY="+base64.StdEncoding.EncodeToString(r.dataKey))
	logPath := filepath.Join(r.dir, "server-"+hex.EncodeToString(randomBytes(3))+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	s := &server{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	urlc := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "Fugong listening on "); ok {
				urlc <- "http://" + strings.TrimPrefix(u, "http://")
			}
			fmt.Fprintln(logFile, line)
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it all first
		s.exitErr = cmd.Wait()
		s.at = time.Now()
		logFile.Close()
		close(s.exited)
	}()
	select {
	case u := <-urlc:
		s.URL = u
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("the server ended before it listened (%v); its log: %s", s.exitErr, logPath)
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	s.kill()
	return nil, fmt.Errorf("the server did not listen within 2 minutes; its log: %s", logPath)
}

// kill ends the server at once, as a crash or the OOM killer would, and waits for it.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// signal sends sig to the server; wait then says how it ended.
func (s *server) signal(sig os.Signal) error { return s.cmd.Process.Signal(sig) }

// wait waits up to limit for the server to end and returns its exit code (-1: killed by a
// signal) and when it ended; ok is false if it was still running and had to be killed.
func (s *server) wait(limit time.Duration) (code int, at time.Time, ok bool) {
	select {
	case <-s.exited:
	case <-time.After(limit):
		s.kill()
		return -1, s.at, false
	}
	var ee *exec.ExitError
	if errors.As(s.exitErr, &ee) {
		if ws, isWS := ee.Sys().(syscall.WaitStatus); isWS && ws.Signaled() {
			return -1, s.at, true
		}
		return ee.ExitCode(), s.at, true
	}
	return 0, s.at, true
}

// running reports whether the process is still alive.
func (s *server) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// stop ends the server the way an operator would (SIGTERM: graceful) and waits for it.
func (s *server) stop() {
	if s.running() {
		_ = s.signal(syscall.SIGTERM)
		s.wait(30 * time.Second)
	}
}

// logCount counts the lines of the server's log that contain text.
func (s *server) logCount(text string) int {
	b, _ := os.ReadFile(s.logPath)
	return strings.Count(string(b), text)
}

// errorSummary sums up the errors in the server's log by kind, at most five kinds: what the
// 5xx answers were, since the answers themselves only say "internal".
func (s *server) errorSummary() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "no log found"
	}
	counts := map[string]int{}
	var order []string
	for _, line := range strings.Split(string(b), "\n") {
		var entry struct{ Level, Msg, Error string }
		if json.Unmarshal([]byte(line), &entry) != nil || entry.Level != "ERROR" || entry.Msg == "request" {
			continue // "request" lines repeat, as a status, the error logged just before
		}
		kind := strings.TrimSpace(entry.Msg + ": " + entry.Error)
		if counts[kind] == 0 {
			order = append(order, kind)
		}
		counts[kind]++
	}
	if len(order) == 0 {
		return "no errors logged"
	}
	var parts []string
	for i, m := range order {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more kinds", len(order)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%d× %s", counts[m], m))
	}
	return strings.Join(parts, "; ")
}
