package repo

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// SpotCheckStore keeps the measurements at the gate and counts their figures.
type SpotCheckStore struct{ DB *DB }

var _ domain.SpotCheckStore = (*SpotCheckStore)(nil)

type spotCheckRow struct {
	ID              int64
	TownshipID      int64
	EnterpriseID    int64
	WorkerID        int64
	CheckerID       int64
	Date            sql.NullTime
	Slot            string
	CheckedAt       time.Time
	Present         bool
	Temperature     sql.NullInt64
	Fever           bool
	Color           string
	SelfTemperature sql.NullInt64
	SelfLocation    string
	SelfAt          sql.NullTime
	Discrepancy     string
	AlertID         sql.NullInt64
	Note            string
}

func (spotCheckRow) TableName() string { return "spot_checks" }

type spotCheckRead struct {
	Row            spotCheckRow `gorm:"embedded"`
	EnterpriseName sql.NullString
	Zone           sql.NullString
	WorkerName     sql.NullString
	CheckerName    sql.NullString
}

func (r spotCheckRead) toDomain() domain.SpotCheck {
	c := domain.SpotCheck{
		ID: r.Row.ID, TownshipID: r.Row.TownshipID, EnterpriseID: r.Row.EnterpriseID, WorkerID: r.Row.WorkerID,
		CheckerID: r.Row.CheckerID, Date: dateOf(r.Row.Date), Slot: domain.Slot(r.Row.Slot), CheckedAt: r.Row.CheckedAt,
		Present: r.Row.Present, Temperature: domain.Temperature(r.Row.Temperature.Int64), Fever: r.Row.Fever,
		Color: domain.PassColor(r.Row.Color), Discrepancy: r.Row.Discrepancy, AlertID: r.Row.AlertID.Int64, Note: r.Row.Note,
		EnterpriseName: r.EnterpriseName.String, Zone: r.Zone.String, WorkerName: r.WorkerName.String,
		CheckerName: r.CheckerName.String,
	}
	if r.Row.SelfTemperature.Valid {
		c.SelfReport = &domain.Checkin{WorkerID: c.WorkerID, Date: c.Date, Slot: c.Slot,
			Temperature: domain.Temperature(r.Row.SelfTemperature.Int64), Location: domain.Location(r.Row.SelfLocation),
			UpdatedAt: r.Row.SelfAt.Time}
	}
	return c
}

// Create inserts a spot check and sets its ID.
func (s *SpotCheckStore) Create(ctx context.Context, c *domain.SpotCheck) error {
	row := spotCheckRow{
		TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, WorkerID: c.WorkerID, CheckerID: c.CheckerID,
		Date: nullDate(c.Date), Slot: string(c.Slot), CheckedAt: c.CheckedAt.UTC(), Present: c.Present,
		Temperature: sql.NullInt64{Int64: int64(c.Temperature), Valid: c.Present}, Fever: c.Fever, Color: string(c.Color),
		Discrepancy: c.Discrepancy, AlertID: nullID(c.AlertID), Note: c.Note,
	}
	if sr := c.SelfReport; sr != nil {
		row.SelfTemperature = sql.NullInt64{Int64: int64(sr.Temperature), Valid: true}
		row.SelfLocation = string(sr.Location)
		row.SelfAt = sql.NullTime{Time: sr.UpdatedAt.UTC(), Valid: !sr.UpdatedAt.IsZero()}
	}
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "抽查记录")
	}
	c.ID = row.ID
	return nil
}

func (s *SpotCheckStore) filtered(ctx context.Context, f domain.SpotCheckFilter) *gorm.DB {
	q := s.DB.conn(ctx).Table("spot_checks sc").Where("sc.township_id = ?", f.TownshipID)
	if len(f.EnterpriseIDs) > 0 {
		q = q.Where("sc.enterprise_id IN ?", f.EnterpriseIDs)
	}
	if f.WorkerID != 0 {
		q = q.Where("sc.worker_id = ?", f.WorkerID)
	}
	if !f.Date.IsZero() {
		q = q.Where("sc.date = ?", f.Date.Time())
	}
	if !f.From.IsZero() {
		q = q.Where("sc.date >= ?", f.From.Time())
	}
	if !f.To.IsZero() {
		q = q.Where("sc.date <= ?", f.To.Time())
	}
	return q
}

