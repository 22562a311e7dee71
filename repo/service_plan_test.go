package repo_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// world is a township A with three enterprises and a township B with one, wired through the
// services: ent is supervised by sup, ent2 by sup2, ent3 by both; each has its own HR.
type world struct {
	*env
	tw, twB          domain.Township
	admin, adminB    domain.User
	ent, ent2, ent3  domain.Enterprise
	entB             domain.Enterprise
	hr, hr2, hr3     domain.User
	hrB              domain.User
	sup, sup2, supB  domain.User
	worker           domain.Actor // a worker of ent
	ctx              context.Context
	planCount, audit func(t *testing.T) int
}

func newWorld(t *testing.T, db *repo.DB) *world {
	t.Helper()
	return newWorldOn(t, db, newEnv(t, db))
}

// newWorldOn is newWorld in an env of the test's own making.
func newWorldOn(t *testing.T, db *repo.DB, e *env) *world {
	t.Helper()
	w := &world{env: e, ctx: context.Background()}
	w.tw, w.admin = w.township(t, "371626104", "一区", "二区")
	w.twB, w.adminB = w.township(t, "371626105", "一区")
	a, b := w.admin.Actor(), w.adminB.Actor()
	w.ent = w.enterprise(t, a, "滨州长山纺织有限公司", 1, "一区")
	w.ent2 = w.enterprise(t, a, "长山机械厂", 2, "二区")
	w.ent3 = w.enterprise(t, a, "长山食品厂", 3, "二区")
	w.entB = w.enterprise(t, b, "邻镇纺织厂", 4, "一区")
	w.hr = w.staff(t, a, domain.RoleEnterpriseHR, "hr-1", w.ent.ID)
	w.hr2 = w.staff(t, a, domain.RoleEnterpriseHR, "hr-2", w.ent2.ID)
	w.hr3 = w.staff(t, a, domain.RoleEnterpriseHR, "hr-3", w.ent3.ID)
	w.hrB = w.staff(t, b, domain.RoleEnterpriseHR, "hr-b", w.entB.ID)
	w.sup = w.staff(t, a, domain.RoleSupervisor, "supervisor1", 0)
	w.sup2 = w.staff(t, a, domain.RoleSupervisor, "supervisor2", 0)
	w.supB = w.staff(t, b, domain.RoleSupervisor, "supervisor-b", 0)
	assign := func(admin domain.Actor, ent *domain.Enterprise, sups ...domain.User) {
		t.Helper()
		got, err := w.enterprises.SetSupervisors(w.ctx, admin, ent.ID, ids(sups, userID))
		must(t, err)
		*ent = got
	}
	assign(a, &w.ent, w.sup)
	assign(a, &w.ent2, w.sup2)
	assign(a, &w.ent3, w.sup, w.sup2)
	assign(b, &w.entB, w.supB)
	// The shifts the roster tests name their people's 班组 by: large enough for any import.
	for _, e := range []domain.Enterprise{w.ent, w.ent2, w.ent3, w.entB} {
		for _, name := range []string{"甲班", "乙班"} {
			must(t, w.stores.Shifts.Create(w.ctx, &domain.Shift{TownshipID: e.TownshipID, EnterpriseID: e.ID, Name: name, Capacity: 10_000}))
		}
	}
	w.worker = domain.Actor{UserID: 9999, Role: domain.RoleWorker, TownshipID: w.tw.ID, EnterpriseID: w.ent.ID, WorkerID: 9999} // someone else on the roster, never the record under test
	w.planCount = func(t *testing.T) int { t.Helper(); return rows(t, db, "reopening_plans") }
	w.audit = func(t *testing.T) int { t.Helper(); return rows(t, db, "audit_events") }
	return w
}

// today is the township's day on the test clock.
func (w *world) today() domain.Date { return w.tw.Today(w.clock.Now()) }

// draft creates a complete draft of ent by its HR, dated from today.
func (w *world) draft(t *testing.T, hr domain.User) domain.Plan {
	t.Helper()
	p, err := w.plans.Create(w.ctx, hr.Actor(), hr.EnterpriseID, planContent(w.today()))
	if err != nil {
		t.Fatalf("create plan of enterprise %d: %v", hr.EnterpriseID, err)
	}
	return p
}

// submitted creates and submits a complete plan of ent by its HR.
func (w *world) submitted(t *testing.T, hr domain.User) domain.Plan {
	t.Helper()
	p, err := w.plans.Submit(w.ctx, hr.Actor(), w.draft(t, hr).ID)
	if err != nil {
		t.Fatalf("submit plan of enterprise %d: %v", hr.EnterpriseID, err)
	}
	return p
}

func (w *world) plan(t *testing.T, id int64) domain.Plan {
	t.Helper()
	p, err := w.stores.Plans.Get(w.ctx, id)
	must(t, err)
	return p
}

func (w *world) enterpriseNow(t *testing.T, id int64) domain.Enterprise {
	t.Helper()
	e, err := w.stores.Enterprises.Get(w.ctx, id)
	must(t, err)
	return e
}

