package repo

import (
	"context"
	"database/sql"
	"time"

	"fugong/domain"
)

// AuditStore keeps the audit trail.
type AuditStore struct{ DB *DB }

var _ domain.AuditStore = (*AuditStore)(nil)

type auditRow struct {
	ID         int64
	TownshipID sql.NullInt64
	ActorID    sql.NullInt64
	ActorRole  string
	Action     string
	EntityType string
	EntityID   int64
	Detail     string
	CreatedAt  time.Time
}

func (auditRow) TableName() string { return "audit_events" }

// Record inserts an event, in the caller's transaction when there is one.
func (s *AuditStore) Record(ctx context.Context, e domain.AuditEvent) error {
	row := auditRow{
		TownshipID: nullID(e.TownshipID), ActorID: nullID(e.ActorID), ActorRole: string(e.ActorRole),
		Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, Detail: e.Detail, CreatedAt: e.At.UTC(),
	}
	return translate(s.DB.conn(ctx).Create(&row).Error, "audit event")
}

// List returns matching events, newest first.
func (s *AuditStore) List(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, int, error) {
	q := s.DB.conn(ctx).Model(&auditRow{})
	if f.TownshipID != 0 {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != 0 {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	rows, total, err := page[auditRow](q, "created_at DESC, id DESC", f.Page)
	return convert(rows, auditRow.toDomain), total, err
}

func (r auditRow) toDomain() domain.AuditEvent {
	return domain.AuditEvent{
		ID: r.ID, TownshipID: r.TownshipID.Int64, ActorID: r.ActorID.Int64, ActorRole: domain.Role(r.ActorRole),
		Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID, Detail: r.Detail, At: r.CreatedAt,
	}
}
