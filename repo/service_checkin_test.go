package repo_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// local is the time of day hh:mm in Asia/Shanghai on day, as the test clock needs it.
func local(day domain.Date, hh, mm int) time.Time {
	shanghai := time.FixedZone("CST", 8*3600)
	d := day.Time()
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, shanghai).UTC()
}

// back puts person n on hr's roster, local (not from a key area) and back three days ago: on
// duty, expected to report.
func (w *world) back(t *testing.T, hr domain.User, n int) domain.Worker {
	t.Helper()
	return w.addWorker(t, hr, workerForm(n, "371681", w.daysAgo(3)))
}

// setStatus makes HR set a worker's status.
func (w *world) setStatus(t *testing.T, hr domain.User, wk domain.Worker, s domain.WorkerStatus) domain.Worker {
	t.Helper()
	got, _, err := w.workers.Update(w.ctx, hr.Actor(), wk.ID, domain.WorkerUpdate{Status: &s})
	must(t, err)
	return got
}

// report is a check-in of slot with temperature c and nothing else.
func report(slot domain.Slot, c float64) domain.CheckinInput {
	return domain.CheckinInput{Slot: slot, Temperature: &c}
}

// on is in for date d.
func on(in domain.CheckinInput, d domain.Date) domain.CheckinInput {
	in.Date = d.String()
	return in
}

// submit makes wk check in and fails the test if refused.
func (w *world) submit(t *testing.T, wk domain.Worker, in domain.CheckinInput) (domain.Checkin, bool) {
	t.Helper()
	c, created, err := w.checkins.Submit(w.ctx, wk.Actor(), in)
	if err != nil {
		t.Fatalf("check in %s: %v", wk.Name, err)
	}
	return c, created
}

// stored reads a check-in back from the store.
func (w *world) stored(t *testing.T, workerID int64, d domain.Date, s domain.Slot) domain.Checkin {
	t.Helper()
	c, err := w.stores.Checkins.Get(w.ctx, workerID, d, s)
	must(t, err)
	return c
}

// alertsOf returns a worker's alerts of a type (all types when typ is empty), newest first.
func (w *world) alertsOf(t *testing.T, workerID int64, typ domain.AlertType) []domain.Alert {
	t.Helper()
	got, _, err := w.stores.Alerts.List(w.ctx, domain.AlertFilter{WorkerID: workerID, Type: typ, Page: domain.Page{Limit: domain.MaxPageSize}})
	must(t, err)
	return got
}

// wantAlerts fails the test unless the worker has n alerts of typ.
func (w *world) wantAlerts(t *testing.T, wk domain.Worker, typ domain.AlertType, n int) []domain.Alert {
	t.Helper()
	got := w.alertsOf(t, wk.ID, typ)
	if len(got) != n {
		t.Fatalf("%s: got %d %s alerts %+v, want %d", wk.Name, len(got), typ, got, n)
	}
	return got
}

