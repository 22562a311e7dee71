package repo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// PlanStore keeps reopening plans and their reviews.
type PlanStore struct{ DB *DB }

var _ domain.PlanStore = (*PlanStore)(nil)

type planRow struct {
	ID                 int64
	TownshipID         int64
	EnterpriseID       int64
	Version            int
	Status             string
	PlannedReopenDate  sql.NullTime
	ExpectedWorkers    int
	LeadName           string
	LeadPhone          string
	Masks              int
	Thermometers       int
	DisinfectantLiters float64
	Gloves             int
	Goggles            int
	IsolationRoom      string
	Batches            string
	ShiftSize          int
	Canteen            string
	Dormitory          string
	Disinfection       string
	EmergencyPlan      string
	Pledge             bool
	CreatedBy          int64
	SubmittedAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (planRow) TableName() string { return "reopening_plans" }

type planRead struct {
	Row            planRow `gorm:"embedded"`
	EnterpriseName string
	InForce        bool
}

type reviewRow struct {
	ID         int64
	TownshipID int64
	PlanID     int64
	ReviewerID int64
	Decision   string
	Comment    string
	ReviewedAt time.Time
}

func (reviewRow) TableName() string { return "plan_reviews" }

// batchJSON is how a batch is kept in the batches column.
type batchJSON struct {
	Date        string   `json:"date"`
	Workers     int      `json:"workers"`
	Departments []string `json:"departments,omitempty"`
}

func newPlanRow(p domain.Plan) (planRow, error) {
	batches := make([]batchJSON, 0, len(p.Batches))
	for _, b := range p.Batches {
		batches = append(batches, batchJSON{Date: b.Date.String(), Workers: b.Workers, Departments: b.Departments})
	}
	js, err := json.Marshal(batches)
	if err != nil {
		return planRow{}, err
	}
	c := p.PlanContent
	return planRow{
		ID: p.ID, TownshipID: p.TownshipID, EnterpriseID: p.EnterpriseID, Version: p.Version,
		Status: string(p.Status), PlannedReopenDate: nullDate(c.PlannedReopenDate),
		ExpectedWorkers: c.ExpectedWorkers, LeadName: c.LeadName, LeadPhone: c.LeadPhone,
		Masks: c.Supplies.Masks, Thermometers: c.Supplies.Thermometers,
		DisinfectantLiters: c.Supplies.DisinfectantLiters, Gloves: c.Supplies.Gloves, Goggles: c.Supplies.Goggles,
		IsolationRoom: c.IsolationRoom, Batches: string(js), ShiftSize: c.ShiftSize, Canteen: c.Canteen,
		Dormitory: c.Dormitory, Disinfection: c.Disinfection, EmergencyPlan: c.EmergencyPlan, Pledge: c.Pledge,
		CreatedBy: p.CreatedBy, SubmittedAt: p.SubmittedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}, nil
}

func (pr planRead) toDomain() (domain.Plan, error) {
	r := pr.Row
	var batches []batchJSON
	if err := json.Unmarshal([]byte(r.Batches), &batches); err != nil {
		return domain.Plan{}, fmt.Errorf("plan %d batches: %w", r.ID, err)
	}
	p := domain.Plan{
		ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, EnterpriseName: pr.EnterpriseName,
		Version: r.Version, Status: domain.PlanStatus(r.Status), InForce: pr.InForce, Reviews: []domain.Review{},
		CreatedBy: r.CreatedBy, SubmittedAt: r.SubmittedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		PlanContent: domain.PlanContent{
			PlannedReopenDate: dateOf(r.PlannedReopenDate), ExpectedWorkers: r.ExpectedWorkers,
			LeadName: r.LeadName, LeadPhone: r.LeadPhone,
			Supplies: domain.Supplies{Masks: r.Masks, Thermometers: r.Thermometers,
				DisinfectantLiters: r.DisinfectantLiters, Gloves: r.Gloves, Goggles: r.Goggles},
			IsolationRoom: r.IsolationRoom, ShiftSize: r.ShiftSize, Canteen: r.Canteen, Dormitory: r.Dormitory,
			Disinfection: r.Disinfection, EmergencyPlan: r.EmergencyPlan, Pledge: r.Pledge,
			Batches: make([]domain.Batch, 0, len(batches)),
		},
	}
	for _, b := range batches {
		d, _ := domain.ParseDate(b.Date) // written by newPlanRow, so well-formed
		p.Batches = append(p.Batches, domain.Batch{Date: d, Workers: b.Workers, Departments: b.Departments})
	}
	return p, nil
}

// Create inserts a plan.
func (s *PlanStore) Create(ctx context.Context, p *domain.Plan) error {
	row, err := newPlanRow(*p)
	if err != nil {
		return err
	}
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "plan")
	}
	p.ID = row.ID
	return nil
}

