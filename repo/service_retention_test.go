package repo_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// retentionWorld is sixty days of a township A that keeps personal data 30 days and a
// township B that keeps the default 180: check-ins every day, alerts, and workers who left.
type retentionWorld struct {
	*world
	t0                 domain.Date
	stay, early, late  domain.Worker // of A: on duty; left on day 5; left on day 40
	stayB, earlyB      domain.Worker // of B: on duty; left on day 5
	svc                domain.Services
	checkinsOf         map[int64][]domain.Date // each worker's days with check-ins
	alertDays          map[int64][]domain.Date
	retentionA, todayA domain.Date
}

func newRetentionWorld(t *testing.T, db *repo.DB) *retentionWorld {
	t.Helper()
	w := &retentionWorld{world: newWorld(t, db), checkinsOf: map[int64][]domain.Date{}, alertDays: map[int64][]domain.Date{}}
	w.svc = domain.NewServices(w.stores, domain.Options{Clock: w.clock.Now})
	w.t0 = w.today()
	w.stay = w.addWorker(t, w.hr, workerForm(1, "371681", w.t0))
	w.early = w.addWorker(t, w.hr, workerForm(2, "371681", w.t0))
	w.late = w.addWorker(t, w.hr2, workerForm(3, "371681", w.t0))
	w.stayB = w.addWorker(t, w.hrB, workerForm(4, "371681", w.t0))
	w.earlyB = w.addWorker(t, w.hrB, workerForm(5, "371681", w.t0))
	// Each reports both slots every day it is there; every seventh day a fever.
	for _, p := range []struct {
		wk   domain.Worker
		days int
	}{{w.stay, 60}, {w.early, 5}, {w.late, 40}, {w.stayB, 60}, {w.earlyB, 5}} {
		var cs []domain.Checkin
		for i := range p.days {
			d := w.t0.AddDays(i)
			for _, slot := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
				temp := domain.Temperature(365)
				if i%7 == 3 && slot == domain.SlotPM {
					temp = 381
				}
				cs = append(cs, domain.Checkin{
					TownshipID: p.wk.TownshipID, EnterpriseID: p.wk.EnterpriseID, WorkerID: p.wk.ID, Date: d, Slot: slot,
					Temperature: temp, Fever: temp >= 373, Location: domain.AtWork, CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now(),
					Due: domain.DueOn(p.wk, d),
				})
			}
			w.checkinsOf[p.wk.ID] = append(w.checkinsOf[p.wk.ID], d)
		}
		must(t, w.stores.Tx.InTx(w.ctx, func(ctx context.Context) error { return w.stores.Checkins.InsertMany(ctx, cs) }))
	}
	var alerts []domain.Alert
	for _, a := range []struct {
		wk  domain.Worker
		day int
	}{{w.stay, 3}, {w.stay, 52}, {w.early, 3}, {w.late, 31}, {w.stayB, 3}, {w.earlyB, 3}} {
		d := w.t0.AddDays(a.day)
		alerts = append(alerts, domain.Alert{TownshipID: a.wk.TownshipID, EnterpriseID: a.wk.EnterpriseID, WorkerID: a.wk.ID,
			Type: domain.AlertFever, Date: d, Slot: domain.SlotPM, Status: domain.AlertOpen, Detail: "体温 38.1"})
		w.alertDays[a.wk.ID] = append(w.alertDays[a.wk.ID], d)
	}
	_, err := w.stores.Alerts.Raise(w.ctx, alerts)
	must(t, err)
	left := domain.WorkerLeft
	for _, l := range []struct {
		hr  domain.User
		wk  domain.Worker
		day int
	}{{w.hr, w.early, 5}, {w.hrB, w.earlyB, 5}, {w.hr2, w.late, 40}} {
		w.setDay(w.t0.AddDays(l.day))
		got, _, err := w.workers.Update(w.ctx, l.hr.Actor(), l.wk.ID, domain.WorkerUpdate{Status: &left})
		must(t, err)
		if got.LeftOn != w.today() {
			t.Fatalf("%s left on %v, want %v", got.Name, got.LeftOn, w.today())
		}
		// The roster of the day they left, as the server snapshots it each day.
		must(t, w.stores.Stats.SnapshotRoster(w.ctx, l.wk.TownshipID, nil, w.today(), false))
	}
	w.setDay(w.t0.AddDays(60))
	w.todayA = w.today()
	w.setPolicy(t, domain.TownshipUpdate{RetentionDays: ptr(30)})
	w.retentionA = w.todayA.AddDays(-30)
	return w
}

