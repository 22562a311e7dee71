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

// TestViewerRoleMigration upgrades a database of migration 00020 through 00021, which lets users
// take the role viewer (a wall screen, 大屏) and which SQLite applies by rebuilding users. The
// database holds what references users: supervisors assigned to enterprises and a supervisor's
// own group robot (both ON DELETE CASCADE, which SQLite would carry out if users were dropped
// with foreign keys on), a guard, sessions, an alert with its outbox event. Every row of every
// table is still there after the upgrade, and the outbox trigger on alerts (00020's) still
// writes an alert's event. Then a wall screen is made, 00021 rolled back (it becomes a
// disabled supervisor of no enterprise, signed out; the rest as it was) and applied again.
func TestViewerRoleMigration(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, env, admin := rolledBack(t, e, "371626105", 20)
			a := admin.Actor()
			ent1 := env.enterprise(t, a, "甲厂", 1, "一区")
			ent2 := env.enterprise(t, a, "乙厂", 2, "一区")
			sup1 := env.staff(t, a, domain.RoleSupervisor, "sup1", 0)
			sup2 := env.staff(t, a, domain.RoleSupervisor, "sup2", 0)
			hr := env.staff(t, a, domain.RoleEnterpriseHR, "hr1", ent1.ID)
			env.staff(t, a, domain.RoleGate, "gate1", ent1.ID)
			_, err := env.enterprises.SetSupervisors(ctx, a, ent1.ID, []int64{sup1.ID, sup2.ID})
			must(t, err)
			_, err = env.enterprises.SetSupervisors(ctx, a, ent2.ID, []int64{sup1.ID})
			must(t, err)
			for _, u := range []string{"sup1", "hr1", "gate1", "admin-371626105"} {
				_, err := env.auth.Login(ctx, u, password, "127.0.0.1")
				must(t, err)
			}
			stores := repo.Stores(db, dbtest.Box())
			must(t, stores.Channels.Create(ctx, &domain.Channel{TownshipID: ent1.TownshipID, Scope: domain.ScopeSupervisor,
				UserID: sup1.ID, Name: "监督员群", Kind: domain.KindWeCom, Enabled: true, CreatedBy: sup1.ID,
				URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=plain-key-sup1"}))
			wk, _, err := env.workers.Create(ctx, hr.Actor(), ent1.ID, domain.WorkerInput{Name: "职工甲", IDNumber: string(personID(1)),
				Phone: phoneOf(1), OriginRegion: "371681", ArrivedOn: domain.DateFromTime(start).AddDays(-3).String()})
			must(t, err)
			fever := func(d domain.Date) domain.Alert {
				return domain.Alert{TownshipID: wk.TownshipID, EnterpriseID: ent1.ID, WorkerID: wk.ID, Type: domain.AlertFever,
					Date: d, Status: domain.AlertOpen, Detail: "体温 38.2 °C"}
			}
			_, err = stores.Alerts.Raise(ctx, []domain.Alert{fever(domain.DateFromTime(start))})
			must(t, err)

			before, err := dbtest.Fingerprint(ctx, db)
			must(t, err)
			if n := rows(t, db, "enterprise_supervisors"); n != 3 {
				t.Fatalf("got %d assignments at 00020, want 3", n)
			}
			if n := rows(t, db, "outbox_events"); n != 1 {
				t.Fatalf("got %d outbox events at 00020, want the alert's", n)
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
				for range 4 {
					var out []map[string]any
					must(t, repo.RawQuery(ctx, db, "PRAGMA foreign_keys", &out))
					if len(out) != 1 || out[0]["foreign_keys"] != int64(1) {
						t.Errorf("%s: got PRAGMA foreign_keys %v, want 1", when, out)
					}
				}
			}

			must(t, repo.MigrateTo(ctx, db, 21))
			same(t, "up to 00021", before)
			foreignKeysOn(t, "up to 00021")
			// The outbox trigger is on alerts, untouched: a new alert still has its event.
			_, err = stores.Alerts.Raise(ctx, []domain.Alert{fever(domain.DateFromTime(start).AddDays(-1))})
			must(t, err)
			if n := rows(t, db, "outbox_events"); n != 2 {
				t.Errorf("got %d outbox events after a new alert at 00021, want 2", n)
			}

			// A wall screen, which 00021 allows: a town admin makes it, of no enterprise.
			env.clock.Advance(time.Hour)
			wall := env.staff(t, a, domain.RoleViewer, "wall1", ent1.ID)
			if wall.Role != domain.RoleViewer || wall.EnterpriseID != 0 || wall.TownshipID != ent1.TownshipID {
				t.Fatalf("got %+v, want a viewer of the township and no enterprise", wall)
			}
			_, err = env.auth.Login(ctx, "wall1", password, "127.0.0.1")
			must(t, err)
			withWall, err := dbtest.Fingerprint(ctx, db)
			must(t, err)

			must(t, repo.MigrateDown(ctx, db))
			if v, err := db.MigrationVersion(ctx); err != nil || v != 20 {
				t.Fatalf("got version %d %v after rolling back, want 20", v, err)
			}
			foreignKeysOn(t, "down to 00020")
			g, err := stores.Users.Get(ctx, wall.ID)
			must(t, err)
			if g.Role != domain.RoleSupervisor || g.Active || g.EnterpriseID != 0 || g.Generation != wall.Generation+1 {
				t.Errorf("got %+v, want the wall screen a disabled supervisor of no enterprise, signed out", g)
			}
			same(t, "down to 00020", withWall, "users")
			if n := rows(t, db, "users"); n != 7 {
				t.Errorf("got %d users, want 7 (root, the town admin, two supervisors, HR, the guard, the wall screen)", n)
			}

			must(t, repo.MigrateTo(ctx, db, 21))
			foreignKeysOn(t, "up to 00021 again")
			same(t, "up to 00021 again", withWall, "users")
			if n := rows(t, db, "enterprise_supervisors"); n != 3 {
				t.Errorf("got %d assignments after down and up, want 3", n)
			}
			if n := rows(t, db, "channels"); n != 1 {
				t.Errorf("got %d channels after down and up, want the supervisor's", n)
			}
		})
	}
}