// wantAudit fails the test unless exactly one audit event was written since the trail had
// before events, and it is want, recorded at the clock's time.
func (w *world) wantAudit(t *testing.T, before int, want domain.AuditEvent) {
	t.Helper()
	if got := w.audit(t); got != before+1 {
		t.Fatalf("got %d audit events, want %d", got, before+1)
	}
	events, total, err := w.stores.Audit.List(w.ctx, domain.AuditFilter{TownshipID: want.TownshipID, Page: domain.Page{Limit: 1}})
	must(t, err)
	if len(events) != 1 || total == 0 {
		t.Fatalf("got %d events of township %d, want the new one", len(events), want.TownshipID)
	}
	got := events[0]
	if !got.At.Equal(w.clock.Now()) {
		t.Errorf("got event at %v, want %v", got.At, w.clock.Now())
	}
	if got.Detail == "" {
		t.Errorf("got event %+v without detail, want words for people", got)
	}
	// Every event here is about one enterprise's record, and names that enterprise.
	if got.EnterpriseID == 0 || (got.EntityType == "enterprise" && got.EnterpriseID != got.EntityID) {
		t.Errorf("got event %+v, want it tied to its enterprise", got)
	}
	got.ID, got.At, got.Detail, got.EnterpriseID = 0, time.Time{}, "", 0
	got.ActorUsername, got.ActorName, got.EnterpriseName = "", "", "" // filled on reads, for display
	if got != want {
		t.Errorf("got event %+v, want %+v", got, want)
	}
}

// events counts the audit events f selects.
func (w *world) events(t *testing.T, f domain.AuditFilter) int {
	t.Helper()
	f.Page = domain.Page{Limit: 1}
	_, total, err := w.stores.Audit.List(w.ctx, f)
	must(t, err)
	return total
}

// planEvents counts the events of plans (plan.*) in a township: the world's setup (accounts,
// enterprises) leaves events of its own.
func (w *world) planEvents(t *testing.T, townshipID int64) int {
	t.Helper()
	return w.events(t, domain.AuditFilter{TownshipID: townshipID, ActionFamily: "plan"})
}

// event is the audit event actor's action on an entity writes.
func event(actor domain.User, action, entityType string, entityID int64) domain.AuditEvent {
	return domain.AuditEvent{
		TownshipID: actor.TownshipID, ActorID: actor.ID, ActorRole: actor.Role, Action: action,
		EntityType: entityType, EntityID: entityID,
	}
}

// wantStatusConflict fails the test unless err is an ErrConflict naming the current status.
func wantStatusConflict(t *testing.T, err error, status string) {
	t.Helper()
	wantErr(t, err, domain.ErrConflict, "status")
	var de *domain.Error
	if !errors.As(err, &de) || de.Fields[0].Message != status {
		t.Fatalf("got %v, want the current status %s in field status", err, status)
	}
}

// unchanged fails the test if anything of plan id, its enterprise or the audit trail changed
// while fn ran.
func (w *world) unchanged(t *testing.T, id int64, fn func()) {
	t.Helper()
	p := w.plan(t, id)
	e := w.enterpriseNow(t, p.EnterpriseID)
	plans, audit := w.planCount(t), w.audit(t)
	fn()
	if got := w.plan(t, id); !samePlan(got, p) {
		t.Errorf("got plan %+v, want it unchanged: %+v", got, p)
	}
	if got := w.enterpriseNow(t, p.EnterpriseID); got.Status != e.Status || got.ReopenedOn != e.ReopenedOn {
		t.Errorf("got enterprise %s reopened %v, want %s reopened %v", got.Status, got.ReopenedOn, e.Status, e.ReopenedOn)
	}
	if got := w.planCount(t); got != plans {
		t.Errorf("got %d plans, want %d", got, plans)
	}
	if got := w.audit(t); got != audit {
		t.Errorf("got %d audit events, want %d", got, audit)
	}
}

