package repo_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// userCount counts staff accounts outside any transaction.
func userCount(t *testing.T, db *repo.DB) int {
	t.Helper()
	_, total, err := (&repo.UserStore{DB: db}).List(context.Background(), domain.UserFilter{Page: domain.Page{Limit: 1}})
	must(t, err)
	return total
}

func TestDBInTx(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		users := &repo.UserStore{DB: db}
		boom := errors.New("boom")
		create := func(ctx context.Context, name string) (domain.User, error) {
			u := domain.User{Username: name, Name: name, Role: domain.RolePlatformAdmin, Active: true, PasswordHash: "x"}
			err := users.Create(ctx, &u)
			return u, err
		}

		t.Run("Commits", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				_, err := create(ctx, "committed")
				return err
			})
			must(t, err)
			if _, err := users.GetByUsername(ctx, "committed"); err != nil {
				t.Fatalf("got %v, want the committed user", err)
			}
		})
		t.Run("RollsBackOnError", func(t *testing.T) {
			before := userCount(t, db)
			err := db.InTx(ctx, func(ctx context.Context) error {
				u, err := create(ctx, "rolled-back")
				if err != nil {
					return err
				}
				if _, err := users.Get(ctx, u.ID); err != nil {
					t.Errorf("got %v inside the transaction, want its own write visible", err)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want %v", err, boom)
			}
			_, err = users.GetByUsername(ctx, "rolled-back")
			wantErr(t, err, domain.ErrNotFound)
			if got := userCount(t, db); got != before {
				t.Errorf("got %d users, want %d", got, before)
			}
		})
		t.Run("RollsBackOnPanic", func(t *testing.T) {
			func() {
				defer func() {
					if r := recover(); r != "panic in tx" {
						t.Errorf("got recover() = %v, want the panic to pass through", r)
					}
				}()
				_ = db.InTx(ctx, func(ctx context.Context) error {
					if _, err := create(ctx, "panicked"); err != nil {
						return err
					}
					panic("panic in tx")
				})
			}()
			_, err := users.GetByUsername(ctx, "panicked")
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("NestedJoinsOuter", func(t *testing.T) {
			before := userCount(t, db)
			err := db.InTx(ctx, func(ctx context.Context) error {
				outer, err := create(ctx, "outer")
				if err != nil {
					return err
				}
				err = db.InTx(ctx, func(ctx context.Context) error {
					// The inner transaction sees the outer one's uncommitted write.
					if _, err := users.Get(ctx, outer.ID); err != nil {
						t.Errorf("got %v, want the outer write visible inside", err)
					}
					_, err := create(ctx, "inner")
					return err
				})
				if err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want %v", err, boom)
			}
			for _, name := range []string{"outer", "inner"} {
				_, err := users.GetByUsername(ctx, name)
				wantErr(t, err, domain.ErrNotFound)
			}
			if got := userCount(t, db); got != before {
				t.Errorf("got %d users, want %d: the inner write must roll back with the outer", got, before)
			}
		})
		t.Run("NestedErrorRollsBackAll", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if _, err := create(ctx, "outer2"); err != nil {
					return err
				}
				return db.InTx(ctx, func(ctx context.Context) error {
					if _, err := create(ctx, "inner2"); err != nil {
						return err
					}
					return boom
				})
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want %v", err, boom)
			}
			for _, name := range []string{"outer2", "inner2"} {
				_, err := users.GetByUsername(ctx, name)
				wantErr(t, err, domain.ErrNotFound)
			}
		})
		t.Run("StoreErrorInTx", func(t *testing.T) {
			err := db.InTx(ctx, func(ctx context.Context) error {
				if _, err := create(ctx, "first"); err != nil {
					return err
				}
				_, err := create(ctx, "committed") // taken: ErrConflict
				return err
			})
			wantErr(t, err, domain.ErrConflict)
			_, err = users.GetByUsername(ctx, "first")
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

func TestDBMigrate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		must(t, err)
		if n != 0 {
			t.Errorf("got %d migrations applied a second time, want 0", n)
		}
		v, err := db.MigrationVersion(ctx)
		must(t, err)
		if want := newestMigration(t, db.Dialect); v != want {
			t.Errorf("got version %d, want %d", v, want)
		}
		must(t, db.Ping(ctx))
	})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		wantDialect repo.Dialect
		wantDSN     string
		wantErr     bool
	}{
		{name: "Postgres", in: "postgres://u@h:5432/db?sslmode=disable", wantDialect: repo.Postgres, wantDSN: "postgres://u@h:5432/db?sslmode=disable"},
		{name: "PostgreSQL", in: "postgresql://u@h/db", wantDialect: repo.Postgres, wantDSN: "postgresql://u@h/db"},
		{name: "SQLiteRelative", in: "sqlite:data/fugong.db", wantDialect: repo.SQLite, wantDSN: "data/fugong.db"},
		{name: "SQLiteSlashes", in: "sqlite://data/fugong.db", wantDialect: repo.SQLite, wantDSN: "data/fugong.db"},
		{name: "SQLiteAbsolute", in: "sqlite:///var/lib/fugong.db", wantDialect: repo.SQLite, wantDSN: "/var/lib/fugong.db"},
		{name: "ErrSQLiteNoPath", in: "sqlite://", wantErr: true},
		{name: "ErrMySQL", in: "mysql://u@h/db", wantErr: true},
		{name: "ErrEmpty", in: "", wantErr: true},
		{name: "ErrBadPostgresURL", in: "postgres://u@h:port/db", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, dsn, err := repo.ParseURL(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if d != tt.wantDialect || dsn != tt.wantDSN {
				t.Fatalf("got %q %q, want %q %q", d, dsn, tt.wantDialect, tt.wantDSN)
			}
		})
	}
}

// newestMigration is the version of the last migration file of a dialect, so that adding a
// migration does not need this test changed.
func newestMigration(t *testing.T, d repo.Dialect) int64 {
	t.Helper()
	var newest int64
	for _, v := range migrationVersions(t) {
		newest = max(newest, v)
	}
	if newest == 0 {
		t.Fatalf("got no migrations of %s, want some", d)
	}
	return newest
}

// migrationVersions lists the versions of the migration files. Both dialects have every
// version (SQLite's 00019 and 00021 are Go, repo/migrate_sqlite_gate.go, so its folder lacks
// their files):
// the versions are those of the files of either.
func migrationVersions(t *testing.T) []int64 {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*", "*.sql"))
	must(t, err)
	seen := map[int64]bool{}
	var out []int64
	for _, f := range files {
		v, err := strconv.ParseInt(strings.SplitN(filepath.Base(f), "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// migrationsAfter counts the migrations newer than version v: how many a database at v applies.
// Versions need not be consecutive (migrations written side by side take numbers in advance).
func migrationsAfter(t *testing.T, v int64) int {
	t.Helper()
	n := 0
	for _, m := range migrationVersions(t) {
		if m > v {
			n++
		}
	}
	return n
}

// migrateDownTo rolls migrations back, newest first, until version v is the newest applied.
func migrateDownTo(t *testing.T, db *repo.DB, v int64) {
	t.Helper()
	ctx := context.Background()
	for range migrationsAfter(t, v) {
		must(t, repo.MigrateDown(ctx, db))
	}
	if got, err := db.MigrationVersion(ctx); err != nil || got != v {
		t.Fatalf("got version %d %v after rolling back, want %d", got, err, v)
	}
}
