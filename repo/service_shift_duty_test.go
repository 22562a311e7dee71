package repo_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"fugong/domain"
	"fugong/live"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// process is another server process on the same database: services of their own, so that
// nothing one remembers (the enterprise-wide alerts it saw raised) spares the other a write.
func (w *world) process() domain.Services {
	return domain.NewServices(w.stores, domain.Options{Clock: w.clock.Now})
}

// shift creates a shift of hr's enterprise with capacity n and assigns workers to it.
func (w *world) shift(t *testing.T, hr domain.User, name string, n int, ws ...domain.Worker) domain.Shift {
	t.Helper()
	sh, err := w.process().Stagger.CreateShift(w.ctx, hr.Actor(), hr.EnterpriseID, domain.ShiftInput{Name: name, Capacity: n,
		Start: "08:00", End: "16:00", MealStart: "11:30", MealEnd: "12:00"})
	must(t, err)
	if len(ws) > 0 {
		ids := make([]int64, 0, len(ws))
		for _, wk := range ws {
			ids = append(ids, wk.ID)
		}
		id := sh.ID
		_, err := w.stores.Workers.Assign(w.ctx, hr.EnterpriseID, ids, nil, &id)
		must(t, err)
	}
	return sh
}

// crew puts n people back on hr's roster, numbered from first.
func (w *world) crew(t *testing.T, hr domain.User, first, n int) []domain.Worker {
	t.Helper()
	out := make([]domain.Worker, 0, n)
	for i := range n {
		out = append(out, w.back(t, hr, first+i))
	}
	return out
}

// home is in sent from home: for tests of other figures at an enterprise not approved, where a
// report at work would add its 未批先复 alert (TestUnapprovedWork) to the alerts they count.
func home(in domain.CheckinInput) domain.CheckinInput {
	in.Location = domain.AtHome
	return in
}

// at is a report of slot at location loc.
func at(slot domain.Slot, loc domain.Location) domain.CheckinInput {
	in := report(slot, 36.5)
	in.Location = loc
	return in
}

// enterpriseAlerts are an enterprise's alerts of a type, as its HR lists them.
func (w *world) enterpriseAlerts(t *testing.T, who domain.Actor, enterpriseID int64, typ domain.AlertType) []domain.Alert {
	t.Helper()
	got, _, err := w.checkins.ListAlerts(w.ctx, who, domain.AlertFilter{EnterpriseID: enterpriseID, Type: typ, Page: domain.Page{Limit: domain.MaxPageSize}})
	must(t, err)
	return got
}

// wantDuty fails the test unless the enterprise's shifts on day d count as the rule
// domain.OnShiftDuty counts them by hand from the workers and their morning check-ins, and
// unless each shift's own count (the check-in's query) says the same.
func (w *world) wantDuty(t *testing.T, hr domain.User, d domain.Date, want map[string]int) {
	t.Helper()
	got, day, err := w.process().Stagger.ShiftsOn(w.ctx, hr.Actor(), hr.EnterpriseID, d)
	must(t, err)
	if day != d {
		t.Errorf("got day %v, want %v", day, d)
	}
	ws, _, err := w.stores.Workers.List(w.ctx, domain.WorkerFilter{EnterpriseID: hr.EnterpriseID, Page: domain.Page{Limit: domain.MaxPageSize}})
	must(t, err)
	am, err := w.stores.Checkins.CheckedIn(w.ctx, w.tw.ID, hr.EnterpriseID, d, domain.SlotAM)
	must(t, err)
	for _, sd := range got {
		hand := 0
		for _, wk := range ws {
			var c *domain.Checkin
			if ck, ok := am[wk.ID]; ok {
				c = &ck
			}
			if domain.OnShiftDuty(wk, sd.ID, c) {
				hand++
			}
		}
		one, err := w.stores.Shifts.Duty(w.ctx, sd.ID, d)
		must(t, err)
		if sd.OnDuty != hand || one.OnDuty != hand || sd.OnDuty != want[sd.Name] {
			t.Errorf("%s on %v: got %d on duty (alone %d), hand count %d, want %d", sd.Name, d, sd.OnDuty, one.OnDuty, hand, want[sd.Name])
		}
		if sd.OverCapacity() != (sd.OnDuty > sd.Capacity) || one.Capacity != sd.Capacity || one.Name != sd.Name {
			t.Errorf("%s: got %+v and %+v, want one shift, over capacity when on duty > capacity", sd.Name, sd, one)
		}
	}
}