// TestPlanServiceWorkflow walks the "done when": HR drafts, fills and submits a plan;
// the supervisor rejects it with a comment; HR revises and resubmits; the supervisor approves
// and confirms the reopening; both versions are listed with their reviews.
func TestPlanServiceWorkflow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, hr, sup := w.ctx, w.hr.Actor(), w.sup.Actor()
		day := w.today()
		if day != startDay {
			t.Fatalf("got today %v, want %v", day, startDay)
		}
		var v1, v2 domain.Plan

		t.Run("CreateDraft", func(t *testing.T) {
			before := w.audit(t)
			var err error
			v1, err = w.plans.Create(ctx, hr, w.ent.ID, domain.PlanContent{ExpectedWorkers: 120, LeadName: "\u3000王强 ", LeadPhone: "+86 138-0000-0000"})
			must(t, err)
			if v1.ID == 0 || v1.Version != 1 || v1.Status != domain.PlanDraft || v1.EnterpriseID != w.ent.ID || v1.TownshipID != w.tw.ID {
				t.Errorf("got %+v, want draft v1 of enterprise %d in township %d", v1, w.ent.ID, w.tw.ID)
			}
			if v1.CreatedBy != w.hr.ID || v1.SubmittedAt != nil || v1.EnterpriseName != w.ent.Name || v1.Reviews == nil || len(v1.Reviews) != 0 {
				t.Errorf("got %+v, want created by %d, not submitted, named, no reviews", v1, w.hr.ID)
			}
			if v1.LeadName != "王强" || v1.LeadPhone != "13800000000" {
				t.Errorf("got lead %q %q, want cleaned 王强 13800000000", v1.LeadName, v1.LeadPhone)
			}
			w.wantAudit(t, before, event(w.hr, "plan.create", "plan", v1.ID))
		})
		t.Run("CreateErrConflictDraftExists", func(t *testing.T) {
			w.unchanged(t, v1.ID, func() {
				_, err := w.plans.Create(ctx, hr, w.ent.ID, planContent(day))
				wantStatusConflict(t, err, "draft")
			})
		})
		incomplete := domain.PlanContent{
			ExpectedWorkers: 120, LeadName: "王强", LeadPhone: "13800000000", IsolationRoom: "东厂区一楼 2 间",
			Batches: []domain.Batch{{Date: day.AddDays(7), Workers: 60}},
		}
		t.Run("SaveIncomplete", func(t *testing.T) {
			before := w.audit(t)
			got, err := w.plans.Update(ctx, hr, v1.ID, incomplete)
			must(t, err)
			if got.IsolationRoom != incomplete.IsolationRoom || !slices.EqualFunc(got.Batches, incomplete.Batches, domain.Batch.Equal) || got.Status != domain.PlanDraft {
				t.Errorf("got %+v, want the incomplete content saved as a draft", got)
			}
			if after := w.audit(t); after != before {
				t.Errorf("got %d audit events, want %d: saving a draft is not a transition", after, before)
			}
		})
		t.Run("SubmitErrInvalid", func(t *testing.T) {
			w.unchanged(t, v1.ID, func() {
				_, err := w.plans.Submit(ctx, hr, v1.ID)
				wantErr(t, err, domain.ErrInvalid,
					"planned_reopen_date", "canteen", "dormitory", "disinfection", "emergency_plan", "shift_size",
					"supplies.masks", "supplies.disinfectant_liters", "supplies.gloves", "supplies.thermometers", "batches", "pledge")
			})
			if got := w.enterpriseNow(t, w.ent.ID).Status; got != domain.StatusNotApplied {
				t.Errorf("got enterprise %s, want not_applied", got)
			}
			if got := w.plan(t, v1.ID); got.Status != domain.PlanDraft || got.SubmittedAt != nil {
				t.Errorf("got %s submitted %v, want a draft not submitted", got.Status, got.SubmittedAt)
			}
		})
		t.Run("SubmitErrInvalidBatchesDoNotAddUp", func(t *testing.T) {
			c := planContent(day)
			c.Batches[1].Workers = 59
			_, err := w.plans.Update(ctx, hr, v1.ID, c)
			must(t, err)
			w.unchanged(t, v1.ID, func() {
				_, err := w.plans.Submit(ctx, hr, v1.ID)
				wantErr(t, err, domain.ErrInvalid, "batches")
			})
		})
		t.Run("Complete", func(t *testing.T) {
			got, err := w.plans.Update(ctx, hr, v1.ID, planContent(day))
			must(t, err)
			if !equalContent(got.PlanContent, planContent(day)) {
				t.Errorf("got %+v, want %+v", got.PlanContent, planContent(day))
			}
		})
		t.Run("Submit", func(t *testing.T) {
			w.clock.Advance(10 * time.Minute)
			before := w.audit(t)
			got, err := w.plans.Submit(ctx, hr, v1.ID)
			must(t, err)
			if got.Status != domain.PlanSubmitted || got.SubmittedAt == nil || !got.SubmittedAt.Equal(w.clock.Now()) {
				t.Errorf("got %s submitted %v, want submitted at %v", got.Status, got.SubmittedAt, w.clock.Now())
			}
			if got := w.enterpriseNow(t, w.ent.ID).Status; got != domain.StatusApplied {
				t.Errorf("got enterprise %s, want applied", got)
			}
			w.wantAudit(t, before, event(w.hr, "plan.submit", "plan", v1.ID))
		})
		t.Run("RejectErrInvalidNoComment", func(t *testing.T) {
			w.unchanged(t, v1.ID, func() {
				_, err := w.plans.Reject(ctx, sup, v1.ID, " \u3000")
				wantErr(t, err, domain.ErrInvalid, "comment")
			})
		})
		t.Run("Reject", func(t *testing.T) {
			w.clock.Advance(time.Hour)
			before := w.audit(t)
			got, err := w.plans.Reject(ctx, sup, v1.ID, " 口罩储备请按 3 天以上核实 ")
			must(t, err)
			if got.Status != domain.PlanRejected {
				t.Errorf("got %s, want rejected", got.Status)
			}
			want := []domain.Review{{ReviewerID: w.sup.ID, ReviewerName: w.sup.Name, Decision: domain.PlanRejected, Comment: "口罩储备请按 3 天以上核实", At: w.clock.Now()}}
			if !equalReviews(got.Reviews, want) {
				t.Errorf("got reviews %+v, want %+v", got.Reviews, want)
			}
			if got := w.enterpriseNow(t, w.ent.ID).Status; got != domain.StatusApplied {
				t.Errorf("got enterprise %s, want still applied", got)
			}
			w.wantAudit(t, before, event(w.sup, "plan.rejected", "plan", v1.ID))
		})
		t.Run("CreateVersion2", func(t *testing.T) {
			w.clock.Advance(time.Hour)
			before := w.audit(t)
			var err error
			v2, err = w.plans.Create(ctx, hr, w.ent.ID, planContent(day))
			must(t, err)
			if v2.Version != 2 || v2.Status != domain.PlanDraft || len(v2.Reviews) != 0 {
				t.Errorf("got v%d %s with %d reviews, want a fresh draft v2", v2.Version, v2.Status, len(v2.Reviews))
			}
			w.wantAudit(t, before, event(w.hr, "plan.create", "plan", v2.ID))
			w.unchanged(t, v2.ID, func() {
				_, err := w.plans.Create(ctx, hr, w.ent.ID, planContent(day))
				wantStatusConflict(t, err, "draft")
			})
		})
		t.Run("SubmitVersion2", func(t *testing.T) {
			before := w.audit(t)
			got, err := w.plans.Submit(ctx, hr, v2.ID)
			must(t, err)
			if got.Status != domain.PlanSubmitted {
				t.Errorf("got %s, want submitted", got.Status)
			}
			w.wantAudit(t, before, event(w.hr, "plan.submit", "plan", v2.ID))
			w.unchanged(t, v2.ID, func() {
				_, err := w.plans.Create(ctx, hr, w.ent.ID, planContent(day))
				wantStatusConflict(t, err, "submitted")
			})
		})
		// 16:30 UTC is already the 11th in the township: the approval day is the 11th.
		approvedAt := time.Date(2020, 2, 10, 16, 30, 0, 0, time.UTC)
		t.Run("Approve", func(t *testing.T) {
			w.clock.Set(approvedAt)
			before := w.audit(t)
			got, err := w.plans.Approve(ctx, sup, v2.ID, "")
			must(t, err)
			if got.Status != domain.PlanApproved {
				t.Errorf("got %s, want approved", got.Status)
			}
			want := []domain.Review{{ReviewerID: w.sup.ID, ReviewerName: w.sup.Name, Decision: domain.PlanApproved, At: approvedAt}}
			if !equalReviews(got.Reviews, want) {
				t.Errorf("got reviews %+v, want %+v", got.Reviews, want)
			}
			if got := w.enterpriseNow(t, w.ent.ID); got.Status != domain.StatusApproved || !got.ReopenedOn.IsZero() {
				t.Errorf("got enterprise %s reopened %v, want approved, not reopened", got.Status, got.ReopenedOn)
			}
			w.wantAudit(t, before, event(w.sup, "plan.approved", "plan", v2.ID))
		})
		w.clock.Set(approvedAt.Add(24 * time.Hour)) // the 12th in the township
		for _, tt := range []struct {
			name string
			on   domain.Date
		}{
			{name: "ErrInvalidNoDate"},
			{name: "ErrInvalidFuture", on: domain.NewDate(2020, 2, 13)},
			{name: "ErrInvalidBeforeApprovalDay", on: domain.NewDate(2020, 2, 10)},
		} {
			t.Run("ConfirmReopening"+tt.name, func(t *testing.T) {
				w.unchanged(t, v2.ID, func() {
					_, err := w.plans.ConfirmReopening(ctx, sup, w.ent.ID, tt.on, "")
					wantErr(t, err, domain.ErrInvalid, "date")
				})
			})
		}
		t.Run("ConfirmReopening", func(t *testing.T) {
			before := w.audit(t)
			// The 12th is before the first batch (the 17th): the gate wants a reason.
			got, err := w.plans.ConfirmReopening(ctx, sup, w.ent.ID, domain.NewDate(2020, 2, 12), "订单急需,首批人员已提前到岗")
			must(t, err)
			if got.Status != domain.StatusReopened || got.ReopenedOn != domain.NewDate(2020, 2, 12) {
				t.Errorf("got %s reopened %v, want reopened on 2020-02-12", got.Status, got.ReopenedOn)
			}
			if stored := w.enterpriseNow(t, w.ent.ID); stored.Status != domain.StatusReopened || stored.ReopenedOn != got.ReopenedOn {
				t.Errorf("got stored %s reopened %v, want reopened on %v", stored.Status, stored.ReopenedOn, got.ReopenedOn)
			}
			w.wantAudit(t, before, event(w.sup, "enterprise.reopen", "enterprise", w.ent.ID))
		})
		t.Run("ConfirmReopeningErrConflictTwice", func(t *testing.T) {
			w.unchanged(t, v2.ID, func() {
				_, err := w.plans.ConfirmReopening(ctx, sup, w.ent.ID, domain.NewDate(2020, 2, 12), "")
				wantStatusConflict(t, err, "reopened")
			})
		})
		t.Run("BothVersionsListed", func(t *testing.T) {
			for _, a := range []domain.User{w.hr, w.sup, w.admin} {
				got, total, err := w.plans.ListForEnterprise(ctx, a.Actor(), w.ent.ID, domain.Page{})
				must(t, err)
				if g := ids(got, planID); !slices.Equal(g, []int64{v2.ID, v1.ID}) || total != 2 {
					t.Fatalf("%s: got %v of %d, want [%d %d] of 2", a.Username, g, total, v2.ID, v1.ID)
				}
				if len(got[0].Reviews) != 1 || got[0].Reviews[0].Decision != domain.PlanApproved ||
					len(got[1].Reviews) != 1 || got[1].Reviews[0].Decision != domain.PlanRejected || got[1].Reviews[0].Comment == "" {
					t.Errorf("%s: got reviews %+v and %+v, want v2 approved and v1 rejected with its comment", a.Username, got[0].Reviews, got[1].Reviews)
				}
			}
		})
		t.Run("AuditTrail", func(t *testing.T) {
			events, total, err := w.stores.Audit.List(ctx, domain.AuditFilter{EntityType: "plan", EntityID: v1.ID, Page: domain.Page{Limit: 10}})
			must(t, err)
			got := make([]string, 0, len(events))
			for _, e := range events {
				got = append(got, e.Action)
			}
			if want := []string{"plan.rejected", "plan.submit", "plan.create"}; !slices.Equal(got, want) || total != 3 {
				t.Errorf("got %v of %d, want %v newest first", got, total, want)
			}
			if n := w.planEvents(t, w.tw.ID) + w.events(t, domain.AuditFilter{TownshipID: w.tw.ID, Action: "enterprise.reopen"}); n != 7 {
				t.Errorf("got %d events of plans in the township, want 7: two creates, two submits, a rejection, an approval, a reopening", n)
			}
			if n := w.planEvents(t, w.twB.ID); n != 0 {
				t.Errorf("got %d events of plans in township B, want 0", n)
			}
		})
	})
}

