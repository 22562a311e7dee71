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
	ID           int64
	TownshipID   sql.NullInt64
	EnterpriseID sql.NullInt64
	ActorID      sql.NullInt64
	ActorRole    string
	Action       string
	EntityType   string
	EntityID     int64
	Detail       string
	CreatedAt    time.Time
}

func (auditRow) TableName() string { return "audit_events" }

// auditView is an event as the log shows it, with the names of its actor and enterprise.
type auditView struct {
	Row            auditRow `gorm:"embedded"`
	ActorUsername  sql.NullString
	ActorName      sql.NullString
	EnterpriseName sql.NullString
}

// Record inserts an event, in the caller's transaction when there is one; outside one (a
// failed sign-in) it queues at SQLite's writer gate like every other lone write.
func (s *AuditStore) Record(ctx context.Context, e domain.AuditEvent) error {
	row := auditRow{
		TownshipID: nullID(e.TownshipID), EnterpriseID: nullID(e.EnterpriseID), ActorID: nullID(e.ActorID),
		ActorRole: string(e.ActorRole), Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID,
		Detail: e.Detail, CreatedAt: e.At.UTC(),
	}
	return s.DB.exclusive(ctx, func() error {
		return translate(s.DB.conn(ctx).Create(&row).Error, "audit event")
	})
}

// List returns matching events, newest first. The indexes of migration 00008 serve each
// filter: township, enterprise or actor, each with the time.
func (s *AuditStore) List(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEvent, int, error) {
	q := s.DB.conn(ctx).Table("audit_events a").
		Select("a.*, u.username AS actor_username, u.name AS actor_name, e.name AS enterprise_name").
		Joins("LEFT JOIN users u ON u.id = a.actor_id").
		Joins("LEFT JOIN enterprises e ON e.id = a.enterprise_id")
	for col, v := range map[string]int64{
		"a.township_id": f.TownshipID, "a.enterprise_id": f.EnterpriseID, "a.actor_id": f.ActorID, "a.entity_id": f.EntityID,
	} {
		if v != 0 {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.EntityType != "" {
		q = q.Where("a.entity_type = ?", f.EntityType)
	}
	if f.Action != "" {
		q = q.Where("a.action = ?", f.Action)
	}
	if f.ActionFamily != "" {
		// "plan" is every "plan.…": the range from "plan." up to "plan/", '/' following '.'.
		q = q.Where("a.action >= ? AND a.action < ?", f.ActionFamily+".", f.ActionFamily+"/")
	}
	if !f.From.IsZero() {
		q = q.Where("a.created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("a.created_at < ?", f.To.UTC())
	}
	rows, total, err := page[auditView](q, "a.created_at DESC, a.id DESC", f.Page)
	return convert(rows, auditView.toDomain), total, err
}

func (v auditView) toDomain() domain.AuditEvent {
	r := v.Row
	return domain.AuditEvent{
		ID: r.ID, TownshipID: r.TownshipID.Int64, EnterpriseID: r.EnterpriseID.Int64, ActorID: r.ActorID.Int64,
		ActorRole: domain.Role(r.ActorRole), Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID,
		Detail: r.Detail, At: r.CreatedAt,
		ActorUsername: v.ActorUsername.String, ActorName: v.ActorName.String, EnterpriseName: v.EnterpriseName.String,
	}
}
