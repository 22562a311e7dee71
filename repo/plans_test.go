package repo_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// startDay is the township's day at start: 09:30 on 2020-02-10 in Asia/Shanghai.
var startDay = domain.NewDate(2020, 2, 10)

// planContent is the plan of API.md, dated a week after day: 120 workers in two batches, with
// supplies for more than three days.
func planContent(day domain.Date) domain.PlanContent {
	return domain.PlanContent{
		PlannedReopenDate: day.AddDays(7),
		ExpectedWorkers:   120,
		LeadName:          "王强", LeadPhone: "13800000000",
		Supplies:      domain.Supplies{Masks: 2000, Thermometers: 10, DisinfectantLiters: 200, Gloves: 500, Goggles: 20},
		IsolationRoom: "东厂区一楼 2 间",
		Batches:       []domain.Batch{{Date: day.AddDays(7), Workers: 60}, {Date: day.AddDays(10), Workers: 60}},
		ShiftSize:     20,
		Canteen:       "错峰分餐", Dormitory: "每间不超过 4 人", Disinfection: "每日两次",
		EmergencyPlan: "发现发热人员立即送隔离观察室并报告镇专班",
		Pledge:        true,
	}
}

// planWorld is what store tests of plans need: a township with three enterprises, the HR user
// who writes the plans and two supervisors, and a second township with one enterprise.
type planWorld struct {
	tw, twB          domain.Township
	ent1, ent2, ent3 domain.Enterprise
	entB             domain.Enterprise
	hr, sup1, sup2   domain.User
	supB             domain.User
}

func newPlanWorld(t *testing.T, db *repo.DB) planWorld {
	t.Helper()
	var w planWorld
	w.tw = storeTownship(t, db, "371626104", "一区")
	w.twB = storeTownship(t, db, "371626105", "一区")
	ent := func(tw domain.Township, code, name string, n int) domain.Enterprise {
		return storeEnterprise(t, db, domain.Enterprise{TownshipID: tw.ID, Code: code, Name: name, CreditCode: domain.CreditCode(creditCode(n)), ZoneID: tw.Zones[0].ID})
	}
	w.ent1, w.ent2, w.ent3 = ent(w.tw, "100001", "甲厂", 1), ent(w.tw, "100002", "乙厂", 2), ent(w.tw, "100003", "丙厂", 3)
	w.entB = ent(w.twB, "100004", "丁厂", 4)
	w.hr = storeUser(t, db, domain.User{Username: "hr-1", Name: "王芳", Role: domain.RoleEnterpriseHR, TownshipID: w.tw.ID, EnterpriseID: w.ent1.ID})
	w.sup1 = storeUser(t, db, domain.User{Username: "sup-1", Name: "李明", Role: domain.RoleSupervisor, TownshipID: w.tw.ID})
	w.sup2 = storeUser(t, db, domain.User{Username: "sup-2", Name: "周强", Role: domain.RoleSupervisor, TownshipID: w.tw.ID})
	w.supB = storeUser(t, db, domain.User{Username: "sup-b", Name: "赵刚", Role: domain.RoleSupervisor, TownshipID: w.twB.ID})
	return w
}

// storePlan inserts a plan of enterprise e straight through the store.
func storePlan(t *testing.T, db *repo.DB, e domain.Enterprise, by domain.User, version int, status domain.PlanStatus, submittedAt *time.Time) domain.Plan {
	t.Helper()
	p := domain.Plan{
		TownshipID: e.TownshipID, EnterpriseID: e.ID, Version: version, Status: status,
		PlanContent: planContent(startDay), CreatedBy: by.ID, SubmittedAt: submittedAt,
	}
	if err := (&repo.PlanStore{DB: db}).Create(context.Background(), &p); err != nil {
		t.Fatalf("create plan v%d of %s: %v", version, e.Name, err)
	}
	if p.ID == 0 {
		t.Fatalf("create plan v%d of %s: got ID 0, want it set", version, e.Name)
	}
	return p
}

func planID(p domain.Plan) int64 { return p.ID }

