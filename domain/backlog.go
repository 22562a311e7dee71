package domain

import (
	"context"
	"time"
)

// An alert is open at the end of day d when it is dated d or before and nobody had taken it in
// hand (acknowledged or resolved it) before d ended. That is the figure AlertsOpen, for any
// day: for today, the end of the day is still to come, so it is every alert open now. It is
// counted here, in one place, for the dashboard, the trend and both reports.

// DayEnd is the moment day d ends in the township: the start of the next.
func (t Township) DayEnd(d Date) time.Time {
	next := d.AddDays(1).Time()
	return time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, t.location())
}

// backlog is how many alerts each enterprise had open at the end of each day of a range.
type backlog struct {
	from   Date
	days   int
	counts map[int64][]int32 // by enterprise: per day from from, after prefix-summing
}

// at is the enterprise's open alerts at the end of d, a day of the range.
func (b backlog) at(enterpriseID int64, d Date) int {
	c, ok := b.counts[enterpriseID]
	i := b.from.DaysUntil(d)
	if !ok || i < 0 || i >= b.days {
		return 0
	}
	return int(c[i])
}

// openAlerts counts the open alerts of the filter's enterprises at the end of every day from
// one date to another. The store hands over the alerts open at the end of from, or raised
// since: those still open grouped by enterprise and day, the others one by one.
func openAlerts(ctx context.Context, store StatsStore, t Township, f StatsFilter, from, to, today Date) (backlog, error) {
	b := backlog{from: from, days: from.DaysUntil(to) + 1, counts: map[int64][]int32{}}
	err := store.OpenAlerts(ctx, f, to, t.DayEnd(from), func(a OpenAlert) {
		first, last := a.Date, to
		if first.Before(from) {
			first = from
		}
		if a.TakenAt != nil {
			// Open at the end of each day before the one it was taken in hand. One taken is
			// not open now, whatever time the database stamped it with.
			taken := t.Today(*a.TakenAt)
			if taken.After(today) {
				taken = today
			}
			if taken.AddDays(-1).Before(last) {
				last = taken.AddDays(-1)
			}
		}
		if last.Before(first) {
			return
		}
		c := b.counts[a.EnterpriseID]
		if c == nil {
			c = make([]int32, b.days+1)
			b.counts[a.EnterpriseID] = c
		}
		c[from.DaysUntil(first)] += int32(a.Count)
		c[from.DaysUntil(last)+1] -= int32(a.Count)
	})
	for _, c := range b.counts {
		for i := 1; i < len(c); i++ {
			c[i] += c[i-1]
		}
	}
	return b, err
}

// OpenAlert is what the statistics store tells of alerts for openAlerts: Count alerts of an
// enterprise dated Date, taken in hand at TakenAt (nil: still open).
type OpenAlert struct {
	EnterpriseID int64
	Date         Date
	TakenAt      *time.Time
	Count        int
}

// total is the open alerts of every enterprise counted at the end of d.
func (b backlog) total(d Date) int {
	n := 0
	for id := range b.counts {
		n += b.at(id, d)
	}
	return n
}
