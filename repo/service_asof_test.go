package repo_test

import (
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestServicesAsOf: what is shown as of a day (a worker's age and isolation days left, an
// inspection's overdue rectification) comes back from the service with the township's today,
// so that no handler reads a township or the clock for it. The test clock is set where the
// township's day (Shanghai) is not UTC's.
func TestServicesAsOf(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		w.clock.Set(time.Date(2020, 2, 10, 17, 0, 0, 0, time.UTC)) // 01:00 on the 11th in Shanghai
		today := domain.NewDate(2020, 2, 11)
		if w.today() != today {
			t.Fatalf("got today %v, want %v", w.today(), today)
		}
		want := func(t *testing.T, what string, got domain.Date, err error) {
			t.Helper()
			must(t, err)
			if got != today {
				t.Errorf("%s: got as of %v, want the township's today %v", what, got, today)
			}
		}
		created, d, err := w.workers.Create(ctx, w.hr.Actor(), w.ent.ID, workerForm(1, "371681", w.daysAgo(3)))
		want(t, "Workers.Create", d, err)
		_, d, err = w.workers.Get(ctx, w.hr.Actor(), created.ID, false)
		want(t, "Workers.Get by HR", d, err)
		_, d, err = w.workers.Get(ctx, created.Actor(), created.ID, false)
		want(t, "Workers.Get by the worker", d, err)
		dept := "包装车间"
		_, d, err = w.workers.Update(ctx, w.hr.Actor(), created.ID, domain.WorkerUpdate{Department: &dept})
		want(t, "Workers.Update", d, err)
		_, d, err = w.inspections.Create(ctx, w.sup.Actor(), w.ent.ID, domain.NewInspection{VisitedOn: today, Checklist: passing})
		want(t, "Inspections.Create", d, err)
	})
}
