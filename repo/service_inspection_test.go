package repo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// passing is a checklist on which every item passes.
var passing = domain.Checklist{
	TemperatureCheck: true, MasksWorn: true, DisinfectionLog: true,
	IsolationRoomReady: true, RosterUpToDate: true, CanteenStaggered: true,
}

// failing returns a checklist on which the named items fail and the others pass.
func failing(items ...string) domain.Checklist {
	c := passing
	for _, it := range items {
		switch it {
		case "temperature_check":
			c.TemperatureCheck = false
		case "masks_worn":
			c.MasksWorn = false
		case "disinfection_log":
			c.DisinfectionLog = false
		case "isolation_room_ready":
			c.IsolationRoomReady = false
		case "roster_up_to_date":
			c.RosterUpToDate = false
		case "canteen_staggered":
			c.CanteenStaggered = false
		default:
			panic("unknown checklist item " + it)
		}
	}
	return c
}

// inspect records a visit through the service and fails the test if it is refused.
func (w *world) inspect(t *testing.T, sup domain.User, ent domain.Enterprise, in domain.NewInspection) domain.Inspection {
	t.Helper()
	got, _, err := w.inspections.Create(w.ctx, sup.Actor(), ent.ID, in)
	if err != nil {
		t.Fatalf("inspect %s on %v: %v", ent.Name, in.VisitedOn, err)
	}
	return got
}

// inspection reads one inspection of an enterprise back from the store.
func (w *world) inspection(t *testing.T, ent domain.Enterprise, id int64) domain.Inspection {
	t.Helper()
	list, _, err := w.stores.Inspections.List(w.ctx, domain.InspectionFilter{EnterpriseID: ent.ID, Page: domain.Page{Limit: domain.MaxPageSize}})
	must(t, err)
	for _, i := range list {
		if i.ID == id {
			return i
		}
	}
	t.Fatalf("got no inspection %d of %s, want it", id, ent.Name)
	return domain.Inspection{}
}

func inspectionID(i domain.Inspection) int64 { return i.ID }

