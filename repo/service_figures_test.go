package repo_test

import (
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// summaryNow is the town admin's dashboard summary of today.
func (w *world) summaryNow(t *testing.T) domain.Summary {
	t.Helper()
	s, err := dashSummary(w.ctx, w.services().Dashboard, w.admin.Actor(), domain.DashboardQuery{})
	must(t, err)
	return s
}

// readingsOf are the readings of a worker's slot of today, as HR sees them.
func (w *world) readingsOf(t *testing.T, wk domain.Worker, s domain.Slot) []domain.Reading {
	t.Helper()
	c := w.stored(t, wk.ID, w.today(), s)
	_, rs, err := w.checkins.Readings(w.ctx, w.hr.Actor(), c.ID)
	must(t, err)
	return rs
}

// TestKeptFever: a fever stays the day's though a later reading of the slot is normal; only a
// correction with a note by HR or the supervisor changes it, and every reading stays visible.
func TestKeptFever(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		wk := w.back(t, w.hr, 1)
		w.submit(t, wk, report(domain.SlotAM, 38.5))
		w.submit(t, wk, report(domain.SlotAM, 36.5))
		c := w.stored(t, wk.ID, w.today(), domain.SlotAM)
		if c.Fever || !c.HadFever || c.Temperature != 365 {
			t.Errorf("got slot %+v, want the latest reading 36.5 with the fever kept", c)
		}
		if got := w.summaryNow(t).Fever; got != 1 {
			t.Errorf("fever after a normal reading: got %d, want 1", got)
		}
		if rs := w.readingsOf(t, wk, domain.SlotAM); len(rs) != 2 || rs[0].Temperature != 385 || !rs[0].Fever ||
			rs[1].Temperature != 365 || rs[0].Source() != domain.FromWorker {
			t.Errorf("got readings %+v, want 38.5 then 36.5, both the worker's", rs)
		}
		alert := w.wantAlerts(t, wk, domain.AlertFever, 1)[0]

		fix := func(note string) domain.CorrectionInput {
			temp := 36.6
			return domain.CorrectionInput{Temperature: &temp, Note: note}
		}
		t.Run("ErrForbiddenTownAdmin", func(t *testing.T) {
			_, err := w.checkins.Correct(w.ctx, w.admin.Actor(), c.ID, fix("复测正常"))
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("ErrNotFoundOtherSupervisor", func(t *testing.T) {
			_, err := w.checkins.Correct(w.ctx, w.sup2.Actor(), c.ID, fix("复测正常"))
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrInvalidWithoutNote", func(t *testing.T) {
			_, err := w.checkins.Correct(w.ctx, w.hr.Actor(), c.ID, fix("  "))
			wantErr(t, err, domain.ErrInvalid, "note")
		})
		if got := w.summaryNow(t).Fever; got != 1 {
			t.Errorf("fever after refused corrections: got %d, want 1", got)
		}
		t.Run("OKSupervisorCorrects", func(t *testing.T) {
			before := w.audit(t)
			got, err := w.checkins.Correct(w.ctx, w.sup.Actor(), c.ID, fix("体温计故障,现场复测 36.6"))
			must(t, err)
			if got.HadFever || got.Temperature != 366 || got.CorrectionNote == "" || got.SubmittedBy != w.sup.ID {
				t.Errorf("got %+v, want 36.6 corrected by the supervisor with the note", got)
			}
			if f := w.summaryNow(t).Fever; f != 0 {
				t.Errorf("fever after the correction: got %d, want 0", f)
			}
			rs := w.readingsOf(t, wk, domain.SlotAM)
			if len(rs) != 3 || rs[0].Temperature != 385 || rs[2].Source() != domain.FromCorrection ||
				!strings.Contains(rs[2].CorrectionNote, "体温计故障") || rs[2].SubmittedByName == "" {
				t.Errorf("got readings %+v, want the two readings and the correction, named", rs)
			}
			if a := w.wantAlerts(t, wk, domain.AlertFever, 1)[0]; a.Status != domain.AlertOpen || a.ID != alert.ID {
				t.Errorf("got alert %+v, want it still open until someone resolves it", a)
			}
			if got := w.audit(t); got != before+1 {
				t.Errorf("got %d audit events, want %d", got, before+1)
			}
			if ev := w.lastEvent(t, "checkin.correct"); ev.EntityID != c.ID || ev.ActorID != w.sup.ID {
				t.Errorf("got event %+v, want checkin.correct of %d by the supervisor", ev, c.ID)
			}
		})
		wantRecount(t, w)
	})
}

// wantRecount fails unless today's statistics equal a recount from the raw rows.
func wantRecount(t *testing.T, w *world) {
	t.Helper()
	today := w.today()
	got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, today, today)
	must(t, err)
	wantDays(t, got, w.recount(t, w.tw, today, today, today))
}

