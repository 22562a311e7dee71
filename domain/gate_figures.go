package domain

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// The figures of passes and spot checks (FIGURES.md, 复工码与抽查核验). Every page, sheet and
// API answer reads them from here.

// PassCountDef is one pass count as users see it: its field in the API (GET
// /dashboard/passes), its name on pages and sheets, and how it reads off PassCounts.
type PassCountDef struct {
	Key   string
	Label string
	Value func(PassCounts) int
}

// PassCountDefs are the pass counts, in the order the sheets show them; daily.xlsx's 抽查核验
// sheet takes them from here, and TestFiguresAgree reads each off the API and the sheet.
var PassCountDefs = []PassCountDef{
	{"green", PassGreen.Label(), func(p PassCounts) int { return p.Green }},
	{"yellow", PassYellow.Label(), func(p PassCounts) int { return p.Yellow }},
	{"red", PassRed.Label(), func(p PassCounts) int { return p.Red }},
}

// SpotFigureDef is one spot-check figure as users see it: its field in the API, its name on
// pages and sheets (FIGURES.md, 复工码与抽查核验), and how it reads off SpotFigures.
type SpotFigureDef struct {
	Key   string
	Label string
	Kind  FigureKind
	// Value is an int for a count, a float64 from 0 to 1 for a share (0 when it has no
	// denominator, as the API answers).
	Value func(SpotFigures) any
}

// SpotFigureDefs are the spot-check figures, in the order the sheets show them. The API
// (dashboard and enterprise figures), daily.xlsx's 抽查核验 sheet and TestFiguresAgree take
// them from here.
var SpotFigureDefs = []SpotFigureDef{
	{"checks", "抽查人次", FigureCount, func(f SpotFigures) any { return f.Checks }},
	{"checked", "抽查人数", FigureCount, func(f SpotFigures) any { return f.Checked }},
	{"on_duty", "在岗人数", FigureCount, func(f SpotFigures) any { return f.OnDuty }},
	{"coverage", "覆盖率", FigureShare, func(f SpotFigures) any { return f.Coverage() }},
	{"discrepancies", "不符次数", FigureCount, func(f SpotFigures) any { return f.Discrepancies }},
	{"discrepancy_rate", "不符率", FigureShare, func(f SpotFigures) any { return f.DiscrepancyRate() }},
}

// PassCountRow is one enterprise's passes of a day.
type PassCountRow struct {
	EnterpriseID   int64
	EnterpriseName string
	Zone           string
	PassCounts
}

// ZonePassCounts is one zone's passes of a day.
type ZonePassCounts struct {
	Zone string
	PassCounts
}

// PassCountsView is the passes of a day by colour: in all, by zone and by enterprise.
type PassCountsView struct {
	Date         Date
	Total        PassCounts
	ByZone       []ZonePassCounts
	ByEnterprise []PassCountRow
}

// dashboardRoles read the township's figures of passes and spot checks: the dashboard's
// readers (a wall screen's too: counts by enterprise, no person in them).
var dashboardRoles = dashboardReaders

// passMoment is the moment a day's passes are made at: now for today, the day's last moment
// for a past day (every cut-off has passed).
func (t Township) passMoment(d Date, now time.Time) time.Time {
	if !d.Before(t.Today(now)) {
		return now
	}
	next := t.Cutoff(d.AddDays(1), SlotAM)
	return time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, next.Location()).Add(-time.Nanosecond)
}

// PassCountsOn counts the passes of day d of the workers the actor sees (a town admin the
// township's, a supervisor their enterprises'), in zone when given: every worker on the roster
// now who has not left, coloured by the one rule (Township.Pass). A past day's passes are made
// from that day's reports and the workers' files and alerts as they are now (FIGURES.md).
func (s *GateService) PassCountsOn(ctx context.Context, actor Actor, d Date, zone string) (PassCountsView, error) {
	t, ids, err := s.dashboardScope(ctx, actor)
	if err != nil {
		return PassCountsView{}, err
	}
	if d.IsZero() {
		d = t.Today(s.clock.Now())
	}
	return s.passCounts(ctx, t, ids, d, zone)
}

// TownPassCounts is PassCountsOn for the daily report: the whole township's, without an actor.
func (s *GateService) TownPassCounts(ctx context.Context, t Township, d Date) (PassCountsView, error) {
	return s.passCounts(ctx, t, nil, d, "")
}