func TestCheckinServiceSubmit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh)
		ctx := w.ctx
		wk := w.back(t, w.hr, 1)
		count := func(t *testing.T) int { t.Helper(); return rows(t, db, "checkins") }

		t.Run("OKDefaults", func(t *testing.T) {
			c, created := w.submit(t, wk, report(domain.SlotAM, 36.5))
			if !created || c.ID == 0 {
				t.Fatalf("got created %v, ID %d, want a new check-in", created, c.ID)
			}
			got := w.stored(t, wk.ID, startDay, domain.SlotAM)
			if got.Date != startDay || got.Temperature != 365 || got.Location != domain.AtWork || got.SubmittedBy != 0 ||
				got.TownshipID != w.tw.ID || got.EnterpriseID != w.ent.ID || len(got.Symptoms) != 0 || got.ID != c.ID {
				t.Errorf("got %+v, want 36.5 at work on %v, by the worker", got, startDay)
			}
		})
		t.Run("OKRepeatReplaces", func(t *testing.T) {
			first := w.stored(t, wk.ID, startDay, domain.SlotAM)
			before := count(t)
			in := report(domain.SlotAM, 36.8)
			in.Symptoms, in.Location = []string{"fatigue", "dry_cough", "fatigue"}, domain.AtHome
			c, created := w.submit(t, wk, in)
			if created {
				t.Errorf("got created %v, want false", created)
			}
			if c.ID != first.ID {
				t.Errorf("got ID %d, want %d", c.ID, first.ID)
			}
			if got := count(t); got != before {
				t.Errorf("got %d check-ins, want %d", got, before)
			}
			got := w.stored(t, wk.ID, startDay, domain.SlotAM)
			want := []domain.Symptom{domain.SymptomDryCough, domain.SymptomFatigue}
			if got.ID != first.ID || got.Temperature != 368 || got.Location != domain.AtHome || !slices.Equal(got.Symptoms, want) {
				t.Errorf("got %+v, want 36.8 at home with %v", got, want)
			}
		})
		t.Run("OKYesterday", func(t *testing.T) {
			_, created := w.submit(t, wk, on(report(domain.SlotPM, 36.6), w.daysAgo(1)))
			if !created {
				t.Errorf("got created %v, want true", created)
			}
			if got := w.stored(t, wk.ID, w.daysAgo(1), domain.SlotPM); got.Temperature != 366 {
				t.Errorf("got %v, want 36.6", got.Temperature)
			}
		})
		t.Run("OKBounds", func(t *testing.T) {
			w.submit(t, wk, on(report(domain.SlotAM, 35.0), w.daysAgo(1)))
			w.submit(t, wk, on(report(domain.SlotAM, 42.0), w.daysAgo(1)))
			if got := w.stored(t, wk.ID, w.daysAgo(1), domain.SlotAM); got.Temperature != 420 {
				t.Errorf("got %v, want 42.0", got.Temperature)
			}
		})
		t.Run("OKIsolationByDefault", func(t *testing.T) {
			iso := w.addWorker(t, w.hr, workerForm(2, "420100", w.daysAgo(2)))
			if iso.Status != domain.WorkerIsolating {
				t.Fatalf("got status %v, want isolating", iso.Status)
			}
			c, _ := w.submit(t, iso, report(domain.SlotAM, 36.4))
			if c.Location != domain.AtIsolation {
				t.Errorf("got location %v, want isolation", c.Location)
			}
			if got := w.stored(t, iso.ID, startDay, domain.SlotAM); got.Location != domain.AtIsolation {
				t.Errorf("got stored location %v, want isolation", got.Location)
			}
		})
		t.Run("OKTownshipDateAfterUTCMidnight", func(t *testing.T) {
			// 01:00 on 11 February in Shanghai is still 10 February in UTC.
			defer w.clock.Set(start)
			w.clock.Set(time.Date(2020, 2, 10, 17, 0, 0, 0, time.UTC))
			next := startDay.AddDays(1)
			c, _ := w.submit(t, wk, report(domain.SlotAM, 36.5))
			if c.Date != next {
				t.Errorf("got date %v, want %v", c.Date, next)
			}
			_, _, err := w.checkins.Submit(ctx, wk.Actor(), on(report(domain.SlotAM, 36.5), next.AddDays(1)))
			wantErr(t, err, domain.ErrInvalid, "date")
		})

		bad := []struct {
			name   string
			in     domain.CheckinInput
			fields []string
		}{
			{"ErrInvalidTwoDaysBack", on(report(domain.SlotAM, 36.5), w.daysAgo(2)), []string{"date"}},
			{"ErrInvalidTomorrow", on(report(domain.SlotAM, 36.5), w.daysAgo(-1)), []string{"date"}},
			{"ErrInvalidDateFormat", domain.CheckinInput{Slot: domain.SlotAM, Temperature: ptr(36.5), Date: "2020-02-30"}, []string{"date"}},
			{"ErrInvalidTooCold", report(domain.SlotAM, 34.9), []string{"temperature"}},
			{"ErrInvalidTooHot", report(domain.SlotAM, 42.1), []string{"temperature"}},
			{"ErrInvalidNoTemperature", domain.CheckinInput{Slot: domain.SlotAM}, []string{"temperature"}},
			{"ErrInvalidSlot", report("noon", 36.5), []string{"slot"}},
			{"ErrInvalidUnknownSymptom", domain.CheckinInput{Slot: domain.SlotPM, Temperature: ptr(36.5), Symptoms: []string{"headache"}}, []string{"symptoms"}},
			{"ErrInvalidOtherWithoutNote", domain.CheckinInput{Slot: domain.SlotPM, Temperature: ptr(36.5), Symptoms: []string{"other"}, SymptomNote: " \u3000"}, []string{"symptom_note"}},
			{"ErrInvalidLocation", domain.CheckinInput{Slot: domain.SlotPM, Temperature: ptr(36.5), Location: "office"}, []string{"location"}},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				before, alerts := count(t), rows(t, db, "alerts")
				_, _, err := w.checkins.Submit(ctx, wk.Actor(), tt.in)
				wantErr(t, err, domain.ErrInvalid, tt.fields...)
				if got, a := count(t), rows(t, db, "alerts"); got != before || a != alerts {
					t.Errorf("got %d check-ins and %d alerts, want %d and %d", got, a, before, alerts)
				}
			})
		}
		t.Run("OKOtherWithNote", func(t *testing.T) {
			in := report(domain.SlotPM, 36.5)
			in.Symptoms, in.SymptomNote = []string{"other"}, " 头痛 "
			c, _ := w.submit(t, wk, in)
			if c.SymptomNote != "头痛" || !slices.Equal(c.Symptoms, []domain.Symptom{domain.SymptomOther}) {
				t.Errorf("got %v %q, want other 头痛", c.Symptoms, c.SymptomNote)
			}
		})
		t.Run("ErrForbiddenStaff", func(t *testing.T) {
			for _, u := range []domain.User{w.hr, w.sup, w.admin} {
				_, _, err := w.checkins.Submit(ctx, u.Actor(), report(domain.SlotAM, 36.5))
				wantErr(t, err, domain.ErrForbidden)
			}
		})
		t.Run("ErrInvalidLeft", func(t *testing.T) {
			gone := w.setStatus(t, w.hr, w.back(t, w.hr, 3), domain.WorkerLeft)
			before := count(t)
			_, _, err := w.checkins.Submit(ctx, gone.Actor(), report(domain.SlotAM, 36.5))
			wantErr(t, err, domain.ErrInvalid, "worker_id")
			if got := count(t); got != before {
				t.Errorf("got %d check-ins, want %d", got, before)
			}
		})
		t.Run("ErrUnauthenticatedNoSuchWorker", func(t *testing.T) {
			// The token names a worker who is not on any roster: the session is over, as on
			// every other route.
			_, _, err := w.checkins.Submit(ctx, w.worker, report(domain.SlotAM, 36.5))
			wantErr(t, err, domain.ErrUnauthenticated)
		})
	})
}

func TestCheckinServiceSubmitConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		wk := w.back(t, w.hr, 1)
		const n = 20
		var wg sync.WaitGroup
		created := make([]bool, n)
		errs := make([]error, n)
		ids := make([]int64, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var c domain.Checkin
				c, created[i], errs[i] = w.checkins.Submit(w.ctx, wk.Actor(), report(domain.SlotAM, 38.1))
				ids[i] = c.ID
			}()
		}
		wg.Wait()
		news := 0
		for i := range n {
			if errs[i] != nil {
				t.Errorf("submission %d: got error %v, want nil", i, errs[i])
			}
			if created[i] {
				news++
			}
			if ids[i] != ids[0] {
				t.Errorf("submission %d: got ID %d, want %d", i, ids[i], ids[0])
			}
		}
		if news != 1 {
			t.Errorf("got %d created, want 1", news)
		}
		if got := rows(t, db, "checkins"); got != 1 {
			t.Errorf("got %d check-ins, want 1", got)
		}
		w.wantAlerts(t, wk, domain.AlertFever, 1)
	})
}

func TestCheckinServiceAlerts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.approve(t, w.hr, w.sup) // its people at work raise no 未批先复 among the alerts under test

		t.Run("OKFeverAtThreshold", func(t *testing.T) {
			wk := w.back(t, w.hr, 1)
			w.submit(t, wk, report(domain.SlotAM, 37.3))
			got := w.wantAlerts(t, wk, domain.AlertFever, 1)[0]
			if got.Status != domain.AlertOpen || got.Date != startDay || got.Escalated || got.EnterpriseID != w.ent.ID ||
				got.TownshipID != w.tw.ID || got.Slot != "" || got.Detail != "体温 37.3 °C" {
				t.Errorf("got %+v, want an open fever alert of 37.3 on %v", got, startDay)
			}
			if all := w.alertsOf(t, wk.ID, ""); len(all) != 1 {
				t.Errorf("got %d alerts, want 1", len(all))
			}
		})
		t.Run("OKBelowThreshold", func(t *testing.T) {
			wk := w.back(t, w.hr, 2)
			w.submit(t, wk, report(domain.SlotAM, 37.2))
			w.wantAlerts(t, wk, "", 0)
		})
		t.Run("OKRepeatRaisesOnce", func(t *testing.T) {
			wk := w.back(t, w.hr, 3)
			w.submit(t, wk, report(domain.SlotAM, 38.1))
			w.submit(t, wk, report(domain.SlotAM, 38.1))
			w.submit(t, wk, report(domain.SlotAM, 38.5))
			w.wantAlerts(t, wk, domain.AlertFever, 1)
			// The afternoon's fever is the same condition on the same day: still one fever alert.
			w.submit(t, wk, report(domain.SlotPM, 38.0))
			w.wantAlerts(t, wk, domain.AlertFever, 1)
		})
		t.Run("OKSymptoms", func(t *testing.T) {
			wk := w.back(t, w.hr, 4)
			in := report(domain.SlotAM, 36.5)
			in.Symptoms = []string{"fever", "dry_cough"}
			w.submit(t, wk, in)
			w.wantAlerts(t, wk, domain.AlertFever, 0)
			if got := w.wantAlerts(t, wk, domain.AlertSymptoms, 1)[0]; got.Detail != "干咳" {
				t.Errorf("got detail %q, want 干咳", got.Detail)
			}
		})
		t.Run("OKRepeatedFeverOvernight", func(t *testing.T) {
			wk := w.back(t, w.hr, 5)
			w.submit(t, wk, on(report(domain.SlotPM, 37.8), w.daysAgo(1)))
			w.wantAlerts(t, wk, domain.AlertRepeatedFever, 0)
			w.submit(t, wk, report(domain.SlotAM, 37.6))
			got := w.wantAlerts(t, wk, domain.AlertRepeatedFever, 1)[0]
			if !got.Escalated || got.Date != startDay || got.Status != domain.AlertOpen {
				t.Errorf("got %+v, want an open escalated alert on %v", got, startDay)
			}
			w.wantAlerts(t, wk, domain.AlertFever, 2) // yesterday's and today's
		})
		t.Run("OKRepeatedFeverLateMorningReport", func(t *testing.T) {
			// The afternoon's fever is in first, the morning's fever comes in late: still two
			// fevers in a row.
			wk := w.back(t, w.hr, 8)
			w.submit(t, wk, on(report(domain.SlotPM, 37.9), w.daysAgo(1)))
			w.submit(t, wk, on(report(domain.SlotAM, 37.8), w.daysAgo(1)))
			if got := w.alertsOf(t, wk.ID, domain.AlertRepeatedFever); len(got) != 1 {
				t.Errorf("got %d repeated_fever alerts, want 1", len(got))
			}
		})
		t.Run("OKFeverThenNormalNoRepeat", func(t *testing.T) {
			wk := w.back(t, w.hr, 6)
			w.submit(t, wk, on(report(domain.SlotPM, 37.8), w.daysAgo(1)))
			w.submit(t, wk, report(domain.SlotAM, 36.6))
			w.wantAlerts(t, wk, domain.AlertRepeatedFever, 0)
		})
		t.Run("OKThresholdPolicy", func(t *testing.T) {
			w.setPolicy(t, domain.TownshipUpdate{FeverThreshold: ptr(37.5)})
			defer w.setPolicy(t, domain.TownshipUpdate{FeverThreshold: ptr(37.3)})
			wk := w.back(t, w.hr, 7)
			w.submit(t, wk, report(domain.SlotAM, 37.4))
			w.wantAlerts(t, wk, domain.AlertFever, 0)
			w.submit(t, wk, report(domain.SlotPM, 37.5))
			w.wantAlerts(t, wk, domain.AlertFever, 1)
		})
	})
}

func TestCheckinServiceSubmitForWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		a, b := w.back(t, w.hr, 1), w.back(t, w.hr, 2)
		other := w.back(t, w.hr2, 3)
		gone := w.setStatus(t, w.hr, w.back(t, w.hr, 4), domain.WorkerLeft)
		count := func(t *testing.T) int { t.Helper(); return rows(t, db, "checkins") }
		item := func(wk domain.Worker, in domain.CheckinInput) domain.CheckinInput { in.WorkerID = wk.ID; return in }

		t.Run("OKEachItemOnItsOwn", func(t *testing.T) {
			items := []domain.CheckinInput{
				item(a, report(domain.SlotAM, 36.5)),
				item(b, report(domain.SlotAM, 34.0)),
				item(other, report(domain.SlotAM, 36.5)),
				item(b, report(domain.SlotPM, 38.2)),
				{WorkerID: 999999, Slot: domain.SlotAM, Temperature: ptr(36.5)},
				item(gone, report(domain.SlotAM, 36.5)),
				item(a, on(report(domain.SlotAM, 36.5), w.daysAgo(-1))),
			}
			res, err := w.checkins.SubmitForWorkers(ctx, w.hr.Actor(), w.ent.ID, items)
			must(t, err)
			if len(res) != len(items) {
				t.Fatalf("got %d results, want %d", len(res), len(items))
			}
			wantFields := [][]string{nil, {"temperature"}, {"worker_id"}, nil, {"worker_id"}, {"worker_id"}, {"date"}}
			for i, r := range res {
				if r.Index != i {
					t.Errorf("item %d: got index %d, want %d", i, r.Index, i)
				}
				if wantFields[i] == nil {
					if r.Err != nil || !r.Created || r.Checkin.ID == 0 {
						t.Errorf("item %d: got %+v, want created", i, r)
					}
					continue
				}
				wantErr(t, r.Err, domain.ErrInvalid, wantFields[i]...)
			}
			if got := count(t); got != 2 {
				t.Errorf("got %d check-ins, want 2", got)
			}
			for _, c := range []domain.Checkin{w.stored(t, a.ID, startDay, domain.SlotAM), w.stored(t, b.ID, startDay, domain.SlotPM)} {
				if c.SubmittedBy != w.hr.ID {
					t.Errorf("got submitted_by %d, want %d", c.SubmittedBy, w.hr.ID)
				}
			}
			w.wantAlerts(t, b, domain.AlertFever, 1)
			if _, err := w.stores.Checkins.Get(ctx, other.ID, startDay, domain.SlotAM); !isNotFound(err) {
				t.Errorf("got %v, want no check-in of another enterprise's worker", err)
			}
		})
		t.Run("OKRepeatByWorkerClearsSubmittedBy", func(t *testing.T) {
			c, created := w.submit(t, a, report(domain.SlotAM, 36.7))
			if created || c.SubmittedBy != 0 {
				t.Errorf("got created %v, submitted_by %d, want a replacement by the worker", created, c.SubmittedBy)
			}
			if got := w.stored(t, a.ID, startDay, domain.SlotAM); got.SubmittedBy != 0 {
				t.Errorf("got submitted_by %d, want 0", got.SubmittedBy)
			}
		})
		t.Run("ErrNotFoundOtherEnterprise", func(t *testing.T) {
			_, err := w.checkins.SubmitForWorkers(ctx, w.hr.Actor(), w.ent2.ID, []domain.CheckinInput{item(other, report(domain.SlotPM, 36.5))})
			wantErr(t, err, domain.ErrNotFound)
			_, err = w.checkins.SubmitForWorkers(ctx, w.hrB.Actor(), w.ent.ID, []domain.CheckinInput{item(a, report(domain.SlotPM, 36.5))})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, actor := range []domain.Actor{w.admin.Actor(), w.sup.Actor(), a.Actor()} {
				_, err := w.checkins.SubmitForWorkers(ctx, actor, w.ent.ID, []domain.CheckinInput{item(a, report(domain.SlotPM, 36.5))})
				wantErr(t, err, domain.ErrForbidden)
			}
		})
		t.Run("ErrInvalidEmpty", func(t *testing.T) {
			_, err := w.checkins.SubmitForWorkers(ctx, w.hr.Actor(), w.ent.ID, nil)
			wantErr(t, err, domain.ErrInvalid, "items")
		})
	})
}

func isNotFound(err error) bool { return errors.Is(err, domain.ErrNotFound) }

// alertWorld is a world with a fever alert in each of ent, ent2, ent3 and entB.
type alertWorld struct {
	*world
	a, a2, a3, aB domain.Alert
}

