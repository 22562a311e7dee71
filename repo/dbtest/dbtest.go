// Package dbtest gives each test a fresh, migrated database of its own, on SQLite always and
// on PostgreSQL when FUGONG_TEST_POSTGRES_URL is set, so that tests may run in parallel.
//
// On PostgreSQL, the migrations run once per test process into a template database; each test
// then gets a CREATE DATABASE … TEMPLATE copy of it, which takes milliseconds (the approach of
// Ardan Labs' dbtest).
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"fugong/pii"
	"fugong/repo"
)

// PostgresURLEnv names the variable with the URL of a PostgreSQL server the tests may create
// databases on, e.g. postgres://postgres@127.0.0.1:5432/postgres.
const PostgresURLEnv = "FUGONG_TEST_POSTGRES_URL"

// Engine is one database engine tests run on.
type Engine struct {
	Name string
	open func(t testing.TB) *repo.DB
}

// Open returns a fresh migrated database, closed and dropped when the test ends.
func (e Engine) Open(t testing.TB) *repo.DB {
	t.Helper()
	return e.open(t)
}

// Engines lists SQLite, and PostgreSQL when PostgresURLEnv is set; without it the test log
// says that the PostgreSQL run was skipped.
func Engines(t testing.TB) []Engine {
	t.Helper()
	engines := []Engine{{Name: "sqlite", open: openSQLite}}
	if os.Getenv(PostgresURLEnv) != "" {
		engines = append(engines, Engine{Name: "postgres", open: openPostgres})
	} else {
		logSkipOnce.Do(func() { t.Logf("PostgreSQL tests skipped: %s is not set", PostgresURLEnv) })
	}
	return engines
}

var logSkipOnce sync.Once

// Run runs fn as a parallel subtest on each engine, each with a fresh database.
func Run(t *testing.T, fn func(t *testing.T, db *repo.DB)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.Open(t))
		})
	}
}

// Reopen opens another connection pool on db's database, as a second server process would
// have; it is closed when the test ends, before the database is dropped.
func Reopen(t testing.TB, db *repo.DB) *repo.DB {
	t.Helper()
	again, err := repo.Open(context.Background(), db.URL, Quiet)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { again.Close() })
	return again
}

// Quiet is a logger for tests that drops everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openSQLite(t testing.TB) *repo.DB {
	t.Helper()
	db, err := repo.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"), Quiet)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
	createMu     sync.Mutex // PostgreSQL refuses to copy a template that another copy is reading
)

func openPostgres(t testing.TB) *repo.DB {
	t.Helper()
	base, admin := adminConn(t)
	defer admin.Close()
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(admin, base) })
	if templateErr != nil {
		t.Fatalf("postgres template: %v", templateErr)
	}
	name := "fugong_test_" + randomHex()
	createMu.Lock()
	_, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName))
	createMu.Unlock()
	if err != nil {
		t.Fatalf("create test database: %v", err)
	}
	db, err := repo.Open(context.Background(), withDatabase(base, name), Quiet)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() {
		db.Close()
		dropDatabase(base, name)
	})
	return db
}

// makeTemplate creates and migrates the template database of this test process.
func makeTemplate(admin *sql.DB, base string) (string, error) {
	name := "fugong_tmpl_" + randomHex()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		return "", err
	}
	db, err := repo.Open(context.Background(), withDatabase(base, name), Quiet)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		return "", err
	}
	return name, nil
}

// DropTemplates removes this process's template database; call it from TestMain after m.Run.
func DropTemplates() {
	if templateName == "" {
		return
	}
	dropDatabase(os.Getenv(PostgresURLEnv), templateName)
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// EmptyPostgres creates an empty database (no migrations) and returns its URL, for tests of
// the program's own start-up; it is dropped when the test ends. The test must only call it
// when PostgresURLEnv is set.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	base, admin := adminConn(t)
	defer admin.Close()
	name := "fugong_test_" + randomHex()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(base, name) })
	return withDatabase(base, name)
}

// adminConn opens a connection to the database PostgresURLEnv names, from which test
// databases are created and dropped.
func adminConn(t testing.TB) (string, *sql.DB) {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	return base, admin
}

// dropDatabase drops a test database, ending its sessions; failures only leave litter.
func dropDatabase(base, name string) {
	if admin, err := sql.Open("pgx", base); err == nil {
		_, _ = admin.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
		admin.Close()
	}
}

// Box is a personal-data box with a fixed test key, for repo.Stores in tests.
func Box() *pii.Box {
	b, err := pii.New([]byte("fugong-test-key-fugong-test-key!"))
	if err != nil {
		panic(err)
	}
	return b
}