func equalContent(a, b domain.PlanContent) bool { return reflect.DeepEqual(a, b) }

func equalReviews(got, want []domain.Review) bool {
	return slices.EqualFunc(got, want, func(g, w domain.Review) bool {
		ok := g.At.Equal(w.At)
		g.At, w.At = time.Time{}, time.Time{}
		return ok && g == w
	})
}

// TestPlanServiceWrongState tries every transition from a state it does not start from: each
// is a 409 naming the current status, and changes nothing.
func TestPlanServiceWrongState(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, hr, sup := w.ctx, w.hr.Actor(), w.sup.Actor()
		rejected := w.submitted(t, w.hr)
		_, err := w.plans.Reject(ctx, sup, rejected.ID, "请补充应急预案")
		must(t, err)
		approved := w.submitted(t, w.hr)
		_, err = w.plans.Approve(ctx, sup, approved.ID, "同意")
		must(t, err)
		submitted := w.submitted(t, w.hr3)
		draft := w.draft(t, w.hr2)
		hr3, sup2 := w.hr3.Actor(), w.sup2.Actor()

		tests := []struct {
			name   string
			plan   domain.Plan
			status string
			do     func(id int64) error
		}{
			{name: "SubmitSubmitted", plan: submitted, status: "submitted", do: func(id int64) error { _, err := w.plans.Submit(ctx, hr3, id); return err }},
			{name: "SubmitApproved", plan: approved, status: "approved", do: func(id int64) error { _, err := w.plans.Submit(ctx, hr, id); return err }},
			{name: "SubmitRejected", plan: rejected, status: "rejected", do: func(id int64) error { _, err := w.plans.Submit(ctx, hr, id); return err }},
			{name: "UpdateSubmitted", plan: submitted, status: "submitted", do: func(id int64) error {
				_, err := w.plans.Update(ctx, hr3, id, domain.PlanContent{LeadName: "改过"})
				return err
			}},
			{name: "UpdateApproved", plan: approved, status: "approved", do: func(id int64) error {
				_, err := w.plans.Update(ctx, hr, id, domain.PlanContent{LeadName: "改过"})
				return err
			}},
			{name: "UpdateRejected", plan: rejected, status: "rejected", do: func(id int64) error {
				_, err := w.plans.Update(ctx, hr, id, domain.PlanContent{LeadName: "改过"})
				return err
			}},
			{name: "ApproveDraft", plan: draft, status: "draft", do: func(id int64) error { _, err := w.plans.Approve(ctx, sup2, id, ""); return err }},
			{name: "ApproveTwice", plan: approved, status: "approved", do: func(id int64) error { _, err := w.plans.Approve(ctx, sup, id, "再批一次"); return err }},
			{name: "ApproveRejected", plan: rejected, status: "rejected", do: func(id int64) error { _, err := w.plans.Approve(ctx, sup, id, ""); return err }},
			{name: "RejectDraft", plan: draft, status: "draft", do: func(id int64) error { _, err := w.plans.Reject(ctx, sup2, id, "不行"); return err }},
			{name: "RejectApproved", plan: approved, status: "approved", do: func(id int64) error { _, err := w.plans.Reject(ctx, sup, id, "撤回批准"); return err }},
			{name: "RejectTwice", plan: rejected, status: "rejected", do: func(id int64) error { _, err := w.plans.Reject(ctx, sup, id, "再退一次"); return err }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w.unchanged(t, tt.plan.ID, func() {
					wantStatusConflict(t, tt.do(tt.plan.ID), tt.status)
				})
			})
		}
		t.Run("ConfirmReopeningNotApproved", func(t *testing.T) {
			for _, c := range []struct {
				plan   domain.Plan
				actor  domain.Actor
				status string
			}{
				{plan: submitted, actor: sup, status: "applied"},
				{plan: draft, actor: sup2, status: "not_applied"},
			} {
				w.unchanged(t, c.plan.ID, func() {
					_, err := w.plans.ConfirmReopening(ctx, c.actor, c.plan.EnterpriseID, w.today(), "")
					wantStatusConflict(t, err, c.status)
				})
			}
		})
		t.Run("AuditUntouched", func(t *testing.T) {
			// 4 creates, 3 submits, a rejection and an approval; the refusals wrote nothing.
			if got := w.planEvents(t, w.tw.ID); got != 9 {
				t.Errorf("got %d audit events of plans, want 9", got)
			}
		})
	})
}

