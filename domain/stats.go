package domain

import (
	"context"
	"time"
)

// Figures are the numbers of one enterprise on one day, or their sum over several
// enterprises. Each is defined once, in FIGURES.md and in FigureDefs, which every page, sheet
// and API answer reads them by.
//
// The roster figures (Roster … Due) are a snapshot of the roster: today's is kept current as
// rosters change, a past day's is the one taken that day (DueOn and RosterFigures are the
// rule). The activity figures (CheckinsAM … Unregistered) count check-ins and are kept exact
// by the database as they arrive (ActivityFigures is the rule). Alerts counts the alerts dated the day; AlertsOpen those
// not yet taken in hand at the end of the day (now, for today), whatever day they were raised.
type Figures struct {
	Roster       int // on the roster: everyone but those who left
	Returned     int // back in town by the day
	OnDuty       int // back and at work
	Isolating    int // back and in isolation observation
	KeyArea      int // back, at medium or high risk (key areas, contact)
	Due          int // due to report (DueOn)
	CheckinsAM   int // due people who reported the morning slot
	CheckinsPM   int // due people who reported the afternoon slot
	Late         int // of those slots, reported after the slot's cut-off
	Fever        int // people with a fever reading in either slot, kept though a later reading is normal
	Symptomatic  int // people who reported a symptom in either slot, kept likewise
	Unregistered int // people not due (not marked back) who reported: arrivals HR has to confirm
	Alerts       int // alerts dated the day: new that day
	AlertsOpen   int // alerts of the day or before not yet taken in hand at its end
}

// MissingAM is how many due people have no morning report.
func (f Figures) MissingAM() int { return max(f.Due-f.CheckinsAM, 0) }

// MissingPM is the afternoon's MissingAM.
func (f Figures) MissingPM() int { return max(f.Due-f.CheckinsPM, 0) }

// Completion is the share of due reports received for the day (both slots), 0 to 1; ok is
// false when nobody is due, which is no completion at all ("—"), not 100%.
func (f Figures) Completion() (share float64, ok bool) {
	if f.Due == 0 {
		return 0, false
	}
	return min(float64(f.CheckinsAM+f.CheckinsPM)/float64(2*f.Due), 1), true
}

// Abnormal says whether a day needs a look: a fever, symptoms, an unregistered arrival or an
// alert nobody has taken in hand.
func (f Figures) Abnormal() bool {
	return f.Fever > 0 || f.Symptomatic > 0 || f.Unregistered > 0 || f.AlertsOpen > 0
}

// Add adds g's figures to f.
func (f *Figures) Add(g Figures) {
	f.Roster += g.Roster
	f.Returned += g.Returned
	f.OnDuty += g.OnDuty
	f.Isolating += g.Isolating
	f.KeyArea += g.KeyArea
	f.Due += g.Due
	f.CheckinsAM += g.CheckinsAM
	f.CheckinsPM += g.CheckinsPM
	f.Late += g.Late
	f.Fever += g.Fever
	f.Symptomatic += g.Symptomatic
	f.Unregistered += g.Unregistered
	f.Alerts += g.Alerts
	f.AlertsOpen += g.AlertsOpen
}

// The rules of the figures of a day, in Go. Each has a twin of the same name in the rules of
// each database engine (repo/stats/postgres.sql and sqlite.sql), which keep and recount the
// stored statistics; one table of cases holds the three to one another (TestFigureRules).
// A change of a rule changes all three.

// back says whether a worker is back in town by day d: marked back (not expected, not left)
// with an arrival on or before d. Twin of the rule back.
func back(w Worker, d Date) bool {
	return w.Status != WorkerExpected && w.Status != WorkerLeft && !w.ArrivedOn.IsZero() && !w.ArrivedOn.After(d)
}

// DueOn says whether a worker is due to report on day d: back by then, and at work or in
// isolation observation (those in hospital, not back yet or gone are not). Twin of the rule
// due, which the check-in upsert stores with each slot (Checkin.Due).
func DueOn(w Worker, d Date) bool {
	return (w.Status == WorkerOnDuty || w.Status == WorkerIsolating) && back(w, d)
}

