package domain

import (
	"context"
	"errors"
	"slices"

	"golang.org/x/sync/errgroup"
)

// ReportService gathers the town admin's exports of the figures: the daily report and the
// range report, whose numbers are the dashboard's (the same figureReader).
type ReportService struct {
	figures *figureReader
	workers WorkerStore
	alerts  AlertStore
	plans   PlanStore
	audits  AuditStore
	clock   Clock
	gate    *GateService // the day's spot checks and passes (抽查核验)
}

// DailyReport is everything the township's daily report workbook holds (DESIGN.md, What a
// township daily report holds). Its numbers are the dashboard's for the same day.
type DailyReport struct {
	Township    Township
	Date        Date
	Summary     Summary
	Trend       []TrendPoint // the 14 days up to Date
	Enterprises []ReportEnterprise
	Abnormal    []PersonDay // a fever or symptoms in either slot
	Missed      []PersonDay // due and without a report of a slot (MissingAM, MissingPM)
	KeyArea     []PersonDay // back, at medium or high risk
	Isolating   []PersonDay // back and isolating on the day
	// Unregistered reported though not due (not marked back): HR confirms their arrival.
	Unregistered []PersonDay
	// Returns are the enterprises' return against their plans on the day (错峰返岗), in the
	// order of Enterprises; ReturnTotal is their sum, the township's.
	Returns     []EnterpriseReturn
	ReturnTotal ReturnFigures
	// SpotChecks are the day's spot checks, by enterprise and time (names unmasked: the sheet
	// masks the workers'); Spot their figures, every enterprise's and the township's; Passes
	// the day's pass counts by enterprise (FIGURES.md, 复工码与抽查核验).
	SpotChecks []SpotCheck
	Spot       SpotFiguresView
	Passes     PassCountsView
}

// EnterpriseReturn is one enterprise's plan-against-actual figures of a day.
type EnterpriseReturn struct {
	Enterprise Enterprise
	ReturnFigures
}

// ReportEnterprise is one enterprise's row of the daily report.
type ReportEnterprise struct {
	EnterpriseDay
	Supplies SupplyDays // from its latest plan; zero without one
	HasPlan  bool
}

// PersonDay is one worker's day for the people sheets.
type PersonDay struct {
	Worker      Worker // EnterpriseName filled
	AM, PM      *Checkin
	MissedSlots []Slot
	Alerts      []Alert // the worker's alerts dated the day
}

// MaxRangeDays is the longest range one export may cover: ten years.
const MaxRangeDays = 3660

// RangeRow is one enterprise's figures of one day, for the range export.
type RangeRow struct {
	Enterprise Enterprise // as it stood at the end of the row's day: its status then
	DayRow
	Return ReturnFigures // the day's return against the enterprise's plan (错峰返岗)
}

// DailyReport gathers the daily report of the town admin's township for a day (today when d
// is zero) and records the export. ErrForbidden.
func (s *ReportService) DailyReport(ctx context.Context, actor Actor, d Date) (DailyReport, error) {
	return s.DailyReportWith(ctx, actor, d, nil)
}

// DailyReportWith is DailyReport that hands people the report's people sheets as soon as they
// are read, while the enterprises' numbers and the gate's are still being read: a report with
// its Township, Date and people sheets and nothing else. daily.xlsx writes those sheets
// meanwhile, which were the better part of writing the workbook and came after every read
// (BENCHMARKS.md, daily.xlsx). people runs at most once, on a goroutine of its own, and has
// returned by the time DailyReportWith does; its error ends the report. nil: nobody waits.
func (s *ReportService) DailyReportWith(ctx context.Context, actor Actor, d Date, people func(DailyReport) error) (DailyReport, error) {
	if !actor.Is(RoleTownAdmin) {
		return DailyReport{}, Forbidden("只有镇专班可以导出日报")
	}
	v, err := s.figures.scope(ctx, actor, DashboardQuery{Date: d})
	if err != nil {
		return DailyReport{}, err
	}
	// The people come first, on their own: their sheets take longest to write, and are
	// written (people) while the rest is read. Read beside the rest, they came last, shared
	// the two cores with it, and their writing waited for them (BENCHMARKS.md, daily.xlsx).
	found, alerts, es, err := s.readPeople(ctx, v)
	if err != nil {
		return DailyReport{}, err
	}
	listed := DailyReport{Township: v.township, Date: v.date}
	listed.placePeople(found, alerts, es)
	r := DailyReport{Township: v.township, Date: v.date}
	g, gctx := errgroup.WithContext(ctx)
	if people != nil {
		g.Go(func() error { return people(listed) })
	}
	g.Go(func() error { return s.gateSheet(gctx, &r) })
	if err := errors.Join(s.enterpriseSheets(ctx, v, es, &r), g.Wait()); err != nil {
		return DailyReport{}, err
	}
	r.Abnormal, r.Missed, r.KeyArea, r.Isolating, r.Unregistered =
		listed.Abnormal, listed.Missed, listed.KeyArea, listed.Isolating, listed.Unregistered
	err = s.audit().record(ctx, actor, v.township.ID, 0, "report.daily", "township", v.township.ID, "日报 "+v.date.String())
	return r, err
}