// TestShiftOnDuty holds the figure "on duty" of each shift to a hand count by the rule in
// Go: morning check-ins at work of the shift's workers who have not left; not the afternoon's,
// not at home, not of another day, not of someone without a shift or in another shift.
func TestShiftOnDuty(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ws := w.crew(t, w.hr, 1, 7)
		a := w.shift(t, w.hr, "早班", 2, ws[0], ws[1], ws[2])
		w.shift(t, w.hr, "中班", 5, ws[3], ws[4])
		today, yesterday := w.today(), w.daysAgo(1)
		w.submit(t, ws[0], at(domain.SlotAM, domain.AtWork))
		w.submit(t, ws[1], at(domain.SlotAM, domain.AtWork))
		w.submit(t, ws[2], at(domain.SlotAM, domain.AtHome))
		w.submit(t, ws[2], on(at(domain.SlotAM, domain.AtWork), yesterday))
		w.submit(t, ws[3], at(domain.SlotPM, domain.AtWork))
		w.submit(t, ws[4], at(domain.SlotAM, domain.AtWork))
		w.submit(t, ws[5], at(domain.SlotAM, domain.AtWork)) // no shift
		w.submit(t, ws[6], at(domain.SlotAM, domain.AtWork)) // no shift
		w.wantDuty(t, w.hr, today, map[string]int{"早班": 2, "中班": 1})
		w.wantDuty(t, w.hr, yesterday, map[string]int{"早班": 1})

		t.Run("LeftNotCounted", func(t *testing.T) {
			w.setStatus(t, w.hr, ws[4], domain.WorkerLeft)
			w.wantDuty(t, w.hr, today, map[string]int{"早班": 2})
		})
		t.Run("OverCapacityAfterCut", func(t *testing.T) {
			_, err := w.process().Stagger.UpdateShift(w.ctx, w.sup.Actor(), a.ID, domain.ShiftInput{Name: a.Name, Capacity: 1})
			must(t, err)
			got, _, err := w.process().Stagger.ShiftsOn(w.ctx, w.sup.Actor(), w.ent.ID, domain.Date{})
			must(t, err)
			for _, sd := range got {
				if sd.Date != today || (sd.Name == "早班") != sd.OverCapacity() {
					t.Errorf("got %+v, want today's, 早班 alone over capacity", sd)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if _, _, err := w.process().Stagger.ShiftsOn(w.ctx, w.hr2.Actor(), w.ent.ID, today); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("got %v, want not found for another enterprise's HR", err)
			}
		})
	})
}

// TestShiftOverCapacityAlert: the morning check-in at work that takes a shift over capacity
// raises one alert for its HR and supervisor, naming the shift, the count and the capacity;
// later check-ins, other processes and repeats raise no second one, and nothing else raises
// one (the afternoon, home, a shift within capacity).
func TestShiftOverCapacityAlert(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.approve(t, w.hr, w.sup) // approved: no 未批先复 beside
		ws := w.crew(t, w.hr, 1, 6)
		sh := w.shift(t, w.hr, "早班", 2, ws[0], ws[1], ws[2], ws[3])
		w.shift(t, w.hr, "中班", 5, ws[4], ws[5])
		alerts := func(t *testing.T) []domain.Alert {
			t.Helper()
			return w.enterpriseAlerts(t, w.hr.Actor(), w.ent.ID, domain.AlertShiftOverCapacity)
		}
		w.submit(t, ws[0], at(domain.SlotAM, domain.AtWork))
		w.submit(t, ws[1], at(domain.SlotAM, domain.AtWork))
		w.submit(t, ws[2], at(domain.SlotAM, domain.AtHome))
		w.submit(t, ws[2], at(domain.SlotPM, domain.AtWork))
		w.submit(t, ws[4], at(domain.SlotAM, domain.AtWork))
		w.submit(t, ws[5], at(domain.SlotAM, domain.AtWork))
		if got := alerts(t); len(got) != 0 {
			t.Fatalf("got %+v, want none at capacity, at home, in the afternoon", got)
		}
		t.Run("OK", func(t *testing.T) {
			w.submit(t, ws[3], at(domain.SlotAM, domain.AtWork))
			got := alerts(t)
			if len(got) != 1 {
				t.Fatalf("got %d alerts, want 1", len(got))
			}
			a := got[0]
			if a.ShiftID != sh.ID || a.ShiftName != "早班" || a.WorkerID != ws[3].ID || a.Date != w.today() || a.Escalated ||
				!strings.Contains(a.Detail, "早班") || !strings.Contains(a.Detail, "3 人") || !strings.Contains(a.Detail, "容量 2 人") {
				t.Errorf("got %+v, want 早班's, by the third worker, 3 on duty against 2", a)
			}
			if sup := w.enterpriseAlerts(t, w.sup.Actor(), w.ent.ID, domain.AlertShiftOverCapacity); len(sup) != 1 {
				t.Errorf("got %d for the supervisor, want 1", len(sup))
			}
		})
		t.Run("OnceHoweverFound", func(t *testing.T) {
			w.submit(t, ws[3], at(domain.SlotAM, domain.AtWork)) // a repeat
			other := w.process().Checkins                        // remembers nothing
			for _, wk := range ws[:4] {
				if _, _, err := other.Submit(w.ctx, wk.Actor(), at(domain.SlotAM, domain.AtWork)); err != nil {
					t.Fatal(err)
				}
			}
			w.submit(t, ws[2], at(domain.SlotAM, domain.AtWork))
			if got := alerts(t); len(got) != 1 {
				t.Errorf("got %d alerts, want 1", len(got))
			}
		})
		t.Run("NextDayAgain", func(t *testing.T) {
			w.setDay(w.today().AddDays(1))
			for _, wk := range ws[:3] {
				w.submit(t, wk, at(domain.SlotAM, domain.AtWork))
			}
			if got := alerts(t); len(got) != 2 || got[0].Date != w.today() {
				t.Errorf("got %+v, want a second alert, today's", got)
			}
		})
	})
}