// statsRows reads every row of daily_stats, in order: what must not change.
func (w *retentionWorld) statsRows(t *testing.T) string {
	t.Helper()
	return w.statsBefore(t, w.todayA.AddDays(1), w.tw, w.twB)
}

// statsBefore reads the rows of daily_stats of townships' days before end.
func (w *retentionWorld) statsBefore(t *testing.T, end domain.Date, tws ...domain.Township) string {
	t.Helper()
	var b strings.Builder
	for _, tw := range tws {
		rows, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: tw.ID}, w.t0.AddDays(-1), end.AddDays(-1))
		must(t, err)
		for _, r := range rows {
			fmt.Fprintf(&b, "%d %d %s %+v\n", tw.ID, r.EnterpriseID, r.Date, r.Figures)
		}
	}
	return b.String()
}

// counts are the rows of the tables the retention may touch, per township.
func (w *retentionWorld) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, tw := range map[string]domain.Township{"A": w.tw, "B": w.twB} {
		cs, _, err := w.stores.Checkins.List(w.ctx, domain.CheckinFilter{Page: everything})
		must(t, err)
		for _, c := range cs {
			if c.TownshipID == tw.ID {
				out[name+" checkins"]++
			}
		}
		_, n, err := w.stores.Alerts.List(w.ctx, domain.AlertFilter{TownshipID: tw.ID, Page: domain.Page{Limit: 1}})
		must(t, err)
		out[name+" alerts"] = n
		_, n, err = w.stores.Workers.List(w.ctx, domain.WorkerFilter{TownshipID: tw.ID, Page: domain.Page{Limit: 1}})
		must(t, err)
		out[name+" workers"] = n
	}
	out["audit"] = rows(t, w.db, "audit_events")
	return out
}

// expected counts what A's retention must remove, from what the world put in: everything
// dated before the cut-off, and all of the worker who left before it.
func (w *retentionWorld) expected() domain.RetentionCounts {
	var c domain.RetentionCounts
	for _, wk := range []domain.Worker{w.stay, w.early, w.late} {
		gone := wk.ID == w.early.ID
		for _, d := range w.checkinsOf[wk.ID] {
			if gone || d.Before(w.retentionA) {
				c.Checkins += 2
			}
		}
		for _, d := range w.alertDays[wk.ID] {
			if gone || d.Before(w.retentionA) {
				c.Alerts++
			}
		}
	}
	c.Workers = 1
	return c
}

