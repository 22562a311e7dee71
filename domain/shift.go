package domain

import (
	"context"
	"time"
)

// Shift is one small shift (小班制, a 班组) of an enterprise: a group of workers on the same
// hours in one workshop, eating at their own staggered time, never more than its capacity (the
// plan's shift size, unless the supervisor set another).
type Shift struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	Name         string
	Workshop     string
	Start, End   string // HH:MM, the township's local time; End before Start runs past midnight
	MealStart    string // HH:MM: the shift's own meal time, staggered from the others'
	MealEnd      string
	Capacity     int
	Assigned     int // filled on reads: workers assigned to it who have not left
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ShiftStore keeps the enterprises' shifts.
type ShiftStore interface {
	// ForEnterprise returns an enterprise's shifts by name, each with its Assigned count.
	ForEnterprise(ctx context.Context, enterpriseID int64) ([]Shift, error)
	// Get returns one shift with its Assigned count. ErrNotFound.
	Get(ctx context.Context, id int64) (Shift, error)
	// Lock is Get, and on PostgreSQL also locks the shift's row until the transaction ends, so
	// that two assignments to one shift are counted one after the other. ErrNotFound.
	Lock(ctx context.Context, id int64) (Shift, error)
	// Create inserts a shift and sets its ID. ErrConflict: the enterprise has one of that name.
	Create(ctx context.Context, s *Shift) error
	// Update saves a shift's name, workshop, times and capacity. ErrNotFound, ErrConflict.
	Update(ctx context.Context, s Shift) error
	// Delete removes a shift. ErrConflict while workers are assigned to it.
	Delete(ctx context.Context, id int64) error
	// OnDuty counts, for each shift of an enterprise, its people on duty on day d (the rule
	// OnShiftDuty), in one query; a shift with nobody on duty is absent.
	OnDuty(ctx context.Context, enterpriseID int64, d Date) (map[int64]int, error)
	// Crowded returns the IDs of an enterprise's shifts with more workers assigned (who have
	// not left) than their capacity, in one query.
	Crowded(ctx context.Context, enterpriseID int64) ([]int64, error)
	// Duty returns one shift on day d: its name and capacity with its people on duty, in one
	// query (a morning check-in at work asks it). ErrNotFound.
	Duty(ctx context.Context, shiftID int64, d Date) (ShiftDuty, error)
}