// TestUnregisteredArrival: someone not marked back who reports counts apart, never as a report,
// and raises an alert for HR; once HR marks them back, today's report counts.
func TestUnregisteredArrival(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		due := w.back(t, w.hr, 1)
		early := w.addWorker(t, w.hr, workerForm(2, "371681", domain.Date{})) // not back yet
		w.submit(t, due, report(domain.SlotAM, 36.5))
		c, _ := w.submit(t, early, report(domain.SlotAM, 36.6))
		if c.Due {
			t.Errorf("got %+v, want not due", c)
		}
		s := w.summaryNow(t)
		if s.Due != 1 || s.CheckinsAM != 1 || s.Unregistered != 1 || s.MissingAM() != 0 {
			t.Errorf("got %+v, want 1 due who reported and 1 unregistered apart", s.Figures)
		}
		if done, ok := s.Completion(); !ok || done != 0.5 {
			t.Errorf("got completion %v %v, want 0.5", done, ok)
		}
		w.wantAlerts(t, early, domain.AlertUnregisteredArrival, 1)
		days, _, err := w.checkins.DayStatus(w.ctx, w.hr.Actor(), w.ent.ID, domain.Date{})
		must(t, err)
		var listed []string
		for _, d := range days {
			listed = append(listed, d.Worker.Name+map[bool]string{true: "", false: "(未登记)"}[d.Due])
		}
		if strings.Join(listed, ",") != "职工1,职工2(未登记)" {
			t.Errorf("HR's status lists %v, want 职工1 due and 职工2 apart", listed)
		}
		wantRecount(t, w)

		t.Run("OKMarkedBack", func(t *testing.T) {
			today, onDuty := w.today().String(), domain.WorkerOnDuty
			_, _, err := w.workers.Update(w.ctx, w.hr.Actor(), early.ID, domain.WorkerUpdate{ArrivedOn: &today, Status: &onDuty})
			must(t, err)
			s := w.summaryNow(t)
			if s.Due != 2 || s.CheckinsAM != 2 || s.Unregistered != 0 {
				t.Errorf("got %+v, want both due and reported", s.Figures)
			}
			wantRecount(t, w)
		})
	})
}

// TestLateReport: a report after the cut-off is marked late, and closes the slot's missed
// check-in alert by the system, which the alert records.
func TestLateReport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		wk := w.back(t, w.hr, 1)
		w.clock.Set(local(w.today(), 10, 30))
		_, err := w.checkins.Sweep(w.ctx, w.clock.Now(), &w.swept)
		must(t, err)
		todays := func() domain.Alert {
			t.Helper()
			for _, a := range w.alertsOf(t, wk.ID, domain.AlertMissedCheckin) {
				if a.Date == w.today() && a.Slot == domain.SlotAM {
					return a
				}
			}
			t.Fatalf("no missed check-in alert of this morning")
			return domain.Alert{}
		}
		missed := todays()
		if got := w.summaryNow(t).AlertsOpen; got < 1 {
			t.Fatalf("got %d open alerts, want the missed check-in", got)
		}
		before := w.summaryNow(t).AlertsOpen
		c, _ := w.submit(t, wk, home(report(domain.SlotAM, 36.5))) // home: no 未批先复 alert among the open ones
		if !c.Late {
			t.Errorf("got %+v, want late", c)
		}
		a := todays()
		if a.ID != missed.ID || a.Status != domain.AlertResolved || a.HandledBy != 0 || !strings.Contains(a.Note, "补报") {
			t.Errorf("got alert %+v, want it resolved by the system with a note", a)
		}
		if a.HandledAt == nil || a.TakenAt == nil {
			t.Errorf("got alert %+v, want when the system closed it", a)
		}
		s := w.summaryNow(t)
		if s.Late != 1 || s.CheckinsAM != 1 || s.AlertsOpen != before-1 {
			t.Errorf("got %+v, want one late report and one open alert fewer than %d", s.Figures, before)
		}
		// A second report of the slot does not make it on time, nor late again.
		w.submit(t, wk, report(domain.SlotAM, 36.6))
		if got := w.summaryNow(t).Late; got != 1 {
			t.Errorf("late after a repeat: got %d, want 1", got)
		}
		wantRecount(t, w)
	})
}

// TestBatchAsksBeforeOverwrite: HR's report never replaces a worker's own silently.
func TestBatchAsksBeforeOverwrite(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		wk := w.back(t, w.hr, 1)
		w.submit(t, wk, report(domain.SlotAM, 36.5))
		in := report(domain.SlotAM, 36.9)
		in.WorkerID = wk.ID
		res, err := w.checkins.SubmitForWorkers(w.ctx, w.hr.Actor(), w.ent.ID, []domain.CheckinInput{in})
		must(t, err)
		wantErr(t, res[0].Err, domain.ErrConflict, "overwrite")
		if c := w.stored(t, wk.ID, w.today(), domain.SlotAM); c.Temperature != 365 || c.SubmittedBy != 0 {
			t.Errorf("got %+v, want the worker's own reading kept", c)
		}
		before := w.audit(t)
		in.Overwrite = true
		res, err = w.checkins.SubmitForWorkers(w.ctx, w.hr.Actor(), w.ent.ID, []domain.CheckinInput{in})
		must(t, err)
		must(t, res[0].Err)
		if got := w.audit(t); got != before+1 {
			t.Errorf("got %d audit events, want %d (the report on the worker's behalf)", got, before+1)
		}
		if ev := w.lastEvent(t, "checkin.on_behalf"); ev.ActorID != w.hr.ID || !strings.Contains(ev.Detail, "覆盖") {
			t.Errorf("got event %+v, want checkin.on_behalf saying it replaced the worker's", ev)
		}
		rs := w.readingsOf(t, wk, domain.SlotAM)
		if len(rs) != 2 || rs[0].Source() != domain.FromWorker || rs[1].Source() != domain.FromOnBehalf {
			t.Errorf("got readings %+v, want the worker's then HR's", rs)
		}
	})
}