// TestPlanServiceRoles tries each workflow step as every role that may not take it.
func TestPlanServiceRoles(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		p := w.submitted(t, w.hr) // ent, supervised by sup
		d := w.draft(t, w.hr2)    // ent2, supervised by sup2
		plans, audit := w.planCount(t), w.audit(t)
		missing := int64(4242)

		decide := []struct {
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
			{name: "HROfOtherEnterprise", actor: w.hr2.Actor(), kind: domain.ErrNotFound},
			{name: "Worker", actor: w.worker, kind: domain.ErrNotFound},
		}
		for _, tt := range decide {
			t.Run("Approve/"+tt.name, func(t *testing.T) {
				_, err := w.plans.Approve(ctx, tt.actor, p.ID, "同意")
				wantErr(t, err, tt.kind)
			})
			t.Run("Reject/"+tt.name, func(t *testing.T) {
				_, err := w.plans.Reject(ctx, tt.actor, p.ID, "退回")
				wantErr(t, err, tt.kind)
			})
		}
		t.Run("Approve/ErrNotFoundMissing", func(t *testing.T) {
			_, err := w.plans.Approve(ctx, w.sup.Actor(), missing, "")
			wantErr(t, err, domain.ErrNotFound)
		})

		get := []struct {
			name  string
			actor domain.Actor
			ok    bool
		}{
			{name: "HR", actor: w.hr.Actor(), ok: true},
			{name: "Supervisor", actor: w.sup.Actor(), ok: true},
			{name: "TownAdmin", actor: w.admin.Actor(), ok: true},
			{name: "UnassignedSupervisor", actor: w.sup2.Actor()},
			{name: "TownAdminOfOtherTownship", actor: w.adminB.Actor()},
			{name: "SupervisorOfOtherTownship", actor: w.supB.Actor()},
			{name: "HROfOtherEnterprise", actor: w.hr2.Actor()},
			{name: "HROfOtherTownship", actor: w.hrB.Actor()},
			{name: "Worker", actor: w.worker},
		}
		for _, tt := range get {
			t.Run("Get/"+tt.name, func(t *testing.T) {
				got, err := w.plans.Get(ctx, tt.actor, p.ID)
				if !tt.ok {
					wantErr(t, err, domain.ErrNotFound)
					return
				}
				must(t, err)
				if got.ID != p.ID {
					t.Errorf("got %d, want %d", got.ID, p.ID)
				}
			})
			t.Run("ListForEnterprise/"+tt.name, func(t *testing.T) {
				got, total, err := w.plans.ListForEnterprise(ctx, tt.actor, w.ent.ID, domain.Page{})
				if !tt.ok {
					wantErr(t, err, domain.ErrNotFound)
					return
				}
				must(t, err)
				if g := ids(got, planID); !slices.Equal(g, []int64{p.ID}) || total != 1 {
					t.Errorf("got %v of %d, want [%d] of 1", g, total, p.ID)
				}
			})
		}
		t.Run("Get/ErrNotFoundMissing", func(t *testing.T) {
			_, err := w.plans.Get(ctx, w.admin.Actor(), missing)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ListForEnterprise/ErrNotFoundMissing", func(t *testing.T) {
			_, _, err := w.plans.ListForEnterprise(ctx, w.admin.Actor(), missing, domain.Page{})
			wantErr(t, err, domain.ErrNotFound)
		})
		// The platform admin reads no township's plans: refused as a role, the same for a plan
		// that exists and one that does not.
		for name, id := range map[string]int64{"Existing": p.ID, "Missing": missing} {
			t.Run("Get/ErrForbiddenPlatformAdmin"+name, func(t *testing.T) {
				_, err := w.plans.Get(ctx, w.platform, id)
				wantErr(t, err, domain.ErrForbidden)
			})
		}
		for name, id := range map[string]int64{"Existing": w.ent.ID, "Missing": missing} {
			t.Run("ListForEnterprise/ErrForbiddenPlatformAdmin"+name, func(t *testing.T) {
				_, _, err := w.plans.ListForEnterprise(ctx, w.platform, id, domain.Page{})
				wantErr(t, err, domain.ErrForbidden)
			})
		}

		write := []struct {
			name string
			do   func() error
			kind error
		}{
			{name: "Create/Supervisor", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.Create(ctx, w.sup.Actor(), w.ent3.ID, domain.PlanContent{}) // sup supervises ent3
				return err
			}},
			{name: "Create/TownAdmin", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.Create(ctx, w.admin.Actor(), w.ent3.ID, domain.PlanContent{})
				return err
			}},
			{name: "Create/HROfOtherEnterprise", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Create(ctx, w.hr.Actor(), w.ent3.ID, domain.PlanContent{})
				return err
			}},
			{name: "Create/TownAdminOfOtherTownship", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Create(ctx, w.adminB.Actor(), w.ent3.ID, domain.PlanContent{})
				return err
			}},
			{name: "Create/Worker", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Create(ctx, w.worker, w.ent.ID, domain.PlanContent{})
				return err
			}},
			{name: "Create/MissingEnterprise", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Create(ctx, w.hr.Actor(), missing, domain.PlanContent{})
				return err
			}},
			{name: "Update/HROfOtherEnterprise", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Update(ctx, w.hr.Actor(), d.ID, domain.PlanContent{LeadName: "越权"})
				return err
			}},
			{name: "Update/TownAdmin", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.Update(ctx, w.admin.Actor(), d.ID, domain.PlanContent{LeadName: "越权"})
				return err
			}},
			{name: "Update/Supervisor", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.Update(ctx, w.sup2.Actor(), d.ID, domain.PlanContent{LeadName: "越权"})
				return err
			}},
			{name: "Submit/HROfOtherEnterprise", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Submit(ctx, w.hr.Actor(), d.ID)
				return err
			}},
			{name: "Submit/HROfOtherTownship", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Submit(ctx, w.hrB.Actor(), d.ID)
				return err
			}},
			{name: "Submit/Supervisor", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.Submit(ctx, w.sup2.Actor(), d.ID)
				return err
			}},
			{name: "Submit/Missing", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.Submit(ctx, w.hr.Actor(), missing)
				return err
			}},
			{name: "ConfirmReopening/TownAdmin", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.ConfirmReopening(ctx, w.admin.Actor(), w.ent.ID, w.today(), "")
				return err
			}},
			{name: "ConfirmReopening/HR", kind: domain.ErrForbidden, do: func() error {
				_, err := w.plans.ConfirmReopening(ctx, w.hr.Actor(), w.ent.ID, w.today(), "")
				return err
			}},
			{name: "ConfirmReopening/UnassignedSupervisor", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.ConfirmReopening(ctx, w.sup2.Actor(), w.ent.ID, w.today(), "")
				return err
			}},
			{name: "ConfirmReopening/SupervisorOfOtherTownship", kind: domain.ErrNotFound, do: func() error {
				_, err := w.plans.ConfirmReopening(ctx, w.supB.Actor(), w.ent.ID, w.today(), "")
				return err
			}},
		}
		for _, tt := range write {
			t.Run(tt.name, func(t *testing.T) {
				wantErr(t, tt.do(), tt.kind)
			})
		}

		t.Run("NothingChanged", func(t *testing.T) {
			if got := w.plan(t, p.ID); got.Status != domain.PlanSubmitted || len(got.Reviews) != 0 {
				t.Errorf("got %s with %d reviews, want submitted with none", got.Status, len(got.Reviews))
			}
			if got := w.plan(t, d.ID); got.Status != domain.PlanDraft || got.LeadName != "王强" {
				t.Errorf("got %s by %s, want the draft untouched", got.Status, got.LeadName)
			}
			if got := w.enterpriseNow(t, w.ent.ID).Status; got != domain.StatusApplied {
				t.Errorf("got enterprise %s, want applied", got)
			}
			if got := w.planCount(t); got != plans {
				t.Errorf("got %d plans, want %d", got, plans)
			}
			if got := w.audit(t); got != audit {
				t.Errorf("got %d audit events, want %d", got, audit)
			}
		})
	})
}

