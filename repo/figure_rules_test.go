package repo_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// sent is one reading of a slot as a phone sends it; a slot's readings are written in turn.
type sent struct {
	temp float64 // °C: 37.3 and over is a fever (the township's threshold)
	sym  bool    // with a symptom
	late bool    // after the slot's cut-off (the service decides it; the store takes it)
}

// sheet names the daily report's people sheets, in sheetsOf's order.
type sheet int

const (
	onAbnormal sheet = iota
	onMissed
	onKeyArea
	onIsolating
	onUnregistered
)

// figureCase is one worker's day: who they are on the roster, what they sent, and what that
// counts for.
type figureCase struct {
	name   string
	worker func(d domain.Date) domain.Worker
	am, pm []sent
	// then is the worker after a roster change later that day (nil: none), which retakes
	// today's snapshot and the due of today's slots.
	then func(w domain.Worker, d domain.Date) domain.Worker
	// missedAM raises a missed-check-in alert of the morning before anything is sent: a late
	// first report of the morning closes it.
	missedAM bool
	want     domain.Figures // Alerts included, AlertsOpen left out (not kept per day)
	sheets   []sheet        // the people sheets of the daily report that list the worker
}

// figureCases is the one table of who counts how on a day (FIGURES.md), which TestFigureRules
// runs against the Go rules (domain.DueOn, RosterFigures, ActivityFigures) and against the rules
// of each engine in repo/stats.
var figureCases = []figureCase{
	{name: "OnDutyBothSlots", worker: onDuty(-3, domain.RiskLow),
		am: []sent{{temp: 36.5}}, pm: []sent{{temp: 36.6}},
		want: domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1, CheckinsAM: 1, CheckinsPM: 1}},
	{name: "OnDutyBackTodayMorningOnly", worker: onDuty(0, domain.RiskLow),
		am:     []sent{{temp: 36.5}},
		want:   domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1, CheckinsAM: 1},
		sheets: []sheet{onMissed}},
	{name: "OnDutyNothingSent", worker: onDuty(-3, domain.RiskLow),
		want:   domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1},
		sheets: []sheet{onMissed}},
	{name: "BackTomorrowReportsLate", worker: onDuty(1, domain.RiskLow),
		am:     []sent{{temp: 36.5, late: true}}, // not due: neither a report nor late
		want:   domain.Figures{Roster: 1, Unregistered: 1},
		sheets: []sheet{onUnregistered}},
	{name: "ExpectedReportsTwice", worker: func(domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerExpected, RiskLevel: domain.RiskLow}
	}, am: []sent{{temp: 36.5}}, pm: []sent{{temp: 36.4}},
		want:   domain.Figures{Roster: 1, Unregistered: 1}, // one person, once
		sheets: []sheet{onUnregistered}},
	{name: "ExpectedWithArrivalDate", worker: func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerExpected, ArrivedOn: d.AddDays(-1), RiskLevel: domain.RiskLow}
	}, want: domain.Figures{Roster: 1}},
	{name: "ExpectedMarkedBackAfterReporting", worker: func(domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerExpected, RiskLevel: domain.RiskLow}
	}, am: []sent{{temp: 36.5}}, pm: []sent{{temp: 38.0}},
		then: func(w domain.Worker, d domain.Date) domain.Worker {
			w.Status, w.ArrivedOn = domain.WorkerOnDuty, d
			return w
		},
		want:   domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1, CheckinsAM: 1, CheckinsPM: 1, Fever: 1},
		sheets: []sheet{onAbnormal}},
	{name: "IsolatingHighRiskFeverOnce", worker: func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerIsolating, ArrivedOn: d.AddDays(-2), RiskLevel: domain.RiskHigh,
			IsolationStart: d.AddDays(-2), IsolationUntil: d.AddDays(12)}
	}, am: []sent{{temp: 38.5}}, pm: []sent{{temp: 38.1, sym: true}},
		want: domain.Figures{Roster: 1, Returned: 1, Isolating: 1, KeyArea: 1, Due: 1, CheckinsAM: 1, CheckinsPM: 1,
			Fever: 1, Symptomatic: 1}, // a person, whichever slot
		sheets: []sheet{onAbnormal, onKeyArea, onIsolating}},
	{name: "FeverKeptUnderNormalReading", worker: func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerOnDuty, ArrivedOn: d.AddDays(-20), RiskLevel: domain.RiskMedium,
			IsolationStart: d.AddDays(-20), IsolationUntil: d.AddDays(-6)}
	}, am: []sent{{temp: 38.2}, {temp: 36.5}}, pm: []sent{{temp: 36.5, sym: true}, {temp: 36.5}},
		want: domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, KeyArea: 1, Due: 1, CheckinsAM: 1, CheckinsPM: 1,
			Fever: 1, Symptomatic: 1},
		sheets: []sheet{onAbnormal, onKeyArea}},
	{name: "IsolationEndsTodayLate", worker: func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerOnDuty, ArrivedOn: d.AddDays(-14), RiskLevel: domain.RiskMedium,
			IsolationStart: d.AddDays(-14), IsolationUntil: d}
	}, am: []sent{{temp: 36.5, late: true}}, pm: []sent{{temp: 36.5, late: true}},
		want: domain.Figures{Roster: 1, Returned: 1, Isolating: 1, KeyArea: 1, Due: 1, CheckinsAM: 1, CheckinsPM: 1,
			Late: 2},
		sheets: []sheet{onKeyArea, onIsolating}},
	{name: "LateFirstReportClosesMissedAlert", worker: onDuty(-3, domain.RiskLow), missedAM: true,
		am:     []sent{{temp: 36.5, late: true}, {temp: 36.6}},
		want:   domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1, CheckinsAM: 1, Late: 1, Alerts: 1},
		sheets: []sheet{onMissed}},
	{name: "OnTimeFirstReportLateRepeat", worker: onDuty(-3, domain.RiskLow), missedAM: true,
		am:     []sent{{temp: 36.5}, {temp: 36.6, late: true}}, // the slot was not late: its first report was not
		want:   domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1, CheckinsAM: 1, Alerts: 1},
		sheets: []sheet{onMissed}},
	{name: "InHospitalReports", worker: func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerInHospital, ArrivedOn: d.AddDays(-5), RiskLevel: domain.RiskLow}
	}, am: []sent{{temp: 36.8}}, // not due: a report counts apart
		want:   domain.Figures{Roster: 1, Returned: 1, Unregistered: 1},
		sheets: []sheet{onUnregistered}},
	{name: "LeftIsRefused", worker: func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerLeft, ArrivedOn: d.AddDays(-5), RiskLevel: domain.RiskLow, LeftOn: d}
	}, am: []sent{{temp: 36.5}}, // the upsert refuses who left; nothing counts
		want: domain.Figures{}},
}