// List returns the matching checks, newest first, with names, and how many match.
func (s *SpotCheckStore) List(ctx context.Context, f domain.SpotCheckFilter) ([]domain.SpotCheck, int, error) {
	var total int64
	if err := s.filtered(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "抽查记录")
	}
	var rows []spotCheckRead
	err := s.filtered(ctx, f).Select(`sc.*, e.name AS enterprise_name, z.name AS zone, w.name AS worker_name,
		u.name AS checker_name`).
		Joins("JOIN enterprises e ON e.id = sc.enterprise_id").
		Joins("LEFT JOIN zones z ON z.id = e.zone_id").
		Joins("JOIN workers w ON w.id = sc.worker_id").
		Joins("LEFT JOIN users u ON u.id = sc.checker_id").
		Order("sc.checked_at DESC, sc.id DESC").Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, "抽查记录")
	}
	return convert(rows, spotCheckRead.toDomain), int(total), nil
}

// Figures counts the spot-check figures of each enterprise and day from..to in one read: the
// checks and their discrepancies, the distinct workers checked, and the distinct workers with
// a check-in at work (either slot).
func (s *SpotCheckStore) Figures(ctx context.Context, townshipID int64, enterpriseIDs []int64, from, to domain.Date) ([]domain.SpotDay, error) {
	args := map[string]any{"t": townshipID, "from": from.Time(), "to": to.Time()}
	in := ""
	if len(enterpriseIDs) > 0 {
		in = " AND enterprise_id IN @es"
		args["es"] = enterpriseIDs
	}
	var rows []struct {
		EnterpriseID  int64
		Date          sql.NullTime
		Checks        int
		Checked       int
		Discrepancies int
		OnDuty        int
	}
	err := s.DB.conn(ctx).Raw(`
		WITH spot AS (
			SELECT enterprise_id, date, COUNT(*) AS checks, COUNT(DISTINCT worker_id) AS checked,
				SUM(CASE WHEN discrepancy <> '' THEN 1 ELSE 0 END) AS discrepancies
			FROM spot_checks WHERE township_id = @t AND date >= @from AND date <= @to`+in+`
			GROUP BY enterprise_id, date),
		duty AS (
			SELECT enterprise_id, date, COUNT(DISTINCT worker_id) AS on_duty
			FROM checkins WHERE enterprise_id IN (SELECT id FROM enterprises WHERE township_id = @t)
				AND date >= @from AND date <= @to AND location = 'work'`+in+`
			GROUP BY enterprise_id, date),
		keys AS (SELECT enterprise_id, date FROM spot UNION SELECT enterprise_id, date FROM duty)
		SELECT k.enterprise_id, k.date, COALESCE(s.checks, 0) AS checks, COALESCE(s.checked, 0) AS checked,
			COALESCE(s.discrepancies, 0) AS discrepancies, COALESCE(d.on_duty, 0) AS on_duty
		FROM keys k
		LEFT JOIN spot s ON s.enterprise_id = k.enterprise_id AND s.date = k.date
		LEFT JOIN duty d ON d.enterprise_id = k.enterprise_id AND d.date = k.date
		ORDER BY k.enterprise_id, k.date`, args).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "抽查统计")
	}
	out := make([]domain.SpotDay, 0, len(rows))
	for _, r := range rows {
		out = append(out, domain.SpotDay{EnterpriseID: r.EnterpriseID, Date: dateOf(r.Date), SpotFigures: domain.SpotFigures{
			Checks: r.Checks, Checked: r.Checked, OnDuty: r.OnDuty, Discrepancies: r.Discrepancies}})
	}
	return out, nil
}

// RecentDiscrepancies returns which of the township's workers a check found a discrepancy of
// from..to.
func (s *SpotCheckStore) RecentDiscrepancies(ctx context.Context, townshipID int64, from, to domain.Date) (map[int64]bool, error) {
	var ids []int64
	err := s.DB.conn(ctx).Table("spot_checks").Distinct("worker_id").
		Where("township_id = ? AND date >= ? AND date <= ? AND discrepancy <> ''", townshipID, from.Time(), to.Time()).
		Pluck("worker_id", &ids).Error
	if err != nil {
		return nil, translate(err, "抽查记录")
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