func TestInspectionServiceCreate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, day := w.ctx, w.today()
		count := func(t *testing.T) int { t.Helper(); return rows(t, db, "inspections") }

		t.Run("OKPassing", func(t *testing.T) {
			before := w.audit(t)
			got, _, err := w.inspections.Create(ctx, w.sup.Actor(), w.ent.ID, domain.NewInspection{VisitedOn: day, Checklist: passing, Findings: " 一切正常\u3000"})
			must(t, err)
			want := domain.Inspection{
				ID: got.ID, TownshipID: w.tw.ID, EnterpriseID: w.ent.ID, EnterpriseName: w.ent.Name,
				InspectorID: w.sup.ID, InspectorName: w.sup.Name, VisitedOn: day, Checklist: passing,
				Findings: "一切正常", CreatedAt: got.CreatedAt,
			}
			if got.ID == 0 || got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if got.CreatedAt.IsZero() {
				t.Errorf("got zero CreatedAt, want it set")
			}
			if r := got.Rectification(day); r != domain.RectificationNone {
				t.Errorf("got rectification %s, want none", r)
			}
			w.wantAudit(t, before, event(w.sup, "inspection.create", "inspection", got.ID))
		})
		t.Run("OKFailing", func(t *testing.T) {
			before := w.audit(t)
			in := domain.NewInspection{
				VisitedOn: day.AddDays(-1), Checklist: failing("masks_worn", "canteen_staggered"),
				Findings: "车间有人未戴口罩;食堂未错峰", RectificationDeadline: day.AddDays(2),
			}
			got, _, err := w.inspections.Create(ctx, w.sup.Actor(), w.ent3.ID, in)
			must(t, err)
			if got.VisitedOn != in.VisitedOn || got.Checklist != in.Checklist || got.Findings != in.Findings || got.RectificationDeadline != in.RectificationDeadline {
				t.Errorf("got %+v, want %+v", got, in)
			}
			if got.ClosedBy != 0 || !got.ClosedOn.IsZero() || got.Rectification(day) != domain.RectificationOpen {
				t.Errorf("got closed by %d on %v (%s), want an open rectification", got.ClosedBy, got.ClosedOn, got.Rectification(day))
			}
			w.wantAudit(t, before, event(w.sup, "inspection.create", "inspection", got.ID))
		})
		t.Run("OKThirtyDaysBack", func(t *testing.T) {
			w.inspect(t, w.sup, w.ent, domain.NewInspection{VisitedOn: day.AddDays(-30), Checklist: passing})
		})

		invalid := []struct {
			name   string
			in     domain.NewInspection
			fields []string
		}{
			{name: "PassingWithDeadline", in: domain.NewInspection{VisitedOn: day, Checklist: passing, RectificationDeadline: day.AddDays(3)},
				fields: []string{"rectification_deadline"}},
			{name: "FailingWithoutFindingsOrDeadline", in: domain.NewInspection{VisitedOn: day, Checklist: failing("roster_up_to_date")},
				fields: []string{"findings", "rectification_deadline"}},
			{name: "FailingBlankFindings", in: domain.NewInspection{VisitedOn: day, Checklist: failing("roster_up_to_date"), Findings: "\u3000 ", RectificationDeadline: day.AddDays(3)},
				fields: []string{"findings"}},
			{name: "FailingWithoutDeadline", in: domain.NewInspection{VisitedOn: day, Checklist: failing("roster_up_to_date"), Findings: "花名册未更新"},
				fields: []string{"rectification_deadline"}},
			{name: "DeadlineOnVisitDay", in: domain.NewInspection{VisitedOn: day.AddDays(-2), Checklist: failing("roster_up_to_date"), Findings: "花名册未更新", RectificationDeadline: day.AddDays(-2)},
				fields: []string{"rectification_deadline"}},
			{name: "DeadlineBeforeVisit", in: domain.NewInspection{VisitedOn: day, Checklist: failing("roster_up_to_date"), Findings: "花名册未更新", RectificationDeadline: day.AddDays(-1)},
				fields: []string{"rectification_deadline"}},
			{name: "VisitedOnMissing", in: domain.NewInspection{Checklist: passing}, fields: []string{"visited_on"}},
			{name: "VisitedOnFuture", in: domain.NewInspection{VisitedOn: day.AddDays(1), Checklist: passing}, fields: []string{"visited_on"}},
			{name: "VisitedOnMoreThanThirtyDaysBack", in: domain.NewInspection{VisitedOn: day.AddDays(-31), Checklist: passing}, fields: []string{"visited_on"}},
			{name: "FindingsTooLong", in: domain.NewInspection{VisitedOn: day, Checklist: passing, Findings: strings.Repeat("问", 2001)}, fields: []string{"findings"}},
			{name: "Several", in: domain.NewInspection{VisitedOn: day.AddDays(2), Checklist: failing("masks_worn")}, fields: []string{"visited_on", "findings", "rectification_deadline"}},
		}
		for _, tt := range invalid {
			t.Run("ErrInvalid/"+tt.name, func(t *testing.T) {
				n, audit := count(t), w.audit(t)
				_, _, err := w.inspections.Create(ctx, w.sup.Actor(), w.ent.ID, tt.in)
				wantErr(t, err, domain.ErrInvalid, tt.fields...)
				if got := count(t); got != n {
					t.Errorf("got %d inspections, want %d", got, n)
				}
				if got := w.audit(t); got != audit {
					t.Errorf("got %d audit events, want %d", got, audit)
				}
			})
		}

		refused := []struct {
			name  string
			actor domain.Actor
			kind  error
		}{
			{name: "TownAdmin", actor: w.admin.Actor(), kind: domain.ErrForbidden},
			{name: "HR", actor: w.hr.Actor(), kind: domain.ErrForbidden},
			{name: "PlatformAdmin", actor: w.platform, kind: domain.ErrForbidden},
			{name: "UnassignedSupervisor", actor: w.sup2.Actor(), kind: domain.ErrNotFound},
			{name: "SupervisorOfOtherTownship", actor: w.supB.Actor(), kind: domain.ErrNotFound},
			{name: "TownAdminOfOtherTownship", actor: w.adminB.Actor(), kind: domain.ErrNotFound},
			{name: "Worker", actor: w.worker, kind: domain.ErrNotFound},
		}
		for _, tt := range refused {
			t.Run("Refused/"+tt.name, func(t *testing.T) {
				n, audit := count(t), w.audit(t)
				_, _, err := w.inspections.Create(ctx, tt.actor, w.ent.ID, domain.NewInspection{VisitedOn: day, Checklist: passing})
				wantErr(t, err, tt.kind)
				if got := count(t); got != n {
					t.Errorf("got %d inspections, want %d", got, n)
				}
				if got := w.audit(t); got != audit {
					t.Errorf("got %d audit events, want %d", got, audit)
				}
			})
		}
		t.Run("ErrNotFoundMissingEnterprise", func(t *testing.T) {
			_, _, err := w.inspections.Create(ctx, w.sup.Actor(), 4242, domain.NewInspection{VisitedOn: day, Checklist: passing})
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}

// TestInspectionServiceFollowUp records a failed visit and the later visits that find its
// items fixed or not.
func TestInspectionServiceFollowUp(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		day := w.today()
		closes := func(t *testing.T) int {
			t.Helper()
			_, total, err := w.stores.Audit.List(w.ctx, domain.AuditFilter{Action: "inspection.close", Page: domain.Page{Limit: 1}})
			must(t, err)
			return total
		}
		wantOpen := func(t *testing.T, i domain.Inspection) {
			t.Helper()
			if got := w.inspection(t, w.ent, i.ID); got.ClosedBy != 0 || !got.ClosedOn.IsZero() {
				t.Errorf("got inspection %d closed by %d on %v, want it open", i.ID, got.ClosedBy, got.ClosedOn)
			}
		}
		wantClosed := func(t *testing.T, i, by domain.Inspection) {
			t.Helper()
			got := w.inspection(t, w.ent, i.ID)
			if got.ClosedBy != by.ID || got.ClosedOn != by.VisitedOn || got.Rectification(day) != domain.RectificationClosed {
				t.Errorf("got inspection %d closed by %d on %v, want closed by %d on %v", i.ID, got.ClosedBy, got.ClosedOn, by.ID, by.VisitedOn)
			}
		}

		first := w.inspect(t, w.sup, w.ent, domain.NewInspection{
			VisitedOn: day.AddDays(-5), Checklist: failing("masks_worn", "disinfection_log"),
			Findings: "未戴口罩,消毒记录缺失", RectificationDeadline: day.AddDays(-3),
		})
		var second, third domain.Inspection

		t.Run("StillFailingDoesNotClose", func(t *testing.T) {
			// Masks are fixed, the disinfection log is not: the first stays open.
			second = w.inspect(t, w.sup, w.ent, domain.NewInspection{
				VisitedOn: day.AddDays(-3), Checklist: failing("disinfection_log"),
				Findings: "消毒记录仍缺失", RectificationDeadline: day.AddDays(-1),
			})
			wantOpen(t, first)
			wantOpen(t, second)
			if got := closes(t); got != 0 {
				t.Errorf("got %d close events, want 0", got)
			}
		})
		t.Run("FixedItemsClose", func(t *testing.T) {
			// Both earlier failures pass now; a new, different failure opens its own.
			audit := w.audit(t)
			third = w.inspect(t, w.sup, w.ent, domain.NewInspection{
				VisitedOn: day.AddDays(-1), Checklist: failing("roster_up_to_date"),
				Findings: "花名册未更新", RectificationDeadline: day.AddDays(2),
			})
			wantClosed(t, first, third)
			wantClosed(t, second, third)
			wantOpen(t, third)
			if got := w.audit(t); got != audit+3 {
				t.Errorf("got %d audit events, want %d: one create and two closes", got, audit+3)
			}
			events, _, err := w.stores.Audit.List(w.ctx, domain.AuditFilter{Action: "inspection.close", Page: domain.Page{Limit: 10}})
			must(t, err)
			got := ids(events, func(e domain.AuditEvent) int64 { return e.EntityID })
			slices.Sort(got)
			if want := []int64{first.ID, second.ID}; !slices.Equal(got, want) {
				t.Errorf("got close events for %v, want %v", got, want)
			}
			for _, e := range events {
				if e.ActorID != w.sup.ID || e.EntityType != "inspection" || e.TownshipID != w.tw.ID || !e.At.Equal(w.clock.Now()) {
					t.Errorf("got %+v, want a close by %d in township %d at %v", e, w.sup.ID, w.tw.ID, w.clock.Now())
				}
			}
		})
		t.Run("EarlierVisitDoesNotClose", func(t *testing.T) {
			// A visit recorded late, but made before the third, says nothing about its fixes.
			backfilled := w.inspect(t, w.sup, w.ent, domain.NewInspection{VisitedOn: day.AddDays(-4), Checklist: passing})
			if backfilled.VisitedOn != day.AddDays(-4) || backfilled.RectificationDeadline != (domain.Date{}) {
				t.Errorf("got %+v, want the backfilled visit of %v", backfilled, day.AddDays(-4))
			}
			wantOpen(t, third)
			wantClosed(t, first, third)
		})
		t.Run("OtherEnterpriseDoesNotClose", func(t *testing.T) {
			w.inspect(t, w.sup, w.ent3, domain.NewInspection{VisitedOn: day, Checklist: passing})
			wantOpen(t, third)
		})
		t.Run("PassingVisitCloses", func(t *testing.T) {
			w.clock.Advance(time.Hour)
			fourth := w.inspect(t, w.sup, w.ent, domain.NewInspection{VisitedOn: day, Checklist: passing})
			wantClosed(t, third, fourth)
			wantClosed(t, first, third) // a closed rectification is never closed again
			if got := closes(t); got != 3 {
				t.Errorf("got %d close events, want 3", got)
			}
		})
	})
}

