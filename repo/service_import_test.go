package repo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// heldSource is an upload being read: it yields its rows, says so on reading, and then holds
// the import in its reading until release is closed or the import's context ends.
type heldSource struct {
	rows    []domain.RosterRow
	reading chan struct{}
	release chan struct{}
}

func newHeldSource(rows []domain.RosterRow) heldSource {
	return heldSource{rows: rows, reading: make(chan struct{}), release: make(chan struct{})}
}

func (h heldSource) read(ctx context.Context, yield func([]domain.RosterRow) error) ([]domain.RowError, error) {
	if err := yield(h.rows); err != nil {
		return nil, err
	}
	close(h.reading)
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case <-h.release:
		return nil, nil
	}
}

// importResult is what an import run on a goroutine of its own came to.
type importResult struct {
	res domain.ImportResult
	err error
}

// importAsync runs an import on a goroutine of its own.
func importAsync(ctx context.Context, svc *domain.WorkerService, hr domain.User, src domain.RosterSource) <-chan importResult {
	done := make(chan importResult, 1)
	go func() {
		res, err := svc.ImportFrom(ctx, hr.Actor(), hr.EnterpriseID, src, false)
		done <- importResult{res, err}
	}()
	return done
}

// cancelAfterCreate is the worker store that ends an import's context once the import has
// written its first people: the client leaving in the middle of the writing.
type cancelAfterCreate struct {
	domain.WorkerStore
	cancel context.CancelFunc
}

func (c cancelAfterCreate) CreateMany(ctx context.Context, ws []domain.Worker) error {
	err := c.WorkerStore.CreateMany(ctx, ws)
	c.cancel()
	return err
}

// TestWorkerServiceImportStops: an import stops when its context ends (the client left) or its
// time budget is spent, while it reads the file or while it writes, and has then written
// nothing: no worker, statistic, alert or audit event. While it reads, it holds no
// transaction: on SQLite, where a transaction is the database's one writer, every sign-in and
// check-in waited while a file was read (issue 16).
func TestWorkerServiceImportStops(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		state := func(t *testing.T) string {
			t.Helper()
			var sb strings.Builder
			for _, table := range []string{"workers", "daily_stats", "alerts", "audit_events"} {
				fmt.Fprintf(&sb, "%s=%d ", table, rows(t, db, table))
			}
			return sb.String()
		}
		before := state(t)
		unchanged := func(t *testing.T) {
			t.Helper()
			if got := state(t); got != before {
				t.Errorf("got %s, want %s: a stopped import writes nothing", got, before)
			}
		}

		t.Run("ErrCancelledWhileReading", func(t *testing.T) {
			ctx, cancel := context.WithCancel(w.ctx)
			src := newHeldSource(roster(0, 10))
			done := importAsync(ctx, w.workers, w.hr, src.read)
			<-src.reading
			cancel()
			r := <-done
			if !errors.Is(r.err, context.Canceled) {
				t.Fatalf("got %+v, %v; want context.Canceled", r.res, r.err)
			}
			unchanged(t)
		})
		t.Run("ErrCancelledWhileWriting", func(t *testing.T) {
			ctx, cancel := context.WithCancel(w.ctx)
			defer cancel()
			st := w.stores
			st.Workers = cancelAfterCreate{WorkerStore: w.stores.Workers, cancel: cancel}
			svc := domain.NewServices(st, domain.Options{Clock: w.clock.Now}).Workers
			res, err := svc.Import(ctx, w.hr.Actor(), w.ent.ID, roster(0, 3000), false) // two batches
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %+v, %v; want context.Canceled", res, err)
			}
			unchanged(t)
		})
		t.Run("ErrBudgetSpent", func(t *testing.T) {
			svc := domain.NewServices(w.stores, domain.Options{Clock: w.clock.Now, ImportBudget: 10 * time.Millisecond}).Workers
			src := newHeldSource(roster(0, 10))
			res, err := svc.ImportFrom(w.ctx, w.hr.Actor(), w.ent.ID, src.read, false)
			wantErr(t, err, domain.ErrUnavailable)
			if !strings.Contains(err.Error(), "仍未完成,已停止,未导入任何数据") {
				t.Errorf("got %v, want a message that says the import stopped and wrote nothing", err)
			}
			if res.Created != 0 {
				t.Errorf("got %+v, want nothing", res)
			}
			unchanged(t)
		})
		t.Run("OKNoTransactionWhileReading", func(t *testing.T) {
			src := newHeldSource(roster(0, 10))
			done := importAsync(w.ctx, w.workers, w.hr, src.read)
			<-src.reading
			// Another enterprise's HR adds a worker while the file is read. The deadline only
			// keeps a waiting write from hanging the test: it would wait for ever.
			ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
			defer cancel()
			if _, _, err := w.workers.Create(ctx, w.hr2.Actor(), w.ent2.ID, workerForm(100, "371681", w.daysAgo(1))); err != nil {
				t.Errorf("a write while a file is read: got %v, want it written at once", err)
			}
			close(src.release)
			r := <-done
			if r.err != nil || r.res.Created != 10 {
				t.Fatalf("got %+v, %v; want 10 created", r.res, r.err)
			}
		})
	})
}

// TestWorkerServiceImportSlots: one import per enterprise and two per server run at once;
// another gets ErrTooManyRequests with a message that says why, and a place is free again
// once its import ends.
func TestWorkerServiceImportSlots(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		a, b := newHeldSource(roster(0, 10)), newHeldSource(roster(100, 10))
		doneA := importAsync(w.ctx, w.workers, w.hr, a.read)
		<-a.reading
		_, err := w.workers.Import(w.ctx, w.hr.Actor(), w.ent.ID, roster(200, 1), false)
		wantErr(t, err, domain.ErrTooManyRequests)
		if !strings.Contains(err.Error(), "本企业有一份花名册正在导入") {
			t.Errorf("the same enterprise: got %v, want a message that its import is under way", err)
		}
		doneB := importAsync(w.ctx, w.workers, w.hr2, b.read)
		<-b.reading
		_, err = w.workers.Import(w.ctx, w.hr3.Actor(), w.ent3.ID, roster(300, 1), true)
		wantErr(t, err, domain.ErrTooManyRequests)
		if !strings.Contains(err.Error(), "正在导入的花名册较多") {
			t.Errorf("a third enterprise: got %v, want a message that the server is busy", err)
		}
		close(a.release)
		close(b.release)
		for _, done := range []<-chan importResult{doneA, doneB} {
			if r := <-done; r.err != nil || r.res.Created != 10 {
				t.Errorf("got %+v, %v; want 10 created", r.res, r.err)
			}
		}
		res, err := w.workers.Import(w.ctx, w.hr3.Actor(), w.ent3.ID, roster(300, 1), false)
		if err != nil || res.Created != 1 {
			t.Errorf("after the others ended: got %+v, %v; want 1 created", res, err)
		}
	})
}
