package domain

import (
	"context"
	"time"
)

// ReturnBatch is one batch of an enterprise's staggered return (错峰返岗): the day a group of
// its workers comes back, as the enterprise's approved plan set it. HR assigns each worker to a
// batch; the plan-against-actual figures compare the batches with the arrival dates.
type ReturnBatch struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	PlanID       int64 // the approved plan version that set the batch
	Number       int   // 1, 2, … in date order
	Date         Date
	Planned      int      // the plan's headcount for the batch
	Departments  []string // the departments the plan brings back in it; empty for any
	Assigned     int      // filled on reads: workers assigned to it who have not left
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// BatchStore keeps the enterprises' return batches.
type BatchStore interface {
	// ForEnterprise returns an enterprise's batches by number, each with its Assigned count.
	ForEnterprise(ctx context.Context, enterpriseID int64) ([]ReturnBatch, error)
	// ForTownship returns every batch of a township's enterprises, by enterprise and number,
	// each with its Assigned count.
	ForTownship(ctx context.Context, townshipID int64) ([]ReturnBatch, error)
	// Replace makes bs (numbered from 1, all of one enterprise and plan) the enterprise's
	// batches: a batch of a number it has already is updated in place and keeps its workers,
	// new numbers are added, and batches beyond the last number are removed, their workers left
	// without a batch. It sets the IDs of bs.
	Replace(ctx context.Context, enterpriseID int64, bs []ReturnBatch) error
}
