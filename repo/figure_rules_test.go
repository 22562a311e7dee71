package repo_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestFigureRulesApplied: the table holds each engine to the rules as the database runs them,
// so the database must run its file's text, each object once (one left behind by a migration
// would count twice). A start applies the file when it changed, and leaves the objects alone
// when it did not: replacing a trigger locks its table.
func TestFigureRulesApplied(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		differ := func(t *testing.T) []string {
			t.Helper()
			problems, err := repo.StatsObjectsDiffer(ctx, db)
			must(t, err)
			return problems
		}
		if p := differ(t); len(p) > 0 {
			t.Fatalf("a new database: %v", p)
		}
		drop := "DROP TRIGGER checkins_close_missed"
		if db.Dialect == repo.Postgres {
			drop = "DROP TRIGGER alerts_daily_stats ON alerts"
		}
		must(t, repo.Exec(ctx, db, drop))
		t.Run("OKUnchangedLeftAlone", func(t *testing.T) {
			n, err := db.Migrate(ctx)
			must(t, err)
			if p := differ(t); n != 0 || len(p) != 1 {
				t.Errorf("got %d migrations and %v, want none and the dropped trigger still missing", n, p)
			}
		})
		t.Run("OKChangedApplied", func(t *testing.T) {
			must(t, repo.Exec(ctx, db, "UPDATE rule_files SET sha256 = 'an older file'"))
			_, err := db.Migrate(ctx)
			must(t, err)
			if p := differ(t); len(p) > 0 {
				t.Errorf("after a start with another file: %v", p)
			}
		})
	})
}

// TestFigureRulesUpgrade takes a database as a binary of migration 00012 left it, its
// statistics kept by the triggers the migrations made, to this program: the migrations after
// it and the rules of repo/stats replace those triggers, the figures kept stand, new check-ins
// count by the file's rules, and a recount agrees.
func TestFigureRulesUpgrade(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := "sqlite:" + t.TempDir() + "/u.db"
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
			}
			db, err := repo.Open(ctx, url, dbtest.Quiet)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			must(t, repo.MigrateTo(ctx, db, 12))
			if problems, err := repo.StatsObjectsDiffer(ctx, db); err != nil || len(problems) == 0 {
				t.Fatalf("got %v %v, want the migrations' objects told apart from the file's", problems, err)
			}

			// What 00012's program wrote, in its columns: one worker due, one not back yet.
			d, now := startDay, start
			exec := func(q string, args ...any) {
				t.Helper()
				must(t, repo.Exec(ctx, db, q, args...))
			}
			exec(`INSERT INTO townships (id, name, code, created_at, updated_at) VALUES (1, '长山镇', '371626104', ?, ?)`, now, now)
			exec(`INSERT INTO zones (id, township_id, name) VALUES (1, 1, '一区')`)
			exec(`INSERT INTO enterprises (id, township_id, code, name, credit_code, industry, zone_id, created_at, updated_at)
				VALUES (1, 1, 'E1', '长山纺织', ?, '纺织', 1, ?, ?)`, creditCode(1), now, now)
			for i, status := range []string{"on_duty", "expected"} {
				arrived := any(d.AddDays(-2).Time())
				if status == "expected" {
					arrived = nil
				}
				exec(`INSERT INTO workers (id, township_id, enterprise_id, name, id_number_sealed, id_number_index, phone,
					risk_level, status, arrived_on, created_at, updated_at) VALUES (?, 1, 1, ?, 'x', ?, ?, 'low', ?, ?, ?, ?)`,
					i+1, fmt.Sprintf("职工%d", i+1), fmt.Sprintf("idx%d", i+1), phoneOf(i+1), status, arrived, now, now)
			}
			checkin := func(worker int, slot string, temp int, due, late bool) {
				t.Helper()
				exec(`INSERT INTO checkins (township_id, enterprise_id, worker_id, date, slot, temperature, fever, had_fever,
					symptoms, had_symptoms, location, due, late, created_at, updated_at)
					VALUES (1, 1, ?, ?, ?, ?, ?, ?, '', FALSE, 'work', ?, ?, ?, ?)`,
					worker, d.Time(), slot, temp, temp >= 373, temp >= 373, due, late, now, now)
			}
			checkin(1, "am", 385, true, false)
			checkin(1, "pm", 365, true, true)
			checkin(2, "am", 366, false, false)
			exec(`INSERT INTO alerts (township_id, enterprise_id, worker_id, type, date, slot, status, created_at)
				VALUES (1, 1, 1, 'fever', ?, '', 'open', ?)`, d.Time(), now)
			kept, err := repo.TableText(ctx, db, "daily_stats")
			must(t, err)
			if len(kept) != 1 || kept[0]["checkins_am"] != "1" || kept[0]["late"] != "1" || kept[0]["fever"] != "1" ||
				kept[0]["unregistered"] != "1" || kept[0]["alerts"] != "1" {
				t.Fatalf("got daily_stats %v, want what 00012's triggers keep", kept)
			}

			n, err := db.Migrate(ctx)
			must(t, err)
			if n == 0 {
				t.Fatal("got no migration applied, want those after 00012")
			}
			problems, err := repo.StatsObjectsDiffer(ctx, db)
			must(t, err)
			for _, p := range problems {
				t.Errorf("after the upgrade: %s", p)
			}
			if got, err := repo.TableText(ctx, db, "daily_stats"); err != nil || !slices.EqualFunc(got, kept, maps.Equal) {
				t.Errorf("got daily_stats %v %v after the upgrade, want them as kept %v", got, err, kept)
			}

			// The file's rules at work: the second worker's afternoon, then a recount.
			st := repo.Stores(db, dbtest.Box())
			c := domain.Checkin{TownshipID: 1, EnterpriseID: 1, WorkerID: 2, Date: d, Slot: domain.SlotPM,
				Temperature: 380, Fever: true, Location: domain.AtWork}
			_, err = st.Checkins.Upsert(ctx, &c)
			must(t, err)
			want := domain.Figures{CheckinsAM: 1, CheckinsPM: 1, Late: 1, Fever: 2, Unregistered: 1, Alerts: 1}
			for _, step := range []string{"kept", "recounted"} {
				if step == "recounted" {
					must(t, st.Stats.RecountActivity(ctx, 1, d, d))
				}
				rows, err := st.Stats.Days(ctx, domain.StatsFilter{TownshipID: 1}, d, d)
				must(t, err)
				if len(rows) != 1 || rows[0].Figures != want {
					t.Errorf("%s: got %+v, want %+v", step, rows, want)
				}
			}
		})
	}
}