func TestInspectionServiceOpen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, day := w.ctx, w.today() // the 10th
		fail := func(sup domain.User, ent domain.Enterprise, visited, deadline domain.Date) domain.Inspection {
			t.Helper()
			return w.inspect(t, sup, ent, domain.NewInspection{
				VisitedOn: visited, Checklist: failing("isolation_room_ready"), Findings: "隔离室未备好", RectificationDeadline: deadline,
			})
		}
		a := fail(w.sup, w.ent, day.AddDays(-2), day.AddDays(2))  // due the 12th
		b := fail(w.sup, w.ent3, day.AddDays(-1), day.AddDays(1)) // due the 11th
		c := fail(w.sup2, w.ent2, day, day.AddDays(1))            // due the 11th
		bB := fail(w.supB, w.entB, day.AddDays(-3), day.AddDays(1))
		w.inspect(t, w.sup, w.ent, domain.NewInspection{VisitedOn: day.AddDays(-3), Checklist: passing}) // nothing to follow up

		type query struct {
			name        string
			actor       domain.Actor
			overdueOnly bool
			want        []int64
		}
		run := func(t *testing.T, wantToday domain.Date, tests []query) {
			t.Helper()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, total, today, err := w.inspections.Open(ctx, tt.actor, tt.overdueOnly, domain.Page{})
					must(t, err)
					if g := ids(got, inspectionID); !slices.Equal(g, tt.want) {
						t.Errorf("got %v, want %v", g, tt.want)
					}
					if total != len(tt.want) {
						t.Errorf("got total %d, want %d", total, len(tt.want))
					}
					if today != wantToday {
						t.Errorf("got today %v, want %v", today, wantToday)
					}
					for _, i := range got {
						want := domain.RectificationOpen
						if i.RectificationDeadline.Before(today) {
							want = domain.RectificationOverdue
						}
						if r := i.Rectification(today); r != want || (tt.overdueOnly && r != domain.RectificationOverdue) {
							t.Errorf("got inspection %d %s, want %s", i.ID, r, want)
						}
					}
				})
			}
		}

		t.Run("OnTheTenth", func(t *testing.T) {
			run(t, day, []query{
				{name: "Supervisor", actor: w.sup.Actor(), want: []int64{b.ID, a.ID}},
				{name: "SupervisorOverdue", actor: w.sup.Actor(), overdueOnly: true, want: []int64{}},
				{name: "SecondSupervisor", actor: w.sup2.Actor(), want: []int64{c.ID, b.ID}},
				{name: "TownAdmin", actor: w.admin.Actor(), want: []int64{c.ID, b.ID, a.ID}},
				{name: "TownAdminOverdue", actor: w.admin.Actor(), overdueOnly: true, want: []int64{}},
				{name: "TownAdminOfOtherTownship", actor: w.adminB.Actor(), want: []int64{bB.ID}},
			})
		})
		// 16:30 UTC on the 11th is already the 12th in the township: what was due on the 11th
		// is overdue there, though not yet in UTC.
		w.clock.Set(time.Date(2020, 2, 11, 16, 30, 0, 0, time.UTC))
		t.Run("OnTheTwelfth", func(t *testing.T) {
			run(t, day.AddDays(2), []query{
				{name: "Supervisor", actor: w.sup.Actor(), want: []int64{b.ID, a.ID}},
				{name: "SupervisorOverdue", actor: w.sup.Actor(), overdueOnly: true, want: []int64{b.ID}},
				{name: "SecondSupervisorOverdue", actor: w.sup2.Actor(), overdueOnly: true, want: []int64{c.ID, b.ID}},
				{name: "TownAdminOverdue", actor: w.admin.Actor(), overdueOnly: true, want: []int64{c.ID, b.ID}},
				{name: "TownAdminOfOtherTownshipOverdue", actor: w.adminB.Actor(), overdueOnly: true, want: []int64{bB.ID}},
				{name: "SupervisorOfOtherTownshipOverdue", actor: w.supB.Actor(), overdueOnly: true, want: []int64{bB.ID}},
			})
		})
		t.Run("ClosedLeaveTheList", func(t *testing.T) {
			w.inspect(t, w.sup, w.ent3, domain.NewInspection{VisitedOn: day.AddDays(2), Checklist: passing})
			run(t, day.AddDays(2), []query{
				{name: "SupervisorOverdue", actor: w.sup.Actor(), overdueOnly: true, want: []int64{}},
				{name: "TownAdminOverdue", actor: w.admin.Actor(), overdueOnly: true, want: []int64{c.ID}},
				{name: "TownAdmin", actor: w.admin.Actor(), want: []int64{c.ID, a.ID}},
			})
		})
		for _, a := range []domain.Actor{w.hr.Actor(), w.worker, w.platform} {
			t.Run("ErrForbidden/"+string(a.Role), func(t *testing.T) {
				_, _, _, err := w.inspections.Open(ctx, a, true, domain.Page{})
				wantErr(t, err, domain.ErrForbidden)
			})
		}
	})
}

