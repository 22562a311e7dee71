package domain

import (
	"strings"
	"sync"
	"time"
)

// Date is a calendar day without a time or a zone: a planned reopening, a visit, a check-in
// day. Its zero value means "no date".
type Date struct {
	t time.Time // midnight UTC of the day
}

// NewDate returns the given day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the day it is at t in loc: a township's "today" is DateOf(now, its zone).
func DateOf(t time.Time, loc *time.Location) Date {
	t = t.In(loc)
	return NewDate(t.Year(), t.Month(), t.Day())
}

// The years a date given to Fugong may fall in: an isolation until 9999 is a typing mistake
// that would keep someone isolating for ever (issue 16).
const (
	MinYear = 1900
	MaxYear = 2099
)

// ParseDate reads YYYY-MM-DD of a year from MinYear to MaxYear; the empty string is the zero
// Date.
func ParseDate(s string) (Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, false
	}
	return Date{t}, true
}

// DateFromTime takes the calendar day of a time stored as midnight UTC (as databases return a
// DATE column).
func DateFromTime(t time.Time) Date { return NewDate(t.Year(), t.Month(), t.Day()) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String gives YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Time returns midnight UTC of the day, as it is stored.
func (d Date) Time() time.Time { return d.t }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// AddDays returns the day n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// DaysUntil returns how many days lie from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// Today returns the township's local date at now.
func (t Township) Today(now time.Time) Date {
	return DateOf(now, t.location())
}

// locations keeps the time zones loaded: time.LoadLocation reads the zone file from disk on
// every call, which showed in the profile of the daily report (twice per worker).
var locations sync.Map

// location is the township's time zone; UTC if its name is unknown (names are validated on
// save: this only guards old rows).
func (t Township) location() *time.Location {
	if loc, ok := locations.Load(t.Timezone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(t.Timezone)
	if err != nil {
		loc = time.UTC
	}
	locations.Store(t.Timezone, loc)
	return loc
}

// YearsTo is how many whole years from d to e: an age, when d is a birth date. Zero when e
// is before d or either is zero.
func (d Date) YearsTo(e Date) int {
	if d.IsZero() || e.IsZero() || e.Before(d) {
		return 0
	}
	y := e.t.Year() - d.t.Year()
	if e.t.Month() < d.t.Month() || (e.t.Month() == d.t.Month() && e.t.Day() < d.t.Day()) {
		y--
	}
	return y
}
