package repo_test

import (
	"slices"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// batchesOf reads an enterprise's return batches from the store.
func (w *world) batchesOf(t *testing.T, enterpriseID int64) []domain.ReturnBatch {
	t.Helper()
	bs, err := w.stores.Batches.ForEnterprise(w.ctx, enterpriseID)
	must(t, err)
	return bs
}

// batchDays are the dates of batches, in order.
func batchDays(bs []domain.ReturnBatch) []domain.Date {
	out := make([]domain.Date, 0, len(bs))
	for _, b := range bs {
		out = append(out, b.Date)
	}
	return out
}

// TestPlanServiceAmendment walks an amendment of an approved plan (修改方案) of a reopened
// enterprise: HR copies the plan in force, adds a batch and submits; the supervisor rejects it,
// which leaves the version in force and its batches; HR copies again, drops a batch and keeps a
// past one, the supervisor approves, and the batches follow, their workers with them. The
// enterprise stays reopened throughout, and its status history has no new step.
func TestPlanServiceAmendment(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx, hr, sup := w.ctx, w.hr.Actor(), w.sup.Actor()
		d0 := w.today()
		day := func(n int) domain.Date { return d0.AddDays(n) }
		v1 := w.submitted(t, w.hr)
		_, err := w.plans.Approve(ctx, sup, v1.ID, "同意")
		must(t, err)
		w.setDay(day(12))
		_, err = w.plans.ConfirmReopening(ctx, sup, w.ent.ID, day(12), "")
		must(t, err)
		first := w.batchesOf(t, w.ent.ID)
		if want := []domain.Date{day(7), day(10)}; len(first) != 2 || !slices.Equal(batchDays(first), want) {
			t.Fatalf("got batches %+v, want two on %v", first, want)
		}
		inFirst, inSecond := w.back(t, w.hr, 1), w.back(t, w.hr, 2)
		for _, a := range []struct {
			wk domain.Worker
			b  domain.ReturnBatch
		}{{inFirst, first[0]}, {inSecond, first[1]}} {
			_, err := w.stores.Workers.Assign(ctx, w.ent.ID, []int64{a.wk.ID}, &a.b.ID, nil)
			must(t, err)
		}
		history := w.steps(t, w.ent.ID)
		wantReopened := func(t *testing.T) {
			t.Helper()
			if e := w.enterpriseNow(t, w.ent.ID); e.Status != domain.StatusReopened || e.ReopenedOn != day(12) {
				t.Errorf("got enterprise %s reopened %v, want reopened on %v still", e.Status, e.ReopenedOn, day(12))
			}
			w.wantSteps(t, w.ent.ID, history)
		}

		var v2, v3 domain.Plan
		t.Run("Copy", func(t *testing.T) {
			before := w.audit(t)
			v2, err = w.plans.Copy(ctx, hr, v1.ID)
			must(t, err)
			if v2.Version != 2 || v2.Status != domain.PlanDraft || v2.InForce {
				t.Errorf("got v%d %s in force %v, want draft v2 not in force", v2.Version, v2.Status, v2.InForce)
			}
			want := v1.PlanContent
			want.Pledge = false // made again for each version
			if !equalContent(v2.PlanContent, want) {
				t.Errorf("got content %+v, want v1's %+v without the pledge", v2.PlanContent, want)
			}
			w.wantAudit(t, before, event(w.hr, "plan.create", "plan", v2.ID))
			wantReopened(t)
		})
		t.Run("CopyErrConflictDraftExists", func(t *testing.T) {
			w.unchanged(t, v2.ID, func() {
				_, err := w.plans.Copy(ctx, hr, v1.ID)
				wantErr(t, err, domain.ErrConflict)
				_, err = w.plans.Create(ctx, hr, w.ent.ID, domain.PlanContent{})
				wantStatusConflict(t, err, "draft")
			})
		})
		t.Run("CopyErrForbiddenSupervisor", func(t *testing.T) {
			_, err := w.plans.Copy(ctx, sup, v1.ID)
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("CopyErrNotFoundOtherHR", func(t *testing.T) {
			_, err := w.plans.Copy(ctx, w.hr2.Actor(), v1.ID)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("SubmitKeepsStatus", func(t *testing.T) {
			c := v2.PlanContent
			c.Pledge, c.ExpectedWorkers = true, 150
			c.Supplies.Thermometers = 10
			c.Batches = append(c.Batches, domain.Batch{Date: day(14), Workers: 30, Departments: []string{"包装车间"}})
			_, err := w.plans.Update(ctx, hr, v2.ID, c)
			must(t, err)
			// The version in force's planned reopening day and first batches are past now: kept,
			// they pass.
			got, err := w.plans.Submit(ctx, hr, v2.ID)
			must(t, err)
			if got.Status != domain.PlanSubmitted {
				t.Errorf("got %s, want submitted", got.Status)
			}
			wantReopened(t)
		})
		t.Run("RejectKeepsVersionInForce", func(t *testing.T) {
			_, err := w.plans.Reject(ctx, sup, v2.ID, "第三批日期与检修冲突")
			must(t, err)
			wantReopened(t)
			if got := w.batchesOf(t, w.ent.ID); len(got) != 2 || got[0].ID != first[0].ID || got[1].ID != first[1].ID || got[1].Assigned != 1 {
				t.Errorf("got batches %+v, want v1's two, as they were", got)
			}
			if !w.plan(t, v1.ID).InForce || w.plan(t, v2.ID).InForce {
				t.Errorf("got v1 in force %v, v2 %v; want v1 alone", w.plan(t, v1.ID).InForce, w.plan(t, v2.ID).InForce)
			}
		})
		t.Run("CopyErrConflictNotLatest", func(t *testing.T) {
			_, err := w.plans.Copy(ctx, hr, v1.ID)
			wantErr(t, err, domain.ErrConflict, "version")
		})
		t.Run("SubmitErrInvalidChangedPast", func(t *testing.T) {
			v3, err = w.plans.Copy(ctx, hr, v2.ID)
			must(t, err)
			c := v3.PlanContent
			c.Pledge = true
			c.PlannedReopenDate = day(8)                                                                                         // changed, and past
			c.Batches = []domain.Batch{{Date: day(7), Workers: 100}, {Date: day(10), Workers: 20}, {Date: day(14), Workers: 30}} // the first changed
			_, err = w.plans.Update(ctx, hr, v3.ID, c)
			must(t, err)
			w.unchanged(t, v3.ID, func() {
				_, err := w.plans.Submit(ctx, hr, v3.ID)
				wantErr(t, err, domain.ErrInvalid, "planned_reopen_date", "batches[0].date", "batches[1].date")
			})
		})
		t.Run("ApproveReplacesBatches", func(t *testing.T) {
			c := v1.PlanContent // back to v1's reopening day and first batch; the second dropped
			c.ExpectedWorkers = 60
			c.Batches = c.Batches[:1]
			c.ShiftSize = 20
			_, err := w.plans.Update(ctx, hr, v3.ID, c)
			must(t, err)
			_, err = w.plans.Submit(ctx, hr, v3.ID)
			must(t, err)
			before := w.audit(t)
			got, err := w.plans.Approve(ctx, sup, v3.ID, "同意")
			must(t, err)
			if !got.InForce || w.plan(t, v1.ID).InForce {
				t.Errorf("got v3 in force %v, v1 %v; want v3 alone", got.InForce, w.plan(t, v1.ID).InForce)
			}
			wantReopened(t)
			bs := w.batchesOf(t, w.ent.ID)
			if len(bs) != 1 || bs[0].ID != first[0].ID || bs[0].PlanID != v3.ID || bs[0].Assigned != 1 {
				t.Errorf("got batches %+v, want the first alone, now v3's, with its worker", bs)
			}
			if wk := w.workerNow(t, inSecond.ID); wk.BatchID != 0 {
				t.Errorf("got the second batch's worker in batch %d, want none", wk.BatchID)
			}
			w.wantAudit(t, before, event(w.sup, "plan.approved", "plan", v3.ID))
			if e := w.lastEvent(t, "plan.approved"); !strings.Contains(e.Detail, "返岗批次 2 批→1 批:新增 0 批,取消 1 批,变更 0 批,1 名员工因批次取消不再属于任何批次") {
				t.Errorf("got detail %q, want what became of the batches", e.Detail)
			}
		})
		t.Run("SuspendedErrConflict", func(t *testing.T) {
			_, err := w.enterprises.Suspend(ctx, w.admin.Actor(), w.ent.ID, "食堂未落实分餐", domain.Date{})
			must(t, err)
			plans := w.planCount(t)
			_, err = w.plans.Copy(ctx, hr, v3.ID)
			wantStatusConflict(t, err, "suspended")
			_, err = w.plans.Create(ctx, hr, w.ent.ID, domain.PlanContent{})
			wantStatusConflict(t, err, "suspended")
			if got := w.planCount(t); got != plans {
				t.Errorf("got %d plans, want %d", got, plans)
			}
		})
	})
}

// gatePlan is a small plan whose batches the reopening gate holds people against: one person on
// day d+2, three on d+5.
func gatePlan(d domain.Date) domain.PlanContent {
	c := planContent(d)
	c.PlannedReopenDate, c.ExpectedWorkers, c.ShiftSize = d.AddDays(2), 4, 2
	c.Batches = []domain.Batch{{Date: d.AddDays(2), Workers: 1}, {Date: d.AddDays(5), Workers: 3, Departments: []string{"织造车间"}}}
	return c
}

// TestReopeningGate holds confirmations of reopening against the return batches: before the
// first batch, or with more people on duty than the batches up to the day bring back, the
// supervisor must give a reason (422 naming reason, with the rule and its numbers); with one
// it is kept in the status history and the audit. Within the plan no reason is needed, and an
// enterprise without batches has no gate.
func TestReopeningGate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		d0 := w.today()
		day := func(n int) domain.Date { return d0.AddDays(n) }
		approve := func(hr, sup domain.User) domain.Plan {
			t.Helper()
			p, err := w.plans.Create(ctx, hr.Actor(), hr.EnterpriseID, gatePlan(d0))
			must(t, err)
			_, err = w.plans.Submit(ctx, hr.Actor(), p.ID)
			must(t, err)
			p, err = w.plans.Approve(ctx, sup.Actor(), p.ID, "同意")
			must(t, err)
			return p
		}
		p1 := approve(w.hr, w.sup)
		approve(w.hr2, w.sup2)
		approve(w.hr3, w.sup)
		w.setDay(day(6))
		// On ent's roster: one back on d+1, two on d+3; one in hospital and one not back, who
		// are not on duty; on ent2's, one back on d+1.
		w.addWorker(t, w.hr, workerForm(1, "371681", day(1)))
		w.addWorker(t, w.hr, workerForm(2, "371681", day(3)))
		w.addWorker(t, w.hr, workerForm(3, "371681", day(3)))
		w.setStatus(t, w.hr, w.addWorker(t, w.hr, workerForm(4, "371681", day(1))), domain.WorkerInHospital)
		w.addWorker(t, w.hr, domain.WorkerInput{Name: "未返岗", IDNumber: string(personID(5)), Phone: phoneOf(5), OriginRegion: "371681"})
		w.addWorker(t, w.hr2, workerForm(6, "371681", day(1)))
		sup := w.sup.Actor()

		for _, tt := range []struct {
			name string
			on   domain.Date
			want []string
		}{
			{"BeforeFirstBatch", day(1), []string{"确认复工日期早于首批返岗日期 " + day(2).String(), "在岗 1 人,多于方案截至 " + day(1).String() + " 计划返岗的 0 人"}},
			{"MoreOnDutyThanPlanned", day(3), []string{"在岗 3 人,多于方案截至 " + day(3).String() + " 计划返岗的 1 人"}},
		} {
			t.Run("ErrInvalidNoReason/"+tt.name, func(t *testing.T) {
				w.unchanged(t, p1.ID, func() {
					_, err := w.plans.ConfirmReopening(ctx, sup, w.ent.ID, tt.on, " \u3000")
					wantErr(t, err, domain.ErrInvalid, "reason")
					got := err.(*domain.Error).Fields[0].Message
					if want := strings.Join(tt.want, ";") + "。请填写理由"; got != want {
						t.Errorf("got %q, want %q", got, want)
					}
				})
			})
		}
		t.Run("ErrInvalidReasonTooLong", func(t *testing.T) {
			w.unchanged(t, p1.ID, func() {
				_, err := w.plans.ConfirmReopening(ctx, sup, w.ent.ID, day(3), strings.Repeat("急", domain.MaxReopenReason+1))
				wantErr(t, err, domain.ErrInvalid, "reason")
			})
		})
		t.Run("WithReason", func(t *testing.T) {
			before := w.audit(t)
			got, err := w.plans.ConfirmReopening(ctx, sup, w.ent.ID, day(3), "订单急需,老员工提前返岗")
			must(t, err)
			if got.Status != domain.StatusReopened || got.ReopenedOn != day(3) {
				t.Errorf("got %s reopened %v, want reopened on %v", got.Status, got.ReopenedOn, day(3))
			}
			w.wantAudit(t, before, event(w.sup, "enterprise.reopen", "enterprise", w.ent.ID))
			want := "在岗 3 人,多于方案截至 " + day(3).String() + " 计划返岗的 1 人;理由:订单急需,老员工提前返岗"
			if e := w.lastEvent(t, "enterprise.reopen"); !strings.Contains(e.Detail, want) {
				t.Errorf("got audit detail %q, want it to hold %q", e.Detail, want)
			}
			cs, err := w.stores.Enterprises.StatusHistory(ctx, w.ent.ID)
			must(t, err)
			if last := cs[len(cs)-1]; last.To != domain.StatusReopened || last.Reason != "确认复工:"+want {
				t.Errorf("got last step %+v, want the reopening with reason %q", last, "确认复工:"+want)
			}
		})
		t.Run("WithinPlanNoReason", func(t *testing.T) {
			got, err := w.plans.ConfirmReopening(ctx, w.sup2.Actor(), w.ent2.ID, day(5), "")
			must(t, err)
			if got.Status != domain.StatusReopened {
				t.Errorf("got %s, want reopened", got.Status)
			}
			cs, err := w.stores.Enterprises.StatusHistory(ctx, w.ent2.ID)
			must(t, err)
			if last := cs[len(cs)-1]; last.Reason != "确认复工" {
				t.Errorf("got reason %q, want the plain 确认复工", last.Reason)
			}
		})
		t.Run("NoBatchesNoGate", func(t *testing.T) {
			// A plan approved before there were batches left the enterprise none.
			must(t, w.stores.Batches.Replace(ctx, w.ent3.ID, nil))
			_, err := w.plans.ConfirmReopening(ctx, sup, w.ent3.ID, day(1), "")
			must(t, err)
		})
	})
}