func (s *PlanStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("reopening_plans p").
		Select(`p.*, e.name AS enterprise_name, p.status = 'approved' AND NOT EXISTS (SELECT 1 FROM reopening_plans q
			WHERE q.enterprise_id = p.enterprise_id AND q.status = 'approved' AND q.version > p.version) AS in_force`).Joins("JOIN enterprises e ON e.id = p.enterprise_id")
}

// Get returns a plan with its reviews.
func (s *PlanStore) Get(ctx context.Context, id int64) (domain.Plan, error) {
	var r planRead
	if err := s.reads(ctx).Where("p.id = ?", id).Take(&r).Error; err != nil {
		return domain.Plan{}, translate(err, "复工方案")
	}
	out, err := s.toDomain(ctx, []planRead{r})
	if err != nil {
		return domain.Plan{}, err
	}
	return out[0], nil
}

// List returns matching plans with their reviews.
func (s *PlanStore) List(ctx context.Context, f domain.PlanFilter) ([]domain.Plan, int, error) {
	q := s.reads(ctx)
	if f.TownshipID != 0 {
		q = q.Where("p.township_id = ?", f.TownshipID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("p.enterprise_id = ?", f.EnterpriseID)
	}
	if f.SupervisorID != 0 {
		q = q.Where("p.enterprise_id IN (SELECT enterprise_id FROM enterprise_supervisors WHERE user_id = ?)", f.SupervisorID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("p.status IN ?", f.Statuses)
	}
	// Longest waiting first. Drafts have not started waiting: they come last on both engines
	// (SQLite would sort NULL first, PostgreSQL last).
	order := "p.submitted_at IS NULL, p.submitted_at, p.id"
	if f.EnterpriseID != 0 {
		order = "p.version DESC"
	}
	rows, total, err := page[planRead](q, order, f.Page)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.toDomain(ctx, rows)
	return out, total, err
}

// Latest reads the newest version of every enterprise's plan with one query.
func (s *PlanStore) Latest(ctx context.Context, townshipID int64) (map[int64]domain.Plan, error) {
	var rows []planRead
	err := s.reads(ctx).Where(`p.township_id = ? AND (p.enterprise_id, p.version) IN
		(SELECT enterprise_id, MAX(version) FROM reopening_plans WHERE township_id = ? GROUP BY enterprise_id)`,
		townshipID, townshipID).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	plans, err := s.toDomain(ctx, rows)
	out := make(map[int64]domain.Plan, len(plans))
	for _, p := range plans {
		out[p.EnterpriseID] = p
	}
	return out, err
}

// toDomain converts rows and loads all their reviews in one query.
func (s *PlanStore) toDomain(ctx context.Context, rows []planRead) ([]domain.Plan, error) {
	out := make([]domain.Plan, 0, len(rows))
	idx := make(map[int64]int, len(rows))
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		p, err := r.toDomain()
		if err != nil {
			return nil, err
		}
		idx[p.ID] = len(out)
		ids = append(ids, p.ID)
		out = append(out, p)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var reviews []struct {
		Row          reviewRow `gorm:"embedded"`
		ReviewerName string
	}
	err := s.DB.conn(ctx).Table("plan_reviews r").Select("r.*, u.name AS reviewer_name").
		Joins("JOIN users u ON u.id = r.reviewer_id").Where("r.plan_id IN ?", ids).
		Order("r.reviewed_at, r.id").Scan(&reviews).Error
	if err != nil {
		return nil, err
	}
	for _, r := range reviews {
		p := &out[idx[r.Row.PlanID]]
		p.Reviews = append(p.Reviews, domain.Review{
			ReviewerID: r.Row.ReviewerID, ReviewerName: r.ReviewerName, Decision: domain.PlanStatus(r.Row.Decision),
			Comment: r.Row.Comment, At: r.Row.ReviewedAt,
		})
	}
	return out, nil
}

// LatestVersion returns the highest version of an enterprise's plans.
func (s *PlanStore) LatestVersion(ctx context.Context, enterpriseID int64) (int, error) {
	var v sql.NullInt64
	err := s.DB.conn(ctx).Model(&planRow{}).Select("MAX(version)").Where("enterprise_id = ?", enterpriseID).Scan(&v).Error
	return int(v.Int64), err
}

// UpdateContent saves a draft's content, only while it is a draft.
func (s *PlanStore) UpdateContent(ctx context.Context, p domain.Plan) error {
	row, err := newPlanRow(p)
	if err != nil {
		return err
	}
	res := s.DB.conn(ctx).Model(&planRow{}).Where("id = ? AND status = ?", p.ID, string(domain.PlanDraft)).
		Select("planned_reopen_date", "expected_workers", "lead_name", "lead_phone", "masks", "thermometers",
			"disinfectant_liters", "gloves", "goggles", "isolation_room", "batches", "shift_size", "canteen",
			"dormitory", "disinfection", "emergency_plan", "pledge", "updated_at").
		Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "复工方案")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("plan %d is not a draft: %w", p.ID, domain.ErrConflict)
	}
	return nil
}