// TestRetention runs the retention on both engines: a dry run counts and changes nothing;
// the run removes A's check-ins and alerts older than 30 days and the worker who left 55 days
// ago, keeps what is newer and the worker who left 20 days ago, leaves township B (180 days)
// as it was, keeps every row of daily_stats exactly as it was, records itself in the audit
// log, and a later `stats rebuild` does not recount the purged days.
func TestRetention(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newRetentionWorld(t, db)
		stats, before := w.statsRows(t), w.counts(t)
		if !strings.Contains(stats, w.t0.AddDays(3).String()) || before["A checkins"] != 2*(60+5+40) {
			t.Fatalf("the world has no history to remove: %v\n%s", before, stats)
		}
		want := w.expected()

		t.Run("DryRun", func(t *testing.T) {
			got, err := w.svc.Retention.Run(w.ctx, true)
			must(t, err)
			if len(got) != 2 || got[0].Removed != want || got[0].Cut != w.retentionA {
				t.Fatalf("got %+v, want A to lose %+v before %v", got, want, w.retentionA)
			}
			if got[1].Removed != (domain.RetentionCounts{}) {
				t.Errorf("township B: got %+v, want nothing to remove", got[1].Removed)
			}
			if after := w.counts(t); !reflect.DeepEqual(after, before) {
				t.Errorf("after a dry run got %v, want %v", after, before)
			}
			if w.statsRows(t) != stats {
				t.Error("a dry run changed daily_stats")
			}
		})

		t.Run("Run", func(t *testing.T) {
			got, err := w.svc.Retention.Run(w.ctx, false)
			must(t, err)
			if got[0].Removed != want || got[1].Removed != (domain.RetentionCounts{}) {
				t.Fatalf("got %+v and %+v, want A %+v and B nothing", got[0].Removed, got[1].Removed, want)
			}
			after := w.counts(t)
			wantAfter := map[string]int{
				"A checkins": before["A checkins"] - want.Checkins, "A alerts": before["A alerts"] - want.Alerts,
				"A workers": before["A workers"] - 1, "B checkins": before["B checkins"], "B alerts": before["B alerts"],
				"B workers": before["B workers"], "audit": before["audit"] + 2, // one event per township
			}
			if !reflect.DeepEqual(after, wantAfter) {
				t.Errorf("got %v, want %v", after, wantAfter)
			}
			if got := w.statsRows(t); got != stats {
				t.Errorf("daily_stats changed:\ngot\n%s\nwant\n%s", got, stats)
			}
		})

		t.Run("WhatIsLeft", func(t *testing.T) {
			cs, _, err := w.stores.Checkins.List(w.ctx, domain.CheckinFilter{Page: everything})
			must(t, err)
			for _, c := range cs {
				if c.TownshipID == w.tw.ID && (c.Date.Before(w.retentionA) || c.WorkerID == w.early.ID) {
					t.Fatalf("check-in of worker %d on %v is still there", c.WorkerID, c.Date)
				}
			}
			if _, err := w.stores.Workers.Get(w.ctx, w.early.ID); !strings.Contains(fmt.Sprint(err), "不存在") {
				t.Errorf("the worker who left 55 days ago: got %v, want gone", err)
			}
			for _, kept := range []domain.Worker{w.stay, w.late, w.stayB, w.earlyB} {
				if got := w.workerNow(t, kept.ID); got.Name != kept.Name || got.IDNumber != kept.IDNumber {
					t.Errorf("got %+v, want %s kept whole", got, kept.Name)
				}
			}
			tw, err := w.stores.Townships.Get(w.ctx, w.tw.ID)
			must(t, err)
			twB, err := w.stores.Townships.Get(w.ctx, w.twB.ID)
			must(t, err)
			if tw.PurgedBefore != w.retentionA || !twB.PurgedBefore.Before(w.t0) {
				t.Errorf("purged before: A %v, B %v; want A %v and B before its history", tw.PurgedBefore, twB.PurgedBefore, w.retentionA)
			}
		})

		t.Run("Audited", func(t *testing.T) {
			events, _, err := w.stores.Audit.List(w.ctx, domain.AuditFilter{TownshipID: w.tw.ID, Action: "retention.run", Page: domain.Page{Limit: 5}})
			must(t, err)
			if len(events) != 1 || events[0].ActorID != 0 || events[0].EntityID != w.tw.ID {
				t.Fatalf("got %+v, want one run of the command line", events)
			}
			d := events[0].Detail
			for _, part := range []string{"保留 30 天", w.retentionA.String(), fmt.Sprintf("打卡 %d 条", want.Checkins), fmt.Sprintf("预警 %d 条", want.Alerts), "职工档案 1 份"} {
				if !strings.Contains(d, part) {
					t.Errorf("got detail %q, want it to say %q", d, part)
				}
			}
		})

		t.Run("AgainRemovesNothing", func(t *testing.T) {
			got, err := w.svc.Retention.Run(w.ctx, false)
			must(t, err)
			if got[0].Removed != (domain.RetentionCounts{}) || w.statsRows(t) != stats {
				t.Errorf("second run: got %+v, want nothing removed and daily_stats as they were", got[0].Removed)
			}
		})

		// A rebuild recounts the days it may (and snapshots those without a roster snapshot);
		// A's purged days, whose check-ins are gone, keep their figures.
		t.Run("RebuildKeepsPurgedDays", func(t *testing.T) {
			purged := w.statsBefore(t, w.retentionA, w.tw)
			if !strings.Contains(purged, "CheckinsAM:2") {
				t.Fatalf("the purged days have no figures to lose:\n%s", purged)
			}
			_, err := w.svc.Stats.Rebuild(w.ctx, w.t0, w.todayA)
			must(t, err)
			if got := w.statsBefore(t, w.retentionA, w.tw); got != purged {
				t.Errorf("after stats rebuild the purged days changed:\ngot\n%s\nwant\n%s", got, purged)
			}
		})

		// The triggers stood aside only inside the retention's transaction: a check-in deleted
		// afterwards still leaves its day's figures.
		t.Run("TriggersBack", func(t *testing.T) {
			day := w.todayA.AddDays(-2)
			read := func() domain.Figures {
				rows, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, day, day)
				must(t, err)
				for _, r := range rows {
					if r.EnterpriseID == w.ent.ID {
						return r.Figures
					}
				}
				return domain.Figures{}
			}
			was := read()
			pool, err := db.Pool()
			must(t, err)
			del := "DELETE FROM checkins WHERE worker_id = ? AND date = ? AND slot = 'am'"
			if db.Dialect == repo.Postgres {
				del = "DELETE FROM checkins WHERE worker_id = $1 AND date = $2 AND slot = 'am'"
			}
			res, err := pool.ExecContext(w.ctx, del, w.stay.ID, day.Time())
			must(t, err)
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("deleted %d check-ins, want 1", n)
			}
			if now := read(); now.CheckinsAM != was.CheckinsAM-1 {
				t.Errorf("after deleting a check-in got %d morning check-ins, want %d", now.CheckinsAM, was.CheckinsAM-1)
			}
		})
		// Someone who comes back is no longer on their way out.
		t.Run("RejoinedKeepsFile", func(t *testing.T) {
			onDuty := domain.WorkerOnDuty
			got, _, err := w.workers.Update(w.ctx, w.hr2.Actor(), w.late.ID, domain.WorkerUpdate{Status: &onDuty})
			must(t, err)
			if !got.LeftOn.IsZero() || !w.workerNow(t, w.late.ID).LeftOn.IsZero() {
				t.Errorf("got left on %v, want none once back on duty", got.LeftOn)
			}
		})
	})
}

// TestRetentionDaysPolicy: the town admin sets retention_days like the rest of the policy,
// within a month and ten years, and the change is audited with its values.
func TestRetentionDaysPolicy(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		if w.tw.Policy.RetentionDays != 180 {
			t.Errorf("a new township keeps %d days, want 180", w.tw.Policy.RetentionDays)
		}
		for _, bad := range []int{0, 29, 3651} {
			_, err := w.townships.Update(w.ctx, w.admin.Actor(), w.tw.ID, domain.TownshipUpdate{RetentionDays: ptr(bad)})
			wantErr(t, err, domain.ErrInvalid, "retention_days")
		}
		got, err := w.townships.Update(w.ctx, w.admin.Actor(), w.tw.ID, domain.TownshipUpdate{RetentionDays: ptr(365)})
		must(t, err)
		if got.Policy.RetentionDays != 365 {
			t.Errorf("got %d days, want 365", got.Policy.RetentionDays)
		}
		if ev := w.lastEvent(t, "township.update"); !strings.Contains(ev.Detail, "个人信息保留天数 180→365") {
			t.Errorf("got detail %q, want the change of days", ev.Detail)
		}
	})
}