func TestInspectionServiceList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, day := w.ctx, w.today()
		// Recorded out of order; two on the same day come newest record first.
		i2 := w.inspect(t, w.sup, w.ent3, domain.NewInspection{VisitedOn: day.AddDays(-2), Checklist: passing})
		i1 := w.inspect(t, w.sup, w.ent3, domain.NewInspection{VisitedOn: day.AddDays(-6), Checklist: passing})
		i3 := w.inspect(t, w.sup2, w.ent3, domain.NewInspection{VisitedOn: day.AddDays(-2), Checklist: passing})
		i4 := w.inspect(t, w.sup, w.ent3, domain.NewInspection{VisitedOn: day, Checklist: failing("masks_worn"), Findings: "未戴口罩", RectificationDeadline: day.AddDays(1)})
		w.inspect(t, w.sup, w.ent, domain.NewInspection{VisitedOn: day, Checklist: passing})
		if i1.ID == i2.ID || i1.VisitedOn != day.AddDays(-6) {
			t.Fatalf("got %+v from Create, want the inspection it recorded (visited %v)", i1, day.AddDays(-6))
		}

		tests := []struct {
			name  string
			actor domain.Actor
			ok    bool
		}{
			{name: "Supervisor", actor: w.sup.Actor(), ok: true},
			{name: "SecondSupervisor", actor: w.sup2.Actor(), ok: true},
			{name: "TownAdmin", actor: w.admin.Actor(), ok: true},
			{name: "HR", actor: w.hr3.Actor(), ok: true},
			{name: "HROfOtherEnterprise", actor: w.hr.Actor()},
			{name: "TownAdminOfOtherTownship", actor: w.adminB.Actor()},
			{name: "SupervisorOfOtherTownship", actor: w.supB.Actor()},
			{name: "Worker", actor: domain.Actor{Role: domain.RoleWorker, TownshipID: w.tw.ID, EnterpriseID: w.ent3.ID, WorkerID: 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, today, err := w.inspections.List(ctx, tt.actor, w.ent3.ID, domain.Page{})
				if !tt.ok {
					wantErr(t, err, domain.ErrNotFound)
					return
				}
				must(t, err)
				if g, want := ids(got, inspectionID), []int64{i4.ID, i3.ID, i2.ID, i1.ID}; !slices.Equal(g, want) || total != 4 {
					t.Errorf("got %v of %d, want %v of 4", g, total, want)
				}
				if today != day {
					t.Errorf("got today %v, want %v", today, day)
				}
				if got[1].InspectorName != w.sup2.Name || got[0].InspectorName != w.sup.Name || got[0].EnterpriseName != w.ent3.Name {
					t.Errorf("got inspectors %q %q of %q, want %q %q of %q", got[0].InspectorName, got[1].InspectorName, got[0].EnterpriseName, w.sup.Name, w.sup2.Name, w.ent3.Name)
				}
			})
		}
		t.Run("UnassignedSupervisor", func(t *testing.T) {
			_, _, _, err := w.inspections.List(ctx, w.sup2.Actor(), w.ent.ID, domain.Page{})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("Page", func(t *testing.T) {
			got, total, _, err := w.inspections.List(ctx, w.admin.Actor(), w.ent3.ID, domain.Page{Limit: 2, Offset: 1})
			must(t, err)
			if g, want := ids(got, inspectionID), []int64{i3.ID, i2.ID}; !slices.Equal(g, want) || total != 4 {
				t.Errorf("got %v of %d, want %v of 4", g, total, want)
			}
		})
		t.Run("ErrNotFoundMissing", func(t *testing.T) {
			_, _, _, err := w.inspections.List(ctx, w.admin.Actor(), 4242, domain.Page{})
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrForbiddenPlatformAdmin", func(t *testing.T) {
			for _, id := range []int64{w.ent3.ID, 4242} {
				_, _, _, err := w.inspections.List(ctx, w.platform, id, domain.Page{})
				wantErr(t, err, domain.ErrForbidden)
			}
		})
	})
}