// samePlan compares plans with their times by instant, as engines return them in their own zone.
func samePlan(got, want domain.Plan) bool {
	if (got.SubmittedAt == nil) != (want.SubmittedAt == nil) || (got.SubmittedAt != nil && !got.SubmittedAt.Equal(*want.SubmittedAt)) {
		return false
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) || len(got.Reviews) != len(want.Reviews) {
		return false
	}
	for i := range got.Reviews {
		g, w := got.Reviews[i], want.Reviews[i]
		if !g.At.Equal(w.At) {
			return false
		}
		g.At, w.At = time.Time{}, time.Time{}
		if g != w {
			return false
		}
	}
	got.SubmittedAt, want.SubmittedAt = nil, nil
	got.CreatedAt, want.CreatedAt, got.UpdatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	got.Reviews, want.Reviews = nil, nil
	return reflect.DeepEqual(got, want)
}

func TestPlanStoreCreateGet(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		submitted := start.Add(90 * time.Minute)
		in := domain.Plan{
			TownshipID: w.tw.ID, EnterpriseID: w.ent1.ID, Version: 3, Status: domain.PlanSubmitted,
			PlanContent: domain.PlanContent{
				PlannedReopenDate: domain.NewDate(2020, 2, 17), ExpectedWorkers: 125,
				LeadName: "王强", LeadPhone: "13800000000",
				Supplies:      domain.Supplies{Masks: 2000, Thermometers: 10, DisinfectantLiters: 187.5, Gloves: 500, Goggles: 20},
				IsolationRoom: "东厂区一楼 2 间",
				Batches: []domain.Batch{
					{Date: domain.NewDate(2020, 2, 17), Workers: 60}, {Date: domain.NewDate(2020, 2, 29), Workers: 40},
					{Date: domain.NewDate(2020, 3, 2), Workers: 25},
				},
				ShiftSize: 20, Canteen: "错峰分餐", Dormitory: "每间不超过 4 人", Disinfection: "每日两次",
				EmergencyPlan: "发现发热人员立即送隔离观察室,\"并\"报告镇专班", Pledge: true,
			},
			CreatedBy: w.hr.ID, SubmittedAt: &submitted, CreatedAt: start, UpdatedAt: start.Add(time.Hour),
		}
		must(t, s.Create(ctx, &in))
		if in.ID == 0 {
			t.Fatalf("got ID 0, want it set")
		}
		got, err := s.Get(ctx, in.ID)
		must(t, err)
		want := in
		want.EnterpriseName, want.Reviews = "甲厂", []domain.Review{}
		if !samePlan(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if got.Reviews == nil {
			t.Errorf("got nil reviews, want an empty list")
		}

		t.Run("BlankDraft", func(t *testing.T) {
			in := domain.Plan{TownshipID: w.tw.ID, EnterpriseID: w.ent2.ID, Version: 1, Status: domain.PlanDraft, CreatedBy: w.hr.ID, CreatedAt: start, UpdatedAt: start}
			must(t, s.Create(ctx, &in))
			got, err := s.Get(ctx, in.ID)
			must(t, err)
			if !got.PlannedReopenDate.IsZero() || got.SubmittedAt != nil || got.Batches == nil || len(got.Batches) != 0 || got.Pledge {
				t.Errorf("got %+v, want no date, no submission time, an empty batch list, no pledge", got)
			}
			if got.Status != domain.PlanDraft || got.Version != 1 || got.EnterpriseName != "乙厂" {
				t.Errorf("got %s v%d of %s, want draft v1 of 乙厂", got.Status, got.Version, got.EnterpriseName)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.Get(ctx, 4242)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("ErrConflictVersionTaken", func(t *testing.T) {
			before := rows(t, db, "reopening_plans")
			dup := domain.Plan{TownshipID: w.tw.ID, EnterpriseID: w.ent1.ID, Version: 3, Status: domain.PlanRejected, CreatedBy: w.hr.ID, CreatedAt: start, UpdatedAt: start}
			wantErr(t, s.Create(ctx, &dup), domain.ErrConflict)
			if got := rows(t, db, "reopening_plans"); got != before {
				t.Errorf("got %d plans, want %d", got, before)
			}
		})
	})
}

func TestPlanStoreLatestVersion(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		latest := func(t *testing.T, e domain.Enterprise) int {
			t.Helper()
			v, err := s.LatestVersion(ctx, e.ID)
			must(t, err)
			return v
		}
		if got := latest(t, w.ent1); got != 0 {
			t.Errorf("got %d with no plans, want 0", got)
		}
		storePlan(t, db, w.ent1, w.hr, 1, domain.PlanRejected, &start)
		storePlan(t, db, w.ent1, w.hr, 3, domain.PlanRejected, &start)
		storePlan(t, db, w.ent1, w.hr, 2, domain.PlanRejected, &start)
		storePlan(t, db, w.ent2, w.hr, 7, domain.PlanDraft, nil)
		if got := latest(t, w.ent1); got != 3 {
			t.Errorf("got %d, want 3", got)
		}
		if got := latest(t, w.ent2); got != 7 {
			t.Errorf("got %d, want 7", got)
		}
		if got := latest(t, w.ent3); got != 0 {
			t.Errorf("got %d for an enterprise without plans, want 0", got)
		}
	})
}

