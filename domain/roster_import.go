package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// RosterSource gives an uploaded roster's rows to yield in batches, in sheet order, stopping at
// yield's first error, which it returns. It returns the sheet's own problems (a missing
// column, too many rows) as RowErrors: they replace whatever the rows yielded said, and those
// rows are not imported. report.StreamRoster is one.
type RosterSource func(yield func([]RosterRow) error) ([]RowError, error)

// RosterRows is a source of rows already read, in one batch.
func RosterRows(rows []RosterRow) RosterSource {
	return func(yield func([]RosterRow) error) ([]RowError, error) {
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
// are created, people already on it (same ID number) updated. It writes each batch while the
// source reads the next one (readAhead), and rolls everything back when a later row, or the
// sheet, turns out wrong: reading a 50,000-row workbook and writing its people, one after the
// other, took twice as long as either (BENCHMARKS.md). ErrForbidden, ErrNotFound.
func (s *WorkerService) ImportFrom(ctx context.Context, actor Actor, enterpriseID int64, src RosterSource, dryRun bool) (ImportResult, error) {
	e, t, err := s.scope(ctx, actor, enterpriseID, true)
	if err != nil {
		return ImportResult{}, err
	}
	today := t.Today(s.Clock.Now())
	im := &importer{s: s, t: t, e: e, today: today, rows: rowParser{today: today, first: map[IDNumber]int{}}, tally: raised{}}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		sheetErrs, err := readAhead(src, func(rows []RosterRow) error { return im.batch(ctx, rows) })
		switch {
		case err != nil:
			return err
		case len(sheetErrs) > 0:
			im.errs = sheetErrs
			return errRefused
		case len(im.errs) > 0:
			return errRefused
		case dryRun:
			return errDryRun // roll back: a dry run only counts
		}
		if err := s.snapshot(ctx, t, e.ID, today); err != nil {
			return err
		}
		detail := "新增 " + strconv.Itoa(im.res.Created) + " 人,更新 " + strconv.Itoa(im.res.Updated) + " 人"
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "roster.import", "enterprise", e.ID, detail)
	})
	switch {
	case errors.Is(err, errRefused):
		return ImportResult{Errors: im.errs}, nil
	case errors.Is(err, errDryRun):
		return im.res, nil
	case err != nil:
		return ImportResult{}, err
	}
	im.tally.report(s.Recorder)
	notify(s.Changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeRoster})
	return im.res, nil
}

var (
	errDryRun  = errors.New("dry run")
	errRefused = errors.New("roster refused") // its problems are in importer.errs
)

// importer is one import under way: what it has counted and raised, and every problem found.
type importer struct {
	s     *WorkerService
	t     Township
	e     Enterprise
	today Date
	rows  rowParser
	res   ImportResult
	errs  []RowError
	tally raised
}

// batch parses rows and, as long as no row so far had a problem, writes them: new people in a
// few multi-row statements, then their alerts. After a problem it only parses, so that HR
// hears of every one in one go.
func (im *importer) batch(ctx context.Context, rows []RosterRow) error {
	parsed, errs := im.rows.parse(rows)
	if im.errs = append(im.errs, errs...); len(im.errs) > 0 {
		return nil
	}
	ids := make([]IDNumber, 0, len(parsed))
	for _, w := range parsed {
		ids = append(ids, w.IDNumber)
	}
	known, err := im.s.Workers.FindByIDNumbers(ctx, im.e.ID, ids)
	if err != nil {
		return err
	}
	var fresh []Worker
	for _, w := range parsed {
		if err := im.one(ctx, known, w, &fresh); err != nil {
			return err
		}
	}
	if err := im.s.Workers.CreateMany(ctx, fresh); err != nil {
		return err
	}
	var alerts []Alert
	for _, w := range fresh {
		alerts = append(alerts, im.t.ArrivalAlerts(w)...)
	}
	_, err = im.tally.raise(ctx, im.s.Alerts, alerts)
	return err
}

// one updates a person already on the roster, or adds a new one to fresh.
func (im *importer) one(ctx context.Context, known map[IDNumber]Worker, w Worker, fresh *[]Worker) error {
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
	if err := im.s.Workers.Update(ctx, next); err != nil {
		return err
	}
	_, err := im.tally.raise(ctx, im.s.Alerts, im.t.ArrivalAlerts(next))
	return err
}

// rowParser parses roster rows, collecting every problem by row and column, and refuses a
// person listed twice in the file, whichever batches the two rows come in.
type rowParser struct {
	today Date
	first map[IDNumber]int // the row each person was first listed on
}

func (p *rowParser) parse(rows []RosterRow) ([]Worker, []RowError) {
	var errs []RowError
	out := make([]Worker, 0, len(rows))
	for _, r := range rows {
		in, rowErrs := inputFromRow(r)
		w, probs := in.parse(p.today)
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
// one batch ahead: the next batch is read while consume writes this one. A consume error stops
// src and is returned. A panic while reading (the workbook library is not ours) becomes an
// error rather than ending the server, as it would on any goroutine but the request's.
func readAhead(src RosterSource, consume func([]RosterRow) error) ([]RowError, error) {
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
		r.errs, r.err = src(func(rows []RosterRow) error {
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
		if err = consume(rows); err != nil {
			halt()
		}
	}
	r := <-done
	if err != nil {
		return nil, err
	}
	return r.errs, r.err
}

var errStopped = errors.New("import stopped")