// SetStatus moves a plan between statuses with one conditional UPDATE, so that of two
// concurrent transitions only one happens.
func (s *PlanStore) SetStatus(ctx context.Context, id int64, from, to domain.PlanStatus, at time.Time) error {
	values := map[string]any{"status": string(to), "updated_at": at.UTC()}
	if to == domain.PlanSubmitted {
		values["submitted_at"] = at.UTC()
	}
	res := s.DB.conn(ctx).Model(&planRow{}).Where("id = ? AND status = ?", id, string(from)).Updates(values)
	if res.Error != nil {
		return translate(res.Error, "复工方案")
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("plan %d is not %s: %w", id, from, domain.ErrConflict)
	}
	return nil
}

// AddReview records a review.
func (s *PlanStore) AddReview(ctx context.Context, planID int64, r domain.Review) error {
	db := s.DB.conn(ctx)
	var p planRow
	if err := db.Select("id", "township_id").First(&p, planID).Error; err != nil {
		return translate(err, "复工方案")
	}
	row := reviewRow{TownshipID: p.TownshipID, PlanID: planID, ReviewerID: r.ReviewerID, Decision: string(r.Decision), Comment: r.Comment, ReviewedAt: r.At.UTC()}
	return translate(db.Create(&row).Error, "review")
}

// OnDuty counts an enterprise's workers on duty who arrived on or before d.
func (s *PlanStore) OnDuty(ctx context.Context, enterpriseID int64, d domain.Date) (int, error) {
	var n int64
	err := s.DB.conn(ctx).Model(&workerRow{}).
		Where("enterprise_id = ? AND status = ? AND arrived_on <= ?", enterpriseID, string(domain.WorkerOnDuty), d.Time()).
		Count(&n).Error
	return int(n), err
}