func TestPlanStoreOneOpenPlan(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		create := func(version int, status domain.PlanStatus) error {
			p := domain.Plan{TownshipID: w.tw.ID, EnterpriseID: w.ent1.ID, Version: version, Status: status, CreatedBy: w.hr.ID, CreatedAt: start, UpdatedAt: start}
			return s.Create(ctx, &p)
		}
		v1 := storePlan(t, db, w.ent1, w.hr, 1, domain.PlanDraft, nil)

		t.Run("ErrConflictSecondDraft", func(t *testing.T) {
			wantErr(t, create(2, domain.PlanDraft), domain.ErrConflict)
		})
		t.Run("ErrConflictSubmittedBesideDraft", func(t *testing.T) {
			wantErr(t, create(2, domain.PlanSubmitted), domain.ErrConflict)
		})
		t.Run("ErrConflictDraftBesideSubmitted", func(t *testing.T) {
			must(t, s.SetStatus(ctx, v1.ID, domain.PlanDraft, domain.PlanSubmitted, start))
			wantErr(t, create(2, domain.PlanDraft), domain.ErrConflict)
		})
		t.Run("OtherEnterpriseMayHaveADraft", func(t *testing.T) {
			storePlan(t, db, w.ent2, w.hr, 1, domain.PlanDraft, nil)
		})
		t.Run("NewDraftAfterRejection", func(t *testing.T) {
			must(t, s.SetStatus(ctx, v1.ID, domain.PlanSubmitted, domain.PlanRejected, start))
			must(t, create(2, domain.PlanDraft))
			wantErr(t, create(3, domain.PlanDraft), domain.ErrConflict)
		})
		t.Run("ClosedPlansDoNotCount", func(t *testing.T) {
			must(t, create(10, domain.PlanRejected))
			must(t, create(11, domain.PlanApproved))
		})
		if got := rows(t, db, "reopening_plans"); got != 5 {
			t.Errorf("got %d plans, want 5", got)
		}
	})
}

func TestPlanStoreUpdateContent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		draft := storePlan(t, db, w.ent1, w.hr, 1, domain.PlanDraft, nil)

		t.Run("OK", func(t *testing.T) {
			p, err := s.Get(ctx, draft.ID)
			must(t, err)
			p.PlanContent = domain.PlanContent{
				PlannedReopenDate: domain.NewDate(2020, 3, 1), ExpectedWorkers: 30, LeadName: "刘洋", LeadPhone: "13900000000",
				Supplies: domain.Supplies{Masks: 300, Thermometers: 1, DisinfectantLiters: 4.5, Gloves: 90},
				Batches:  []domain.Batch{{Date: domain.NewDate(2020, 3, 1), Workers: 30}}, ShiftSize: 10,
			}
			// What identifies the plan and where it stands is not the content's to change.
			p.Status, p.Version, p.EnterpriseID, p.CreatedBy = domain.PlanApproved, 9, w.ent2.ID, w.sup1.ID
			must(t, s.UpdateContent(ctx, p))
			got, err := s.Get(ctx, draft.ID)
			must(t, err)
			if !reflect.DeepEqual(got.PlanContent, p.PlanContent) {
				t.Errorf("got %+v, want %+v", got.PlanContent, p.PlanContent)
			}
			if got.Status != domain.PlanDraft || got.Version != 1 || got.EnterpriseID != w.ent1.ID || got.CreatedBy != w.hr.ID {
				t.Errorf("got %s v%d of %d by %d, want draft v1 of %d by %d", got.Status, got.Version, got.EnterpriseID, got.CreatedBy, w.ent1.ID, w.hr.ID)
			}
		})
		t.Run("ErrConflictNotDraft", func(t *testing.T) {
			for i, status := range []domain.PlanStatus{domain.PlanSubmitted, domain.PlanApproved, domain.PlanRejected} {
				p := storePlan(t, db, w.ent3, w.hr, i+1, status, &start)
				changed := p
				changed.LeadName, changed.ExpectedWorkers = "改过", 1
				wantErr(t, s.UpdateContent(ctx, changed), domain.ErrConflict)
				got, err := s.Get(ctx, p.ID)
				must(t, err)
				if got.LeadName != "王强" || got.ExpectedWorkers != 120 || got.Status != status {
					t.Errorf("got %s %s %d, want %s unchanged", got.Status, got.LeadName, got.ExpectedWorkers, status)
				}
			}
		})
		t.Run("ErrConflictMissing", func(t *testing.T) {
			wantErr(t, s.UpdateContent(ctx, domain.Plan{ID: 4242}), domain.ErrConflict)
		})
	})
}

