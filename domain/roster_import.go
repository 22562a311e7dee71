package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// ImportOptions say how an import runs.
type ImportOptions struct {
	// DryRun checks and counts, and writes nothing: the answer lists the errors and the
	// isolation warnings HR will have to confirm.
	DryRun bool
	// ConfirmIsolation is HR's confirmation of the isolation warnings (FieldConfirmIsolation):
	// without it, an import with warnings writes nothing and returns them.
	ConfirmIsolation bool
}

// ImportFrom is ImportWith without HR's confirmation of isolation warnings.
func (s *WorkerService) ImportFrom(ctx context.Context, actor Actor, enterpriseID int64, src RosterSource, dryRun bool) (ImportResult, error) {
	return s.ImportWith(ctx, actor, enterpriseID, src, ImportOptions{DryRun: dryRun})
}

// ImportWith validates every row of an uploaded roster and, only when there is no error at all
// and this is no dry run, writes the whole file in one transaction: people not on the roster
// are created, people already on it (same ID number) updated. Rows that would put a shift over
// its capacity (the file and the roster counted together, in the writing transaction, the
// shifts locked) are row errors. People at risk placed in a batch their isolation outlasts are
// warnings (ImportResult.Warnings): a dry run lists them, and the import writes nothing and
// returns them unless HR confirmed them (ImportOptions.ConfirmIsolation).
//
// On SQLite it reads and checks the whole file before it opens the transaction, and a dry run
// opens none: a transaction there is the database's one writer, and every sign-in and check-in
// of every township waited while a file was read in one (issue 16). On PostgreSQL, where a
// transaction holds up only the rows it locks, it writes each batch as it is read (streamed),
// and rolls all back on a later problem. It runs in one of the
// server's import places (Options.Imports), within Options.ImportBudget, and stops when ctx
// ends: a stopped import has written nothing. ErrForbidden, ErrNotFound, ErrTooManyRequests (another import of
// the enterprise, or too many of the server's, under way), ErrUnavailable (the budget spent);
// the cause of ctx when it ended.
func (s *WorkerService) ImportWith(ctx context.Context, actor Actor, enterpriseID int64, src RosterSource, opt ImportOptions) (ImportResult, error) {
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
	res, err := s.importFrom(ctx, actor, e, t, src, opt)
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

// errImportRefused rolls back an import whose rows, compared with the roster in its
// transaction, overfill a shift or have isolation warnings HR did not confirm.
var errImportRefused = errors.New("import refused")

// warningTexts are the warnings' messages, with their rows, for the conflict that lists them.
func warningTexts(ws []RowError) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, "第 "+strconv.Itoa(w.Row)+" 行 "+w.Message)
	}
	return out
}

// errImportBudget ends the context of an import that ran out of time.
var errImportBudget = errors.New("import time budget spent")

func (s *WorkerService) importFrom(ctx context.Context, actor Actor, e Enterprise, t Township, src RosterSource, opt ImportOptions) (ImportResult, error) {
	today := t.Today(s.clock.Now())
	pl, err := s.placementOf(ctx, e.ID)
	if err != nil {
		return ImportResult{}, err
	}
	im := &importer{s: s, t: t, e: e, today: today, rows: rowParser{today: today, first: map[IDNumber]int{}, place: pl},
		tally: raised{}, confirm: opt.ConfirmIsolation}
	if !opt.DryRun && !holdsWriters(s.tx) {
		return im.streamed(ctx, actor, src)
	}
	sheetErrs, err := readAhead(ctx, src, im.parse)
	switch {
	case err != nil:
		return ImportResult{}, err
	case len(sheetErrs) > 0:
		return ImportResult{Errors: sheetErrs}, nil
	case len(im.errs) > 0:
		return ImportResult{Errors: im.errs}, nil
	case opt.DryRun:
		// Counted against the roster as it is, with reads alone.
		if err := im.write(ctx, true); err != nil {
			return ImportResult{}, err
		}
		if len(im.seatErrs) > 0 {
			return ImportResult{Errors: im.seatErrs, Warnings: im.res.Warnings}, nil
		}
		return im.res, nil
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := im.write(ctx, false); err != nil {
			return err
		}
		return im.finish(ctx, actor)
	})
	return im.outcome(err)
}