func TestPlanServiceQueue(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		// Submitted in this order, a minute apart: ent3, entB, ent2, ent; ent2 then gets a
		// draft v2 after a rejection, and ent is approved.
		p3 := w.submitted(t, w.hr3)
		w.clock.Advance(time.Minute)
		pB := w.submitted(t, w.hrB)
		w.clock.Advance(time.Minute)
		p2 := w.submitted(t, w.hr2)
		w.clock.Advance(time.Minute)
		p1 := w.submitted(t, w.hr)
		w.clock.Advance(time.Minute)
		_, err := w.plans.Reject(ctx, w.sup2.Actor(), p2.ID, "请补充宿舍安排")
		must(t, err)
		p2v2 := w.draft(t, w.hr2)
		_, err = w.plans.Approve(ctx, w.sup.Actor(), p1.ID, "")
		must(t, err)

		submitted := []domain.PlanStatus{domain.PlanSubmitted}
		tests := []struct {
			name     string
			actor    domain.Actor
			statuses []domain.PlanStatus
			want     []int64
		}{
			{name: "Supervisor", actor: w.sup.Actor(), statuses: submitted, want: []int64{p3.ID}},
			{name: "SupervisorAll", actor: w.sup.Actor(), want: []int64{p3.ID, p1.ID}},
			{name: "SecondSupervisor", actor: w.sup2.Actor(), statuses: submitted, want: []int64{p3.ID}},
			{name: "SecondSupervisorAll", actor: w.sup2.Actor(), want: []int64{p3.ID, p2.ID, p2v2.ID}},
			{name: "SupervisorOfOtherTownship", actor: w.supB.Actor(), statuses: submitted, want: []int64{pB.ID}},
			{name: "TownAdmin", actor: w.admin.Actor(), statuses: submitted, want: []int64{p3.ID}},
			{name: "TownAdminDecided", actor: w.admin.Actor(), statuses: []domain.PlanStatus{domain.PlanApproved, domain.PlanRejected}, want: []int64{p2.ID, p1.ID}},
			{name: "TownAdminAll", actor: w.admin.Actor(), want: []int64{p3.ID, p2.ID, p1.ID, p2v2.ID}},
			{name: "TownAdminOfOtherTownship", actor: w.adminB.Actor(), want: []int64{pB.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := w.plans.Queue(ctx, tt.actor, tt.statuses, domain.Page{})
				must(t, err)
				if g := ids(got, planID); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
				if total != len(tt.want) {
					t.Errorf("got total %d, want %d", total, len(tt.want))
				}
			})
		}
		for _, a := range []domain.Actor{w.hr.Actor(), w.worker, w.platform} {
			t.Run("ErrForbidden/"+string(a.Role), func(t *testing.T) {
				_, _, err := w.plans.Queue(ctx, a, submitted, domain.Page{})
				wantErr(t, err, domain.ErrForbidden)
			})
		}
		t.Run("Page", func(t *testing.T) {
			got, total, err := w.plans.Queue(ctx, w.admin.Actor(), nil, domain.Page{Limit: 2, Offset: 1})
			must(t, err)
			if g, want := ids(got, planID), []int64{p2.ID, p1.ID}; !slices.Equal(g, want) || total != 4 {
				t.Errorf("got %v of %d, want %v of 4", g, total, want)
			}
		})
	})
}

