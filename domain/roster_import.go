package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// RosterSource gives an uploaded roster's rows to yield in batches, in sheet order, stopping at
// yield's first error, which it returns, and when ctx ends, returning its cause. It returns
// the sheet's own problems (a missing column, too many rows) as RowErrors: they replace
// whatever the rows yielded said, and those rows are not imported. report/roster's Stream is
// one.
type RosterSource func(ctx context.Context, yield func([]RosterRow) error) ([]RowError, error)

// RosterRows is a source of rows already read, in one batch.
func RosterRows(rows []RosterRow) RosterSource {
	return func(_ context.Context, yield func([]RosterRow) error) ([]RowError, error) {
		if len(rows) == 0 {
			return nil, nil
		}
		return nil, yield(rows)
	}
}

// Import is ImportFrom with the rows already read.
func (s *WorkerService) Import(ctx context.Context, actor Actor, enterpriseID int64, rows []RosterRow, dryRun bool) (ImportResult, error) {
	return s.ImportFrom(ctx, actor, enterpriseID, RosterRows(rows), dryRun)
}

// ImportFrom validates every row of an uploaded roster and, only when there is no error at all
// and this is no dry run, writes the whole file in one transaction: people not on the roster
// are created, people already on it (same ID number) updated.
//
// It reads and checks the whole file before it opens the transaction, and a dry run opens
// none: on SQLite a transaction is the database's one writer, and every sign-in and check-in
// of every township waited while a file was read in one (issue 16). It runs in one of the
// server's import places (Options.Imports), within Options.ImportBudget, and stops when ctx
// ends: a stopped import has written nothing. ErrForbidden, ErrNotFound, ErrTooManyRequests (another import of
// the enterprise, or too many of the server's, under way), ErrUnavailable (the budget spent);
// the cause of ctx when it ended.
func (s *WorkerService) ImportFrom(ctx context.Context, actor Actor, enterpriseID int64, src RosterSource, dryRun bool) (ImportResult, error) {
	e, t, err := s.roster(ctx, actor, enterpriseID, true)
	if err != nil {
		return ImportResult{}, err
	}
	if s.imports != nil {
		release, err := s.imports.Take(e.ID)
		if err != nil {
			return ImportResult{}, err
		}
		defer release()
	}
	if s.importBudget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, s.importBudget, errImportBudget)
		defer cancel()
	}
	res, err := s.importFrom(ctx, actor, e, t, src, dryRun)
	if err != nil && ctx.Err() != nil {
		// Whatever the store or the reader made of it, the import stopped because ctx ended.
		if context.Cause(ctx) == errImportBudget {
			return ImportResult{}, &Error{Kind: ErrUnavailable, Message: "花名册导入超过 " +
				strconv.FormatFloat(s.importBudget.Seconds(), 'f', -1, 64) + " 秒仍未完成,已停止,未导入任何数据;请分批导入,或稍后再试"}
		}
		return ImportResult{}, fmt.Errorf("import roster: %w", context.Cause(ctx))
	}
	return res, err
}

// errImportBudget ends the context of an import that ran out of time.
var errImportBudget = errors.New("import time budget spent")

