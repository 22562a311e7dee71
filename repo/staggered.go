package repo

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fugong/domain"
)

// BatchStore keeps the enterprises' return batches (migration 00017).
type BatchStore struct{ DB *DB }

var _ domain.BatchStore = (*BatchStore)(nil)

type batchRow struct {
	ID             int64
	TownshipID     int64
	EnterpriseID   int64
	PlanID         int64
	Number         int
	Date           time.Time
	PlannedWorkers int
	Departments    string // joined by departmentSep
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (batchRow) TableName() string { return "return_batches" }

// departmentSep joins a batch's departments in its column: the enumeration comma, which no
// department name of a Chinese roster holds.
const departmentSep = "、"

type batchRead struct {
	Row      batchRow `gorm:"embedded"`
	Assigned int
}

func (r batchRead) toDomain() domain.ReturnBatch {
	b := domain.ReturnBatch{
		ID: r.Row.ID, TownshipID: r.Row.TownshipID, EnterpriseID: r.Row.EnterpriseID, PlanID: r.Row.PlanID,
		Number: r.Row.Number, Date: domain.DateFromTime(r.Row.Date), Planned: r.Row.PlannedWorkers,
		Departments: []string{}, Assigned: r.Assigned, CreatedAt: r.Row.CreatedAt, UpdatedAt: r.Row.UpdatedAt,
	}
	if r.Row.Departments != "" {
		b.Departments = strings.Split(r.Row.Departments, departmentSep)
	}
	return b
}

func (s *BatchStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("return_batches b").Select(`b.*, (SELECT COUNT(*) FROM workers w
		WHERE w.batch_id = b.id AND w.status <> 'left') AS assigned`)
}

func (s *BatchStore) list(q *gorm.DB) ([]domain.ReturnBatch, error) {
	var rows []batchRead
	if err := q.Order("b.enterprise_id, b.number").Find(&rows).Error; err != nil {
		return nil, translate(err, "返岗批次")
	}
	out := make([]domain.ReturnBatch, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	return out, nil
}

// ForEnterprise returns an enterprise's batches by number.
func (s *BatchStore) ForEnterprise(ctx context.Context, enterpriseID int64) ([]domain.ReturnBatch, error) {
	return s.list(s.reads(ctx).Where("b.enterprise_id = ?", enterpriseID))
}

// ForTownship returns a township's batches by enterprise and number.
func (s *BatchStore) ForTownship(ctx context.Context, townshipID int64) ([]domain.ReturnBatch, error) {
	return s.list(s.reads(ctx).Where("b.township_id = ?", townshipID))
}

// Replace updates the batches by number, adds the new ones and removes the rest, in the
// caller's transaction (or one of its own).
func (s *BatchStore) Replace(ctx context.Context, enterpriseID int64, bs []domain.ReturnBatch) error {
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		now := time.Now().UTC()
		for i := range bs {
			b := &bs[i]
			row := batchRow{
				TownshipID: b.TownshipID, EnterpriseID: enterpriseID, PlanID: b.PlanID, Number: b.Number,
				Date: b.Date.Time(), PlannedWorkers: b.Planned, Departments: strings.Join(b.Departments, departmentSep),
				CreatedAt: now, UpdatedAt: now,
			}
			err := db.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "enterprise_id"}, {Name: "number"}},
				DoUpdates: clause.AssignmentColumns([]string{"plan_id", "date", "planned_workers", "departments", "updated_at"}),
			}).Create(&row).Error
			if err != nil {
				return translate(err, "返岗批次")
			}
			var id int64
			if err := db.Table("return_batches").Select("id").
				Where("enterprise_id = ? AND number = ?", enterpriseID, b.Number).Scan(&id).Error; err != nil {
				return err
			}
			b.ID, b.EnterpriseID = id, enterpriseID
		}
		// The workers of a removed batch have none; said here too, not only by the foreign
		// key's ON DELETE SET NULL, which SQLite enforces only with its foreign keys on.
		gone := db.Table("return_batches").Select("id").Where("enterprise_id = ? AND number > ?", enterpriseID, len(bs))
		if err := db.Table("workers").Where("batch_id IN (?)", gone).Update("batch_id", nil).Error; err != nil {
			return translate(err, "返岗批次")
		}
		err := db.Where("enterprise_id = ? AND number > ?", enterpriseID, len(bs)).Delete(&batchRow{}).Error
		return translate(err, "返岗批次")
	})
}

// ShiftStore keeps the enterprises' shifts (migration 00017).
type ShiftStore struct{ DB *DB }

var _ domain.ShiftStore = (*ShiftStore)(nil)

