package domain

import (
	"context"
	"sort"
	"strconv"
)

// DashboardService is the town's real-time monitoring: totals, trends and per-enterprise rows
// for a day, read from the daily statistics, for town admins (their township) and supervisors
// (their enterprises).
// Each answer is of a DashboardView, which the service resolves from the actor first: the
// API keeps the answers of a view until its township changes (api/dashboard_cache.go).
type DashboardService struct {
	figures *figureReader
	alerts  AlertStore // the open alerts a wall screen rolls (OpenAlerts)
}

// figureReader reads a township's figures as the dashboard and the reports show them: who may
// watch which (scope), the enterprises as they stood on a day with their figures, the totals
// by zone, the trend. DashboardService and ReportService read through the same one, so that a
// report's numbers are the dashboard's.
type figureReader struct {
	stats       StatsStore
	enterprises EnterpriseStore
	townships   TownshipStore
	places      *placeCache // townships kept in memory; nil reads them each time
	clock       Clock
	returns     ReturnStore // the plan-against-actual figures' batches and arrivals
}

// DashboardQuery narrows a dashboard read; zero fields do not filter. A zero Date is today in
// the township.
type DashboardQuery struct {
	Date     Date
	Zone     string
	Industry string
}

// EnterpriseCounts counts enterprises by where they stand.
type EnterpriseCounts struct {
	Total      int
	NotApplied int
	Applied    int
	Approved   int
	Reopened   int
	Suspended  int
}

func (c *EnterpriseCounts) add(s EnterpriseStatus) {
	c.Total++
	switch s {
	case StatusNotApplied:
		c.NotApplied++
	case StatusApplied:
		c.Applied++
	case StatusApproved:
		c.Approved++
	case StatusReopened:
		c.Reopened++
	case StatusSuspended:
		c.Suspended++
	}
}

// ZoneFigures are a zone's totals.
type ZoneFigures struct {
	Zone        string
	Enterprises EnterpriseCounts
	Figures
}

// Summary is a township's (or a supervisor's enterprises') totals for a day.
type Summary struct {
	Date        Date
	Enterprises EnterpriseCounts
	Figures
	// FeverThreshold (°C) is the township's as set now (each reading was judged by the one of
	// its time): the screens state it beside the fevers, and a supervisor may not read the
	// township's settings.
	FeverThreshold float64
	Zones          []ZoneFigures // in the township's zone order
	Origins        []OriginCount // most workers first
}

// EnterpriseDay is one enterprise with its figures of a day.
type EnterpriseDay struct {
	Enterprise Enterprise
	Figures
}

// TrendPoint is one day of a trend: the totals and how many enterprises had reopened by then.
type TrendPoint struct {
	Date     Date
	Reopened int
	Figures
}

// MaxTrendDays is the longest trend one request may ask for.
const MaxTrendDays = 366

// view is what a dashboard reader may see: the township, the filter of their enterprises and
// the day asked for.
type view struct {
	township Township
	filter   StatsFilter
	date     Date
	// public is a wall screen's view (RoleViewer): the township's figures as a room full of
	// people may see them, without a person's name (the enterprises' supervisors).
	public bool
}

// DashboardView is one dashboard question as the service resolved it for its asker: the
// township, the enterprises they may watch with the filters, and the days asked for (one, or a
// trend's). Only the service makes one (View, TrendView), from the actor, so that whoever holds
// one cannot widen its scope. Key names the question, for a cache of the answers.
type DashboardView struct {
	view
	from Date // the trend's first day; the day asked for otherwise
}

// TownshipID is the township whose numbers the view shows.
func (v DashboardView) TownshipID() int64 { return v.township.ID }

// Date is the day asked for: a trend's last.
func (v DashboardView) Date() Date { return v.date }