// onDuty is a worker at work, back `back` days from the day (negative: before it).
func onDuty(back int, risk domain.RiskLevel) func(d domain.Date) domain.Worker {
	return func(d domain.Date) domain.Worker {
		return domain.Worker{Status: domain.WorkerOnDuty, ArrivedOn: d.AddDays(back), RiskLevel: risk}
	}
}

// slot is the check-in the store holds after a slot's readings, as the upsert keeps them: the
// latest reading, the fever and symptoms of any, late as the first was; nil without one.
func (tc figureCase) slot(s domain.Slot, readings []sent, w domain.Worker, d domain.Date) *domain.Checkin {
	if len(readings) == 0 {
		return nil
	}
	c := &domain.Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Date: d, Slot: s,
		Location: domain.AtWork, Due: domain.DueOn(w, d), Late: readings[0].late}
	for _, r := range readings {
		c.Temperature, c.Fever, c.Symptoms = domain.Temperature(r.temp*10+0.5), r.temp >= 37.3, nil
		if r.sym {
			c.Symptoms = []domain.Symptom{domain.SymptomDryCough}
		}
		c.HadFever, c.HadSymptoms = c.HadFever || c.Fever, c.HadSymptoms || r.sym
	}
	return c
}

// goFigures are the case's figures by the Go rules, of the worker as they end the day.
func (tc figureCase) goFigures(d domain.Date) domain.Figures {
	w := tc.worker(d)
	if tc.then != nil {
		w = tc.then(w, d)
	}
	f := domain.RosterFigures(w, d)
	if w.Status != domain.WorkerLeft {
		f.Add(domain.ActivityFigures(tc.slot(domain.SlotAM, tc.am, w, d), tc.slot(domain.SlotPM, tc.pm, w, d)))
	}
	if tc.missedAM {
		f.Alerts++
	}
	return f
}