func TestPlanStoreSetStatus(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		p := storePlan(t, db, w.ent1, w.hr, 1, domain.PlanDraft, nil)
		get := func(t *testing.T) domain.Plan {
			t.Helper()
			got, err := s.Get(ctx, p.ID)
			must(t, err)
			return got
		}
		submitAt, approveAt := start.Add(time.Hour), start.Add(26*time.Hour)

		t.Run("Submit", func(t *testing.T) {
			must(t, s.SetStatus(ctx, p.ID, domain.PlanDraft, domain.PlanSubmitted, submitAt))
			got := get(t)
			if got.Status != domain.PlanSubmitted || got.SubmittedAt == nil || !got.SubmittedAt.Equal(submitAt) || !got.UpdatedAt.Equal(submitAt) {
				t.Errorf("got %s submitted %v updated %v, want submitted at %v", got.Status, got.SubmittedAt, got.UpdatedAt, submitAt)
			}
		})
		t.Run("ErrConflictWrongFrom", func(t *testing.T) {
			before := get(t)
			for _, from := range []domain.PlanStatus{domain.PlanDraft, domain.PlanApproved, domain.PlanRejected} {
				err := s.SetStatus(ctx, p.ID, from, domain.PlanApproved, approveAt)
				wantErr(t, err, domain.ErrConflict)
			}
			if got := get(t); !samePlan(got, before) {
				t.Errorf("got %+v, want it unchanged: %+v", got, before)
			}
		})
		t.Run("Approve", func(t *testing.T) {
			must(t, s.SetStatus(ctx, p.ID, domain.PlanSubmitted, domain.PlanApproved, approveAt))
			got := get(t)
			if got.Status != domain.PlanApproved || !got.UpdatedAt.Equal(approveAt) {
				t.Errorf("got %s updated %v, want approved at %v", got.Status, got.UpdatedAt, approveAt)
			}
			if got.SubmittedAt == nil || !got.SubmittedAt.Equal(submitAt) {
				t.Errorf("got submitted %v, want it kept at %v", got.SubmittedAt, submitAt)
			}
		})
		t.Run("ErrConflictMissing", func(t *testing.T) {
			wantErr(t, s.SetStatus(ctx, 4242, domain.PlanDraft, domain.PlanSubmitted, approveAt), domain.ErrConflict)
		})
	})
}

func TestPlanStoreSetStatusConcurrent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		p := storePlan(t, db, w.ent1, w.hr, 1, domain.PlanSubmitted, &start)
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.SetStatus(ctx, p.ID, domain.PlanSubmitted, domain.PlanApproved, start.Add(time.Duration(i)*time.Second))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, domain.ErrConflict):
				t.Errorf("got error %v, want nil or ErrConflict", err)
			}
		}
		if won != 1 {
			t.Errorf("got %d successful transitions, want 1", won)
		}
		got, err := s.Get(ctx, p.ID)
		must(t, err)
		if got.Status != domain.PlanApproved {
			t.Errorf("got %s, want approved", got.Status)
		}
	})
}

