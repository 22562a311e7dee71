package repo_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
	"fugong/report/daily"
)

// step is a status change as the tests compare it: what it moved, on which day, by whom.
type step struct {
	From, To domain.EnterpriseStatus
	On       domain.Date
	By       int64
}

func (w *world) steps(t *testing.T, enterpriseID int64) []step {
	t.Helper()
	cs, err := w.stores.Enterprises.StatusHistory(w.ctx, enterpriseID)
	must(t, err)
	out := make([]step, 0, len(cs))
	for _, c := range cs {
		out = append(out, step{c.From, c.To, c.On, c.ByID})
	}
	return out
}

func (w *world) wantSteps(t *testing.T, enterpriseID int64, want []step) {
	t.Helper()
	if got := w.steps(t, enterpriseID); !slices.Equal(got, want) {
		t.Errorf("got history %+v, want %+v", got, want)
	}
}

// approve submits and approves a plan of hr's enterprise today.
func (w *world) approve(t *testing.T, hr, sup domain.User) {
	t.Helper()
	p := w.submitted(t, hr)
	_, err := w.plans.Approve(w.ctx, sup.Actor(), p.ID, "同意")
	must(t, err)
}

// TestEnterpriseStatusTransitions walks an enterprise through every change of status and
// checks that each writes its step of the history with the enterprise, in one transaction,
// and that suspend and resume refuse what they should, changing nothing.
func TestEnterpriseStatusTransitions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, admin := w.ctx, w.admin.Actor()
		d0 := w.today()
		day := func(n int) domain.Date { return d0.AddDays(n) }
		none := domain.StatusChange{}.From
		history := []step{{none, domain.StatusNotApplied, d0, w.admin.ID}}

		t.Run("Registered", func(t *testing.T) { w.wantSteps(t, w.ent.ID, history) })
		t.Run("SubmitRejectResubmitApprove", func(t *testing.T) {
			w.setDay(day(1))
			p := w.submitted(t, w.hr)
			history = append(history, step{domain.StatusNotApplied, domain.StatusApplied, day(1), w.hr.ID})
			w.wantSteps(t, w.ent.ID, history)
			w.setDay(day(2))
			_, err := w.plans.Reject(ctx, w.sup.Actor(), p.ID, "请补充隔离室")
			must(t, err)
			w.submitted(t, w.hr) // applied already: no step
			w.wantSteps(t, w.ent.ID, history)
			w.setDay(day(3))
			ps, _, err := w.stores.Plans.List(ctx, domain.PlanFilter{EnterpriseID: w.ent.ID, Statuses: []domain.PlanStatus{domain.PlanSubmitted}, Page: domain.Page{Limit: 1}})
			must(t, err)
			_, err = w.plans.Approve(ctx, w.sup.Actor(), ps[0].ID, "同意")
			must(t, err)
			history = append(history, step{domain.StatusApplied, domain.StatusApproved, day(3), w.sup.ID})
			w.wantSteps(t, w.ent.ID, history)
		})
		t.Run("ConfirmReopeningDatedBack", func(t *testing.T) {
			w.setDay(day(5))
			got, err := w.plans.ConfirmReopening(ctx, w.sup.Actor(), w.ent.ID, day(4), "订单急需,提前确认复工")
			must(t, err)
			if got.Status != domain.StatusReopened || got.ReopenedOn != day(4) {
				t.Errorf("got %s reopened %v, want reopened on %v", got.Status, got.ReopenedOn, day(4))
			}
			history = append(history, step{domain.StatusApproved, domain.StatusReopened, day(4), w.sup.ID})
			w.wantSteps(t, w.ent.ID, history)
		})

		// Refusals change nothing: not the enterprise, its history or the audit trail.
		unchanged := func(t *testing.T, fn func() error, kind error, fields ...string) {
			t.Helper()
			before, events, steps := w.enterpriseNow(t, w.ent.ID), w.audit(t), w.steps(t, w.ent.ID)
			wantErr(t, fn(), kind, fields...)
			if got := w.enterpriseNow(t, w.ent.ID); got.Status != before.Status || got.ReopenedOn != before.ReopenedOn {
				t.Errorf("got %s reopened %v, want it unchanged: %s %v", got.Status, got.ReopenedOn, before.Status, before.ReopenedOn)
			}
			if got := w.audit(t); got != events {
				t.Errorf("got %d audit events, want %d", got, events)
			}
			if got := w.steps(t, w.ent.ID); !slices.Equal(got, steps) {
				t.Errorf("got history %+v, want it unchanged: %+v", got, steps)
			}
		}
		suspend := func(a domain.Actor, id int64, reason string, on domain.Date) func() error {
			return func() error { _, err := w.enterprises.Suspend(ctx, a, id, reason, on); return err }
		}
		resume := func(a domain.Actor, id int64, note string, on domain.Date) func() error {
			return func() error { _, err := w.enterprises.Resume(ctx, a, id, note, on); return err }
		}
		w.setDay(day(8))
		t.Run("SuspendErrForbidden", func(t *testing.T) {
			for _, a := range []domain.Actor{w.hr.Actor(), w.sup.Actor(), w.platform, w.worker} {
				unchanged(t, suspend(a, w.ent.ID, "食堂未落实分餐", domain.Date{}), domain.ErrForbidden)
			}
		})
		t.Run("SuspendErrNotFound", func(t *testing.T) {
			unchanged(t, suspend(w.adminB.Actor(), w.ent.ID, "食堂未落实分餐", domain.Date{}), domain.ErrNotFound)
			unchanged(t, suspend(admin, 4242, "食堂未落实分餐", domain.Date{}), domain.ErrNotFound)
		})
		t.Run("SuspendErrInvalid", func(t *testing.T) {
			unchanged(t, suspend(admin, w.ent.ID, " \u3000 ", domain.Date{}), domain.ErrInvalid, "reason")
			unchanged(t, suspend(admin, w.ent.ID, strings.Repeat("停", domain.MaxSuspensionReason+1), domain.Date{}), domain.ErrInvalid, "reason")
			unchanged(t, suspend(admin, w.ent.ID, "食堂未落实分餐", day(9)), domain.ErrInvalid, "date")
			unchanged(t, suspend(admin, w.ent.ID, "", day(9)), domain.ErrInvalid, "date", "reason")
			// Before the day it reopened: the history would not read in order.
			unchanged(t, suspend(admin, w.ent.ID, "食堂未落实分餐", day(3)), domain.ErrInvalid, "date")
		})
		t.Run("SuspendErrConflict", func(t *testing.T) {
			err := suspend(admin, w.ent2.ID, "食堂未落实分餐", domain.Date{})()
			wantStatusConflict(t, err, "not_applied")
		})
		t.Run("ResumeErrConflictNotSuspended", func(t *testing.T) {
			unchanged(t, resume(admin, w.ent.ID, "", domain.Date{}), domain.ErrConflict, "status")
			wantStatusConflict(t, resume(admin, w.ent.ID, "", domain.Date{})(), "reopened")
		})
		t.Run("Suspend", func(t *testing.T) {
			before := w.audit(t)
			got, err := w.enterprises.Suspend(ctx, admin, w.ent.ID, " 食堂未落实分餐,停工整顿 ", day(7))
			must(t, err)
			if got.Status != domain.StatusSuspended || got.ReopenedOn != day(4) || got.SuspensionReason != "食堂未落实分餐,停工整顿" || got.SuspendedOn != day(7) {
				t.Errorf("got %s reopened %v, suspended %v for %q; want suspended since %v, reopening day kept",
					got.Status, got.ReopenedOn, got.SuspendedOn, got.SuspensionReason, day(7))
			}
			w.wantAudit(t, before, event(w.admin, "enterprise.suspend", "enterprise", w.ent.ID))
			history = append(history, step{domain.StatusReopened, domain.StatusSuspended, day(7), w.admin.ID})
			w.wantSteps(t, w.ent.ID, history)
			// Its HR and its supervisor see why.
			for _, a := range []domain.Actor{w.hr.Actor(), w.sup.Actor()} {
				e, err := w.enterprises.Get(ctx, a, w.ent.ID)
				must(t, err)
				if e.SuspensionReason != "食堂未落实分餐,停工整顿" {
					t.Errorf("%s: got reason %q, want the suspension's", a.Role, e.SuspensionReason)
				}
			}
			es, _, err := w.enterprises.List(ctx, admin, domain.EnterpriseFilter{Status: domain.StatusSuspended})
			must(t, err)
			if len(es) != 1 || es[0].SuspensionReason == "" {
				t.Errorf("got %+v, want the suspended enterprise with its reason", es)
			}
			cs, err := w.enterprises.StatusHistory(ctx, w.hr.Actor(), w.ent.ID)
			must(t, err)
			if last := cs[len(cs)-1]; last.Reason != "食堂未落实分餐,停工整顿" || last.ByName != w.admin.Name {
				t.Errorf("got last change %+v, want the reason and the admin's name %q", last, w.admin.Name)
			}
		})
		t.Run("SuspendErrConflictTwice", func(t *testing.T) {
			unchanged(t, suspend(admin, w.ent.ID, "再次停工", domain.Date{}), domain.ErrConflict, "status")
		})
		t.Run("PlanErrConflictWhileSuspended", func(t *testing.T) {
			_, err := w.plans.Create(ctx, w.hr.Actor(), w.ent.ID, planContent(w.today()))
			wantStatusConflict(t, err, "suspended")
		})
		t.Run("ResumeErrForbidden", func(t *testing.T) {
			for _, a := range []domain.Actor{w.hr.Actor(), w.sup.Actor(), w.platform} {
				unchanged(t, resume(a, w.ent.ID, "", domain.Date{}), domain.ErrForbidden)
			}
			unchanged(t, resume(w.adminB.Actor(), w.ent.ID, "", domain.Date{}), domain.ErrNotFound)
		})
		t.Run("ResumeErrInvalid", func(t *testing.T) {
			unchanged(t, resume(admin, w.ent.ID, strings.Repeat("备", domain.MaxResumeNote+1), domain.Date{}), domain.ErrInvalid, "note")
			unchanged(t, resume(admin, w.ent.ID, "", day(6)), domain.ErrInvalid, "date")
			unchanged(t, resume(admin, w.ent.ID, "", day(9)), domain.ErrInvalid, "date")
		})
		t.Run("Resume", func(t *testing.T) {
			before := w.audit(t)
			got, err := w.enterprises.Resume(ctx, admin, w.ent.ID, "已整改,复查合格", domain.Date{})
			must(t, err)
			if got.Status != domain.StatusReopened || got.ReopenedOn != day(4) || got.SuspensionReason != "" {
				t.Errorf("got %s reopened %v reason %q, want reopened again on its first day, no reason", got.Status, got.ReopenedOn, got.SuspensionReason)
			}
			w.wantAudit(t, before, event(w.admin, "enterprise.resume", "enterprise", w.ent.ID))
			history = append(history, step{domain.StatusSuspended, domain.StatusReopened, day(8), w.admin.ID})
			w.wantSteps(t, w.ent.ID, history)
		})
		t.Run("SuspendApprovedResumesApproved", func(t *testing.T) {
			w.approve(t, w.hr2, w.sup2)
			_, err := w.enterprises.Suspend(ctx, admin, w.ent2.ID, "未按方案落实防疫物资", domain.Date{})
			must(t, err)
			got, err := w.enterprises.Resume(ctx, admin, w.ent2.ID, "", domain.Date{})
			must(t, err)
			if got.Status != domain.StatusApproved || !got.ReopenedOn.IsZero() {
				t.Errorf("got %s reopened %v, want approved, never reopened", got.Status, got.ReopenedOn)
			}
			w.wantSteps(t, w.ent2.ID, []step{
				{none, domain.StatusNotApplied, d0, w.admin.ID},
				{domain.StatusNotApplied, domain.StatusApplied, day(8), w.hr2.ID},
				{domain.StatusApplied, domain.StatusApproved, day(8), w.sup2.ID},
				{domain.StatusApproved, domain.StatusSuspended, day(8), w.admin.ID},
				{domain.StatusSuspended, domain.StatusApproved, day(8), w.admin.ID},
			})
			// The same day four times over: the order of recording decides.
			cs, err := w.stores.Enterprises.StatusHistory(ctx, w.ent2.ID)
			must(t, err)
			if got := domain.StatusOn(cs, day(8)); got != domain.StatusApproved {
				t.Errorf("got status %s at the end of the day, want approved", got)
			}
		})
		t.Run("HistoryErrNotFound", func(t *testing.T) {
			for _, a := range []domain.Actor{w.adminB.Actor(), w.sup2.Actor(), w.hr2.Actor(), w.worker} {
				_, err := w.enterprises.StatusHistory(ctx, a, w.ent.ID)
				wantErr(t, err, domain.ErrNotFound)
			}
			_, err := w.enterprises.StatusHistory(ctx, w.platform, w.ent.ID)
			wantErr(t, err, domain.ErrForbidden)
		})
	})
}