// TestUnapprovedWork: a check-in at work at an enterprise not approved raises one 未批先复
// alert a day, escalated to the town, naming the status; not at home or in isolation, not at
// an approved or reopened enterprise.
func TestUnapprovedWork(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ws := w.crew(t, w.hr, 1, 3)
		alerts := func(t *testing.T, who domain.Actor, e int64) []domain.Alert {
			t.Helper()
			return w.enterpriseAlerts(t, who, e, domain.AlertUnapprovedWork)
		}
		t.Run("NotAtWork", func(t *testing.T) {
			w.submit(t, ws[0], at(domain.SlotAM, domain.AtHome))
			w.submit(t, ws[1], at(domain.SlotAM, domain.AtIsolation))
			if got := alerts(t, w.admin.Actor(), w.ent.ID); len(got) != 0 {
				t.Errorf("got %+v, want none", got)
			}
		})
		t.Run("OK", func(t *testing.T) {
			w.submit(t, ws[2], at(domain.SlotPM, domain.AtWork))
			got := alerts(t, w.admin.Actor(), w.ent.ID)
			if len(got) != 1 {
				t.Fatalf("got %d alerts, want 1", len(got))
			}
			if a := got[0]; !a.Escalated || a.WorkerID != ws[2].ID || a.ShiftID != 0 || !strings.Contains(a.Detail, "未申请") {
				t.Errorf("got %+v, want escalated, by the worker at work, naming 未申请", a)
			}
			for _, who := range []domain.User{w.hr, w.sup} {
				if n := len(alerts(t, who.Actor(), w.ent.ID)); n != 1 {
					t.Errorf("%s: got %d, want 1", who.Username, n)
				}
			}
		})
		t.Run("OnceADay", func(t *testing.T) {
			w.submit(t, ws[0], at(domain.SlotAM, domain.AtWork))
			w.submit(t, ws[2], at(domain.SlotPM, domain.AtWork))
			if _, _, err := w.process().Checkins.Submit(w.ctx, ws[1].Actor(), at(domain.SlotPM, domain.AtWork)); err != nil {
				t.Fatal(err)
			}
			if got := alerts(t, w.admin.Actor(), w.ent.ID); len(got) != 1 {
				t.Errorf("got %d alerts, want 1", len(got))
			}
		})
		t.Run("Applied", func(t *testing.T) {
			other := w.crew(t, w.hr2, 100, 1)[0]
			w.submitted(t, w.hr2)
			w.submit(t, other, at(domain.SlotAM, domain.AtWork))
			got := alerts(t, w.admin.Actor(), w.ent2.ID)
			if len(got) != 1 || !strings.Contains(got[0].Detail, "已申请") {
				t.Errorf("got %+v, want one naming 已申请", got)
			}
		})
		t.Run("ApprovedRaisesNothing", func(t *testing.T) {
			w.setDay(w.today().AddDays(1))
			w.approve(t, w.hr, w.sup)
			for _, wk := range ws {
				w.submit(t, wk, at(domain.SlotAM, domain.AtWork))
			}
			got := alerts(t, w.admin.Actor(), w.ent.ID)
			if len(got) != 1 || got[0].Date == w.today() {
				t.Errorf("got %+v, want yesterday's alone", got)
			}
		})
	})
}

