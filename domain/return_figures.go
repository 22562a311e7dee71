package domain

import (
	"context"
	"slices"
	"strconv"
)

// ReturnFigures are the plan-against-actual figures of a staggered return (错峰返岗) for one
// enterprise on one day, or their sum over several (FIGURES.md, 错峰返岗). The plan is the
// enterprise's return batches; the actual is its workers' arrival dates.
type ReturnFigures struct {
	Planned       int // batch headcounts dated the day
	PlannedToDate int // batch headcounts dated on or before the day
	Arrived       int // workers counted back whose arrival date is the day
	ArrivedToDate int // workers counted back by the day: the rule back, as 已返岗
	Early         int // assigned workers back by the day who arrived before their batch's date
	NoShow        int // assigned workers whose batch's date is before the day, not back by it
}

// Gap is the running total against the plan: arrived to date less planned to date, negative
// while the return lags behind the plan.
func (f ReturnFigures) Gap() int { return f.ArrivedToDate - f.PlannedToDate }

// Add adds g's figures to f.
func (f *ReturnFigures) Add(g ReturnFigures) {
	f.Planned += g.Planned
	f.PlannedToDate += g.PlannedToDate
	f.Arrived += g.Arrived
	f.ArrivedToDate += g.ArrivedToDate
	f.Early += g.Early
	f.NoShow += g.NoShow
}

// ReturnFigureDef is one plan-against-actual figure as users see it: its field in the API, its
// name on every page and sheet, and how it reads off ReturnFigures.
type ReturnFigureDef struct {
	Key   string
	Label string
	Value func(ReturnFigures) int
}

// ReturnFigureDefs are the plan-against-actual figures, in the order the sheets show them.
// The API, the dashboard's chart, daily.xlsx's 错峰返岗 sheet and range.xlsx take them from
// here, and a test reads every one off all of them and compares.
var ReturnFigureDefs = []ReturnFigureDef{
	{"planned", "计划返岗", func(f ReturnFigures) int { return f.Planned }},
	{"planned_to_date", "计划累计", func(f ReturnFigures) int { return f.PlannedToDate }},
	{"arrived", "实际返岗", func(f ReturnFigures) int { return f.Arrived }},
	{"arrived_to_date", "实际累计", func(f ReturnFigures) int { return f.ArrivedToDate }},
	{"early", "提前返岗", func(f ReturnFigures) int { return f.Early }},
	{"no_show", "逾期未返", func(f ReturnFigures) int { return f.NoShow }},
	{"gap", "累计较计划", ReturnFigures.Gap},
}

// ReturnWorker is what the plan-against-actual figures read of a worker: one row of the
// workers table, four columns.
type ReturnWorker struct {
	EnterpriseID int64
	BatchID      int64 // 0: assigned to no batch
	ArrivedOn    Date  // zero while not back
	Status       WorkerStatus
	LeftOn       Date // zero unless left
	// People is how many workers these facts are, all counted alike: the store reads a
	// township's roster grouped by them (a few hundred rows for 50,000 people). 0 reads as one.
	People int
}

// people is how many workers w stands for.
func (w ReturnWorker) people() int { return max(1, w.People) }

// onRosterOn says whether a worker was on the roster on day d: not left, or left after d.
func (w ReturnWorker) onRosterOn(d Date) bool {
	return w.Status != WorkerLeft || (!w.LeftOn.IsZero() && w.LeftOn.After(d))
}

// backBy says whether a worker counts as back by day d: on the roster then, not 待返岗, with
// an arrival on or before d. For a worker who has not left it is the rule back, so that
// ArrivedToDate is 已返岗 (workers_returned); one who left after d counts as that day's
// snapshot counted them.
func (w ReturnWorker) backBy(d Date) bool {
	return w.onRosterOn(d) && w.Status != WorkerExpected && !w.ArrivedOn.IsZero() && !w.ArrivedOn.After(d)
}

// BatchProgress is one return batch held against its workers on a day.
type BatchProgress struct {
	Batch    ReturnBatch
	Assigned int // its workers on the roster on the day
	Arrived  int // of them, back by the day
	Early    int // of them, back by the day and arrived before the batch's date
	NoShow   int // of them, not back by the day when the batch's date is before it
}

// ReturnOn is the one rule of the plan-against-actual figures: the figures of day d of the
// enterprises whose batches and workers are given (all of one enterprise, or of many, which
// sums them). A worker counts only while on the roster (left after d or not at all); one
// whose batch is not among the batches given counts as assigned to none.
func ReturnOn(batches []ReturnBatch, workers []ReturnWorker, d Date) ReturnFigures {
	return returnOn(batches, workers, batchDates(batches), d)
}

// batchDates are the batches' dates by ID.
func batchDates(batches []ReturnBatch) map[int64]Date {
	dates := make(map[int64]Date, len(batches))
	for _, b := range batches {
		dates[b.ID] = b.Date
	}
	return dates
}