// Key names the question: the scope (township, supervisor), the filters and the days. The
// answer depends on nothing else but the data, which the township's changes tell of.
func (v DashboardView) Key() string {
	b := make([]byte, 0, 64)
	b = strconv.AppendInt(b, v.filter.TownshipID, 10)
	b = append(b, '|')
	b = strconv.AppendInt(b, v.filter.SupervisorID, 10)
	b = append(b, '|')
	b = strconv.AppendQuote(b, v.filter.Zone) // quoted: a filter may hold the separator
	b = append(b, '|')
	b = strconv.AppendQuote(b, v.filter.Industry)
	b = append(b, '|')
	b = append(b, v.from.String()...)
	b = append(b, '|')
	b = append(b, v.date.String()...)
	if v.public {
		b = append(b, "|public"...)
	}
	return string(b)
}

// made refuses a view the service did not resolve (a zero one).
func (v DashboardView) made() error {
	if v.township.ID == 0 {
		return Forbidden("只有镇专班、驻厂监督员和大屏账号可以查看监测大屏")
	}
	return nil
}

// dashboardReaders watch a township's figures: town admins all of it, supervisors their
// enterprises, wall screens (viewer) all of it without names.
var dashboardReaders = []Role{RoleTownAdmin, RoleSupervisor, RoleViewer}

// View resolves the actor's dashboard question of a day: town admins and wall screens watch
// all of their township, supervisors their enterprises, narrowed by q's filters; a zero q.Date
// is today in the township. ErrForbidden.
func (s *DashboardService) View(ctx context.Context, actor Actor, q DashboardQuery) (DashboardView, error) {
	v, err := s.figures.scope(ctx, actor, q)
	return DashboardView{view: v, from: v.date}, err
}

// TrendView is View for the days from one date to another (the 14 days up to today when both
// are zero); q.Date is not read. ErrForbidden, ErrInvalid.
func (s *DashboardService) TrendView(ctx context.Context, actor Actor, q DashboardQuery, from, to Date) (DashboardView, error) {
	q.Date = Date{}
	v, err := s.figures.scope(ctx, actor, q)
	if err != nil {
		return DashboardView{}, err
	}
	from, to, err = dayRange(from, to, v.township.Today(s.figures.clock.Now()))
	if err != nil {
		return DashboardView{}, err
	}
	v.date = to
	return DashboardView{view: v, from: from}, nil
}

// scope checks that the actor watches a township's numbers and narrows them to what they may
// see: town admins and wall screens all of their township, supervisors their enterprises.
func (s *figureReader) scope(ctx context.Context, actor Actor, q DashboardQuery) (view, error) {
	if !actor.Is(dashboardReaders...) || actor.TownshipID == 0 {
		return view{}, Forbidden("只有镇专班、驻厂监督员和大屏账号可以查看监测大屏")
	}
	t, err := s.places.township(ctx, s.townships, actor.TownshipID)
	if err != nil {
		return view{}, err
	}
	f := StatsFilter{TownshipID: t.ID, Zone: Clean(q.Zone), Industry: Clean(q.Industry)}
	if actor.Is(RoleSupervisor) {
		f.SupervisorID = actor.UserID
	}
	d := q.Date
	if d.IsZero() {
		d = t.Today(s.clock.Now())
	}
	return view{township: t, filter: f, date: d, public: actor.Is(RoleViewer)}, nil
}

// ensureToday takes today's roster snapshot of the township if nobody has yet: the first read
// of a new day. Past days keep whatever snapshot they have.
func (s *figureReader) ensureToday(ctx context.Context, t Township) error {
	return s.stats.EnsureSnapshot(ctx, t.ID, t.Today(s.clock.Now()))
}