// TestFigureRules runs the one table of cases against the Go rules and against each engine's
// rules in repo/stats: the roster snapshot, the due of the check-in upsert and of a roster
// change, the triggers as check-ins arrive one by one (a phone's report) and all in one
// statement (a bulk load: PostgreSQL's general path), the recount, the removal of check-ins,
// the closing of a missed-check-in alert by a late report, and the people the daily report
// lists (the rule people_listed). Each case is a worker of an enterprise of its own per way of
// writing, so that each enterprise's row is that case's.
func TestFigureRules(t *testing.T) {
	t.Run("Go", func(t *testing.T) {
		day := startDay
		for _, tc := range figureCases {
			if got := tc.goFigures(day); got != tc.want {
				t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
			}
			w := tc.worker(day)
			if tc.then != nil {
				w = tc.then(w, day)
			}
			if due := domain.DueOn(w, day); due != (tc.want.Due == 1) {
				t.Errorf("%s: DueOn gives %v, want %v", tc.name, due, tc.want.Due == 1)
			}
		}
	})
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, d := w.ctx, w.today()
		type made struct {
			ent    domain.Enterprise
			worker domain.Worker
		}
		// Two workers per case: one whose readings are upserted one by one, one whose slots are
		// loaded in bulk.
		ways := []string{"OneByOne", "Bulk"}
		all := map[string][]made{}
		for wi, way := range ways {
			for i, tc := range figureCases {
				n := 20 + wi*len(figureCases) + i
				ent := w.enterprise(t, w.admin.Actor(), "规则"+way+strconv.Itoa(i)+"号厂", n, "一区")
				wk := tc.worker(d)
				wk.TownshipID, wk.EnterpriseID, wk.Name = w.tw.ID, ent.ID, way+tc.name
				wk.IDNumber, wk.Phone = personID(n), phoneOf(n)
				must(t, w.stores.Workers.Create(ctx, &wk))
				all[way] = append(all[way], made{ent, wk})
				if tc.missedAM {
					_, err := w.stores.Alerts.Raise(ctx, []domain.Alert{{TownshipID: w.tw.ID, EnterpriseID: ent.ID,
						WorkerID: wk.ID, Type: domain.AlertMissedCheckin, Date: d, Slot: domain.SlotAM,
						Status: domain.AlertOpen, CreatedAt: start}})
					must(t, err)
				}
			}
		}
		must(t, w.stores.Stats.SnapshotRoster(ctx, w.tw.ID, nil, d, false))

		var bulk []domain.Checkin
		for i, tc := range figureCases {
			m := all["OneByOne"][i]
			for _, slot := range []struct {
				s        domain.Slot
				readings []sent
			}{{domain.SlotAM, tc.am}, {domain.SlotPM, tc.pm}} {
				for k := range slot.readings {
					c := *tc.slot(slot.s, slot.readings[k:k+1], m.worker, d)
					c.Late = slot.readings[k].late // as the service would decide it for this reading
					_, err := w.stores.Checkins.Upsert(ctx, &c)
					if m.worker.Status == domain.WorkerLeft {
						wantErr(t, err, domain.ErrNotFound)
						continue
					}
					must(t, err)
					if c.Due != (domain.DueOn(m.worker, d)) {
						t.Errorf("%s: the upsert's due is %v, want DueOn's %v", tc.name, c.Due, !c.Due)
					}
				}
			}
			// The bulk load has no standing check (it loads history): who left sends nothing.
			if b := all["Bulk"][i].worker; b.Status != domain.WorkerLeft {
				for _, c := range []*domain.Checkin{tc.slot(domain.SlotAM, tc.am, b, d), tc.slot(domain.SlotPM, tc.pm, b, d)} {
					if c != nil {
						bulk = append(bulk, *c)
					}
				}
			}
		}
		must(t, w.stores.Checkins.InsertMany(ctx, bulk)) // one statement
		changed := false
		for _, way := range ways {
			for i, tc := range figureCases {
				if tc.then != nil {
					must(t, w.stores.Workers.Update(ctx, tc.then(all[way][i].worker, d)))
					changed = true
				}
			}
		}
		if changed {
			must(t, w.stores.Stats.SnapshotRoster(ctx, w.tw.ID, nil, d, false))
		}

		check := func(t *testing.T, activity bool) {
			t.Helper()
			rows, err := w.stores.Stats.Days(ctx, domain.StatsFilter{TownshipID: w.tw.ID}, d, d)
			must(t, err)
			byEnt := map[int64]domain.Figures{}
			for _, r := range rows {
				byEnt[r.EnterpriseID] = r.Figures
			}
			for _, way := range ways {
				for i, tc := range figureCases {
					want := tc.want
					if !activity {
						want.CheckinsAM, want.CheckinsPM, want.Late, want.Fever, want.Symptomatic, want.Unregistered = 0, 0, 0, 0, 0, 0
					}
					if got := byEnt[all[way][i].ent.ID]; got != want {
						t.Errorf("%s %s: got %+v, want %+v", way, tc.name, got, want)
					}
				}
			}
		}
		t.Run("Kept", func(t *testing.T) { check(t, true) })

		t.Run("MissedAlertClosed", func(t *testing.T) {
			for _, way := range ways {
				for i, tc := range figureCases {
					if !tc.missedAM {
						continue
					}
					as, _, err := w.stores.Alerts.List(ctx, domain.AlertFilter{WorkerID: all[way][i].worker.ID, Page: everything})
					must(t, err)
					closed := len(as) == 1 && as[0].Status == domain.AlertResolved && as[0].HandledBy == 0 && as[0].TakenAt != nil
					if want := tc.am[0].late; closed != want {
						t.Errorf("%s %s: got alerts %+v, want closed %v (the slot's first report late)", way, tc.name, as, want)
					}
				}
			}
		})

		t.Run("Listed", func(t *testing.T) {
			r, err := w.services().Reports.DailyReport(ctx, w.admin.Actor(), d)
			must(t, err)
			sheets := [][]domain.PersonDay{r.Abnormal, r.Missed, r.KeyArea, r.Isolating, r.Unregistered}
			for _, way := range ways {
				for i, tc := range figureCases {
					var want [5]bool
					for _, s := range tc.sheets {
						want[s] = true
					}
					var got [5]bool
					for s, people := range sheets {
						for _, p := range people {
							got[s] = got[s] || p.Worker.ID == all[way][i].worker.ID
						}
					}
					if got != want {
						t.Errorf("%s %s: on sheets %s, want %s", way, tc.name, sheetNames(got), sheetNames(want))
					}
				}
			}
		})

		t.Run("Recounted", func(t *testing.T) {
			must(t, repo.Exec(ctx, db, "UPDATE daily_stats SET checkins_am = 7, fever = 7, unregistered = 7, alerts = 7"))
			must(t, w.stores.Stats.RecountActivity(ctx, w.tw.ID, d, d))
			check(t, true)
		})

		t.Run("Removed", func(t *testing.T) {
			must(t, repo.Exec(ctx, db, "DELETE FROM checkins WHERE township_id = ?", w.tw.ID)) // one statement
			check(t, false)
		})
	})
}

// sheetNames lists the sheets a person is on, for messages.
func sheetNames(on [5]bool) string {
	names := []string{"abnormal", "missed", "key area", "isolating", "unregistered"}
	var out []string
	for s, yes := range on {
		if yes {
			out = append(out, names[s])
		}
	}
	return fmt.Sprint(out)
}

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