// returnOn is ReturnOn with the batches' dates by ID at hand (batchDates): a range export asks
// it of every enterprise and day.
func returnOn(batches []ReturnBatch, workers []ReturnWorker, dates map[int64]Date, d Date) ReturnFigures {
	var f ReturnFigures
	for _, b := range batches {
		if b.Date == d {
			f.Planned += b.Planned
		}
		if !b.Date.After(d) {
			f.PlannedToDate += b.Planned
		}
	}
	for _, w := range workers {
		p := workerProgress(w, dates, d)
		f.Arrived += p.arrivedOnDay
		f.ArrivedToDate += p.back
		f.Early += p.early
		f.NoShow += p.noShow
	}
	return f
}

// progress is one worker's part of a day's figures.
type progress struct {
	assigned, back, arrivedOnDay, early, noShow int
}

// workerProgress is one worker's part of day d's figures, dates the batches' dates by ID.
func workerProgress(w ReturnWorker, dates map[int64]Date, d Date) progress {
	var p progress
	if !w.onRosterOn(d) {
		return p
	}
	n := w.people()
	back := w.backBy(d)
	if back {
		p.back = n
		if w.ArrivedOn == d {
			p.arrivedOnDay = n
		}
	}
	batchDate, assigned := dates[w.BatchID]
	if !assigned || w.BatchID == 0 {
		return p
	}
	p.assigned = n
	if back && w.ArrivedOn.Before(batchDate) {
		p.early = n
	}
	if !back && batchDate.Before(d) {
		p.noShow = n
	}
	return p
}

// BatchesOn holds each of an enterprise's batches against its workers on day d, by the rule of
// ReturnOn: a batch's Early and NoShow add up to the enterprise's.
func BatchesOn(batches []ReturnBatch, workers []ReturnWorker, d Date) []BatchProgress {
	out := make([]BatchProgress, len(batches))
	at := make(map[int64]int, len(batches))
	dates := make(map[int64]Date, len(batches))
	for i, b := range batches {
		out[i].Batch = b
		at[b.ID], dates[b.ID] = i, b.Date
	}
	for _, w := range workers {
		i, ok := at[w.BatchID]
		if !ok || w.BatchID == 0 {
			continue
		}
		p := workerProgress(w, dates, d)
		out[i].Assigned += p.assigned
		out[i].Arrived += p.back
		out[i].Early += p.early
		out[i].NoShow += p.noShow
	}
	return out
}

// ReturnBook is a township's (or a scope's) batches and workers, by enterprise, read once for
// any number of days.
type ReturnBook struct {
	batches map[int64][]ReturnBatch
	workers map[int64][]ReturnWorker
	dates   map[int64]map[int64]Date // each enterprise's batches' dates, by ID
}

// NewReturnBook files batches and workers by enterprise.
func NewReturnBook(batches []ReturnBatch, workers []ReturnWorker) ReturnBook {
	b := ReturnBook{batches: map[int64][]ReturnBatch{}, workers: map[int64][]ReturnWorker{}, dates: map[int64]map[int64]Date{}}
	for _, x := range batches {
		b.batches[x.EnterpriseID] = append(b.batches[x.EnterpriseID], x)
	}
	for id, bs := range b.batches {
		b.dates[id] = batchDates(bs)
	}
	for _, w := range workers {
		b.workers[w.EnterpriseID] = append(b.workers[w.EnterpriseID], w)
	}
	return b
}

// On is an enterprise's figures of day d.
func (b ReturnBook) On(enterpriseID int64, d Date) ReturnFigures {
	return returnOn(b.batches[enterpriseID], b.workers[enterpriseID], b.dates[enterpriseID], d)
}

// Batches holds an enterprise's batches against its workers on day d.
func (b ReturnBook) Batches(enterpriseID int64, d Date) []BatchProgress {
	return BatchesOn(b.batches[enterpriseID], b.workers[enterpriseID], d)
}

// Total is the sum of the figures of day d of the enterprises given.
func (b ReturnBook) Total(enterpriseIDs []int64, d Date) ReturnFigures {
	var f ReturnFigures
	for _, id := range enterpriseIDs {
		f.Add(b.On(id, d))
	}
	return f
}

// ReturnFilter selects the enterprises whose batches and workers are read: those of a
// StatsFilter, and only one when EnterpriseID is not 0.
type ReturnFilter struct {
	StatsFilter
	EnterpriseID int64
}

// ReturnStore reads what the plan-against-actual figures count, one query each for any number
// of enterprises.
type ReturnStore interface {
	// Batches returns the matching enterprises' return batches, by enterprise and number,
	// without their Assigned counts.
	Batches(ctx context.Context, f ReturnFilter) ([]ReturnBatch, error)
	// Workers returns the matching enterprises' workers who were on the roster after day
	// since: everyone but those who left on or before it, by enterprise, those with the same
	// facts in one ReturnWorker (People of them) or each on their own.
	Workers(ctx context.Context, f ReturnFilter, since Date) ([]ReturnWorker, error)
}