func (s *ReportService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// gateSheet fills the 抽查核验 sheet's data: the day's spot checks, their figures and the
// passes, the same GateService reads the dashboard's answers come from.
func (s *ReportService) gateSheet(ctx context.Context, r *DailyReport) (err error) {
	if r.SpotChecks, err = s.gate.TownSpotChecks(ctx, r.Township, r.Date); err != nil {
		return err
	}
	if r.Spot, err = s.gate.TownSpotFigures(ctx, r.Township, r.Date); err != nil {
		return err
	}
	r.Passes, err = s.gate.TownPassCounts(ctx, r.Township, r.Date)
	return err
}

// enterpriseSheets fills the summary, the trend and the enterprise rows of the view's
// enterprises es (listed with the people). The enterprises and their day are read once, for
// all three.
func (s *ReportService) enterpriseSheets(ctx context.Context, v view, es []Enterprise, r *DailyReport) error {
	// One read of the history, and one of the open alerts, serve the day's statuses and the
	// trend's 14 days before it.
	from := v.date.AddDays(-13)
	book, err := s.figures.readStatusBook(ctx, v, from, v.date)
	if err != nil {
		return err
	}
	open, err := s.figures.openAlerts(ctx, v, from, v.date)
	if err != nil {
		return err
	}
	days, err := s.figures.enterpriseDaysOf(ctx, v, es, book, open)
	if err != nil {
		return err
	}
	if r.Summary, err = s.figures.summarize(ctx, v, days); err != nil {
		return err
	}
	if r.Trend, err = s.figures.trendOf(ctx, v, es, book, open, from, v.date); err != nil {
		return err
	}
	if r.Enterprises, err = s.reportEnterprises(ctx, v, days); err != nil {
		return err
	}
	return s.returns(ctx, v, r)
}

// returns fills the 错峰返岗 rows: each enterprise's figures of the day and their sum.
func (s *ReportService) returns(ctx context.Context, v view, r *DailyReport) error {
	book, _, err := s.figures.returnBook(ctx, v, v.date)
	if err != nil {
		return err
	}
	r.Returns = make([]EnterpriseReturn, 0, len(r.Enterprises))
	for _, e := range r.Enterprises {
		f := book.On(e.Enterprise.ID, v.date)
		r.Returns = append(r.Returns, EnterpriseReturn{Enterprise: e.Enterprise, ReturnFigures: f})
		r.ReturnTotal.Add(f)
	}
	return nil
}

// reportEnterprises adds to each enterprise's day the supplies of its latest plan.
func (s *ReportService) reportEnterprises(ctx context.Context, v view, days []EnterpriseDay) ([]ReportEnterprise, error) {
	plans, err := s.plans.Latest(ctx, v.township.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ReportEnterprise, 0, len(days))
	for _, d := range days {
		re := ReportEnterprise{EnterpriseDay: d}
		if p, ok := plans[d.Enterprise.ID]; ok {
			re.Supplies, re.HasPlan = p.SupplyDays(), true
		}
		out = append(out, re)
	}
	return out, nil
}

// readPeople reads the people some people sheet lists, from the roster and the day's
// check-ins in one read that keeps only them, and beside it the day's alerts by worker and the
// view's enterprises (listEnterprises), for the people's enterprise names and the enterprise
// sheets after.
func (s *ReportService) readPeople(ctx context.Context, v view) ([]PersonDay, map[int64][]Alert, []Enterprise, error) {
	t, d := v.township, v.date
	var alerts map[int64][]Alert
	var es []Enterprise
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		alerts, err = s.dayAlerts(gctx, t.ID, d)
		return err
	})
	g.Go(func() (err error) {
		es, err = s.figures.listEnterprises(gctx, v)
		return err
	})
	listed, err := s.workers.DayPeople(ctx, t.ID, d, func(p *PersonDay) bool {
		p.MissedSlots = missedSlots(*p, d)
		return listedOn(p, d)
	})
	if err := errors.Join(err, g.Wait()); err != nil {
		return nil, nil, nil, err
	}
	return listed, alerts, es, nil
}

// placePeople puts the people listed on their sheets, in the order they come (DayPeople's: by
// enterprise and worker), with their enterprise's name (of es) and their alerts of the day. The sheets
// are sized first: a township's missed list is tens of thousands of people, each big to copy.
func (r *DailyReport) placePeople(listed []PersonDay, alerts map[int64][]Alert, es []Enterprise) {
	names := make(map[int64]string, len(es))
	for _, e := range es {
		names[e.ID] = e.Name
	}
	sheets := []*[]PersonDay{&r.Abnormal, &r.Missed, &r.KeyArea, &r.Isolating, &r.Unregistered}
	on := make([][5]bool, len(listed)) // on[i][k]: listed[i] is on sheets[k]
	var sizes [5]int
	for i := range listed {
		p := &listed[i]
		p.Worker.EnterpriseName = names[p.Worker.EnterpriseID]
		p.Alerts = alerts[p.Worker.ID]
		on[i] = sheetsOf(p, r.Date)
		for k, yes := range on[i] {
			if yes {
				sizes[k]++
			}
		}
	}
	for k, sheet := range sheets {
		if sizes[k] > 0 {
			*sheet = make([]PersonDay, 0, sizes[k])
		}
	}
	for i := range listed {
		for k, yes := range on[i] {
			if yes {
				*sheets[k] = append(*sheets[k], listed[i])
			}
		}
	}
}