// TestPlanServiceConcurrent runs the same step many times at once, as double clicks and two
// supervisors on one plan do: exactly one succeeds, the others get 409, and exactly one
// review and one audit event are written.
func TestPlanServiceConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		const n = 8
		race := func(t *testing.T, do func() error) {
			t.Helper()
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = do()
				}()
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, domain.ErrConflict):
					wantErr(t, err, domain.ErrConflict, "status")
				default:
					t.Errorf("got error %v, want nil or ErrConflict", err)
				}
			}
			if won != 1 {
				t.Errorf("got %d successes, want 1", won)
			}
		}
		t.Run("Create", func(t *testing.T) {
			plans, audit := w.planCount(t), w.audit(t)
			race(t, func() error {
				_, err := w.plans.Create(w.ctx, w.hr.Actor(), w.ent.ID, planContent(w.today()))
				return err
			})
			if got := w.planCount(t); got != plans+1 {
				t.Errorf("got %d plans, want %d", got, plans+1)
			}
			if got := w.audit(t); got != audit+1 {
				t.Errorf("got %d audit events, want %d", got, audit+1)
			}
		})
		t.Run("Approve", func(t *testing.T) {
			p := w.submitted(t, w.hr3) // ent3 has two supervisors
			audit := w.audit(t)
			var i atomic.Int64
			race(t, func() error {
				sup := []domain.User{w.sup, w.sup2}[i.Add(1)%2]
				_, err := w.plans.Approve(w.ctx, sup.Actor(), p.ID, "同意")
				return err
			})
			if got := w.plan(t, p.ID); got.Status != domain.PlanApproved || len(got.Reviews) != 1 {
				t.Errorf("got %s with %d reviews, want approved with 1", got.Status, len(got.Reviews))
			}
			if got := w.audit(t); got != audit+1 {
				t.Errorf("got %d audit events, want %d", got, audit+1)
			}
		})
	})
}

// TestPlanServiceCreateInvalid checks that a draft's forms are checked, after the role, with
// its texts cleaned first, and that nothing is written.
func TestPlanServiceCreateInvalid(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		hr := w.hr.Actor()
		_, err := w.plans.Create(w.ctx, hr, w.ent.ID, domain.PlanContent{ExpectedWorkers: -1, LeadPhone: "123"})
		wantErr(t, err, domain.ErrInvalid, "expected_workers", "lead_phone")
		_, err = w.plans.Create(w.ctx, hr, w.ent.ID, domain.PlanContent{LeadName: "\u3000" + strings.Repeat("王", 33) + " "})
		wantErr(t, err, domain.ErrInvalid, "lead_name")
		_, err = w.plans.Create(w.ctx, w.sup.Actor(), w.ent.ID, domain.PlanContent{ExpectedWorkers: -1})
		if !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("a supervisor with an invalid draft: got %v, want ErrForbidden before any field check", err)
		}
		if n := w.planCount(t); n != 0 {
			t.Errorf("got %d plans, want none written", n)
		}
	})
}