func (s *WorkerService) importFrom(ctx context.Context, actor Actor, e Enterprise, t Township, src RosterSource, dryRun bool) (ImportResult, error) {
	today := t.Today(s.clock.Now())
	pl, err := s.placementOf(ctx, e.ID)
	if err != nil {
		return ImportResult{}, err
	}
	im := &importer{s: s, t: t, e: e, today: today, rows: rowParser{today: today, first: map[IDNumber]int{}, place: pl}, tally: raised{}}
	sheetErrs, err := readAhead(ctx, src, im.parse)
	switch {
	case err != nil:
		return ImportResult{}, err
	case len(sheetErrs) > 0:
		return ImportResult{Errors: sheetErrs}, nil
	case len(im.errs) > 0:
		return ImportResult{Errors: im.errs}, nil
	case dryRun:
		// Counted against the roster as it is, with reads alone.
		if err := im.write(ctx, true); err != nil {
			return ImportResult{}, err
		}
		return im.res, nil
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := im.write(ctx, false); err != nil {
			return err
		}
		if im.res.Created+im.res.Updated == 0 {
			// The roster is as it was, and so are its figures: HR's import is recorded, and
			// nothing else is written.
			return s.audit().record(ctx, actor, e.TownshipID, e.ID, "roster.import", "enterprise", e.ID, "新增 0 人,更新 0 人")
		}
		if err := s.snapshot(ctx, t, e.ID, today); err != nil {
			return err
		}
		detail := "新增 " + strconv.Itoa(im.res.Created) + " 人,更新 " + strconv.Itoa(im.res.Updated) + " 人"
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "roster.import", "enterprise", e.ID, detail)
	})
	if err != nil {
		return ImportResult{}, err
	}
	im.tally.report(s.recorder)
	notify(s.changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeRoster})
	return im.res, nil
}

// ImportSlots are the places for roster imports a server has: Max at once (2 when 0), and
// one per enterprise. An import reads a workbook of up to 64 MB unpacked and keeps a core busy
// while it does; without a bound, a few HR staff uploading at once (or one client sending the
// same file again and again) would take every core and the memory with them.
type ImportSlots struct {
	Max int

	mu      sync.Mutex
	running map[int64]bool // by enterprise
}

// Take reserves a place for an import of the enterprise's roster; release gives it back.
// ErrTooManyRequests when the enterprise has an import under way, or the server Max.
func (s *ImportSlots) Take(enterpriseID int64) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[enterpriseID] {
		return nil, &Error{Kind: ErrTooManyRequests, Message: "本企业有一份花名册正在导入,请等它完成后再上传"}
	}
	limit := s.Max
	if limit <= 0 {
		limit = 2
	}
	if len(s.running) >= limit {
		return nil, &Error{Kind: ErrTooManyRequests, Message: "正在导入的花名册较多,请稍后再上传"}
	}
	if s.running == nil {
		s.running = map[int64]bool{}
	}
	s.running[enterpriseID] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.running, enterpriseID)
			s.mu.Unlock()
		})
	}, nil
}

// Running is how many imports hold a place now.
func (s *ImportSlots) Running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.running)
}

// importBatch is how many people an import looks up and writes at a time: few statements,
// and lists of ID numbers the databases plan well.
const importBatch = 2500

// importer is one import under way: the people read so far, what it has counted and raised,
// and every problem found.
type importer struct {
	s      *WorkerService
	t      Township
	e      Enterprise
	today  Date
	rows   rowParser
	parsed []Worker // every row's person, while no row has a problem
	res    ImportResult
	errs   []RowError
	tally  raised
}

// parse parses a batch of rows and keeps their people. After a problem it only parses, so
// that HR hears of every one in one go, and keeps nobody.
func (im *importer) parse(rows []RosterRow) error {
	parsed, errs := im.rows.parse(rows)
	if im.errs = append(im.errs, errs...); len(im.errs) > 0 {
		im.parsed = nil
		return nil
	}
	im.parsed = append(im.parsed, parsed...)
	return nil
}

// write compares the people read with the roster, importBatch at a time, and counts them:
// new, changed, unchanged. Unless only is counting, it writes them: changed people one by one,
// new people in a few multi-row statements, then the alerts their arrival raises.
func (im *importer) write(ctx context.Context, counting bool) error {
	for start := 0; start < len(im.parsed); start += importBatch {
		batch := im.parsed[start:min(start+importBatch, len(im.parsed))]
		ids := make([]IDNumber, 0, len(batch))
		for _, w := range batch {
			ids = append(ids, w.IDNumber)
		}
		known, err := im.s.workers.FindByIDNumbers(ctx, im.e.ID, ids)
		if err != nil {
			return err
		}
		var fresh []Worker
		for _, w := range batch {
			if err := im.one(ctx, known, w, &fresh, counting); err != nil {
				return err
			}
		}
		if counting {
			continue
		}
		if err := im.s.workers.CreateMany(ctx, fresh); err != nil {
			return err
		}
		var alerts []Alert
		for _, w := range fresh {
			alerts = append(alerts, im.t.ArrivalAlerts(w)...)
		}
		if _, err := im.tally.raise(ctx, im.s.alerts, alerts); err != nil {
			return err
		}
	}
	return nil
}