// TestWorkAlertsConcurrent sends a shift's check-ins all at once from two processes (on
// PostgreSQL through the grouped commit, check-ins outside a transaction): one density alert
// and one 未批先复 however they interleave, none lost.
func TestWorkAlertsConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ws := w.crew(t, w.hr, 1, 16)
		w.shift(t, w.hr, "早班", 10, ws...)
		procs := []*domain.CheckinService{w.process().Checkins, w.process().Checkins}
		var wg sync.WaitGroup
		errs := make(chan error, len(ws))
		for i, wk := range ws {
			wg.Go(func() {
				if _, _, err := procs[i%2].Submit(w.ctx, wk.Actor(), at(domain.SlotAM, domain.AtWork)); err != nil {
					errs <- fmt.Errorf("%s: %w", wk.Name, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for typ, n := range map[domain.AlertType]int{domain.AlertShiftOverCapacity: 1, domain.AlertUnapprovedWork: 1} {
			if got := w.enterpriseAlerts(t, w.admin.Actor(), w.ent.ID, typ); len(got) != n {
				t.Errorf("%s: got %d alerts, want %d", typ, len(got), n)
			}
		}
		w.wantDuty(t, w.hr, w.today(), map[string]int{"早班": 16})
	})
}

// TestAlertStoreRaiseEnterpriseWide: Raise honours both unique indexes, the worker's
// condition and the enterprise's (with its shift), and keeps the shift.
func TestAlertStoreRaiseEnterpriseWide(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ws := w.crew(t, w.hr, 1, 2)
		sh := w.shift(t, w.hr, "早班", 1)
		d := w.today()
		of := func(wk domain.Worker, typ domain.AlertType, shift int64) domain.Alert {
			return domain.Alert{TownshipID: w.tw.ID, EnterpriseID: w.ent.ID, WorkerID: wk.ID, Type: typ, Date: d, ShiftID: shift,
				Status: domain.AlertOpen, Detail: "x"}
		}
		n, err := w.stores.Alerts.Raise(w.ctx, []domain.Alert{
			of(ws[0], domain.AlertUnapprovedWork, 0), of(ws[1], domain.AlertUnapprovedWork, 0), // the enterprise's index
			of(ws[0], domain.AlertShiftOverCapacity, sh.ID), of(ws[1], domain.AlertShiftOverCapacity, sh.ID),
		})
		must(t, err)
		if n != 2 {
			t.Errorf("got %d raised, want 2", n)
		}
		n, err = w.stores.Alerts.Raise(w.ctx, []domain.Alert{of(ws[0], domain.AlertUnapprovedWork, 0), of(ws[1], domain.AlertFever, 0)})
		must(t, err)
		if n != 1 {
			t.Errorf("got %d raised, want 1 (the fever)", n)
		}
		got := w.enterpriseAlerts(t, w.admin.Actor(), w.ent.ID, domain.AlertShiftOverCapacity)
		if len(got) != 1 || got[0].ShiftID != sh.ID || got[0].ShiftName != "早班" {
			t.Errorf("got %+v, want one of 早班", got)
		}
	})
}

// TestCrowdedShiftsHeard: with a change feed the services keep which shifts have more workers
// than their capacity (the only ones a morning check-in counts); a supervisor's cut is heard at
// once, so the next morning check-in at work finds the shift over capacity.
func TestCrowdedShiftsHeard(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.approve(t, w.hr, w.sup)
		hub := live.NewHub()
		t.Cleanup(hub.Close)
		svc := domain.NewServices(w.stores, domain.Options{Clock: w.clock.Now, Changes: hub})
		ws := w.crew(t, w.hr, 1, 4)
		sh := w.shift(t, w.hr, "早班", 5, ws...)
		for _, wk := range ws {
			if _, _, err := svc.Checkins.Submit(w.ctx, wk.Actor(), at(domain.SlotAM, domain.AtWork)); err != nil {
				t.Fatal(err)
			}
		}
		alerts := func() int {
			return len(w.enterpriseAlerts(t, w.hr.Actor(), w.ent.ID, domain.AlertShiftOverCapacity))
		}
		if n := alerts(); n != 0 {
			t.Fatalf("got %d alerts within capacity, want none", n)
		}
		_, err := svc.Stagger.UpdateShift(w.ctx, w.sup.Actor(), sh.ID, domain.ShiftInput{Name: sh.Name, Capacity: 3})
		must(t, err)
		if _, _, err := svc.Checkins.Submit(w.ctx, ws[0].Actor(), at(domain.SlotAM, domain.AtWork)); err != nil {
			t.Fatal(err)
		}
		if n := alerts(); n != 1 {
			t.Errorf("got %d alerts after the cut, want 1", n)
		}
	})
}