type shiftRow struct {
	ID           int64
	TownshipID   int64
	EnterpriseID int64
	Name         string
	Workshop     string
	StartsAt     string
	EndsAt       string
	MealStartsAt string
	MealEndsAt   string
	Capacity     int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (shiftRow) TableName() string { return "shifts" }

type shiftRead struct {
	Row      shiftRow `gorm:"embedded"`
	Assigned int
}

func newShiftRow(s domain.Shift) shiftRow {
	return shiftRow{
		ID: s.ID, TownshipID: s.TownshipID, EnterpriseID: s.EnterpriseID, Name: s.Name, Workshop: s.Workshop,
		StartsAt: s.Start, EndsAt: s.End, MealStartsAt: s.MealStart, MealEndsAt: s.MealEnd, Capacity: s.Capacity,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

func (r shiftRead) toDomain() domain.Shift {
	return domain.Shift{
		ID: r.Row.ID, TownshipID: r.Row.TownshipID, EnterpriseID: r.Row.EnterpriseID, Name: r.Row.Name,
		Workshop: r.Row.Workshop, Start: r.Row.StartsAt, End: r.Row.EndsAt, MealStart: r.Row.MealStartsAt,
		MealEnd: r.Row.MealEndsAt, Capacity: r.Row.Capacity, Assigned: r.Assigned,
		CreatedAt: r.Row.CreatedAt, UpdatedAt: r.Row.UpdatedAt,
	}
}

func (s *ShiftStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("shifts s").Select(`s.*, (SELECT COUNT(*) FROM workers w
		WHERE w.shift_id = s.id AND w.status <> 'left') AS assigned`)
}

// ForEnterprise returns an enterprise's shifts by name.
func (s *ShiftStore) ForEnterprise(ctx context.Context, enterpriseID int64) ([]domain.Shift, error) {
	var rows []shiftRead
	if err := s.reads(ctx).Where("s.enterprise_id = ?", enterpriseID).Order("s.name, s.id").Find(&rows).Error; err != nil {
		return nil, translate(err, "班组")
	}
	out := make([]domain.Shift, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.toDomain())
	}
	return out, nil
}

// Get returns one shift.
func (s *ShiftStore) Get(ctx context.Context, id int64) (domain.Shift, error) {
	var r shiftRead
	if err := s.reads(ctx).Where("s.id = ?", id).Take(&r).Error; err != nil {
		return domain.Shift{}, translate(err, "班组")
	}
	return r.toDomain(), nil
}

// Lock locks the shift's row (PostgreSQL; SQLite's writer is alone anyway), then reads it.
func (s *ShiftStore) Lock(ctx context.Context, id int64) (domain.Shift, error) {
	if s.DB.Dialect == Postgres {
		var got int64
		if err := s.DB.conn(ctx).Raw("SELECT id FROM shifts WHERE id = ? FOR UPDATE", id).Scan(&got).Error; err != nil {
			return domain.Shift{}, translate(err, "班组")
		}
	}
	return s.Get(ctx, id)
}

// Create inserts a shift.
func (s *ShiftStore) Create(ctx context.Context, sh *domain.Shift) error {
	now := time.Now().UTC()
	row := newShiftRow(*sh)
	row.CreatedAt, row.UpdatedAt = now, now
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "班组")
	}
	sh.ID, sh.CreatedAt, sh.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
	return nil
}

// Update saves a shift's fields.
func (s *ShiftStore) Update(ctx context.Context, sh domain.Shift) error {
	row := newShiftRow(sh)
	row.UpdatedAt = time.Now().UTC()
	res := s.DB.conn(ctx).Model(&shiftRow{ID: sh.ID}).
		Select("name", "workshop", "starts_at", "ends_at", "meal_starts_at", "meal_ends_at", "capacity", "updated_at").
		Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "班组")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("班组")
	}
	return nil
}

// Delete removes a shift nobody is assigned to; the alerts that named it keep their worker.
func (s *ShiftStore) Delete(ctx context.Context, id int64) error {
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		var n int64
		if err := db.Table("workers").Where("shift_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return domain.Conflict("班组还有 " + strconv.FormatInt(n, 10) + " 名职工,请先调整他们的班组")
		}
		if err := db.Table("alerts").Where("shift_id = ?", id).Update("shift_id", nil).Error; err != nil {
			return err
		}
		res := db.Delete(&shiftRow{}, id)
		if res.Error != nil {
			return translate(res.Error, "班组")
		}
		if res.RowsAffected == 0 {
			return domain.NotFound("班组")
		}
		return nil
	})
}

// Assign sets the batch and/or shift of an enterprise's workers, in one statement.
func (s *WorkerStore) Assign(ctx context.Context, enterpriseID int64, workerIDs []int64, batchID, shiftID *int64) (int, error) {
	set := map[string]any{"updated_at": time.Now().UTC()}
	if batchID != nil {
		set["batch_id"] = nullID(*batchID)
	}
	if shiftID != nil {
		set["shift_id"] = nullID(*shiftID)
	}
	if len(set) == 1 || len(workerIDs) == 0 {
		return 0, nil
	}
	res := s.DB.conn(ctx).Table("workers").Where("enterprise_id = ? AND id IN ?", enterpriseID, workerIDs).Updates(set)
	return int(res.RowsAffected), translate(res.Error, "职工")
}