// listEnterprises returns every enterprise of the view, by ID.
func (s *figureReader) listEnterprises(ctx context.Context, v view) ([]Enterprise, error) {
	f := EnterpriseFilter{TownshipID: v.filter.TownshipID, SupervisorID: v.filter.SupervisorID,
		Zone: v.filter.Zone, Industry: v.filter.Industry, Page: Page{Limit: MaxPageSize}}
	var all []Enterprise
	for ; ; f.Offset += MaxPageSize {
		es, total, err := s.enterprises.List(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
		if f.Offset+len(es) >= total || len(es) == 0 {
			return all, nil
		}
	}
}

// EnterpriseDays returns one row per enterprise of a view for its day, in the order of the
// enterprise list. ErrForbidden (a view the service did not make).
func (s *DashboardService) EnterpriseDays(ctx context.Context, v DashboardView) ([]EnterpriseDay, error) {
	if err := v.made(); err != nil {
		return nil, err
	}
	days, err := s.figures.enterpriseDays(ctx, v.view)
	if v.public {
		for i := range days {
			days[i].Enterprise.Supervisors = nil
		}
	}
	return days, err
}

// enterpriseDays reads the view's enterprises as they stood at the end of its day, each with
// its figures of the day. A past day reads the statuses of then from the history, in one read
// for the township.
func (s *figureReader) enterpriseDays(ctx context.Context, v view) ([]EnterpriseDay, error) {
	book, err := s.readStatusBook(ctx, v, v.date, v.date)
	if err != nil {
		return nil, err
	}
	open, err := s.openAlerts(ctx, v, v.date, v.date)
	if err != nil {
		return nil, err
	}
	es, err := s.listEnterprises(ctx, v)
	if err != nil {
		return nil, err
	}
	return s.enterpriseDaysOf(ctx, v, es, book, open)
}

// openAlerts reads the alerts open at the end of each of the view's days from one to another.
func (s *figureReader) openAlerts(ctx context.Context, v view, from, to Date) (backlog, error) {
	return openAlerts(ctx, s.stats, v.township, v.filter, from, to, v.township.Today(s.clock.Now()))
}

// enterpriseDaysOf is enterpriseDays with the view's enterprises listed (listEnterprises, a
// slice it changes in place) and the history and the open alerts already read (up to the
// view's day at least).
func (s *figureReader) enterpriseDaysOf(ctx context.Context, v view, es []Enterprise, book statusBook, open backlog) ([]EnterpriseDay, error) {
	if err := s.ensureToday(ctx, v.township); err != nil {
		return nil, err
	}
	for i := range es {
		es[i] = book.asOf(es[i], v.date)
	}
	rows, err := s.stats.Days(ctx, v.filter, v.date, v.date)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]Figures, len(rows))
	for _, r := range rows {
		byID[r.EnterpriseID] = r.Figures
	}
	out := make([]EnterpriseDay, 0, len(es))
	for _, e := range es {
		fig := byID[e.ID]
		fig.AlertsOpen = open.at(e.ID, v.date)
		out = append(out, EnterpriseDay{Enterprise: e, Figures: fig})
	}
	return out, nil
}

// Summary returns the totals of a view for its day, by zone, with the returned workers' home
// provinces. ErrForbidden (a view the service did not make).
func (s *DashboardService) Summary(ctx context.Context, v DashboardView) (Summary, error) {
	if err := v.made(); err != nil {
		return Summary{}, err
	}
	return s.figures.summary(ctx, v.view)
}

func (s *figureReader) summary(ctx context.Context, v view) (Summary, error) {
	days, err := s.enterpriseDays(ctx, v)
	if err != nil {
		return Summary{}, err
	}
	return s.summarize(ctx, v, days)
}

// summarize totals the enterprise rows of a day, by zone, and adds the origins.
func (s *figureReader) summarize(ctx context.Context, v view, days []EnterpriseDay) (Summary, error) {
	var err error
	out := Summary{Date: v.date, FeverThreshold: v.township.Policy.FeverThreshold}
	zones := map[string]*ZoneFigures{}
	for _, z := range v.township.Zones {
		zones[z.Name] = &ZoneFigures{Zone: z.Name}
	}
	for _, d := range days {
		out.Enterprises.add(d.Enterprise.Status)
		out.Figures.Add(d.Figures)
		z := zones[d.Enterprise.Zone]
		if z == nil {
			z = &ZoneFigures{Zone: d.Enterprise.Zone}
			zones[d.Enterprise.Zone] = z
		}
		z.Enterprises.add(d.Enterprise.Status)
		z.Figures.Add(d.Figures)
	}
	for _, z := range v.township.Zones {
		if zf := zones[z.Name]; zf.Enterprises.Total > 0 {
			out.Zones = append(out.Zones, *zf)
		}
		delete(zones, z.Name)
	}
	for _, zf := range zones { // enterprises without a zone
		out.Zones = append(out.Zones, *zf)
	}
	if out.Origins, err = s.stats.Origins(ctx, v.filter, v.date); err != nil {
		return Summary{}, err
	}
	sort.SliceStable(out.Origins, func(i, j int) bool { return out.Origins[i].Workers > out.Origins[j].Workers })
	return out, nil
}

