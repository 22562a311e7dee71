package domain_test

import (
	"context"
	"slices"
	"testing"

	"fugong/domain"
)

// allPass is a checklist on which every item passes.
var allPass = domain.Checklist{
	TemperatureCheck: true, MasksWorn: true, DisinfectionLog: true,
	IsolationRoomReady: true, RosterUpToDate: true, CanteenStaggered: true,
}

func TestChecklistFailed(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.Checklist)
		want   []string
	}{
		{name: "AllPass", change: func(*domain.Checklist) {}},
		{name: "One", change: func(c *domain.Checklist) { c.RosterUpToDate = false }, want: []string{"roster_up_to_date"}},
		{name: "FormOrder", change: func(c *domain.Checklist) { c.CanteenStaggered, c.MasksWorn, c.TemperatureCheck = false, false, false },
			want: []string{"temperature_check", "masks_worn", "canteen_staggered"}},
		{name: "AllFail", change: func(c *domain.Checklist) { *c = domain.Checklist{} }, want: domain.ChecklistItems},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := allPass
			tt.change(&c)
			if got := c.Failed(); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChecklistItems(t *testing.T) {
	want := []string{"temperature_check", "masks_worn", "disinfection_log", "isolation_room_ready", "roster_up_to_date", "canteen_staggered"}
	if !slices.Equal(domain.ChecklistItems, want) {
		t.Fatalf("got %v, want %v", domain.ChecklistItems, want)
	}
	// Each item, failing alone, is reported under its own name and no other.
	fields := []func(*domain.Checklist){
		func(c *domain.Checklist) { c.TemperatureCheck = false },
		func(c *domain.Checklist) { c.MasksWorn = false },
		func(c *domain.Checklist) { c.DisinfectionLog = false },
		func(c *domain.Checklist) { c.IsolationRoomReady = false },
		func(c *domain.Checklist) { c.RosterUpToDate = false },
		func(c *domain.Checklist) { c.CanteenStaggered = false },
	}
	for i, fail := range fields {
		c := allPass
		fail(&c)
		items := c.Items()
		if len(items) != len(want) {
			t.Fatalf("got %d items, want %d", len(items), len(want))
		}
		for name, ok := range items {
			if ok != (name != want[i]) {
				t.Errorf("with %s failing: got %s = %v, want %v", want[i], name, ok, name != want[i])
			}
		}
	}
}

func TestInspectionRectification(t *testing.T) {
	tests := []struct {
		name string
		in   domain.Inspection
		want domain.Rectification
	}{
		{name: "None", in: domain.Inspection{VisitedOn: today.AddDays(-3)}, want: domain.RectificationNone},
		{name: "OpenDueLater", in: domain.Inspection{RectificationDeadline: today.AddDays(2)}, want: domain.RectificationOpen},
		{name: "OpenDueToday", in: domain.Inspection{RectificationDeadline: today}, want: domain.RectificationOpen},
		{name: "OverdueSinceYesterday", in: domain.Inspection{RectificationDeadline: today.AddDays(-1)}, want: domain.RectificationOverdue},
		{name: "ClosedInTime", in: domain.Inspection{RectificationDeadline: today.AddDays(2), ClosedBy: 9, ClosedOn: today}, want: domain.RectificationClosed},
		{name: "ClosedLate", in: domain.Inspection{RectificationDeadline: today.AddDays(-5), ClosedBy: 9, ClosedOn: today.AddDays(-1)}, want: domain.RectificationClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Rectification(today); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestInspectionServiceForbidden(t *testing.T) {
	// Open refuses roles outside the follow-up before it reads any store.
	s := storeless().Inspections
	for _, a := range []domain.Actor{platformAdmin, hr, worker} {
		t.Run(string(a.Role), func(t *testing.T) {
			_, _, _, err := s.Open(context.Background(), a, false, domain.Page{})
			wantErr(t, err, domain.ErrForbidden)
		})
	}
}
