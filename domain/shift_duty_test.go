package domain

import (
	"context"
	"testing"
)

// TestOnShiftDuty is the rule of a shift's figure "on duty", case by case.
func TestOnShiftDuty(t *testing.T) {
	w := Worker{ID: 1, ShiftID: 7, Status: WorkerOnDuty}
	am := func(loc Location) *Checkin { return &Checkin{WorkerID: 1, Slot: SlotAM, Location: loc} }
	left := w
	left.Status = WorkerLeft
	other := w
	other.ShiftID = 8
	tests := []struct {
		name  string
		w     Worker
		shift int64
		c     *Checkin
		want  bool
	}{
		{"OKAtWork", w, 7, am(AtWork), true},
		{"Home", w, 7, am(AtHome), false},
		{"Isolation", w, 7, am(AtIsolation), false},
		{"Afternoon", w, 7, &Checkin{WorkerID: 1, Slot: SlotPM, Location: AtWork}, false},
		{"NoReport", w, 7, nil, false},
		{"Left", left, 7, am(AtWork), false},
		{"OtherShift", other, 7, am(AtWork), false},
		{"NoShift", Worker{ID: 1, Status: WorkerOnDuty}, 0, am(AtWork), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OnShiftDuty(tt.w, tt.shift, tt.c); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if (ShiftDuty{Shift: Shift{Capacity: 3}, OnDuty: 3}).OverCapacity() || !(ShiftDuty{Shift: Shift{Capacity: 3}, OnDuty: 4}).OverCapacity() {
		t.Errorf("got over capacity at 3 of 3 or not at 4 of 3, want over only when more than the capacity")
	}
}

// TestMayWork: only approved and reopened enterprises may have people at work.
func TestMayWork(t *testing.T) {
	for s, want := range map[EnterpriseStatus]bool{StatusNotApplied: false, StatusApplied: false, StatusApproved: true,
		StatusReopened: true, StatusSuspended: false} {
		if got := s.MayWork(); got != want {
			t.Errorf("%s: got %v, want %v", s, got, want)
		}
	}
}

// TestFoundToday: what was seen raised is remembered for its day and the day after, then
// forgotten; a nil memory remembers nothing.
func TestFoundToday(t *testing.T) {
	f := newFoundToday()
	d := NewDate(2020, 2, 10)
	k := foundKey{AlertShiftOverCapacity, 1, 7}
	f.add(d, k)
	if !f.has(d, k) || f.has(d.AddDays(1), k) || f.has(d, foundKey{AlertShiftOverCapacity, 1, 8}) {
		t.Errorf("got %v, want only the day's shift 7 remembered", f.days)
	}
	f.add(d.AddDays(1), foundKey{AlertUnapprovedWork, 1, 0})
	if !f.has(d, k) {
		t.Errorf("the day before forgotten too soon")
	}
	f.add(d.AddDays(2), foundKey{AlertUnapprovedWork, 1, 0})
	if f.has(d, k) || len(f.days) != 2 {
		t.Errorf("got %v, want two days kept", f.days)
	}
	var none *foundToday
	none.add(d, k)
	if none.has(d, k) {
		t.Errorf("a nil memory remembered")
	}
}

// crowdStore is a ShiftStore that answers Crowded and counts how often it was asked.
type crowdStore struct {
	ShiftStore
	crowded []int64
	asked   int
}

func (s *crowdStore) Crowded(context.Context, int64) ([]int64, error) {
	s.asked++
	return s.crowded, nil
}

// TestCrowdCache: an enterprise's crowded shifts are read once, again after a change of its
// roster or shifts (or a township-wide one), and not after others' changes. (How values are
// aged is keptValues', kept_test.go.)
func TestCrowdCache(t *testing.T) {
	ctx, fd, store := context.Background(), &feed{}, &crowdStore{crowded: []int64{7}}
	c := newCrowdCache(fd)
	ask := func(shift int64, want bool, asked int) {
		t.Helper()
		got, err := c.crowded(ctx, store, 1, shift)
		if err != nil || got != want || store.asked != asked {
			t.Errorf("shift %d: got %v (%v), asked %d times, want %v, %d", shift, got, err, store.asked, want, asked)
		}
	}
	ask(7, true, 1)
	ask(8, false, 1)
	fd.Notify(Change{TownshipID: 1, EnterpriseID: 2, Kind: ChangeRoster})
	fd.Notify(Change{TownshipID: 1, EnterpriseID: 1, Kind: ChangeCheckin})
	ask(7, true, 1)
	store.crowded = []int64{7, 8}
	fd.Notify(Change{TownshipID: 1, EnterpriseID: 1, Kind: ChangeRoster})
	ask(8, true, 2)
	store.crowded = nil
	fd.Notify(Change{TownshipID: 1, Kind: ChangeRoster})
	ask(8, false, 3)
	if newCrowdCache(nil) != nil {
		t.Errorf("got a cache without a feed, want none")
	}
}