func (s *GateService) passCounts(ctx context.Context, t Township, ids []int64, d Date, zone string) (PassCountsView, error) {
	return s.counts.do(ctx, countKey(t.ID, ids, d, zone), func() (PassCountsView, error) {
		return s.countPasses(ctx, t, ids, d, zone)
	})
}

func (s *GateService) countPasses(ctx context.Context, t Township, ids []int64, d Date, zone string) (PassCountsView, error) {
	view := PassCountsView{Date: d, ByZone: []ZonePassCounts{}, ByEnterprise: []PassCountRow{}}
	if ids != nil && len(ids) == 0 {
		return view, nil
	}
	day := t.passDay(d, t.passMoment(d, s.clock.Now()))
	byEnterprise := map[int64]*PassCountRow{}
	byZone := map[string]*ZonePassCounts{}
	// Each worker's facts are counted as they come: a township's, held all at once, were tens
	// of megabytes for every count (BENCHMARKS.md, daily.xlsx).
	err := s.passes.EachColorFacts(ctx, t.ID, d, PassFactsFilter{EnterpriseIDs: ids}, func(f *PassFacts) error {
		if zone != "" && f.Zone != zone {
			return nil
		}
		c := day.color(*f)
		view.Total.Add(c)
		r := byEnterprise[f.Worker.EnterpriseID]
		if r == nil {
			r = &PassCountRow{EnterpriseID: f.Worker.EnterpriseID, EnterpriseName: f.Worker.EnterpriseName, Zone: f.Zone}
			byEnterprise[f.Worker.EnterpriseID] = r
		}
		r.Add(c)
		z := byZone[f.Zone]
		if z == nil {
			z = &ZonePassCounts{Zone: f.Zone}
			byZone[f.Zone] = z
		}
		z.Add(c)
		return nil
	})
	if err != nil {
		return PassCountsView{}, err
	}
	for _, r := range byEnterprise {
		view.ByEnterprise = append(view.ByEnterprise, *r)
	}
	slices.SortFunc(view.ByEnterprise, func(a, b PassCountRow) int { return int(a.EnterpriseID - b.EnterpriseID) })
	for _, z := range t.Zones {
		if c := byZone[z.Name]; c != nil {
			view.ByZone = append(view.ByZone, *c)
		}
	}
	if c := byZone[""]; c != nil {
		view.ByZone = append(view.ByZone, *c)
	}
	return view, nil
}

// dashboardScope checks that the actor reads the township's figures and returns the township
// and the enterprises they see (nil: all). A wall screen (viewer), whom tenantOnly refuses
// every record, reads these counts of all the township, as the town admin does.
func (s *GateService) dashboardScope(ctx context.Context, actor Actor) (Township, []int64, error) {
	if !actor.Is(RoleViewer) {
		if err := tenantOnly(actor); err != nil {
			return Township{}, nil, err
		}
	}
	if !actor.Is(dashboardRoles...) || actor.TownshipID == 0 {
		return Township{}, nil, Forbidden("无权查看乡镇的复工码与抽查统计")
	}
	t, err := s.places.township(ctx, s.townships, actor.TownshipID)
	if err != nil {
		return Township{}, nil, err
	}
	if actor.Is(RoleViewer) {
		return t, nil, nil
	}
	ids, err := s.seenEnterprises(ctx, actor)
	return t, ids, err
}

// SpotEnterpriseRow is one enterprise's spot-check figures.
type SpotEnterpriseRow struct {
	EnterpriseID   int64
	EnterpriseName string
	Zone           string
	SpotFigures
}

// SpotFiguresView is the spot-check figures of a day: in all and by enterprise (every
// enterprise in view, those without checks too: a plant nobody checks is news).
type SpotFiguresView struct {
	Date         Date
	Total        SpotFigures
	ByEnterprise []SpotEnterpriseRow
}

// SpotFiguresOn counts the spot-check figures of day d of the enterprises the actor sees, in
// zone when given.
func (s *GateService) SpotFiguresOn(ctx context.Context, actor Actor, d Date, zone string) (SpotFiguresView, error) {
	t, ids, err := s.dashboardScope(ctx, actor)
	if err != nil {
		return SpotFiguresView{}, err
	}
	if d.IsZero() {
		d = t.Today(s.clock.Now())
	}
	return s.spotFigures(ctx, t, ids, d, zone)
}