// RosterFigures is one worker's part of the roster figures of day d. Twin of the rules
// roster_figures (the snapshot) and, for isolating, isolating.
func RosterFigures(w Worker, d Date) Figures {
	var f Figures
	if w.Status == WorkerLeft {
		return f
	}
	f.Roster = 1
	if !back(w, d) {
		return f
	}
	f.Returned = 1
	isolating := (w.Status == WorkerIsolating || w.Status == WorkerOnDuty) && !w.IsolationStart.IsZero() &&
		!w.IsolationStart.After(d) && (w.Status == WorkerIsolating || !w.IsolationUntil.Before(d))
	switch {
	case isolating:
		f.Isolating = 1
	case w.Status == WorkerOnDuty:
		f.OnDuty = 1
	}
	if w.RiskLevel == RiskHigh || w.RiskLevel == RiskMedium {
		f.KeyArea = 1
	}
	if DueOn(w, d) {
		f.Due = 1
	}
	return f
}

// ActivityFigures is one person's part of the activity figures of a day, from their check-ins
// of its two slots (nil without one), by the flags each slot carries: a slot counts as a report
// only when it was due (Due), and as late when due and late; the person counts once for a kept
// fever (HadFever), once for kept symptoms (HadSymptoms), and once as unregistered when a slot
// was not due, whichever slot said so. Twin of the database triggers on checkins (the function
// daily_stats_apply on PostgreSQL) and of the rule recount_checkins.
func ActivityFigures(am, pm *Checkin) Figures {
	var f Figures
	for i, c := range [2]*Checkin{am, pm} {
		if c == nil {
			continue
		}
		if c.Due {
			if i == 0 {
				f.CheckinsAM = 1
			} else {
				f.CheckinsPM = 1
			}
			if c.Late {
				f.Late++
			}
		} else {
			f.Unregistered = 1
		}
		if c.HadFever {
			f.Fever = 1
		}
		if c.HadSymptoms {
			f.Symptomatic = 1
		}
	}
	return f
}

// DayRow is one enterprise's figures of one day.
type DayRow struct {
	EnterpriseID int64
	Date         Date
	Figures
}

// StatsFilter selects the enterprises whose statistics are read; zero fields do not filter.
type StatsFilter struct {
	TownshipID   int64
	SupervisorID int64
	Zone         string
	Industry     string
}

// OriginCount is how many returned workers come from one province.
type OriginCount struct {
	Province string // GB/T 2260 code, e.g. 420000
	Workers  int
}

// StatsStore keeps the daily statistics. Check-ins and alerts update them by themselves (in
// the same transaction); the roster figures are the services' to snapshot.
type StatsStore interface {
	// SnapshotRoster takes the roster figures of day d for the township's enterprises (only
	// those given, when enterpriseIDs is not empty) from the workers table. With onlyMissing, it
	// leaves days that already have a snapshot as they are.
	SnapshotRoster(ctx context.Context, townshipID int64, enterpriseIDs []int64, d Date, onlyMissing bool) error
	// EnsureSnapshot takes day d's roster figures of the township's enterprises that have no
	// snapshot of the day yet (SnapshotRoster with onlyMissing): the first look at a new day
	// finds them there. It is asked on every dashboard and report read, so a store remembers
	// the days it did so and returns at once after: a day once snapshotted stays so, and the
	// services snapshot an enterprise's day themselves as its roster changes.
	EnsureSnapshot(ctx context.Context, townshipID int64, d Date) error
	// Days returns the rows of the matching enterprises from one day to another.
	Days(ctx context.Context, f StatsFilter, from, to Date) ([]DayRow, error)
	// Totals returns the matching enterprises' figures summed per day, oldest first.
	Totals(ctx context.Context, f StatsFilter, from, to Date) ([]DayRow, error)
	// EachDay calls fn with every row of the matching enterprises from one day to another,
	// ordered by day and enterprise, streaming: for exports of any length.
	EachDay(ctx context.Context, f StatsFilter, from, to Date, fn func(DayRow) error) error
	// Origins counts the matching enterprises' returned workers by home province.
	Origins(ctx context.Context, f StatsFilter, d Date) ([]OriginCount, error)
	// OpenAlerts calls fn with the alerts of the filter's enterprises dated on or before to
	// that were not taken in hand before since: those still open grouped by enterprise and
	// day, those taken one by one, for counting the open alerts at the end of each day.
	OpenAlerts(ctx context.Context, f StatsFilter, to Date, since time.Time, fn func(OpenAlert)) error
	// RecountActivity recounts the activity figures of a township's days from the check-ins
	// and alerts, replacing what the triggers kept.
	RecountActivity(ctx context.Context, townshipID int64, from, to Date) error
}