// TestConfirmReopeningAfterAmendment confirms the reopening of an enterprise whose amended plan
// was approved after the day it reopened: the day may go back to its first approval, which an
// amendment does not move.
func TestConfirmReopeningAfterAmendment(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		d0 := w.today()
		v1, err := w.plans.Create(w.ctx, w.hr.Actor(), w.ent.ID, gatePlan(d0))
		must(t, err)
		_, err = w.plans.Submit(w.ctx, w.hr.Actor(), v1.ID)
		must(t, err)
		_, err = w.plans.Approve(w.ctx, w.sup.Actor(), v1.ID, "同意")
		must(t, err)
		w.setDay(d0.AddDays(3))
		c := gatePlan(d0)
		c.ExpectedWorkers = 5
		c.Batches = append(c.Batches, domain.Batch{Date: d0.AddDays(6), Workers: 1})
		w.amended(t, w.hr, w.sup, c, true)
		if e := w.enterpriseNow(t, w.ent.ID); e.Status != domain.StatusApproved {
			t.Fatalf("got %s after the amendment, want approved still", e.Status)
		}
		t.Run("ErrInvalidBeforeFirstApproval", func(t *testing.T) {
			_, err := w.plans.ConfirmReopening(w.ctx, w.sup.Actor(), w.ent.ID, d0.AddDays(-1), "提前")
			wantErr(t, err, domain.ErrInvalid, "date")
		})
		t.Run("OK", func(t *testing.T) {
			got, err := w.plans.ConfirmReopening(w.ctx, w.sup.Actor(), w.ent.ID, d0.AddDays(2), "")
			must(t, err)
			if got.Status != domain.StatusReopened || got.ReopenedOn != d0.AddDays(2) {
				t.Errorf("got %s reopened %v, want reopened on %v", got.Status, got.ReopenedOn, d0.AddDays(2))
			}
		})
	})
}