func newAlertWorld(t *testing.T, db *repo.DB) *alertWorld {
	t.Helper()
	w := &alertWorld{world: newWorld(t, db)}
	fever := func(hr domain.User, n int) domain.Alert {
		t.Helper()
		wk := w.back(t, hr, n)
		w.submit(t, wk, home(report(domain.SlotAM, 38.5))) // home: the fever's alert alone, no 未批先复
		return w.wantAlerts(t, wk, domain.AlertFever, 1)[0]
	}
	w.a, w.a2, w.a3, w.aB = fever(w.hr, 1), fever(w.hr2, 2), fever(w.hr3, 3), fever(w.hrB, 4)
	return w
}

func alertID(a domain.Alert) int64 { return a.ID }

func TestCheckinServiceListAlerts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newAlertWorld(t, db)
		tests := []struct {
			name  string
			actor domain.Actor
			want  []domain.Alert
		}{
			{"OKHR", w.hr.Actor(), []domain.Alert{w.a}},
			{"OKHR2", w.hr2.Actor(), []domain.Alert{w.a2}},
			{"OKSupervisor", w.sup.Actor(), []domain.Alert{w.a3, w.a}},
			{"OKSupervisor2", w.sup2.Actor(), []domain.Alert{w.a3, w.a2}},
			{"OKTownAdmin", w.admin.Actor(), []domain.Alert{w.a3, w.a2, w.a}},
			{"OKTownAdminB", w.adminB.Actor(), []domain.Alert{w.aB}},
			{"OKSupervisorB", w.supB.Actor(), []domain.Alert{w.aB}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := w.checkins.ListAlerts(w.ctx, tt.actor, domain.AlertFilter{})
				must(t, err)
				if g, want := ids(got, alertID), ids(tt.want, alertID); !slices.Equal(g, want) || total != len(want) {
					t.Errorf("got %v (total %d), want %v", g, total, want)
				}
			})
		}
		t.Run("OKFilterCannotWiden", func(t *testing.T) {
			// Another township named is replaced by the actor's own.
			got, _, err := w.checkins.ListAlerts(w.ctx, w.hr.Actor(), domain.AlertFilter{TownshipID: w.twB.ID})
			must(t, err)
			if g := ids(got, alertID); !slices.Equal(g, []int64{w.a.ID}) {
				t.Errorf("got %v, want %v", g, []int64{w.a.ID})
			}
			// A filter narrows the scope: another enterprise's alerts, to HR, a supervisor not
			// on it or another township's admin, are none (as the other lists' filters answer).
			for _, tt := range []struct {
				name  string
				actor domain.Actor
				ent   int64
			}{{"HR", w.hr.Actor(), w.ent2.ID}, {"Supervisor", w.sup.Actor(), w.ent2.ID}, {"TownAdmin", w.adminB.Actor(), w.ent2.ID}} {
				got, total, err := w.checkins.ListAlerts(w.ctx, tt.actor, domain.AlertFilter{EnterpriseID: tt.ent})
				must(t, err)
				if len(got) != 0 || total != 0 {
					t.Errorf("%s: got %v (total %d), want none", tt.name, ids(got, alertID), total)
				}
			}
		})
		t.Run("OKFilterStatus", func(t *testing.T) {
			got, _, err := w.checkins.ListAlerts(w.ctx, w.admin.Actor(), domain.AlertFilter{Status: domain.AlertResolved})
			must(t, err)
			if len(got) != 0 {
				t.Errorf("got %d resolved alerts, want 0", len(got))
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			wk, err := w.stores.Workers.Get(w.ctx, w.a.WorkerID)
			must(t, err)
			for _, actor := range []domain.Actor{wk.Actor(), w.platform} {
				_, _, err := w.checkins.ListAlerts(w.ctx, actor, domain.AlertFilter{})
				wantErr(t, err, domain.ErrForbidden)
			}
		})
	})
}