func TestPlanStoreList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		es := &repo.EnterpriseStore{DB: db}
		w := newPlanWorld(t, db)
		must(t, es.SetSupervisors(ctx, w.ent1.ID, []int64{w.sup1.ID}))
		must(t, es.SetSupervisors(ctx, w.ent2.ID, []int64{w.sup1.ID, w.sup2.ID}))
		must(t, es.SetSupervisors(ctx, w.entB.ID, []int64{w.supB.ID}))
		at := func(h int) *time.Time { t := start.Add(time.Duration(h) * time.Hour); return &t }

		// Submitted at hour: enterprise 1 v1 (rejected) 2, v2 5; enterprise 2 v1 (approved) 1;
		// enterprise 3 v1 and v2 (rejected) 3 and 4, v3 a draft; enterprise 4 v1 3, the same
		// hour as enterprise 3's v1 but created later; township B's enterprise 0.
		e1v1 := storePlan(t, db, w.ent1, w.hr, 1, domain.PlanRejected, at(2))
		e1v2 := storePlan(t, db, w.ent1, w.hr, 2, domain.PlanSubmitted, at(5))
		e2v1 := storePlan(t, db, w.ent2, w.hr, 1, domain.PlanApproved, at(1))
		e3v1 := storePlan(t, db, w.ent3, w.hr, 1, domain.PlanRejected, at(3))
		e3v2 := storePlan(t, db, w.ent3, w.hr, 2, domain.PlanRejected, at(4))
		e3v3 := storePlan(t, db, w.ent3, w.hr, 3, domain.PlanDraft, nil)
		eBv1 := storePlan(t, db, w.entB, w.hr, 1, domain.PlanSubmitted, at(0))
		ent4 := storeEnterprise(t, db, domain.Enterprise{TownshipID: w.tw.ID, Code: "100005", Name: "戊厂", CreditCode: domain.CreditCode(creditCode(5)), ZoneID: w.tw.Zones[0].ID})
		e4v1 := storePlan(t, db, ent4, w.hr, 1, domain.PlanSubmitted, at(3))

		page := domain.Page{Limit: 50}
		tests := []struct {
			name string
			f    domain.PlanFilter
			want []int64
		}{
			// Longest waiting first; drafts have not started waiting, so they come last.
			{name: "All", f: domain.PlanFilter{Page: page},
				want: []int64{eBv1.ID, e2v1.ID, e1v1.ID, e3v1.ID, e4v1.ID, e3v2.ID, e1v2.ID, e3v3.ID}},
			{name: "Township", f: domain.PlanFilter{TownshipID: w.tw.ID, Page: page},
				want: []int64{e2v1.ID, e1v1.ID, e3v1.ID, e4v1.ID, e3v2.ID, e1v2.ID, e3v3.ID}},
			{name: "OtherTownship", f: domain.PlanFilter{TownshipID: w.twB.ID, Page: page}, want: []int64{eBv1.ID}},
			{name: "QueueLongestWaitingFirst", f: domain.PlanFilter{TownshipID: w.tw.ID, Statuses: []domain.PlanStatus{domain.PlanSubmitted}, Page: page},
				want: []int64{e4v1.ID, e1v2.ID}},
			{name: "Statuses", f: domain.PlanFilter{TownshipID: w.tw.ID, Statuses: []domain.PlanStatus{domain.PlanDraft, domain.PlanApproved}, Page: page},
				want: []int64{e2v1.ID, e3v3.ID}},
			{name: "EnterpriseNewestVersionFirst", f: domain.PlanFilter{EnterpriseID: w.ent3.ID, Page: page},
				want: []int64{e3v3.ID, e3v2.ID, e3v1.ID}},
			{name: "EnterpriseAndStatus", f: domain.PlanFilter{EnterpriseID: w.ent3.ID, Statuses: []domain.PlanStatus{domain.PlanRejected}, Page: page},
				want: []int64{e3v2.ID, e3v1.ID}},
			{name: "EnterpriseOfOtherTownship", f: domain.PlanFilter{TownshipID: w.tw.ID, EnterpriseID: w.entB.ID, Page: page}, want: []int64{}},
			{name: "Supervisor", f: domain.PlanFilter{TownshipID: w.tw.ID, SupervisorID: w.sup1.ID, Page: page},
				want: []int64{e2v1.ID, e1v1.ID, e1v2.ID}},
			{name: "SecondSupervisor", f: domain.PlanFilter{TownshipID: w.tw.ID, SupervisorID: w.sup2.ID, Page: page}, want: []int64{e2v1.ID}},
			{name: "SupervisorQueue", f: domain.PlanFilter{TownshipID: w.tw.ID, SupervisorID: w.sup1.ID, Statuses: []domain.PlanStatus{domain.PlanSubmitted}, Page: page},
				want: []int64{e1v2.ID}},
			{name: "SupervisorOfOtherTownship", f: domain.PlanFilter{TownshipID: w.tw.ID, SupervisorID: w.supB.ID, Page: page}, want: []int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.List(ctx, tt.f)
				must(t, err)
				if g := ids(got, planID); !slices.Equal(g, tt.want) {
					t.Errorf("got %v, want %v", g, tt.want)
				}
				if total != len(tt.want) {
					t.Errorf("got total %d, want %d", total, len(tt.want))
				}
				for _, p := range got {
					if p.EnterpriseName == "" || p.Reviews == nil || len(p.Batches) != 2 {
						t.Errorf("got plan %d with name %q, reviews %v, %d batches, want them filled", p.ID, p.EnterpriseName, p.Reviews, len(p.Batches))
					}
				}
			})
		}
		t.Run("Page", func(t *testing.T) {
			got, total, err := s.List(ctx, domain.PlanFilter{TownshipID: w.tw.ID, Page: domain.Page{Limit: 2, Offset: 2}})
			must(t, err)
			if g, want := ids(got, planID), []int64{e3v1.ID, e4v1.ID}; !slices.Equal(g, want) {
				t.Errorf("got %v, want %v", g, want)
			}
			if total != 7 {
				t.Errorf("got total %d, want 7", total)
			}
		})
	})
}

