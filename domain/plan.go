package domain

import (
	"context"
	"slices"
	"time"
)

// PlanStatus is where a reopening plan stands: draft → submitted → approved | rejected.
type PlanStatus string

// The plan statuses.
const (
	PlanDraft     PlanStatus = "draft"
	PlanSubmitted PlanStatus = "submitted"
	PlanApproved  PlanStatus = "approved"
	PlanRejected  PlanStatus = "rejected"
)

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool {
	return s == PlanDraft || s == PlanSubmitted || s == PlanApproved || s == PlanRejected
}

// Label is the status as the people using Fugong call it.
func (s PlanStatus) Label() string {
	return map[PlanStatus]string{PlanDraft: "草稿", PlanSubmitted: "待审核", PlanApproved: "已批准", PlanRejected: "已退回"}[s]
}

// Supplies are the prevention supplies an enterprise has in stock.
type Supplies struct {
	Masks              int
	Thermometers       int
	DisinfectantLiters float64
	Gloves             int
	Goggles            int
}

// Batch is one wave of a staggered return (错峰返岗): who comes back on which day.
type Batch struct {
	Date        Date
	Workers     int
	Departments []string // the departments that come back in it; empty for any
}

// PlanContent is what HR writes in a one-company-one-plan (一企一策) reopening plan.
type PlanContent struct {
	PlannedReopenDate Date
	ExpectedWorkers   int
	LeadName          string
	LeadPhone         string
	Supplies          Supplies
	IsolationRoom     string
	Batches           []Batch
	ShiftSize         int
	Canteen           string
	Dormitory         string
	Disinfection      string
	EmergencyPlan     string
	Pledge            bool
}

// Review is a supervisor's decision on a submitted plan.
type Review struct {
	ReviewerID   int64
	ReviewerName string // filled on reads
	Decision     PlanStatus
	Comment      string
	At           time.Time
}

// Plan is one version of an enterprise's reopening plan. A rejected plan is never edited
// again: HR revises it as the next version, so every version and its reviews stay readable.
type Plan struct {
	ID             int64
	TownshipID     int64
	EnterpriseID   int64
	EnterpriseName string // filled on reads
	Version        int
	Status         PlanStatus
	InForce        bool // filled on reads: the newest approved version, the one the enterprise runs
	PlanContent
	Reviews     []Review
	CreatedBy   int64
	SubmittedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PlanFilter selects plans; zero fields do not filter.
type PlanFilter struct {
	TownshipID   int64
	EnterpriseID int64 // when set, the answer is that enterprise's versions, newest first
	SupervisorID int64
	Statuses     []PlanStatus
	Page
}

// PlanStore keeps plans and their reviews.
type PlanStore interface {
	// Create inserts a plan and sets its ID. ErrConflict if the enterprise already has a draft
	// or submitted plan, or the version exists.
	Create(ctx context.Context, p *Plan) error
	// Get returns a plan with its reviews and enterprise name. ErrNotFound.
	Get(ctx context.Context, id int64) (Plan, error)
	// List returns the plans that match f with their reviews: an enterprise's newest version
	// first, otherwise the longest waiting first.
	List(ctx context.Context, f PlanFilter) ([]Plan, int, error)
	// LatestVersion returns the highest version of an enterprise's plans, 0 when none.
	LatestVersion(ctx context.Context, enterpriseID int64) (int, error)
	// Latest returns each enterprise's newest plan in a township, by enterprise, in one read
	// (the daily report's supplies column).
	Latest(ctx context.Context, townshipID int64) (map[int64]Plan, error)
	// UpdateContent saves the content of a draft. ErrConflict if it is no longer a draft.
	UpdateContent(ctx context.Context, p Plan) error
	// SetStatus moves a plan from one status to another, and fails with ErrConflict if it is
	// not in from any more (someone else moved it first).
	SetStatus(ctx context.Context, id int64, from, to PlanStatus, at time.Time) error
	// AddReview records a review of a plan.
	AddReview(ctx context.Context, planID int64, r Review) error
	// OnDuty counts the people the reopening gate holds against an enterprise's plan on day d:
	// on its roster, on duty, arrived on or before d.
	OnDuty(ctx context.Context, enterpriseID int64, d Date) (int, error)
}

// Equal reports whether two batches are the same.
func (b Batch) Equal(o Batch) bool {
	return b.Date == o.Date && b.Workers == o.Workers && slices.Equal(b.Departments, o.Departments)
}

// ReturnBatches are the batches an approved plan makes the enterprise's: numbered from 1 by
// date (batches of one day keep the plan's order).
func (p Plan) ReturnBatches() []ReturnBatch {
	out := make([]ReturnBatch, 0, len(p.Batches))
	for _, b := range p.Batches {
		out = append(out, ReturnBatch{
			TownshipID: p.TownshipID, EnterpriseID: p.EnterpriseID, PlanID: p.ID, Date: b.Date, Planned: b.Workers,
			Departments: append([]string{}, b.Departments...),
		})
	}
	slices.SortStableFunc(out, func(a, b ReturnBatch) int { return a.Date.t.Compare(b.Date.t) })
	for i := range out {
		out[i].Number = i + 1
	}
	return out
}
