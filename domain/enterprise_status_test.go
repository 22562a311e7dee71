package domain_test

import (
	"testing"
	"time"

	"fugong/domain"
)

func TestStatusOn(t *testing.T) {
	day := func(n int) domain.Date { return domain.NewDate(2020, 2, 10).AddDays(n) }
	at := func(n, hour int) time.Time { return time.Date(2020, 2, 10+n, hour, 0, 0, 0, time.UTC) }
	change := func(id int64, from, to domain.EnterpriseStatus, on domain.Date, recorded time.Time) domain.StatusChange {
		return domain.StatusChange{ID: id, From: from, To: to, On: on, RecordedAt: recorded}
	}
	registered := change(1, "", domain.StatusNotApplied, day(0), at(0, 9))
	applied := change(2, domain.StatusNotApplied, domain.StatusApplied, day(1), at(1, 9))
	approved := change(3, domain.StatusApplied, domain.StatusApproved, day(2), at(2, 9))
	// Confirmed on day 5, effective day 3: recorded after it took effect.
	reopened := change(4, domain.StatusApproved, domain.StatusReopened, day(3), at(5, 9))
	suspended := change(5, domain.StatusReopened, domain.StatusSuspended, day(6), at(6, 9))
	resumed := change(6, domain.StatusSuspended, domain.StatusReopened, day(9), at(9, 9))
	walk := []domain.StatusChange{registered, applied, approved, reopened, suspended, resumed}

	tests := []struct {
		name    string
		changes []domain.StatusChange
		d       domain.Date
		want    domain.EnterpriseStatus
	}{
		{name: "NoChanges", d: day(0), want: domain.StatusNotApplied},
		{name: "BeforeFirstChange", changes: walk, d: day(-1), want: domain.StatusNotApplied},
		{name: "FirstChangeApplied", changes: []domain.StatusChange{applied}, d: day(0), want: domain.StatusNotApplied},
		{name: "OnTheDayOfRegistration", changes: walk, d: day(0), want: domain.StatusNotApplied},
		{name: "OnTheDayOfAChange", changes: walk, d: day(1), want: domain.StatusApplied},
		{name: "BetweenChanges", changes: walk, d: day(2), want: domain.StatusApproved},
		{name: "DatedBackBeforeItWasRecorded", changes: walk, d: day(4), want: domain.StatusReopened},
		{name: "Suspended", changes: walk, d: day(6), want: domain.StatusSuspended},
		{name: "StillSuspended", changes: walk, d: day(8), want: domain.StatusSuspended},
		{name: "Resumed", changes: walk, d: day(9), want: domain.StatusReopened},
		{name: "LongAfter", changes: walk, d: day(400), want: domain.StatusReopened},
		{name: "AnyOrder", changes: []domain.StatusChange{resumed, registered, suspended, approved, reopened, applied}, d: day(7), want: domain.StatusSuspended},
		// Two changes of one day: the one recorded later stands at the end of the day.
		{name: "SameDayLaterRecorded", changes: []domain.StatusChange{
			change(2, domain.StatusReopened, domain.StatusSuspended, day(6), at(6, 15)),
			change(1, domain.StatusSuspended, domain.StatusReopened, day(6), at(6, 10)),
		}, d: day(6), want: domain.StatusSuspended},
		// Recorded at the same instant (a test clock): the later ID stands.
		{name: "SameInstantLaterID", changes: []domain.StatusChange{
			change(8, domain.StatusSuspended, domain.StatusApproved, day(6), at(6, 9)),
			change(7, domain.StatusApproved, domain.StatusSuspended, day(6), at(6, 9)),
		}, d: day(6), want: domain.StatusApproved},
		// A change dated back to a day before one recorded earlier counts from its own day.
		{name: "DatedBackBeforeAnEarlierRecord", changes: []domain.StatusChange{
			change(1, domain.StatusApproved, domain.StatusReopened, day(5), at(5, 9)),
			change(2, domain.StatusNotApplied, domain.StatusApproved, day(3), at(6, 9)),
		}, d: day(4), want: domain.StatusApproved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.StatusOn(tt.changes, tt.d); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