// streamed imports where a transaction held open holds up no one else's writes
// (PostgreSQL): it opens the transaction first and compares and writes each batch of people
// as the reader hands it over, so that the writing of one batch overlaps the reading of the
// next. A row or sheet problem found later rolls back what the batches before it wrote; after
// one it only parses, so that HR hears of every row in one go, as when the file is read first.
func (im *importer) streamed(ctx context.Context, actor Actor, src RosterSource) (ImportResult, error) {
	var sheetErrs []RowError
	err := im.s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		sheetErrs, err = readAhead(ctx, src, func(rows []RosterRow) error {
			if err := im.parse(rows); err != nil || len(im.errs) > 0 {
				return err
			}
			return im.write(ctx, false)
		})
		switch {
		case err != nil:
			return err
		case len(sheetErrs) > 0 || len(im.errs) > 0:
			return errImportRefused
		}
		return im.finish(ctx, actor)
	})
	switch refused := errors.Is(err, errImportRefused); {
	case refused && len(sheetErrs) > 0: // they replace whatever the rows said
		return ImportResult{Errors: sheetErrs}, nil
	case refused && len(im.errs) > 0:
		return ImportResult{Errors: im.errs}, nil
	}
	return im.outcome(err)
}

// finish ends an import's transaction once every person is written: it refuses the import
// that a row or an unconfirmed warning blocks (rolling back what the batches wrote), and
// otherwise snapshots the roster's figures and records HR's import.
func (im *importer) finish(ctx context.Context, actor Actor) error {
	s, e := im.s, im.e
	if im.blocked() {
		return errImportRefused
	}
	if im.res.Created+im.res.Updated == 0 {
		// The roster is as it was, and so are its figures: HR's import is recorded, and
		// nothing else is written.
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "roster.import", "enterprise", e.ID, "新增 0 人,更新 0 人")
	}
	if err := s.snapshot(ctx, im.t, e.ID, im.today); err != nil {
		return err
	}
	detail := "新增 " + strconv.Itoa(im.res.Created) + " 人,更新 " + strconv.Itoa(im.res.Updated) + " 人"
	return s.audit().record(ctx, actor, e.TownshipID, e.ID, "roster.import", "enterprise", e.ID, detail)
}