// TestDashboardPastDayStatus: the dashboard, the daily report and the range report of a past
// day read each enterprise's status as of that day. ent reopens today, three weeks after its
// approval; ent2 reopened on day 1, was suspended on day 5 and resumed on day 9.
func TestDashboardPastDayStatus(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		svc := w.services()
		ctx, admin := w.ctx, w.admin.Actor()
		d0 := w.today()
		day := func(n int) domain.Date { return d0.AddDays(n) }
		w.back(t, w.hr, 1)
		w.back(t, w.hr2, 2)
		w.approve(t, w.hr, w.sup)
		w.approve(t, w.hr2, w.sup2)
		w.setDay(day(1))
		_, err := w.plans.ConfirmReopening(ctx, w.sup2.Actor(), w.ent2.ID, day(1), "订单急需,提前确认复工")
		must(t, err)
		w.setDay(day(5))
		_, err = w.enterprises.Suspend(ctx, admin, w.ent2.ID, "食堂未落实分餐,停工整顿", domain.Date{})
		must(t, err)
		w.setDay(day(10))
		_, err = w.enterprises.Resume(ctx, admin, w.ent2.ID, "已整改", day(9))
		must(t, err)
		today := day(21)
		w.setDay(today)
		_, err = w.plans.ConfirmReopening(ctx, w.sup.Actor(), w.ent.ID, today, "订单急需,提前确认复工")
		must(t, err)
		_, err = svc.Stats.Rebuild(ctx, d0, today) // a roster snapshot for every day, so that every day has rows
		must(t, err)

		statuses := func(days []domain.EnterpriseDay) map[int64]domain.EnterpriseStatus {
			out := map[int64]domain.EnterpriseStatus{}
			for _, d := range days {
				out[d.Enterprise.ID] = d.Enterprise.Status
			}
			return out
		}
		tests := []struct {
			name      string
			d         domain.Date
			ent, ent2 domain.EnterpriseStatus
			counts    domain.EnterpriseCounts
		}{
			{"ThreeWeeksAgo", d0, domain.StatusApproved, domain.StatusApproved, domain.EnterpriseCounts{Total: 3, NotApplied: 1, Approved: 2}},
			{"Reopened", day(3), domain.StatusApproved, domain.StatusReopened, domain.EnterpriseCounts{Total: 3, NotApplied: 1, Approved: 1, Reopened: 1}},
			{"SuspendedFirstDay", day(5), domain.StatusApproved, domain.StatusSuspended, domain.EnterpriseCounts{Total: 3, NotApplied: 1, Approved: 1, Suspended: 1}},
			{"SuspendedLastDay", day(8), domain.StatusApproved, domain.StatusSuspended, domain.EnterpriseCounts{Total: 3, NotApplied: 1, Approved: 1, Suspended: 1}},
			{"Resumed", day(9), domain.StatusApproved, domain.StatusReopened, domain.EnterpriseCounts{Total: 3, NotApplied: 1, Approved: 1, Reopened: 1}},
			{"Today", today, domain.StatusReopened, domain.StatusReopened, domain.EnterpriseCounts{Total: 3, NotApplied: 1, Reopened: 2}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := domain.DashboardQuery{Date: tt.d}
				sum, err := dashSummary(ctx, svc.Dashboard, admin, q)
				must(t, err)
				if sum.Enterprises != tt.counts {
					t.Errorf("summary: got %+v, want %+v", sum.Enterprises, tt.counts)
				}
				var zones domain.EnterpriseCounts
				for _, z := range sum.Zones {
					zones.Total += z.Enterprises.Total
					zones.NotApplied += z.Enterprises.NotApplied
					zones.Approved += z.Enterprises.Approved
					zones.Reopened += z.Enterprises.Reopened
					zones.Suspended += z.Enterprises.Suspended
				}
				if zones != tt.counts {
					t.Errorf("zones: got %+v in all, want %+v", zones, tt.counts)
				}
				days, _, err := dashDays(ctx, svc.Dashboard, admin, q)
				must(t, err)
				got := statuses(days)
				if got[w.ent.ID] != tt.ent || got[w.ent2.ID] != tt.ent2 {
					t.Errorf("rows: got ent %s, ent2 %s; want %s, %s", got[w.ent.ID], got[w.ent2.ID], tt.ent, tt.ent2)
				}
				for _, d := range days {
					e := d.Enterprise
					if e.ReopenedOn.After(tt.d) {
						t.Errorf("row of %s: got reopened on %v, after the day %v", e.Name, e.ReopenedOn, tt.d)
					}
					if (e.Status == domain.StatusSuspended) != (e.SuspensionReason != "") {
						t.Errorf("row of %s: got %s with reason %q", e.Name, e.Status, e.SuspensionReason)
					}
				}
				r, err := svc.Reports.DailyReport(ctx, admin, tt.d)
				must(t, err)
				if r.Summary.Enterprises != tt.counts {
					t.Errorf("daily report summary: got %+v, want %+v", r.Summary.Enterprises, tt.counts)
				}
				rep := map[int64]domain.EnterpriseStatus{}
				for _, e := range r.Enterprises {
					rep[e.Enterprise.ID] = e.Enterprise.Status
				}
				if rep[w.ent.ID] != tt.ent || rep[w.ent2.ID] != tt.ent2 {
					t.Errorf("daily report rows: got ent %s, ent2 %s; want %s, %s", rep[w.ent.ID], rep[w.ent2.ID], tt.ent, tt.ent2)
				}
			})
		}
		t.Run("Trend", func(t *testing.T) {
			trend, err := dashTrend(ctx, svc.Dashboard, admin, domain.DashboardQuery{}, d0, today)
			must(t, err)
			var got, want []int
			for i, p := range trend {
				got = append(got, p.Reopened)
				switch {
				case i == 21:
					want = append(want, 2)
				case i >= 1 && i <= 4, i >= 9:
					want = append(want, 1)
				default:
					want = append(want, 0)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got reopened per day %v, want %v", got, want)
			}
			r, err := svc.Reports.DailyReport(ctx, admin, day(8))
			must(t, err)
			var inReport []int
			for _, p := range r.Trend {
				inReport = append(inReport, p.Reopened)
			}
			if wantReport := []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0}; !slices.Equal(inReport, wantReport) {
				t.Errorf("daily report of %v: got reopened per day %v, want %v", day(8), inReport, wantReport)
			}
		})
		t.Run("RangeWorkbook", func(t *testing.T) {
			from, to := day(3), day(10)
			rw, err := daily.NewRangeWriter(w.tw.Name, from, to)
			must(t, err)
			defer rw.Close()
			must(t, svc.Reports.RangeReport(ctx, admin, from, to, rw.Add))
			var buf bytes.Buffer
			_, err = rw.WriteTo(&buf)
			must(t, err)
			f, err := excelize.OpenReader(&buf)
			must(t, err)
			defer f.Close()
			rows, err := f.GetRows("复工统计")
			must(t, err)
			got := map[string]string{} // "date name" → 复工状态
			for _, r := range rows[2:] {
				got[r[0]+" "+r[1]] = r[5]
			}
			for n := 3; n <= 10; n++ {
				d := day(n).String()
				want2 := map[bool]string{true: "已停工", false: "已复工"}[n >= 5 && n <= 8]
				if g := got[d+" "+w.ent2.Name]; g != want2 {
					t.Errorf("%s %s: got %q, want %q", d, w.ent2.Name, g, want2)
				}
				if g := got[d+" "+w.ent.Name]; g != "已批准" {
					t.Errorf("%s %s: got %q, want 已批准 (it reopened only today)", d, w.ent.Name, g)
				}
			}
			if len(got) != 16 {
				t.Errorf("got %d rows, want 16 (2 enterprises × 8 days): %v", len(got), fmt.Sprint(got))
			}
		})
	})
}