func TestCheckinServiceHandleAlert(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newAlertWorld(t, db)
		ctx := w.ctx

		t.Run("ErrNotFoundOutOfScope", func(t *testing.T) {
			for _, u := range []domain.User{w.hr2, w.sup2, w.adminB, w.hrB} {
				_, err := w.checkins.Acknowledge(ctx, u.Actor(), w.a.ID, "")
				wantErr(t, err, domain.ErrNotFound)
				_, err = w.checkins.Resolve(ctx, u.Actor(), w.a.ID, "已复测正常")
				wantErr(t, err, domain.ErrNotFound)
			}
			_, err := w.checkins.Acknowledge(ctx, w.hr.Actor(), 999999, "")
			wantErr(t, err, domain.ErrNotFound)
			if got, err := w.stores.Alerts.Get(ctx, w.a.ID); err != nil || got.Status != domain.AlertOpen {
				t.Errorf("got %v, %v, want open", got.Status, err)
			}
		})
		t.Run("ErrForbiddenWorker", func(t *testing.T) {
			wk, err := w.stores.Workers.Get(ctx, w.a.WorkerID)
			must(t, err)
			_, err = w.checkins.Acknowledge(ctx, wk.Actor(), w.a.ID, "")
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("OKAcknowledge", func(t *testing.T) {
			w.clock.Advance(time.Minute)
			got, err := w.checkins.Acknowledge(ctx, w.hr.Actor(), w.a.ID, " 已电话联系 ")
			must(t, err)
			if got.Status != domain.AlertAcknowledged || got.HandledBy != w.hr.ID || got.Note != "已电话联系" ||
				got.HandledAt == nil || !got.HandledAt.Equal(w.clock.Now()) {
				t.Errorf("got %+v, want acknowledged by %d at %v", got, w.hr.ID, w.clock.Now())
			}
		})
		t.Run("ErrConflictAcknowledgeAgain", func(t *testing.T) {
			_, err := w.checkins.Acknowledge(ctx, w.sup.Actor(), w.a.ID, "")
			wantErr(t, err, domain.ErrConflict, "status")
		})
		t.Run("ErrInvalidResolveWithoutNote", func(t *testing.T) {
			_, err := w.checkins.Resolve(ctx, w.hr.Actor(), w.a.ID, " \u3000")
			wantErr(t, err, domain.ErrInvalid, "note")
		})
		t.Run("OKResolveBySupervisor", func(t *testing.T) {
			got, err := w.checkins.Resolve(ctx, w.sup.Actor(), w.a.ID, "复测 36.6 °C,已到岗")
			must(t, err)
			if got.Status != domain.AlertResolved || got.HandledBy != w.sup.ID || got.Note != "复测 36.6 °C,已到岗" {
				t.Errorf("got %+v, want resolved by %d", got, w.sup.ID)
			}
		})
		t.Run("ErrConflictResolved", func(t *testing.T) {
			_, err := w.checkins.Resolve(ctx, w.hr.Actor(), w.a.ID, "再次处理")
			wantErr(t, err, domain.ErrConflict, "status")
			_, err = w.checkins.Acknowledge(ctx, w.hr.Actor(), w.a.ID, "")
			wantErr(t, err, domain.ErrConflict, "status")
		})
		t.Run("OKResolveOpenByTownAdmin", func(t *testing.T) {
			got, err := w.checkins.Resolve(ctx, w.admin.Actor(), w.a2.ID, "已送医复查")
			must(t, err)
			if got.Status != domain.AlertResolved || got.HandledBy != w.admin.ID {
				t.Errorf("got %+v, want resolved by %d", got, w.admin.ID)
			}
		})
	})
}

// sweepWorld is a world with ent's workers in every status, and one worker of township B.
type sweepWorld struct {
	*world
	reported, silent, isolating, ending, expected, gone, hospital, workerB domain.Worker
}

func newSweepWorld(t *testing.T, db *repo.DB) *sweepWorld {
	t.Helper()
	w := &sweepWorld{world: newWorld(t, db)}
	w.setKeyAreas(t, hubeiHigh)
	w.reported, w.silent = w.back(t, w.hr, 1), w.back(t, w.hr, 2)
	w.isolating = w.addWorker(t, w.hr, workerForm(3, "420100", w.daysAgo(2)))
	w.ending = w.addWorker(t, w.hr, workerForm(4, "420100", w.daysAgo(14)))
	w.expected = w.addWorker(t, w.hr, workerForm(5, "371681", domain.Date{}))
	w.gone = w.setStatus(t, w.hr, w.back(t, w.hr, 6), domain.WorkerLeft)
	w.hospital = w.setStatus(t, w.hr, w.back(t, w.hr, 7), domain.WorkerInHospital)
	w.workerB = w.back(t, w.hrB, 8)
	if w.ending.Status != domain.WorkerIsolating || w.ending.IsolationUntil != startDay {
		t.Fatalf("got %v until %v, want isolating until %v", w.ending.Status, w.ending.IsolationUntil, startDay)
	}
	w.submit(t, w.reported, report(domain.SlotAM, 36.5))
	return w
}

// missed returns, by worker, the slots of the missed-check-in alerts of a day.
func (w *sweepWorld) missed(t *testing.T, d domain.Date) map[int64][]domain.Slot {
	t.Helper()
	all, _, err := w.stores.Alerts.List(w.ctx, domain.AlertFilter{Type: domain.AlertMissedCheckin, Page: domain.Page{Limit: domain.MaxPageSize}})
	must(t, err)
	out := map[int64][]domain.Slot{}
	for _, a := range all {
		if a.Date == d {
			out[a.WorkerID] = append(out[a.WorkerID], a.Slot)
			slices.Sort(out[a.WorkerID])
		}
	}
	return out
}

