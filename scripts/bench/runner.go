package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"fugong/api"
	"fugong/domain"
	"fugong/pii"
	"fugong/repo"
)

// runner is what every scenario shares: the built server binary, the scratch folder, the
// PostgreSQL server, and the secrets every server it starts is given, so that the benchmark
// can load personal data and mint tokens the server accepts.
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
	dir, err := os.MkdirTemp("", "fugong-bench-")
	if err != nil {
		return nil, err
	}
	r := &runner{pg: pg, quick: quick, dir: dir, bin: filepath.Join(dir, "fugong"),
		jwtSecret: []byte(hex.EncodeToString(randomBytes(32))), dataKey: randomBytes(32)} // hex: an environment variable cannot hold a NUL
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", r.bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	db, err := sql.Open("pgx", pg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&r.pgVersion); err != nil {
		return nil, fmt.Errorf("PostgreSQL at -pg: %w", err)
	}
	return r, nil
}

func (r *runner) close() { os.RemoveAll(r.dir) }

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return "", errors.New("run the benchmarks from the fugong module: go run ./scripts/bench")
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

// duration picks the full duration, or the quick one with -quick.
func (r *runner) duration(full, quick time.Duration) time.Duration {
	if r.quick {
		return quick
	}
	return full
}

// newPostgres creates an empty database for one scenario; drop removes it.
func (r *runner) newPostgres(ctx context.Context) (dbURL string, drop func(), err error) {
	admin, err := sql.Open("pgx", r.pg)
	if err != nil {
		return "", nil, err
	}
	name := "fugong_bench_" + hex.EncodeToString(randomBytes(4))
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

// scratch is a scenario's own PostgreSQL database, migrated and seeded through the loading
// path. seededPostgres's release closes the benchmark's connection and drops the database.
type scratch struct {
	url string
	st  domain.Stores
	d   *dataset
}

// seededPostgres creates a scratch database with a township of nEnt enterprises and nWorkers
// workers (see seed).
func (r *runner) seededPostgres(ctx context.Context, nEnt, nWorkers int) (*scratch, func(), error) {
	dbURL, drop, err := r.newPostgres(ctx)
	if err != nil {
		return nil, nil, err
	}
	db, st, err := r.open(ctx, dbURL)
	if err != nil {
		drop()
		return nil, nil, err
	}
	release := func() { db.Close(); drop() }
	d, err := seed(ctx, st, nEnt, nWorkers)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("seed: %w", err)
	}
	return &scratch{url: dbURL, st: st, d: d}, release, nil
}

// newSQLite names a fresh SQLite file in the scratch folder.
func (r *runner) newSQLite() string {
	return "sqlite:" + filepath.Join(r.dir, "bench-"+hex.EncodeToString(randomBytes(4))+".db")
}

// open connects the benchmark itself to a database, migrated, with the stores the server
// uses and the same data key: the loading path.
func (r *runner) open(ctx context.Context, dbURL string) (*repo.DB, domain.Stores, error) {
	db, err := repo.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, domain.Stores{}, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, domain.Stores{}, err
	}
	box, err := pii.New(r.dataKey)
	if err != nil {
		db.Close()
		return nil, domain.Stores{}, err
	}
	return db, repo.Stores(db, box), nil
}

// tokens signs access tokens the servers accept: what a sign-in would hand out.
func (r *runner) tokens() *api.Tokens {
	return &api.Tokens{Secret: r.jwtSecret, Issuer: "fugong", Audience: "fugong-api", TTL: 2 * time.Hour}
}

// serverEnv is the environment every fugong process of a scenario runs with.
func (r *runner) serverEnv(dbURL string) []string {
	return append(os.Environ(), "FUGONG_DATABASE_URL="+dbURL, "FUGONG_DATA_DIR="+r.dir,
		"FUGONG_ADDR=127.0.0.1:0", "FUGONG_METRICS_ADDR=off", "FUGONG_BODY_LIMIT=4M",
		"FUGONG_JWT_SECRET="+string(r.jwtSecret), "FUGONG_DATA_KEY="+base64.StdEncoding.EncodeToString(r.dataKey))
}

// command runs a fugong subcommand (stats rebuild, say) on a database and returns its output.
func (r *runner) command(ctx context.Context, dbURL string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Env = r.serverEnv(dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("fugong %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// server is the fugong binary running as its own process.
type server struct {
	URL string
	cmd *exec.Cmd
}

// startServer runs `fugong serve` on a database and waits until it listens. Its log goes to
// a file in the scratch folder (read it when a scenario fails).
func (r *runner) startServer(ctx context.Context, dbURL string, env ...string) (*server, error) {
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(r.serverEnv(dbURL), env...)
	if addr := os.Getenv("BENCH_PPROF_ADDR"); addr != "" { // to take a profile during a run
		cmd.Env = append(cmd.Env, "FUGONG_METRICS_ADDR="+addr)
	}
	logPath := filepath.Join(r.dir, "server-"+hex.EncodeToString(randomBytes(3))+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	urlc := make(chan string, 1)
	go func() {
		defer logFile.Close()
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "Fugong listening on "); ok {
				urlc <- u
			}
			fmt.Fprintln(logFile, line)
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u := <-urlc:
		return &server{URL: u, cmd: cmd}, nil
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	_ = cmd.Process.Kill()
	return nil, fmt.Errorf("the server did not listen within 2 minutes; its log: %s", logPath)
}

// stop ends the server the way an operator would (SIGINT: graceful) and waits for it.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// memory reads the server's resident set now and at its peak, in MiB, from /proc.
func (s *server) memory() (rss, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// watchMemory samples the server's resident set every 50 ms until stop is called, and
// returns the highest sample: the peak during one piece of work, which VmHWM (the peak since
// the process started) cannot tell.
func (s *server) watchMemory() (stop func() float64) {
	done, result := make(chan struct{}), make(chan float64)
	go func() {
		highest := 0.0
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _ := s.memory(); rss > highest {
				highest = rss
			}
			select {
			case <-done:
				result <- highest
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 { close(done); return <-result }
}