// TestStatusHistoryMigration writes enterprises through the services, drops the history and
// applies its migration again: the backfill rebuilds from the plans, reviews, reopening days
// and audit log what the services wrote, on the township's local days, and ends each
// enterprise's history at the status it has.
func TestStatusHistoryMigration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		v, err := db.MigrationVersion(context.Background())
		must(t, err)
		if v < 10 {
			t.Fatalf("got migration version %d, want the history's (10) or later", v)
		}
		w := newWorld(t, db)
		ctx, admin := w.ctx, w.admin.Actor()
		d0 := w.today()
		day := func(n int) domain.Date { return d0.AddDays(n) }
		// 07:00 in Changshan is 23:00 UTC of the day before: the backfill must take the local day.
		w.clock.Set(local(day(1), 7, 0))
		p := w.submitted(t, w.hr)
		w.setDay(day(2))
		_, err = w.plans.Reject(ctx, w.sup.Actor(), p.ID, "请补充隔离室")
		must(t, err)
		w.setDay(day(3))
		w.approve(t, w.hr, w.sup)
		w.setDay(day(5))
		_, err = w.plans.ConfirmReopening(ctx, w.sup.Actor(), w.ent.ID, day(4), "订单急需,提前确认复工")
		must(t, err)
		w.approve(t, w.hr2, w.sup2)
		w.setDay(day(6))
		_, err = w.enterprises.Suspend(ctx, admin, w.ent2.ID, "食堂未落实分餐", domain.Date{})
		must(t, err)

		written := map[int64][]step{}
		for _, e := range []domain.Enterprise{w.ent, w.ent2, w.ent3, w.entB} {
			written[e.ID] = w.steps(t, e.ID)
		}
		// Back to before the history: the migrations after it first, then its own.
		for range v - 9 {
			must(t, repo.MigrateDown(ctx, db))
		}
		// The stores stamp created_at and updated_at with the real time, not the test clock's:
		// put them where they would be had the clock been real.
		must(t, repo.Exec(ctx, db, "UPDATE enterprises SET created_at = ?", start))
		must(t, repo.Exec(ctx, db, "UPDATE enterprises SET updated_at = ? WHERE id = ?", local(day(6), 10, 0), w.ent2.ID))
		n, err := db.Migrate(ctx)
		must(t, err)
		if n != int(v)-9 {
			t.Fatalf("got %d migrations applied, want the history's and those after it again (%d)", n, v-9)
		}
		none := domain.StatusChange{}.From
		want := map[int64][]step{
			// Who registered an enterprise was never kept: the first step is nobody's.
			w.ent.ID: {{none, domain.StatusNotApplied, d0, 0}, {domain.StatusNotApplied, domain.StatusApplied, day(1), w.hr.ID},
				{domain.StatusApplied, domain.StatusApproved, day(3), w.sup.ID}, {domain.StatusApproved, domain.StatusReopened, day(4), w.sup.ID}},
			// A suspension the plans do not explain: the day of the last update, by nobody.
			w.ent2.ID: {{none, domain.StatusNotApplied, d0, 0}, {domain.StatusNotApplied, domain.StatusApplied, day(5), w.hr2.ID},
				{domain.StatusApplied, domain.StatusApproved, day(5), w.sup2.ID}, {domain.StatusApproved, domain.StatusSuspended, day(6), 0}},
			w.ent3.ID: {{none, domain.StatusNotApplied, d0, 0}},
			w.entB.ID: {{none, domain.StatusNotApplied, d0, 0}},
		}
		for id, steps := range want {
			got := w.steps(t, id)
			if !slices.Equal(got, steps) {
				t.Errorf("enterprise %d: got backfill %+v, want %+v", id, got, steps)
			}
			// Apart from who, the backfill is what the services wrote.
			for i := range got {
				if i < len(written[id]) {
					got[i].By, written[id][i].By = 0, 0
				}
			}
			if !slices.Equal(got, written[id]) {
				t.Errorf("enterprise %d: got backfill %+v, want what the services wrote %+v", id, got, written[id])
			}
		}
		e := w.enterpriseNow(t, w.ent2.ID)
		if e.SuspensionReason == "" {
			t.Errorf("got no suspension reason after the backfill, want the one that says it was not kept")
		}
	})
}