func wantMissed(t *testing.T, got, want map[int64][]domain.Slot) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for id, slots := range want {
		if !slices.Equal(got[id], slots) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestCheckinServiceSweep(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newSweepWorld(t, db)
		ctx := w.ctx
		am := []domain.Slot{domain.SlotAM}
		both := []domain.Slot{domain.SlotAM, domain.SlotPM}

		t.Run("OKBeforeCutoff", func(t *testing.T) {
			_, err := w.checkins.Sweep(ctx, local(startDay, 9, 59), &w.swept)
			must(t, err)
			wantMissed(t, w.missed(t, startDay), nil)
		})
		t.Run("OKIsolationEnding", func(t *testing.T) {
			got := w.wantAlerts(t, w.ending, domain.AlertIsolationEnding, 1)[0]
			if got.Date != startDay || got.Status != domain.AlertOpen {
				t.Errorf("got %+v, want open on %v", got, startDay)
			}
			w.wantAlerts(t, w.isolating, domain.AlertIsolationEnding, 0)
		})
		t.Run("OKAfterMorningCutoff", func(t *testing.T) {
			// 10:00 in Shanghai is 02:00 UTC.
			at := time.Date(2020, 2, 10, 2, 0, 0, 0, time.UTC)
			if !at.Equal(local(startDay, 10, 0)) {
				t.Fatalf("got %v, want %v", at, local(startDay, 10, 0))
			}
			n, err := w.checkins.Sweep(ctx, at, &w.swept)
			must(t, err)
			if n != 4 {
				t.Errorf("got %d raised, want 4", n)
			}
			wantMissed(t, w.missed(t, startDay), map[int64][]domain.Slot{
				w.silent.ID: am, w.isolating.ID: am, w.ending.ID: am, w.workerB.ID: am,
			})
			// Yesterday's two slots too: the sweep looks back a day, and this worker was back.
			got := onDay(w.wantAlerts(t, w.silent, domain.AlertMissedCheckin, 3), startDay)[0]
			if got.Status != domain.AlertOpen || got.EnterpriseID != w.ent.ID || got.Escalated {
				t.Errorf("got %+v, want open for %s", got, w.ent.Name)
			}
		})
		t.Run("OKOnce", func(t *testing.T) {
			n, err := w.checkins.Sweep(ctx, local(startDay, 10, 30), &w.swept)
			must(t, err)
			if n != 0 {
				t.Errorf("got %d raised, want 0", n)
			}
			w.wantAlerts(t, w.silent, domain.AlertMissedCheckin, 3)
			w.wantAlerts(t, w.ending, domain.AlertIsolationEnding, 1)
		})
		t.Run("OKAfterAfternoonCutoff", func(t *testing.T) {
			w.submit(t, w.silent, report(domain.SlotPM, 36.5)) // late for the morning, on time for the afternoon
			n, err := w.checkins.Sweep(ctx, local(startDay, 16, 0), &w.swept)
			must(t, err)
			if n != 4 {
				t.Errorf("got %d raised, want 4", n)
			}
			wantMissed(t, w.missed(t, startDay), map[int64][]domain.Slot{
				w.reported.ID: {domain.SlotPM}, w.silent.ID: am, w.isolating.ID: both, w.ending.ID: both, w.workerB.ID: both,
			})
			for _, wk := range []domain.Worker{w.expected, w.gone, w.hospital} {
				w.wantAlerts(t, wk, domain.AlertMissedCheckin, 0)
			}
		})
		t.Run("OKOncePerProcess", func(t *testing.T) {
			// Someone back three days ago, put on the roster after both cut-offs: the process
			// that swept the day's slots does not sweep them again; one started since (a new
			// Swept) does, and raises their missed slots of today and yesterday.
			late := w.back(t, w.hr, 9)
			n, err := w.checkins.Sweep(ctx, local(startDay, 16, 30), &w.swept)
			must(t, err)
			if n != 0 {
				t.Errorf("got %d raised by the process that swept the slots, want 0", n)
			}
			var restarted domain.Swept
			n, err = w.checkins.Sweep(ctx, local(startDay, 16, 30), &restarted)
			must(t, err)
			if n != 4 {
				t.Errorf("got %d raised after a restart, want 4", n)
			}
			w.wantAlerts(t, late, domain.AlertMissedCheckin, 4)
		})
		t.Run("OKNextDayInShanghaiBeforeCutoff", func(t *testing.T) {
			// 23:30 UTC on the 10th is 07:30 on the 11th in Shanghai: before that day's cut-off.
			_, err := w.checkins.Sweep(ctx, time.Date(2020, 2, 10, 23, 30, 0, 0, time.UTC), &w.swept)
			must(t, err)
			wantMissed(t, w.missed(t, startDay.AddDays(1)), nil)
		})
	})
}

