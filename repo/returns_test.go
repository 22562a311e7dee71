package repo_test

import (
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// returnWorker is one hand-made worker of the plan-against-actual tests.
type returnWorker struct {
	name    string
	batch   int // the batch's number, 0 for none
	status  domain.WorkerStatus
	arrived int  // days from today of the arrival, unless none
	left    int  // days from today of leaving, for status left
	none    bool // not arrived
}

// putReturnWorkers puts hand-made workers on an enterprise's roster and assigns each to its
// batch (numbered as bs), through the stores.
func (w *world) putReturnWorkers(t *testing.T, ent domain.Enterprise, bs []domain.ReturnBatch, ws []returnWorker, n int) {
	t.Helper()
	d := w.today()
	for i, rw := range ws {
		wk := domain.Worker{TownshipID: ent.TownshipID, EnterpriseID: ent.ID, Name: rw.name, Status: rw.status,
			IDNumber: personID(n + i), Phone: phoneOf(n + i), RiskLevel: domain.RiskLow}
		if !rw.none {
			wk.ArrivedOn = d.AddDays(rw.arrived)
		}
		if rw.status == domain.WorkerLeft {
			wk.LeftOn = d.AddDays(rw.left)
		}
		must(t, w.stores.Workers.Create(w.ctx, &wk))
		if rw.batch != 0 {
			_, err := w.stores.Workers.Assign(w.ctx, ent.ID, []int64{wk.ID}, &bs[rw.batch-1].ID, nil)
			must(t, err)
		}
	}
}

// makeBatches makes an enterprise's batches, dated in days from today with their headcounts.
// A draft plan of its HR stands for the approved one that would set them.
func (w *world) makeBatches(t *testing.T, ent domain.Enterprise, hr domain.User, days, planned []int) []domain.ReturnBatch {
	t.Helper()
	plan := w.draft(t, hr)
	bs := make([]domain.ReturnBatch, len(days))
	for i := range days {
		bs[i] = domain.ReturnBatch{TownshipID: ent.TownshipID, PlanID: plan.ID, Number: i + 1, Date: w.today().AddDays(days[i]), Planned: planned[i]}
	}
	must(t, w.stores.Batches.Replace(w.ctx, ent.ID, bs))
	return bs
}

// returnRow is the figures of a day as the tests write them: planned, planned to date,
// arrived, arrived to date, early, no-show.
type returnRow [6]int

func rowOf(f domain.ReturnFigures) returnRow {
	return returnRow{f.Planned, f.PlannedToDate, f.Arrived, f.ArrivedToDate, f.Early, f.NoShow}
}

// TestReturnFigures holds the plan-against-actual figures, read through the store on each
// engine, to a hand count: early arrivals, no-shows, a worker who left, a worker of no batch,
// batches to come, and a batch the plan removed.
func TestReturnFigures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		svc := w.services()
		d := w.today()
		bs := w.makeBatches(t, w.ent, w.hr, []int{-4, -1, 2}, []int{3, 2, 4})
		w.putReturnWorkers(t, w.ent, bs, []returnWorker{
			{name: "按期", batch: 1, status: domain.WorkerOnDuty, arrived: -4},
			{name: "同日按期", batch: 1, status: domain.WorkerOnDuty, arrived: -4}, // the same facts: one group of two
			{name: "早到", batch: 1, status: domain.WorkerOnDuty, arrived: -6},
			{name: "未到", batch: 1, status: domain.WorkerExpected, none: true},
			{name: "隔离早到", batch: 2, status: domain.WorkerIsolating, arrived: -3},
			{name: "离职", batch: 2, status: domain.WorkerLeft, arrived: -5, left: -2},
			{name: "今天早到", batch: 3, status: domain.WorkerOnDuty, arrived: 0},
			{name: "无批次", status: domain.WorkerOnDuty, arrived: -2},
			{name: "待返", batch: 3, status: domain.WorkerExpected, none: true},
		}, 100)
		// From -6 to +2. 离职 arrived on -5 (early for batch 2) and is gone from -2, the day
		// they left, on.
		want := []returnRow{
			{0, 0, 1, 1, 1, 0}, // -6: 早到
			{0, 0, 1, 2, 2, 0}, // -5: 离职
			{3, 3, 2, 4, 2, 0}, // -4: batch 1's day, 按期 and 同日按期; 未到 not yet a no-show
			{0, 3, 1, 5, 3, 1}, // -3: 隔离早到; 未到 a no-show
			{0, 3, 1, 5, 2, 1}, // -2: 离职 gone, 无批次 back
			{2, 5, 0, 5, 2, 1}, // -1: batch 2's day
			{0, 5, 1, 6, 3, 1}, //  0: 今天早到
			{0, 5, 0, 6, 3, 1}, // +1
			{4, 9, 0, 6, 3, 1}, // +2: batch 3's day; 待返 not yet a no-show
		}
		hr := w.hr.Actor()
		got, err := svc.Returns.Progress(w.ctx, hr, w.ent.ID, d.AddDays(-6), d.AddDays(2), nil)
		must(t, err)
		if len(got.Days) != len(want) {
			t.Fatalf("got %d days, want %d", len(got.Days), len(want))
		}
		for i, day := range got.Days {
			if day.Date != d.AddDays(i-6) || rowOf(day.ReturnFigures) != want[i] {
				t.Errorf("day %s: got %v, want %v", day.Date, rowOf(day.ReturnFigures), want[i])
			}
		}
		if g := got.Days[8].Gap(); g != -3 {
			t.Errorf("gap on +2: got %d, want -3", g)
		}
		// The batches as of +2: assigned (who have not left), arrived, early, no-show.
		wantBatches := [][4]int{{4, 3, 1, 1}, {1, 1, 1, 0}, {2, 1, 1, 0}}
		for i, b := range got.Batches {
			if g := [4]int{b.Assigned, b.Arrived, b.Early, b.NoShow}; g != wantBatches[i] || b.Batch.Number != i+1 {
				t.Errorf("batch %d: got %v, want %v", b.Batch.Number, g, wantBatches[i])
			}
		}

		// Arrived to date today is 已返岗 of the dashboard.
		days, _, err := dashDays(w.ctx, svc.Dashboard, w.admin.Actor(), domain.DashboardQuery{})
		must(t, err)
		for _, ed := range days {
			if ed.Enterprise.ID == w.ent.ID && ed.Returned != want[6][3] {
				t.Errorf("已返岗 today: got %d, want arrived to date %d", ed.Returned, want[6][3])
			}
		}

		// A batch the plan removes takes its headcount and its workers' assignment with it.
		bs2 := w.makeBatches(t, w.ent2, w.hr2, []int{-3, 3}, []int{2, 5})
		w.putReturnWorkers(t, w.ent2, bs2, []returnWorker{
			{name: "二批早到", batch: 2, status: domain.WorkerOnDuty, arrived: -1},
			{name: "一批未到", batch: 1, status: domain.WorkerExpected, none: true},
		}, 200)
		hr2 := w.hr2.Actor()
		wantAt := func(day int, want returnRow) {
			t.Helper()
			p, err := svc.Returns.Progress(w.ctx, hr2, w.ent2.ID, d.AddDays(day), d.AddDays(day), nil)
			must(t, err)
			if got := rowOf(p.Days[0].ReturnFigures); got != want {
				t.Errorf("ent2 on %d: got %v, want %v", day, got, want)
			}
		}
		wantAt(0, returnRow{0, 2, 0, 1, 1, 1})
		wantAt(3, returnRow{5, 7, 0, 1, 1, 1})
		must(t, w.stores.Batches.Replace(w.ctx, w.ent2.ID, bs2[:1]))
		wantAt(0, returnRow{0, 2, 0, 1, 0, 1})
		wantAt(3, returnRow{0, 2, 0, 1, 0, 1})

		// The township's curve is the sum of its enterprises'; a supervisor's, of theirs only.
		curve := func(a domain.Actor) []domain.ReturnDay {
			t.Helper()
			v, err := svc.Dashboard.TrendView(w.ctx, a, domain.DashboardQuery{}, d.AddDays(-6), d.AddDays(2))
			must(t, err)
			c, err := svc.Dashboard.ReturnCurve(w.ctx, v)
			must(t, err)
			return c
		}
		town, sup := curve(w.admin.Actor()), curve(w.sup.Actor()) // supervisor1: ent and ent3
		for i := range want {
			e2, err := svc.Returns.Progress(w.ctx, hr2, w.ent2.ID, town[i].Date, town[i].Date, nil)
			must(t, err)
			sum := got.Days[i].ReturnFigures
			sum.Add(e2.Days[0].ReturnFigures)
			if rowOf(town[i].ReturnFigures) != rowOf(sum) {
				t.Errorf("town on %s: got %v, want %v", town[i].Date, rowOf(town[i].ReturnFigures), rowOf(sum))
			}
			if rowOf(sup[i].ReturnFigures) != want[i] {
				t.Errorf("supervisor on %s: got %v, want %v", sup[i].Date, rowOf(sup[i].ReturnFigures), want[i])
			}
		}

		// Out of scope is not found.
		_, err = svc.Returns.Progress(w.ctx, hr2, w.ent.ID, d, d, nil)
		wantErr(t, err, domain.ErrNotFound)
	})
}