// TownSpotChecks returns every spot check of the township on day d, for the daily report,
// without an actor: by enterprise, then in the order they were made, with names (unmasked:
// the sheet masks the workers').
func (s *GateService) TownSpotChecks(ctx context.Context, t Township, d Date) ([]SpotCheck, error) {
	var out []SpotCheck
	for f := (SpotCheckFilter{TownshipID: t.ID, Date: d, Page: Page{Limit: MaxPageSize}}); ; f.Offset += MaxPageSize {
		cs, total, err := s.spots.List(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		if len(cs) == 0 || f.Offset+len(cs) >= total {
			break
		}
	}
	slices.SortFunc(out, func(a, b SpotCheck) int {
		if a.EnterpriseID != b.EnterpriseID {
			return cmp.Compare(a.EnterpriseID, b.EnterpriseID)
		}
		if c := a.CheckedAt.Compare(b.CheckedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// TownSpotFigures is SpotFiguresOn for the daily report: the whole township's, without an actor.
func (s *GateService) TownSpotFigures(ctx context.Context, t Township, d Date) (SpotFiguresView, error) {
	return s.spotFigures(ctx, t, nil, d, "")
}

func (s *GateService) spotFigures(ctx context.Context, t Township, ids []int64, d Date, zone string) (SpotFiguresView, error) {
	view := SpotFiguresView{Date: d, ByEnterprise: []SpotEnterpriseRow{}}
	if ids != nil && len(ids) == 0 {
		return view, nil
	}
	days, err := s.spots.Figures(ctx, t.ID, ids, d, d)
	if err != nil {
		return SpotFiguresView{}, err
	}
	byID := map[int64]SpotFigures{}
	for _, sd := range days {
		byID[sd.EnterpriseID] = sd.SpotFigures
	}
	for page := (Page{Limit: MaxPageSize}); ; page.Offset += MaxPageSize {
		es, _, err := s.enterprises.List(ctx, EnterpriseFilter{TownshipID: t.ID, Zone: zone, Page: page})
		if err != nil {
			return SpotFiguresView{}, err
		}
		for _, e := range es {
			if ids != nil && !slices.Contains(ids, e.ID) {
				continue
			}
			f := byID[e.ID]
			view.Total.Add(f)
			view.ByEnterprise = append(view.ByEnterprise, SpotEnterpriseRow{EnterpriseID: e.ID, EnterpriseName: e.Name, Zone: e.Zone, SpotFigures: f})
		}
		if len(es) < MaxPageSize {
			return view, nil
		}
	}
}

// MaxSpotDays bounds the days one enterprise's spot-check figures cover.
const MaxSpotDays = 90

// EnterpriseSpotFigures returns an enterprise's spot-check figures of each of the last days
// days up to today (oldest first, every day, zero ones too) and their sum. Tenant staff in
// scope. ErrNotFound, ErrInvalid.
func (s *GateService) EnterpriseSpotFigures(ctx context.Context, actor Actor, enterpriseID int64, days int) ([]SpotDay, SpotFigures, error) {
	if days < 1 || days > MaxSpotDays {
		return nil, SpotFigures{}, Invalid("days", "天数应在 1 到 90 之间")
	}
	if actor.Is(RoleGate) {
		return nil, SpotFigures{}, Forbidden("门岗账号不能查看抽查统计")
	}
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return nil, SpotFigures{}, err
	}
	t, err := s.places.township(ctx, s.townships, e.TownshipID)
	if err != nil {
		return nil, SpotFigures{}, err
	}
	to := t.Today(s.clock.Now())
	from := to.AddDays(1 - days)
	found, err := s.spots.Figures(ctx, t.ID, []int64{e.ID}, from, to)
	if err != nil {
		return nil, SpotFigures{}, err
	}
	byDay := map[Date]SpotFigures{}
	for _, sd := range found {
		byDay[sd.Date] = sd.SpotFigures
	}
	var out []SpotDay
	var total SpotFigures
	for d := from; !d.After(to); d = d.AddDays(1) {
		f := byDay[d]
		total.Add(f)
		out = append(out, SpotDay{EnterpriseID: e.ID, Date: d, SpotFigures: f})
	}
	return out, total, nil
}
