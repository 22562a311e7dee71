package domain

import "context"

// Figures are the numbers of one enterprise on one day (DESIGN.md, Daily statistics), or their
// sum over several enterprises.
//
// The roster figures (Roster … Due) are a snapshot of the roster: today's is kept current as
// rosters change, a past day's is the one taken that day (see RosterFigures for the rule).
// The activity figures (CheckinsAM … AlertsOpen) count check-ins and alerts and are exact.
type Figures struct {
	Roster      int // on the roster: everyone but those who left
	Returned    int // back in town by the day
	OnDuty      int // back and at work
	Isolating   int // back and in isolation observation
	KeyArea     int // back, at medium or high risk (key areas, contact)
	Due         int // expected to check in (on duty or isolating)
	CheckinsAM  int
	CheckinsPM  int
	Fever       int // people with a fever reading in either slot
	Symptomatic int // people who reported a symptom in either slot
	Alerts      int // alerts dated the day
	AlertsOpen  int // of which nobody has taken in hand yet
}

// MissingAM is how many due workers have no morning check-in (never below zero: someone not
// due may report too).
func (f Figures) MissingAM() int { return max(f.Due-f.CheckinsAM, 0) }

// MissingPM is the afternoon's MissingAM.
func (f Figures) MissingPM() int { return max(f.Due-f.CheckinsPM, 0) }

// Completion is the share of due check-ins received for the day (both slots), 0 to 1; 1 when
// nobody is due.
func (f Figures) Completion() float64 {
	if f.Due == 0 {
		return 1
	}
	return min(float64(f.CheckinsAM+f.CheckinsPM)/float64(2*f.Due), 1)
}

// Abnormal says whether a day needs a look: a fever, symptoms or an alert nobody has taken
// in hand.
func (f Figures) Abnormal() bool {
	return f.Fever > 0 || f.Symptomatic > 0 || f.AlertsOpen > 0
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
	f.Fever += g.Fever
	f.Symptomatic += g.Symptomatic
	f.Alerts += g.Alerts
	f.AlertsOpen += g.AlertsOpen
}

// RosterFigures is one worker's part of the roster figures of day d. The stores compute the
// same rule in SQL; this form is the reference the tests recount with.
func RosterFigures(w Worker, d Date) Figures {
	var f Figures
	if w.Status == WorkerLeft {
		return f
	}
	f.Roster = 1
	back := w.Status != WorkerExpected && !w.ArrivedOn.IsZero() && !w.ArrivedOn.After(d)
	if !back {
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
	if w.Status == WorkerOnDuty || w.Status == WorkerIsolating {
		f.Due = 1
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
	// Days returns the rows of the matching enterprises from one day to another.
	Days(ctx context.Context, f StatsFilter, from, to Date) ([]DayRow, error)
	// Totals returns the matching enterprises' figures summed per day, oldest first.
	Totals(ctx context.Context, f StatsFilter, from, to Date) ([]DayRow, error)
	// EachDay calls fn with every row of the matching enterprises from one day to another,
	// ordered by day and enterprise, streaming: for exports of any length.
	EachDay(ctx context.Context, f StatsFilter, from, to Date, fn func(DayRow) error) error
	// Origins counts the matching enterprises' returned workers by home province.
	Origins(ctx context.Context, f StatsFilter, d Date) ([]OriginCount, error)
	// RecountActivity recounts the activity figures of a township's days from the check-ins
	// and alerts, replacing what the triggers kept.
	RecountActivity(ctx context.Context, townshipID int64, from, to Date) error
}