func TestPlanStoreReviews(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		s := &repo.PlanStore{DB: db}
		w := newPlanWorld(t, db)
		v1 := storePlan(t, db, w.ent1, w.hr, 1, domain.PlanRejected, &start)
		v2 := storePlan(t, db, w.ent1, w.hr, 2, domain.PlanApproved, &start)
		other := storePlan(t, db, w.ent2, w.hr, 1, domain.PlanSubmitted, &start)
		// Recorded out of order: the reviews come back by time.
		must(t, s.AddReview(ctx, v1.ID, domain.Review{ReviewerID: w.sup2.ID, Decision: domain.PlanRejected, Comment: "口罩不足", At: start.Add(3 * time.Hour)}))
		must(t, s.AddReview(ctx, v1.ID, domain.Review{ReviewerID: w.sup1.ID, Decision: domain.PlanRejected, Comment: "批次不合", At: start.Add(time.Hour)}))
		must(t, s.AddReview(ctx, v2.ID, domain.Review{ReviewerID: w.sup1.ID, Decision: domain.PlanApproved, At: start.Add(30 * time.Hour)}))
		want := map[int64][]domain.Review{
			v1.ID: {
				{ReviewerID: w.sup1.ID, ReviewerName: "李明", Decision: domain.PlanRejected, Comment: "批次不合", At: start.Add(time.Hour)},
				{ReviewerID: w.sup2.ID, ReviewerName: "周强", Decision: domain.PlanRejected, Comment: "口罩不足", At: start.Add(3 * time.Hour)},
			},
			v2.ID:    {{ReviewerID: w.sup1.ID, ReviewerName: "李明", Decision: domain.PlanApproved, At: start.Add(30 * time.Hour)}},
			other.ID: {},
		}
		check := func(t *testing.T, p domain.Plan) {
			t.Helper()
			w := want[p.ID]
			if len(p.Reviews) != len(w) {
				t.Fatalf("plan %d: got reviews %+v, want %+v", p.ID, p.Reviews, w)
			}
			for i := range w {
				g := p.Reviews[i]
				if !g.At.Equal(w[i].At) || g.ReviewerID != w[i].ReviewerID || g.ReviewerName != w[i].ReviewerName || g.Decision != w[i].Decision || g.Comment != w[i].Comment {
					t.Errorf("plan %d review %d: got %+v, want %+v", p.ID, i, g, w[i])
				}
			}
		}
		t.Run("Get", func(t *testing.T) {
			for id := range want {
				p, err := s.Get(ctx, id)
				must(t, err)
				check(t, p)
			}
		})
		t.Run("List", func(t *testing.T) {
			got, _, err := s.List(ctx, domain.PlanFilter{TownshipID: w.tw.ID, Page: domain.Page{Limit: 10}})
			must(t, err)
			if len(got) != 3 {
				t.Fatalf("got %d plans, want 3", len(got))
			}
			for _, p := range got {
				check(t, p)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			err := s.AddReview(ctx, 4242, domain.Review{ReviewerID: w.sup1.ID, Decision: domain.PlanApproved, At: start})
			wantErr(t, err, domain.ErrNotFound)
		})
	})
}
