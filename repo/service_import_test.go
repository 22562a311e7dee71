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

// importState counts what an import writes: workers, statistics, alerts and audit events.
func importState(t *testing.T, db *repo.DB) string {
	t.Helper()
	var sb strings.Builder
	for _, table := range []string{"workers", "daily_stats", "alerts", "audit_events"} {
		fmt.Fprintf(&sb, "%s=%d ", table, rows(t, db, table))
	}
	return sb.String()
}

// TestWorkerServiceImportStops: an import stops when its context ends (the client left) or its
// time budget is spent, while it reads the file or while it writes, and has then written
// nothing: no worker, statistic, alert or audit event. While it reads, it holds up no one
// else's writes: on SQLite, where a transaction is the database's one writer, it holds no
// transaction (every sign-in and check-in waited while a file was read, issue 16); on
// PostgreSQL its transaction locks only the enterprise's shifts and the people it writes.
func TestWorkerServiceImportStops(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		state := func(t *testing.T) string { t.Helper(); return importState(t, db) }
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

// batchedSource yields rows n at a time, as the workbook reader does, and then the sheet's own
// problems, found once the whole sheet was read.
func batchedSource(rows []domain.RosterRow, n int, sheetErrs []domain.RowError) domain.RosterSource {
	return func(ctx context.Context, yield func([]domain.RosterRow) error) ([]domain.RowError, error) {
		for start := 0; start < len(rows); start += n {
			if err := yield(rows[start:min(start+n, len(rows))]); err != nil {
				return nil, err
			}
		}
		return sheetErrs, nil
	}
}

// TestRosterImportLateProblems: a problem found in a file's last batch, after the batches
// before it were compared (and, on PostgreSQL, written in the import's transaction while the
// rest was read), refuses the whole file and leaves nothing written; the answer is the one a
// file read whole before any writing gets: the sheet's problems replace the rows', and the
// rows' own problems replace the shifts they overfill.
func TestRosterImportLateProblems(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		p := newPlaced(t, db)
		for i := range 20 { // 丙班 full
			in := workerForm(i, "371681", domain.Date{})
			in.ShiftGroup = "丙班"
			p.addWorker(t, p.hr, in)
		}
		state := func(t *testing.T) string { t.Helper(); return importState(t, db) }
		before := state(t)
		refused := func(t *testing.T, file []domain.RosterRow, sheetErrs []domain.RowError, want []domain.RowError) {
			t.Helper()
			res, err := p.workers.ImportFrom(p.ctx, p.hr.Actor(), p.ent.ID, batchedSource(file, 2500, sheetErrs), false)
			must(t, err)
			wantRowErrors(t, res.Errors, want)
			if res.Created != 0 || res.Updated != 0 {
				t.Errorf("got %+v, want nothing created or updated", res)
			}
			if got := state(t); got != before {
				t.Errorf("got %s, want %s: a refused import writes nothing", got, before)
			}
		}
		const n = 6000 // three batches

		t.Run("ErrRowInLastBatch", func(t *testing.T) {
			f := roster(1000, n)
			f[5500].Cells[domain.ColPhone] = "1"
			refused(t, f, nil, []domain.RowError{{Row: 5502, Column: "手机号", Message: "11 位"}})
		})
		t.Run("ErrSheetAfterEveryRow", func(t *testing.T) {
			sheet := []domain.RowError{{Column: "身份证号", Message: "表格没有这一列"}}
			refused(t, roster(1000, n), sheet, sheet)
		})
		t.Run("ErrFullShiftInFirstAndLastBatch", func(t *testing.T) {
			f := roster(1000, n)
			f[10].Cells[domain.ColShiftGroup], f[5990].Cells[domain.ColShiftGroup] = "丙班", "丙班"
			refused(t, f, nil, []domain.RowError{
				{Row: 12, Column: "班组", Message: "丙班容量 20 人"},
				{Row: 5992, Column: "班组", Message: "丙班容量 20 人"},
			})
		})
		t.Run("ErrRowAfterFullShift", func(t *testing.T) {
			f := roster(1000, n)
			f[10].Cells[domain.ColShiftGroup] = "丙班"
			f[5500].Cells[domain.ColPhone] = "1"
			refused(t, f, nil, []domain.RowError{{Row: 5502, Column: "手机号", Message: "11 位"}})
		})
		t.Run("OKTheSameFileRight", func(t *testing.T) {
			res, err := p.workers.ImportFrom(p.ctx, p.hr.Actor(), p.ent.ID, batchedSource(roster(1000, n), 2500, nil), false)
			if err != nil || res.Created != n || len(res.Errors) > 0 {
				t.Fatalf("got %+v, %v; want %d created", res, err, n)
			}
		})
	})
}
