package domain_test

import (
	"math/rand/v2"
	"testing"

	"fugong/domain"
)

// TestReturnParts holds the rule's parts together on random rosters: the batches' early
// arrivals and no-shows add up to their enterprise's, a township's total is the sum of its
// enterprises' and ReturnOn over all of them at once, and arrived to date is 已返岗 (the rule
// back of RosterFigures) for every worker who has not left.
func TestReturnParts(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 2))
	d0 := domain.NewDate(2026, 2, 10)
	statuses := []domain.WorkerStatus{domain.WorkerExpected, domain.WorkerOnDuty, domain.WorkerIsolating,
		domain.WorkerInHospital, domain.WorkerLeft}
	var batches []domain.ReturnBatch
	var workers []domain.ReturnWorker
	ids := []int64{1, 2, 3}
	for _, e := range ids {
		for n := 1; n <= int(e); n++ {
			batches = append(batches, domain.ReturnBatch{ID: e*10 + int64(n), EnterpriseID: e, Number: n,
				Date: d0.AddDays(r.IntN(20) - 10), Planned: r.IntN(30)})
		}
		for range 200 {
			w := domain.ReturnWorker{EnterpriseID: e, Status: statuses[r.IntN(len(statuses))]}
			if b := r.IntN(int(e) + 1); b > 0 {
				w.BatchID = e*10 + int64(b)
			}
			if r.IntN(4) > 0 {
				w.ArrivedOn = d0.AddDays(r.IntN(20) - 10)
			}
			if w.Status == domain.WorkerLeft {
				w.LeftOn = d0.AddDays(r.IntN(20) - 10)
			}
			workers = append(workers, w)
		}
	}
	book := domain.NewReturnBook(batches, workers)
	for d := d0.AddDays(-12); !d.After(d0.AddDays(12)); d = d.AddDays(1) {
		var sum domain.ReturnFigures
		for _, e := range ids {
			f := book.On(e, d)
			sum.Add(f)
			var early, noShow int
			for _, b := range book.Batches(e, d) {
				early += b.Early
				noShow += b.NoShow
				if b.Arrived > b.Assigned || b.Early > b.Arrived || b.NoShow > b.Assigned-b.Arrived {
					t.Errorf("%s batch %d: got %+v, want early ≤ arrived ≤ assigned and no-shows among the rest", d, b.Batch.ID, b)
				}
			}
			if early != f.Early || noShow != f.NoShow {
				t.Errorf("%s enterprise %d: batches add up to %d early and %d no-shows, want %d and %d", d, e, early, noShow, f.Early, f.NoShow)
			}
		}
		if all := domain.ReturnOn(batches, workers, d); all != sum || book.Total(ids, d) != sum {
			t.Errorf("%s: got ReturnOn %+v and Total %+v, want the sum %+v", d, all, book.Total(ids, d), sum)
		}
		returned := 0
		var stillOn []domain.ReturnWorker
		for _, w := range workers {
			if w.Status != domain.WorkerLeft {
				returned += domain.RosterFigures(domain.Worker{Status: w.Status, ArrivedOn: w.ArrivedOn}, d).Returned
				stillOn = append(stillOn, w)
			}
		}
		if got := domain.ReturnOn(nil, stillOn, d).ArrivedToDate; got != returned {
			t.Errorf("%s: got arrived to date %d, want 已返岗 %d", d, got, returned)
		}
	}
}
