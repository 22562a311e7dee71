package repo

import (
	"context"
	"database/sql"
	"time"

	"fugong/domain"
)

// statusChangeRow is a row of enterprise_status_changes, the history of enterprise statuses.
type statusChangeRow struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	FromStatus   sql.NullString // NULL for the registration
	ToStatus     string
	EffectiveOn  time.Time
	ChangedBy    sql.NullInt64 // NULL for the system and for what the migration could not tell
	Reason       string
	RecordedAt   time.Time
}

func (statusChangeRow) TableName() string { return "enterprise_status_changes" }

// statusChangeRead is a change with the name of who made it.
type statusChangeRead struct {
	Row    statusChangeRow `gorm:"embedded"`
	ByName string
}

func (r statusChangeRead) toDomain() domain.StatusChange {
	c := r.Row
	return domain.StatusChange{
		ID: c.ID, TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID,
		From: domain.EnterpriseStatus(c.FromStatus.String), To: domain.EnterpriseStatus(c.ToStatus),
		On: domain.DateFromTime(c.EffectiveOn), ByID: c.ChangedBy.Int64, ByName: r.ByName,
		Reason: c.Reason, RecordedAt: c.RecordedAt,
	}
}

// statusOrder is the order domain.StatusOn reads changes in.
const statusOrder = "c.effective_on, c.recorded_at, c.id"

// SetStatus moves an enterprise from one status to another, only if it still has the first.
func (s *EnterpriseStore) SetStatus(ctx context.Context, id int64, from, to domain.EnterpriseStatus, reopenedOn domain.Date) error {
	db := s.DB.conn(ctx)
	res := db.Model(&enterpriseRow{}).Where("id = ? AND status = ?", id, string(from)).
		Updates(map[string]any{"status": string(to), "reopened_on": nullDate(reopenedOn), "updated_at": db.NowFunc()})
	if res.Error != nil {
		return translate(res.Error, "企业")
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := db.Model(&enterpriseRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return domain.NotFound("企业")
	}
	return domain.Conflict("企业状态已变化")
}

// AddStatusChange records a step of an enterprise's status history.
func (s *EnterpriseStore) AddStatusChange(ctx context.Context, c *domain.StatusChange) error {
	row := statusChangeRow{
		TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, ToStatus: string(c.To),
		FromStatus:  sql.NullString{String: string(c.From), Valid: c.From != ""},
		EffectiveOn: c.On.Time(), ChangedBy: sql.NullInt64{Int64: c.ByID, Valid: c.ByID != 0},
		Reason: c.Reason, RecordedAt: c.RecordedAt,
	}
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "企业状态记录")
	}
	c.ID = row.ID
	return nil
}

// StatusHistory returns an enterprise's status changes in StatusOn's order, with who made them.
func (s *EnterpriseStore) StatusHistory(ctx context.Context, enterpriseID int64) ([]domain.StatusChange, error) {
	var rows []statusChangeRead
	err := s.DB.conn(ctx).Table("enterprise_status_changes c").
		Select("c.*, COALESCE(u.name, '') AS by_name").Joins("LEFT JOIN users u ON u.id = c.changed_by").
		Where("c.enterprise_id = ?", enterpriseID).Order(statusOrder).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return convert(rows, statusChangeRead.toDomain), nil
}

// StatusChangesUpTo returns a township's status changes effective on or before d, by
// enterprise, in one query.
func (s *EnterpriseStore) StatusChangesUpTo(ctx context.Context, townshipID int64, d domain.Date) (map[int64][]domain.StatusChange, error) {
	var rows []statusChangeRead
	err := s.DB.conn(ctx).Table("enterprise_status_changes c").Select("c.*").
		Where("c.township_id = ? AND c.effective_on <= ?", townshipID, d.Time()).
		Order("c.enterprise_id, " + statusOrder).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[int64][]domain.StatusChange{}
	for _, r := range rows {
		out[r.Row.EnterpriseID] = append(out[r.Row.EnterpriseID], r.toDomain())
	}
	return out, nil
}

// fillSuspensions gives the suspended ones of es the reason and day of their suspension, the
// last step of their history, in one query.
func (s *EnterpriseStore) fillSuspensions(ctx context.Context, es []domain.Enterprise) error {
	idx := map[int64]int{}
	var ids []int64
	for i, e := range es {
		if e.Status == domain.StatusSuspended {
			idx[e.ID] = i
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []statusChangeRead
	err := s.DB.conn(ctx).Table("enterprise_status_changes c").Select("c.*").
		Where("c.enterprise_id IN ? AND c.to_status = ?", ids, string(domain.StatusSuspended)).
		Order("c.enterprise_id, " + statusOrder).Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows { // in order: the last one of each enterprise stays
		e := &es[idx[r.Row.EnterpriseID]]
		e.SuspensionReason, e.SuspendedOn = r.Row.Reason, domain.DateFromTime(r.Row.EffectiveOn)
	}
	return nil
}
