package repo

import (
	"context"
	"database/sql"
	"time"

	"fugong/domain"
)

// InspectionStore keeps on-site inspections.
type InspectionStore struct{ DB *DB }

var _ domain.InspectionStore = (*InspectionStore)(nil)

type inspectionRow struct {
	ID                    int64
	TownshipID            int64
	EnterpriseID          int64
	InspectorID           int64
	VisitedOn             sql.NullTime
	TemperatureCheck      bool
	MasksWorn             bool
	DisinfectionLog       bool
	IsolationRoomReady    bool
	RosterUpToDate        bool
	CanteenStaggered      bool
	Findings              string
	RectificationDeadline sql.NullTime
	ClosedBy              sql.NullInt64
	ClosedOn              sql.NullTime
	CreatedAt             time.Time
}

func (inspectionRow) TableName() string { return "inspections" }

type inspectionRead struct {
	Row            inspectionRow `gorm:"embedded"`
	EnterpriseName string
	InspectorName  string
}

func (ir inspectionRead) toDomain() domain.Inspection {
	r := ir.Row
	return domain.Inspection{
		ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, EnterpriseName: ir.EnterpriseName,
		InspectorID: r.InspectorID, InspectorName: ir.InspectorName, VisitedOn: dateOf(r.VisitedOn),
		Checklist: domain.Checklist{
			TemperatureCheck: r.TemperatureCheck, MasksWorn: r.MasksWorn, DisinfectionLog: r.DisinfectionLog,
			IsolationRoomReady: r.IsolationRoomReady, RosterUpToDate: r.RosterUpToDate, CanteenStaggered: r.CanteenStaggered,
		},
		Findings: r.Findings, RectificationDeadline: dateOf(r.RectificationDeadline),
		ClosedBy: r.ClosedBy.Int64, ClosedOn: dateOf(r.ClosedOn), CreatedAt: r.CreatedAt,
	}
}

// Create inserts an inspection.
func (s *InspectionStore) Create(ctx context.Context, i *domain.Inspection) error {
	c := i.Checklist
	row := inspectionRow{
		TownshipID: i.TownshipID, EnterpriseID: i.EnterpriseID, InspectorID: i.InspectorID,
		VisitedOn: nullDate(i.VisitedOn), TemperatureCheck: c.TemperatureCheck, MasksWorn: c.MasksWorn,
		DisinfectionLog: c.DisinfectionLog, IsolationRoomReady: c.IsolationRoomReady,
		RosterUpToDate: c.RosterUpToDate, CanteenStaggered: c.CanteenStaggered, Findings: i.Findings,
		RectificationDeadline: nullDate(i.RectificationDeadline),
	}
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "inspection")
	}
	i.ID, i.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// List returns matching inspections, newest visit first.
func (s *InspectionStore) List(ctx context.Context, f domain.InspectionFilter) ([]domain.Inspection, int, error) {
	q := s.DB.conn(ctx).Table("inspections i").
		Select("i.*, e.name AS enterprise_name, u.name AS inspector_name").
		Joins("JOIN enterprises e ON e.id = i.enterprise_id").Joins("JOIN users u ON u.id = i.inspector_id")
	if f.ID != 0 {
		q = q.Where("i.id = ?", f.ID)
	}
	if f.TownshipID != 0 {
		q = q.Where("i.township_id = ?", f.TownshipID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("i.enterprise_id = ?", f.EnterpriseID)
	}
	if f.SupervisorID != 0 {
		q = q.Where("i.enterprise_id IN (SELECT enterprise_id FROM enterprise_supervisors WHERE user_id = ?)", f.SupervisorID)
	}
	if f.OpenOnly {
		q = q.Where("i.rectification_deadline IS NOT NULL AND i.closed_on IS NULL")
	}
	if !f.DeadlineBefore.IsZero() {
		q = q.Where("i.rectification_deadline < ?", f.DeadlineBefore.Time())
	}
	rows, total, err := page[inspectionRead](q, "i.visited_on DESC, i.id DESC", f.Page)
	return convert(rows, inspectionRead.toDomain), total, err
}

// Close marks rectifications done.
func (s *InspectionStore) Close(ctx context.Context, ids []int64, by int64, on domain.Date) error {
	return s.DB.conn(ctx).Model(&inspectionRow{}).Where("id IN ? AND closed_on IS NULL", ids).
		Updates(map[string]any{"closed_by": by, "closed_on": on.Time()}).Error
}