// missedSlots are the slots a person due to report on d has no report of (yet, for a slot
// whose cut-off is still to come): the people the figures MissingAM and MissingPM count.
func missedSlots(p PersonDay, d Date) []Slot {
	if !DueOn(p.Worker, d) {
		return nil
	}
	var out []Slot
	if p.AM == nil {
		out = append(out, SlotAM)
	}
	if p.PM == nil {
		out = append(out, SlotPM)
	}
	return out
}

// Unregistered says whether a person reported on a day they were not due: the people the
// figure Unregistered counts.
func Unregistered(p PersonDay) bool { return ActivityFigures(p.AM, p.PM).Unregistered == 1 }

// sheetsOf says which of the daily report's people sheets list a person on day d, MissedSlots
// filled: abnormal (a kept fever or symptoms), missed, key area, isolating, unregistered. Each
// lists the people its figure counts, by the figures' own rules (RosterFigures,
// ActivityFigures). The rule people_listed of repo/stats narrows the people read to a superset
// of those listed.
func sheetsOf(p *PersonDay, d Date) [5]bool {
	fig := RosterFigures(p.Worker, d)
	fig.Add(ActivityFigures(p.AM, p.PM))
	return [5]bool{fig.Fever == 1 || fig.Symptomatic == 1, len(p.MissedSlots) > 0, fig.KeyArea == 1,
		fig.Isolating == 1, fig.Unregistered == 1}
}

// listedOn tells whether a person belongs on one of the people sheets of day d, MissedSlots
// filled.
func listedOn(p *PersonDay, d Date) bool {
	on := sheetsOf(p, d)
	return slices.Contains(on[:], true)
}

// dayAlerts returns a township's alerts dated d, by worker.
func (s *ReportService) dayAlerts(ctx context.Context, townshipID int64, d Date) (map[int64][]Alert, error) {
	out := map[int64][]Alert{}
	err := s.alerts.OfDay(ctx, townshipID, d, func(a Alert) {
		out[a.WorkerID] = append(out[a.WorkerID], a)
	})
	return out, err
}

// RangeReport calls fn with one row per enterprise of the town admin's township and day from
// one date to another, streaming, after recording the export. ErrForbidden, ErrInvalid.
func (s *ReportService) RangeReport(ctx context.Context, actor Actor, from, to Date, fn func(RangeRow) error) error {
	if !actor.Is(RoleTownAdmin) {
		return Forbidden("只有镇专班可以导出报表")
	}
	v, err := s.figures.scope(ctx, actor, DashboardQuery{})
	if err != nil {
		return err
	}
	if from.IsZero() || to.IsZero() {
		var p Problems
		if from.IsZero() {
			p.Add("from", "请选择开始日期")
		}
		if to.IsZero() {
			p.Add("to", "请选择结束日期")
		}
		return p.Err()
	}
	if from.After(to) {
		return Invalid("from", "开始日期不能晚于结束日期")
	}
	if from.AddDays(MaxRangeDays - 1).Before(to) {
		return Invalid("to", "一次最多导出 3660 天")
	}
	if err := s.figures.ensureToday(ctx, v.township); err != nil {
		return err
	}
	es, err := s.figures.listEnterprises(ctx, v)
	if err != nil {
		return err
	}
	byID := make(map[int64]Enterprise, len(es))
	for _, e := range es {
		byID[e.ID] = e
	}
	// Each row reads its enterprise's status of the row's day, from one read of the history.
	book, err := s.figures.readStatusBook(ctx, v, from, to)
	if err != nil {
		return err
	}
	detail := "区间报表 " + from.String() + " 至 " + to.String()
	if err := s.audit().record(ctx, actor, v.township.ID, 0, "report.range", "township", v.township.ID, detail); err != nil {
		return err
	}
	open, err := openAlerts(ctx, s.figures.stats, v.township, v.filter, from, to, v.township.Today(s.clock.Now()))
	if err != nil {
		return err
	}
	returns, _, err := s.figures.returnBook(ctx, v, from)
	if err != nil {
		return err
	}
	return s.figures.stats.EachDay(ctx, v.filter, from, to, func(r DayRow) error {
		e, ok := byID[r.EnterpriseID]
		if !ok {
			return errors.New("daily statistics of an unknown enterprise")
		}
		r.AlertsOpen = open.at(r.EnterpriseID, r.Date)
		return fn(RangeRow{Enterprise: book.asOf(e, r.Date), DayRow: r, Return: returns.On(r.EnterpriseID, r.Date)})
	})
}

// Township returns the township whose numbers the actor watches, for the name of an export.
// ErrForbidden.
func (s *ReportService) Township(ctx context.Context, actor Actor) (Township, error) {
	v, err := s.figures.scope(ctx, actor, DashboardQuery{})
	return v.township, err
}