// one updates a person already on the roster (counts them only, when counting), or adds a new
// one to fresh.
func (im *importer) one(ctx context.Context, known map[IDNumber]Worker, w Worker, fresh *[]Worker, counting bool) error {
	old, ok := known[w.IDNumber]
	if !ok {
		w.TownshipID, w.EnterpriseID, w.Status = im.e.TownshipID, im.e.ID, WorkerExpected
		im.t.settle(&w, im.today)
		im.res.Created++
		*fresh = append(*fresh, w)
		return nil
	}
	next := mergeWorker(old, w)
	im.t.settle(&next, im.today)
	if next == old {
		im.res.Unchanged++
		return nil
	}
	im.res.Updated++
	if counting {
		return nil
	}
	if err := im.s.workers.Update(ctx, next); err != nil {
		return err
	}
	_, err := im.tally.raise(ctx, im.s.alerts, im.t.ArrivalAlerts(next))
	return err
}

// rowParser parses roster rows, collecting every problem by row and column, and refuses a
// person listed twice in the file, whichever batches the two rows come in.
type rowParser struct {
	today Date
	first map[IDNumber]int // the row each person was first listed on
	place placement        // the enterprise's shifts, by which the rows name them
}

func (p *rowParser) parse(rows []RosterRow) ([]Worker, []RowError) {
	var errs []RowError
	out := make([]Worker, 0, len(rows))
	for _, r := range rows {
		in, rowErrs := inputFromRow(r)
		w, probs := in.parse(p.today)
		p.place.placeShift(&w, &probs)
		for _, f := range probs {
			if f.Field == ColIDNumber && r.Numeric[ColIDNumber] {
				continue // inputFromRow said why already
			}
			rowErrs = append(rowErrs, RowError{Row: r.Row, Column: rosterHeader(f.Field), Message: f.Message})
		}
		if first, dup := p.first[w.IDNumber]; dup && w.IDNumber != "" {
			rowErrs = append(rowErrs, RowError{Row: r.Row, Column: rosterHeader(ColIDNumber),
				Message: "与第 " + strconv.Itoa(first) + " 行是同一人"})
		} else if w.IDNumber != "" {
			p.first[w.IDNumber] = r.Row
		}
		errs = append(errs, rowErrs...)
		out = append(out, w)
	}
	return out, errs
}

// readAhead runs src on a goroutine of its own and gives its batches to consume as they come,
// one batch ahead: the next batch is read while consume parses this one. A consume error, or
// the end of ctx, stops src and is returned. A panic while reading (the workbook library is not
// ours) becomes an error rather than ending the server, as it would on any goroutine but the
// request's.
func readAhead(ctx context.Context, src RosterSource, consume func([]RosterRow) error) ([]RowError, error) {
	batches := make(chan []RosterRow, 1)
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }
	defer halt() // should consume panic, src must not wait for it forever
	type result struct {
		errs []RowError
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("read roster: panic: %v", p)}
			}
			close(batches)
			done <- r
		}()
		r.errs, r.err = src(ctx, func(rows []RosterRow) error {
			select {
			case <-stop: // stopped: not one batch more, even with room for it
				return errStopped
			default:
			}
			select {
			case batches <- rows:
				return nil
			case <-stop:
				return errStopped
			}
		})
	}()
	var err error
	for rows := range batches {
		if err != nil {
			continue // src stops at its next batch
		}
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		} else {
			err = consume(rows)
		}
		if err != nil {
			halt()
		}
	}
	r := <-done
	if err != nil {
		return nil, err
	}
	if r.err == nil && ctx.Err() != nil {
		return nil, context.Cause(ctx) // the source may have been done already
	}
	return r.errs, r.err
}

var errStopped = errors.New("import stopped")
