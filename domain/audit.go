package domain

import (
	"context"
	"time"
)

// AuditEvent records who did what to which record, and when. Events are written in the same
// transaction as the change they describe, so there is never a change without its event.
type AuditEvent struct {
	ID         int64
	TownshipID int64
	ActorID    int64
	ActorRole  Role
	Action     string // e.g. "plan.submit", "enterprise.reopen"
	EntityType string // e.g. "plan", "enterprise", "inspection"
	EntityID   int64
	Detail     string // short words for people, never personal data
	At         time.Time
}

// AuditFilter selects audit events; zero fields do not filter.
type AuditFilter struct {
	TownshipID int64
	EntityType string
	EntityID   int64
	Action     string
	Page
}

// AuditStore keeps audit events.
type AuditStore interface {
	// Record inserts an event.
	Record(ctx context.Context, e AuditEvent) error
	// List returns the newest events first, and how many match in all.
	List(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
}

// audit is what services use to record events: the actor and the clock fill in who and when.
type audit struct {
	store AuditStore
	clock Clock
}

func (a audit) record(ctx context.Context, actor Actor, townshipID int64, action, entityType string, entityID int64, detail string) error {
	return a.store.Record(ctx, AuditEvent{
		TownshipID: townshipID, ActorID: actor.UserID, ActorRole: actor.Role, Action: action,
		EntityType: entityType, EntityID: entityID, Detail: detail, At: a.clock.Now(),
	})
}