// Trend returns the totals of a view for every one of its days, oldest first. ErrForbidden (a
// view the service did not make).
func (s *DashboardService) Trend(ctx context.Context, v DashboardView) ([]TrendPoint, error) {
	if err := v.made(); err != nil {
		return nil, err
	}
	return s.figures.trend(ctx, v.view, v.from, v.date)
}

// dayRange checks a range of days, defaulting to the 14 days up to today.
func dayRange(from, to, today Date) (Date, Date, error) {
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.AddDays(-13)
	}
	var p Problems
	if from.After(to) {
		p.Add("from", "开始日期不能晚于结束日期")
	} else if from.AddDays(MaxTrendDays - 1).Before(to) {
		p.Add("to", "一次最多查询 366 天")
	}
	return from, to, p.Err()
}

func (s *figureReader) trend(ctx context.Context, v view, from, to Date) ([]TrendPoint, error) {
	if err := s.ensureToday(ctx, v.township); err != nil {
		return nil, err
	}
	es, err := s.listEnterprises(ctx, v)
	if err != nil {
		return nil, err
	}
	book, err := s.readStatusBook(ctx, v, from, to)
	if err != nil {
		return nil, err
	}
	open, err := s.openAlerts(ctx, v, from, to)
	if err != nil {
		return nil, err
	}
	return s.trendOf(ctx, v, es, book, open, from, to)
}

// trendOf is trend for the view's enterprises, already listed, with the history read up to
// the last day at least. A day's reopened enterprises are those whose status at its end was
// reopened: not those that reopened later, nor those suspended then.
func (s *figureReader) trendOf(ctx context.Context, v view, es []Enterprise, book statusBook, open backlog, from, to Date) ([]TrendPoint, error) {
	totals, err := s.stats.Totals(ctx, v.filter, from, to)
	if err != nil {
		return nil, err
	}
	byDay := make(map[Date]Figures, len(totals))
	for _, t := range totals {
		byDay[t.Date] = t.Figures
	}
	var out []TrendPoint
	for d := from; !d.After(to); d = d.AddDays(1) {
		p := TrendPoint{Date: d, Figures: byDay[d]}
		p.AlertsOpen = open.total(d)
		for _, e := range es {
			if book.status(e, d) == StatusReopened {
				p.Reopened++
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Watch is what a live viewer follows: a township, and in it all enterprises (Enterprises nil)
// or only those of the viewer's scope and filters.
type Watch struct {
	TownshipID  int64
	Enterprises map[int64]bool
}

// Sees says whether a change of an enterprise (0: of the whole township) concerns the viewer.
func (w Watch) Sees(enterpriseID int64) bool {
	return w.Enterprises == nil || enterpriseID == 0 || w.Enterprises[enterpriseID]
}

// Watch returns what the actor's live view follows. ErrForbidden.
func (s *DashboardService) Watch(ctx context.Context, actor Actor, q DashboardQuery) (Watch, error) {
	v, err := s.figures.scope(ctx, actor, q)
	if err != nil {
		return Watch{}, err
	}
	w := Watch{TownshipID: v.township.ID}
	if v.filter == (StatsFilter{TownshipID: v.township.ID}) {
		return w, nil
	}
	es, err := s.figures.listEnterprises(ctx, v)
	if err != nil {
		return Watch{}, err
	}
	w.Enterprises = make(map[int64]bool, len(es))
	for _, e := range es {
		w.Enterprises[e.ID] = true
	}
	return w, nil
}