// ReturnDay is the figures of one day.
type ReturnDay struct {
	Date Date
	ReturnFigures
}

// ReturnProgress is an enterprise's return held against its plan: per day, and per batch as of
// the last day.
type ReturnProgress struct {
	Enterprise Enterprise
	From, To   Date
	Days       []ReturnDay
	Batches    []BatchProgress
}

// ReturnService shows an enterprise's return held against its plan to those who may see the
// enterprise: its HR, its supervisors, the town.
type ReturnService struct {
	returns   ReturnStore
	townships TownshipStore
	clock     Clock
	scope     scopeLoader
}

// Progress returns an enterprise's figures for each day from one date to another and its
// batches as of the last. The last day is to, today when zero; the first is from, or days-1
// days before the last when days is given (not nil), or 13 days before it when neither is.
// ErrNotFound out of scope, ErrInvalid for a bad range.
func (s *ReturnService) Progress(ctx context.Context, actor Actor, enterpriseID int64, from, to Date, days *int) (ReturnProgress, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return ReturnProgress{}, err
	}
	t, err := s.townships.Get(ctx, e.TownshipID)
	if err != nil {
		return ReturnProgress{}, err
	}
	today := t.Today(s.clock.Now())
	if from, err = lastDays(from, to, days, today); err != nil {
		return ReturnProgress{}, err
	}
	if from, to, err = dayRange(from, to, today); err != nil {
		return ReturnProgress{}, err
	}
	f := ReturnFilter{StatsFilter: StatsFilter{TownshipID: e.TownshipID}, EnterpriseID: e.ID}
	book, err := readReturnBook(ctx, s.returns, f, from)
	if err != nil {
		return ReturnProgress{}, err
	}
	out := ReturnProgress{Enterprise: e, From: from, To: to, Batches: book.Batches(e.ID, to)}
	for d := from; !d.After(to); d = d.AddDays(1) {
		out.Days = append(out.Days, ReturnDay{Date: d, ReturnFigures: book.On(e.ID, d)})
	}
	return out, nil
}

// lastDays is the first day of a range given as a number of days up to its last (to, today
// when zero); from when days is nil.
func lastDays(from, to Date, days *int, today Date) (Date, error) {
	switch {
	case days == nil:
		return from, nil
	case !from.IsZero():
		return Date{}, Invalid("days", "请只选择开始日期或天数之一")
	case *days < 1 || *days > MaxTrendDays:
		return Date{}, Invalid("days", "天数应在 1 到 "+strconv.Itoa(MaxTrendDays)+" 之间")
	}
	if to.IsZero() {
		to = today
	}
	return to.AddDays(1 - *days), nil
}

// readReturnBook reads the batches and the workers of a filter's enterprises for the days
// from since on.
func readReturnBook(ctx context.Context, st ReturnStore, f ReturnFilter, since Date) (ReturnBook, error) {
	batches, err := st.Batches(ctx, f)
	if err != nil {
		return ReturnBook{}, err
	}
	workers, err := st.Workers(ctx, f, since)
	if err != nil {
		return ReturnBook{}, err
	}
	return NewReturnBook(batches, workers), nil
}

// ReturnCurve returns a dashboard view's plan-against-actual totals for every one of its days,
// oldest first: the township's curve (a supervisor's: their enterprises'). ErrForbidden (a view
// the service did not make).
func (s *DashboardService) ReturnCurve(ctx context.Context, v DashboardView) ([]ReturnDay, error) {
	if err := v.made(); err != nil {
		return nil, err
	}
	return s.figures.returnCurve(ctx, v.view, v.from, v.date)
}

// returnCurve sums the view's enterprises' figures for each day from one date to another.
func (s *figureReader) returnCurve(ctx context.Context, v view, from, to Date) ([]ReturnDay, error) {
	book, ids, err := s.returnBook(ctx, v, from)
	if err != nil {
		return nil, err
	}
	var out []ReturnDay
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = append(out, ReturnDay{Date: d, ReturnFigures: book.Total(ids, d)})
	}
	return out, nil
}

// returnBook reads the batches and workers of a view's enterprises for the days from since on,
// with the enterprises' IDs in order.
func (s *figureReader) returnBook(ctx context.Context, v view, since Date) (ReturnBook, []int64, error) {
	book, err := readReturnBook(ctx, s.returns, ReturnFilter{StatsFilter: v.filter}, since)
	if err != nil {
		return ReturnBook{}, nil, err
	}
	ids := make([]int64, 0, len(book.batches)+len(book.workers))
	for id := range book.batches {
		ids = append(ids, id)
	}
	for id := range book.workers {
		if _, ok := book.batches[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return book, ids, nil
}