// outcome is the import's answer once its transaction ended with err.
func (im *importer) outcome(err error) (ImportResult, error) {
	switch {
	case errors.Is(err, errImportRefused) && len(im.seatErrs) > 0:
		return ImportResult{Errors: im.seatErrs, Warnings: im.res.Warnings}, nil
	case errors.Is(err, errImportRefused):
		return ImportResult{Warnings: im.res.Warnings}, isolationConflict(warningTexts(im.res.Warnings))
	case err != nil:
		return ImportResult{}, err
	}
	im.tally.report(im.s.recorder)
	notify(im.s.changes, Change{TownshipID: im.e.TownshipID, EnterpriseID: im.e.ID, Kind: ChangeRoster})
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

// importer is one import under way: the people read and not yet compared, what it has
// counted and raised, and every problem found.
type importer struct {
	s      *WorkerService
	t      Township
	e      Enterprise
	today  Date
	rows   rowParser
	parsed []Worker // the people of the rows read and not yet compared, while no row has a problem
	rowNum []int    // the sheet row of each of parsed
	seats  seats    // the shifts people are counted into, from the first batch compared on
	res    ImportResult
	errs   []RowError // the rows' own problems
	// seatErrs are the rows that overfill a shift, counted against the roster: HR hears of
	// them when the rows have no problem of their own.
	seatErrs []RowError
	tally    raised
	// confirm: HR confirmed the isolation warnings, which do not stop the import then.
	confirm bool
}

// blocked says that the import may write nothing: a row error, or warnings not confirmed.
func (im *importer) blocked() bool {
	return len(im.errs) > 0 || len(im.seatErrs) > 0 || (len(im.res.Warnings) > 0 && !im.confirm)
}

// parse parses a batch of rows and keeps their people. After a problem it only parses, so
// that HR hears of every one in one go, and keeps nobody.
func (im *importer) parse(rows []RosterRow) error {
	parsed, errs := im.rows.parse(rows)
	if im.errs = append(im.errs, errs...); len(im.errs) > 0 {
		im.parsed, im.rowNum = nil, nil
		return nil
	}
	im.parsed = append(im.parsed, parsed...)
	for _, r := range rows {
		im.rowNum = append(im.rowNum, r.Row)
	}
	return nil
}

// write compares the people read and not yet compared with the roster, importBatch at a
// time, and counts them: new, changed, unchanged, and the places they take in the shifts.
// Unless only is counting, it writes them while nothing blocks the import: changed people one
// by one, new people in a few multi-row statements, then the alerts their arrival raises.
// After a problem it goes on counting, so that HR hears of every row that overfills a shift
// in one go.
func (im *importer) write(ctx context.Context, counting bool) error {
	if im.seats == nil {
		st, err := im.seatsOf(ctx, counting)
		if err != nil {
			return err
		}
		im.seats = st
	}
	for start := 0; start < len(im.parsed); start += importBatch {
		end := min(start+importBatch, len(im.parsed))
		ids := make([]IDNumber, 0, end-start)
		for _, w := range im.parsed[start:end] {
			ids = append(ids, w.IDNumber)
		}
		known, err := im.s.workers.FindByIDNumbers(ctx, im.e.ID, ids)
		if err != nil {
			return err
		}
		var fresh, changed []Worker
		for i := start; i < end; i++ {
			im.one(known, im.parsed[i], im.rowNum[i], im.seats, &fresh, &changed)
		}
		if counting || im.blocked() {
			continue
		}
		if err := im.save(ctx, fresh, changed); err != nil {
			return err
		}
	}
	im.parsed, im.rowNum = nil, nil // compared: the next batch starts afresh
	return nil
}

// seatsOf are the shifts people are counted into: every shift of the enterprise, locked in the
// import's transaction in one order, as every writer locks them (read only, for a dry run).
// All of them, since a streamed import locks them before it has read the file's; none when
// the sheet has no 班组 column and leaves everyone in their shift.
func (im *importer) seatsOf(ctx context.Context, counting bool) (seats, error) {
	if im.rows.keepShift {
		return seats{}, nil
	}
	ids := make([]int64, 0, len(im.rows.place.byID))
	for id := range im.rows.place.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if !counting {
		return im.s.lockSeats(ctx, ids)
	}
	st := seats{}
	for _, id := range ids {
		sh := im.rows.place.byID[id]
		st[id] = &sh
	}
	return st, nil
}

// save writes a batch: the changed people, the new ones, and the alerts they raise.
func (im *importer) save(ctx context.Context, fresh, changed []Worker) error {
	var alerts []Alert
	for _, w := range changed {
		if err := im.s.workers.Update(ctx, w); err != nil {
			return err
		}
		alerts = append(alerts, im.t.placedAlerts(w)...)
	}
	if err := im.s.workers.CreateMany(ctx, fresh); err != nil {
		return err
	}
	for _, w := range fresh {
		alerts = append(alerts, im.t.placedAlerts(w)...)
	}
	_, err := im.tally.raise(ctx, im.s.alerts, alerts)
	return err
}

// one counts a person of sheet row row: new (added to fresh), changed (to changed) or
// unchanged; a place their shift has not is the row's error, an isolation their batch does
// not wait for its warning. A column the sheet does not have leaves what it holds as it was.
func (im *importer) one(known map[IDNumber]Worker, w Worker, row int, st seats, fresh, changed *[]Worker) {
	var prev *Worker
	next := w
	if old, ok := known[w.IDNumber]; ok {
		prev = &old
		next = mergeWorker(old, w)
		if im.rows.keepShift {
			next.ShiftID, next.ShiftGroup = old.ShiftID, old.ShiftGroup
		}
		if !im.rows.keepBatch {
			next.BatchID, next.BatchNumber, next.BatchDate = w.BatchID, w.BatchNumber, w.BatchDate
		}
	} else {
		next.TownshipID, next.EnterpriseID, next.Status = im.e.TownshipID, im.e.ID, WorkerExpected
	}
	im.t.settle(&next, im.today)
	if prev != nil && next == *prev {
		im.res.Unchanged++
		return
	}
	if sh, ok := st.take(prev, next); !ok {
		im.seatErrs = append(im.seatErrs, RowError{Row: row, Column: rosterHeader(ColShiftGroup), Message: capacityMessage(sh, 1)})
	}
	if msg, warn := im.t.newIsolationWarning(prev, next, im.today); warn {
		im.res.Warnings = append(im.res.Warnings, RowError{Row: row, Column: rosterHeader(ColBatch), Message: msg})
	}
	if prev == nil {
		im.res.Created++
		*fresh = append(*fresh, next)
		return
	}
	im.res.Updated++
	*changed = append(*changed, next)
}

// rowParser parses roster rows, collecting every problem by row and column, and refuses a
// person listed twice in the file, whichever batches the two rows come in.
type rowParser struct {
	today Date
	first map[IDNumber]int // the row each person was first listed on
	place placement        // the enterprise's shifts and batches, by which the rows name them
	// keepShift and keepBatch: the sheet has no 班组 or 返岗批次 column, and leaves the
	// shifts or batches of the people on the roster as they are (a sheet of phone numbers
	// does not take everyone out of their shifts). Set by the first row: every row of a
	// sheet has its columns.
	keepShift, keepBatch bool
	seen                 bool
}

func (p *rowParser) parse(rows []RosterRow) ([]Worker, []RowError) {
	var errs []RowError
	out := make([]Worker, 0, len(rows))
	for _, r := range rows {
		if !p.seen {
			_, hasShift := r.Cells[ColShiftGroup]
			_, hasBatch := r.Cells[ColBatch]
			p.keepShift, p.keepBatch, p.seen = !hasShift, !hasBatch, true
		}
		in, rowErrs := inputFromRow(r)
		w, probs := in.parse(p.today)
		p.place.placeShift(&w, &probs)
		p.place.placeBatch(&w, in.Batch, &probs)
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
