package repo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestGateRoleMigration upgrades a database of migration 00018 with accounts that other tables
// reference (supervisors assigned to enterprises, whose assignments SQLite would cascade away
// if users were dropped with foreign keys on, sessions, an inspection, a revoked pass and a
// spot check) through 00019, which lets users take the role gate and which SQLite applies by
// rebuilding users: every row of every table is still there. Then a guard is made, 00019 rolled
// back (the guard becomes a disabled HR account, the rest as it was) and applied again.
func TestGateRoleMigration(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, env, admin := rolledBack(t, e, "371626104", 18)
			a := admin.Actor()
			ent1 := env.enterprise(t, a, "甲厂", 1, "一区")
			ent2 := env.enterprise(t, a, "乙厂", 2, "一区")
			sup1 := env.staff(t, a, domain.RoleSupervisor, "sup1", 0)
			sup2 := env.staff(t, a, domain.RoleSupervisor, "sup2", 0)
			hr := env.staff(t, a, domain.RoleEnterpriseHR, "hr1", ent1.ID)
			_, err := env.enterprises.SetSupervisors(ctx, a, ent1.ID, []int64{sup1.ID, sup2.ID})
			must(t, err)
			_, err = env.enterprises.SetSupervisors(ctx, a, ent2.ID, []int64{sup1.ID})
			must(t, err)
			for _, u := range []string{"sup1", "hr1", "admin-371626104"} {
				_, err := env.auth.Login(ctx, u, password, "127.0.0.1")
				must(t, err)
			}
			wk, _, err := env.workers.Create(ctx, hr.Actor(), ent1.ID, domain.WorkerInput{Name: "职工甲", IDNumber: string(personID(1)),
				Phone: phoneOf(1), OriginRegion: "371681", ArrivedOn: domain.DateFromTime(start).AddDays(-3).String()})
			must(t, err)
			stores := repo.Stores(db, dbtest.Box())
			must(t, stores.Passes.Revoke(ctx, domain.Revocation{WorkerID: wk.ID, TownshipID: wk.TownshipID, EnterpriseID: ent1.ID,
				Reason: "抽查不符", RevokedBy: sup1.ID, RevokedAt: start}))
			sc := domain.SpotCheck{TownshipID: wk.TownshipID, EnterpriseID: ent1.ID, WorkerID: wk.ID, CheckerID: sup2.ID,
				Date: domain.DateFromTime(start), Slot: domain.SlotAM, CheckedAt: start, Present: true, Temperature: 366,
				Color: domain.PassRed}
			must(t, stores.SpotChecks.Create(ctx, &sc))

			before, err := dbtest.Fingerprint(ctx, db)
			must(t, err)
			if n := rows(t, db, "enterprise_supervisors"); n != 3 {
				t.Fatalf("got %d assignments at 00018, want 3", n)
			}
			// same holds every table but the migrations' own bookkeeping and skip to want.
			same := func(t *testing.T, when string, want map[string]string, skip ...string) {
				t.Helper()
				got, err := dbtest.Fingerprint(ctx, db)
				must(t, err)
				for table, w := range want {
					if table != "goose_db_version" && !slices.Contains(skip, table) && got[table] != w {
						t.Errorf("%s: table %s: got %s, want %s (rows lost or changed)", when, table, got[table], w)
					}
				}
				if len(got) != len(want) {
					t.Errorf("%s: got %d tables, want %d", when, len(got), len(want))
				}
			}
			foreignKeysOn := func(t *testing.T, when string) {
				t.Helper()
				if e.Name != "sqlite" {
					return
				}
				// Every connection of the pool, as far as a few queries reach: foreign keys on.
				for range 4 {
					var out []map[string]any
					must(t, repo.RawQuery(ctx, db, "PRAGMA foreign_keys", &out))
					if len(out) != 1 || out[0]["foreign_keys"] != int64(1) {
						t.Errorf("%s: got PRAGMA foreign_keys %v, want 1", when, out)
					}
					var broken []map[string]any
					must(t, repo.RawQuery(ctx, db, "PRAGMA foreign_key_check", &broken))
					if len(broken) != 0 {
						t.Errorf("%s: got foreign keys broken %v", when, broken)
					}
				}
			}

			must(t, repo.MigrateTo(ctx, db, 19))
			same(t, "up to 00019", before)
			foreignKeysOn(t, "up to 00019")
			for _, s := range []domain.User{sup1, sup2} {
				es, _, err := stores.Enterprises.List(ctx, domain.EnterpriseFilter{TownshipID: ent1.TownshipID, SupervisorID: s.ID,
					Page: domain.Page{Limit: 10}})
				must(t, err)
				if want := map[int64]int{sup1.ID: 2, sup2.ID: 1}[s.ID]; len(es) != want {
					t.Errorf("%s: got %d enterprises, want %d", s.Username, len(es), want)
				}
			}

			// A guard, which 00019 allows.
			env.clock.Advance(time.Hour)
			guard := env.staff(t, a, domain.RoleGate, "gate1", ent1.ID)
			if guard.Role != domain.RoleGate {
				t.Fatalf("got role %s, want gate", guard.Role)
			}
			withGuard, err := dbtest.Fingerprint(ctx, db)
			must(t, err)

			must(t, repo.MigrateDown(ctx, db))
			if v, err := db.MigrationVersion(ctx); err != nil || v != 18 {
				t.Fatalf("got version %d %v after rolling back, want 18", v, err)
			}
			foreignKeysOn(t, "down to 00018")
			// The guard is a disabled HR account of its enterprise now: users' latest update
			// moves on, nothing else.
			g, err := stores.Users.Get(ctx, guard.ID)
			must(t, err)
			if g.Role != domain.RoleEnterpriseHR || g.Active || g.EnterpriseID != ent1.ID || g.Generation != guard.Generation+1 {
				t.Errorf("got %+v, want the guard a disabled HR account of 甲厂, signed out", g)
			}
			same(t, "down to 00018", withGuard, "users")
			if n := rows(t, db, "users"); n != 6 {
				t.Errorf("got %d users, want 6 (root, the town admin, two supervisors, HR, the guard)", n)
			}

			must(t, repo.MigrateTo(ctx, db, 19))
			foreignKeysOn(t, "up to 00019 again")
			same(t, "up to 00019 again", withGuard, "users")
			if n := rows(t, db, "enterprise_supervisors"); n != 3 {
				t.Errorf("got %d assignments after down and up, want 3", n)
			}
		})
	}
}

// rolledBack opens a database of its own on engine e, migrated to the newest version, makes a
// township there (code, zone 一区) with this program's store, whose columns are the newest
// migration's, then rolls the database back to version under it, for a migration test to
// apply what comes after. Its connections are fresh: PostgreSQL's statements prepared on the
// newer tables would fail on the older ones ("cached plan must not change result type").
func rolledBack(t *testing.T, e dbtest.Engine, code string, version int64) (*repo.DB, *env, domain.User) {
	t.Helper()
	ctx := context.Background()
	url := "sqlite:" + t.TempDir() + "/migration.db"
	if e.Name == "postgres" {
		url = dbtest.EmptyPostgres(t)
	}
	db, err := repo.Open(ctx, url, dbtest.Quiet)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Migrate(ctx)
	must(t, err)
	env := newEnv(t, db)
	_, admin := env.township(t, code, "一区")
	migrateDownTo(t, db, version)
	pool, err := db.Pool()
	must(t, err)
	pool.SetMaxIdleConns(0)
	pool.SetMaxIdleConns(2)
	return db, env, admin
}