func TestCheckinServiceDayStatus(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newSweepWorld(t, db)
		ctx := w.ctx
		w.submit(t, w.isolating, report(domain.SlotPM, 36.5))
		w.submit(t, w.silent, on(report(domain.SlotAM, 36.5), w.daysAgo(1)))

		type row struct {
			id     int64
			am, pm bool
		}
		rowsOf := func(days []domain.WorkerDay) []row {
			var out []row
			for _, d := range days {
				out = append(out, row{d.Worker.ID, d.AM != nil, d.PM != nil})
			}
			slices.SortFunc(out, func(a, b row) int { return int(a.id - b.id) })
			return out
		}
		today := []row{
			{w.reported.ID, true, false}, {w.silent.ID, false, false}, {w.isolating.ID, false, true}, {w.ending.ID, false, false},
		}
		for _, u := range []domain.User{w.hr, w.sup, w.admin} {
			t.Run("OK"+u.Username, func(t *testing.T) {
				days, d, err := w.checkins.DayStatus(ctx, u.Actor(), w.ent.ID, domain.Date{})
				must(t, err)
				if d != startDay {
					t.Errorf("got date %v, want %v", d, startDay)
				}
				if got := rowsOf(days); !slices.Equal(got, today) {
					t.Errorf("got %v, want %v", got, today)
				}
			})
		}
		t.Run("OKReportedCheckin", func(t *testing.T) {
			days, _, err := w.checkins.DayStatus(ctx, w.hr.Actor(), w.ent.ID, startDay)
			must(t, err)
			for _, d := range days {
				if d.Worker.ID == w.reported.ID && (d.AM == nil || d.AM.Temperature != 365) {
					t.Errorf("got %+v, want the 36.5 morning report", d.AM)
				}
			}
		})
		t.Run("OKYesterday", func(t *testing.T) {
			days, d, err := w.checkins.DayStatus(ctx, w.hr.Actor(), w.ent.ID, w.daysAgo(1))
			must(t, err)
			want := []row{{w.reported.ID, false, false}, {w.silent.ID, true, false}, {w.isolating.ID, false, false}, {w.ending.ID, false, false}}
			if got := rowsOf(days); d != w.daysAgo(1) || !slices.Equal(got, want) {
				t.Errorf("got %v on %v, want %v on %v", got, d, want, w.daysAgo(1))
			}
		})
		t.Run("OKBeforeArrival", func(t *testing.T) {
			// Three days ago only the worker back from Wuhan 14 days ago had arrived; the one back
			// two days ago had not.
			days, _, err := w.checkins.DayStatus(ctx, w.hr.Actor(), w.ent.ID, w.daysAgo(3))
			must(t, err)
			want := []row{{w.reported.ID, false, false}, {w.silent.ID, false, false}, {w.ending.ID, false, false}}
			if got := rowsOf(days); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			for _, actor := range []domain.Actor{w.hr2.Actor(), w.sup2.Actor(), w.adminB.Actor(), w.hrB.Actor(), w.reported.Actor()} {
				_, _, err := w.checkins.DayStatus(ctx, actor, w.ent.ID, domain.Date{})
				wantErr(t, err, domain.ErrNotFound)
			}
			_, _, err := w.checkins.DayStatus(ctx, w.hr.Actor(), 999999, domain.Date{})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrForbiddenPlatformAdmin", func(t *testing.T) {
			for _, id := range []int64{w.ent.ID, 999999} {
				_, _, err := w.checkins.DayStatus(ctx, w.platform, id, domain.Date{})
				wantErr(t, err, domain.ErrForbidden)
			}
		})
	})
}

func TestWorkerServiceArrivalAlerts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.setKeyAreas(t, hubeiHigh, shanghaiMedium)
		ctx := w.ctx

		t.Run("OKHighRiskEscalated", func(t *testing.T) {
			wk := w.addWorker(t, w.hr, workerForm(1, "420100", w.daysAgo(1)))
			got := w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, 1)[0]
			if !got.Escalated || got.Date != w.daysAgo(1) || got.Status != domain.AlertOpen || got.EnterpriseID != w.ent.ID {
				t.Errorf("got %+v, want an open escalated alert on %v", got, w.daysAgo(1))
			}
		})
		t.Run("OKMediumRiskNotEscalated", func(t *testing.T) {
			wk := w.addWorker(t, w.hr, workerForm(2, "310000", w.today()))
			if got := w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, 1)[0]; got.Escalated || got.Date != w.today() {
				t.Errorf("got %+v, want not escalated, on %v", got, w.today())
			}
		})
		t.Run("OKNoneNotKeyArea", func(t *testing.T) {
			wk := w.addWorker(t, w.hr, workerForm(3, "371681", w.today()))
			w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, 0)
		})
		t.Run("OKNoneUntilArrival", func(t *testing.T) {
			wk := w.addWorker(t, w.hr, workerForm(4, "420100", domain.Date{}))
			w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, 0)
			arrived := w.today().String()
			_, _, err := w.workers.Update(ctx, w.hr.Actor(), wk.ID, domain.WorkerUpdate{ArrivedOn: &arrived})
			must(t, err)
			w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, 1)
			dept := "机修车间"
			_, _, err = w.workers.Update(ctx, w.hr.Actor(), wk.ID, domain.WorkerUpdate{Department: &dept})
			must(t, err)
			w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, 1)
		})
		t.Run("OKImport", func(t *testing.T) {
			file := []domain.RosterRow{
				rosterRow(2, 10, "湖北省武汉市", "2020-02-09"),
				rosterRow(3, 11, "上海市", "2020-02-09"),
				rosterRow(4, 12, "山东省滨州市邹平市", "2020-02-09"),
				rosterRow(5, 13, "湖北省武汉市", ""),
			}
			for range 2 { // importing the same file again raises nothing new
				res, err := w.workers.Import(ctx, w.hr2.Actor(), w.ent2.ID, file, false)
				must(t, err)
				if len(res.Errors) != 0 {
					t.Fatalf("got errors %+v, want none", res.Errors)
				}
			}
			found, err := w.stores.Workers.FindByIDNumbers(ctx, w.ent2.ID, []domain.IDNumber{personID(10), personID(11), personID(12), personID(13)})
			must(t, err)
			want := map[int]struct {
				n         int
				escalated bool
			}{10: {1, true}, 11: {1, false}, 12: {0, false}, 13: {0, false}}
			for p, wt := range want {
				wk := found[personID(p)]
				got := w.wantAlerts(t, wk, domain.AlertKeyAreaArrival, wt.n)
				if wt.n == 1 && (got[0].Escalated != wt.escalated || got[0].Date != domain.NewDate(2020, 2, 9) || got[0].EnterpriseID != w.ent2.ID) {
					t.Errorf("person %d: got %+v, want escalated %v on 2020-02-09", p, got[0], wt.escalated)
				}
			}
		})
	})
}

// onDay keeps the alerts of one day.
func onDay(as []domain.Alert, d domain.Date) []domain.Alert {
	var out []domain.Alert
	for _, a := range as {
		if a.Date == d {
			out = append(out, a)
		}
	}
	return out
}
