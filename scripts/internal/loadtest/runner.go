package loadtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/crypto/bcrypt"

	"fugong/api"
	"fugong/domain"
	"fugong/internal/app"
)

// Options say which program a Runner serves. Name marks everything the runner leaves on the
// machine (the scratch folder fugong-NAME-…, the databases fugong_NAME_…), so that a run
// killed before it cleaned up is easy to tell apart from another program's.
type Options struct {
	Name  string   // the program's directory under scripts: "bench"
	What  string   // what the program runs, for the error outside the module: "the benchmarks"
	Town  string   // the seeded township is Town+"镇" and its enterprises Town+"企业001有限公司", …
	Env   []string // more environment for every fugong process, after the runner's own
	PG    string   // the PostgreSQL server scratch databases are created on
	Quick bool     // small sizes: to try the program, not to measure
	// JWTSecret and DataKey are the servers' secrets when the runner works on servers it did
	// not start (scripts/cluster's): nil, as for every program that starts its own, makes
	// fresh ones.
	JWTSecret, DataKey []byte
}

// Runner is what every scenario shares: the built server binary, the scratch folder, the
// PostgreSQL server, and the secrets every server it starts is given, so that a program can
// load personal data and mint tokens the server accepts.
type Runner struct {
	opt       Options
	pgVersion string
	dir       string
	bin       string
	jwtSecret []byte
	dataKey   []byte
}

// New builds the fugong binary into a fresh scratch folder and checks that PostgreSQL
// answers. Close removes the folder.
func New(ctx context.Context, opt Options) (*Runner, error) {
	dir, err := os.MkdirTemp("", "fugong-"+opt.Name+"-")
	if err != nil {
		return nil, err
	}
	r := &Runner{opt: opt, dir: dir, bin: filepath.Join(dir, "fugong"),
		jwtSecret: []byte(hex.EncodeToString(randomBytes(32))), dataKey: randomBytes(32)} // hex: an environment variable cannot hold a NUL
	if opt.JWTSecret != nil {
		r.jwtSecret, r.dataKey = opt.JWTSecret, opt.DataKey
	}
	if err := r.build(ctx); err != nil {
		r.Close() // the folder would outlive the failed run otherwise
		return nil, err
	}
	if err := r.readPGVersion(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Close removes the scratch folder: the binary, SQLite files and server logs.
func (r *Runner) Close() { os.RemoveAll(r.dir) }

func (r *Runner) build(ctx context.Context) error {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return fmt.Errorf("run %s from the fugong module: go run ./scripts/%s", r.opt.What, r.opt.Name)
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", r.bin, ".")
	build.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

func (r *Runner) readPGVersion(ctx context.Context) error {
	db, err := sql.Open("pgx", r.opt.PG)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&r.pgVersion); err != nil {
		return fmt.Errorf("PostgreSQL at -pg: %w", err)
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// Quick reports whether the run is the small one (-quick).
func (r *Runner) Quick() bool { return r.opt.Quick }

// Dir is the scratch folder, removed by Close: the place for a scenario's files.
func (r *Runner) Dir() string { return r.dir }

// Size picks the full size, or the quick one with -quick.
func (r *Runner) Size(full, quick int) int {
	if r.opt.Quick {
		return quick
	}
	return full
}

// NewPostgres creates an empty database for one scenario; drop removes it.
func (r *Runner) NewPostgres(ctx context.Context) (dbURL string, drop func(), err error) {
	admin, err := sql.Open("pgx", r.opt.PG)
	if err != nil {
		return "", nil, err
	}
	name := "fugong_" + r.opt.Name + "_" + hex.EncodeToString(randomBytes(4))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(r.opt.PG)
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

// NewSQLite names a fresh SQLite file in the scratch folder.
func (r *Runner) NewSQLite() string {
	return "sqlite:" + filepath.Join(r.dir, r.opt.Name+"-"+hex.EncodeToString(randomBytes(4))+".db")
}

// Open opens a database as the servers the runner starts on it do (app.Open, with their
// environment: the same data key, pool and migrations), for loading data through the
// product's own code. Its services hash passwords at bcrypt's least cost, which the servers
// check as well as any.
func (r *Runner) Open(ctx context.Context, dbURL string) (*app.App, error) {
	quiet := slog.New(slog.DiscardHandler)
	cfg, err := app.LoadConfig(lookup(r.serverEnv(dbURL)), false, quiet)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, quiet, domain.Options{Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost}})
}

// lookup reads a variable from env as a process started with it would: the last
// NAME=value wins.
func lookup(env []string) func(string) string {
	return func(name string) string {
		v := ""
		for _, kv := range env {
			if k, val, ok := strings.Cut(kv, "="); ok && k == name {
				v = val
			}
		}
		return v
	}
}

// Tokens signs access tokens the servers accept: what a sign-in would hand out, living
// long enough for any run.
func (r *Runner) Tokens() *api.Tokens { return app.Tokens(r.jwtSecret, 2*time.Hour) }

// serverEnv is the environment every fugong process of a scenario runs with. A key given
// twice takes its last value (os/exec), so Options.Env and a server's own env override it.
func (r *Runner) serverEnv(dbURL string) []string {
	env := append(os.Environ(), "FUGONG_DATABASE_URL="+dbURL, "FUGONG_DATA_DIR="+r.dir,
		"FUGONG_ADDR=127.0.0.1:0", "FUGONG_METRICS_ADDR=off",
		"FUGONG_JWT_SECRET="+string(r.jwtSecret), "FUGONG_DATA_KEY="+base64.StdEncoding.EncodeToString(r.dataKey))
	return append(env, r.opt.Env...)
}

// Command runs a fugong subcommand (stats rebuild, say) on a database and returns its output.
func (r *Runner) Command(ctx context.Context, dbURL string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Env = r.serverEnv(dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("fugong %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
