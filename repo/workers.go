package repo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
	"fugong/pii"
)

// WorkerStore keeps rosters, with ID numbers sealed at rest and found by their blind index.
type WorkerStore struct {
	DB  *DB
	Box *pii.Box
}

var _ domain.WorkerStore = (*WorkerStore)(nil)

// idPurpose binds sealed ID numbers and their index to this column.
const idPurpose = "worker.id_number"

type workerRow struct {
	ID              int64
	TownshipID      int64
	EnterpriseID    int64
	Name            string
	IDNumberSealed  string `gorm:"column:id_number_sealed"`
	IDNumberIndex   string `gorm:"column:id_number_index"`
	Phone           string
	Department      string
	ShiftID         sql.NullInt64
	BatchID         sql.NullInt64
	OriginRegion    string
	ArrivedOn       sql.NullTime
	Transport       string
	KeyAreaExposure bool
	ContactHistory  bool
	RiskLevel       string
	RiskReason      string
	Status          string
	IsolationPlace  string
	IsolationStart  sql.NullTime
	IsolationUntil  sql.NullTime
	LeftOn          sql.NullTime
	TokenGeneration int64 // written only by BumpGeneration
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (workerRow) TableName() string { return "workers" }

type workerRead struct {
	Row            workerRow `gorm:"embedded"`
	EnterpriseName string
	ShiftName      sql.NullString
	BatchNumber    sql.NullInt64
	BatchDate      sql.NullTime
}

func (s *WorkerStore) newRow(w domain.Worker) workerRow {
	return workerRow{
		ID: w.ID, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, Name: w.Name,
		IDNumberSealed: s.Box.Seal(string(w.IDNumber), idPurpose), IDNumberIndex: s.index(w.IDNumber),
		Phone: w.Phone, Department: w.Department, ShiftID: nullID(w.ShiftID), BatchID: nullID(w.BatchID),
		OriginRegion: w.OriginRegion,
		ArrivedOn:    nullDate(w.ArrivedOn), Transport: w.Transport, KeyAreaExposure: w.KeyAreaExposure,
		ContactHistory: w.ContactHistory, RiskLevel: string(w.RiskLevel), RiskReason: w.RiskReason,
		Status: string(w.Status), IsolationPlace: w.IsolationPlace, IsolationStart: nullDate(w.IsolationStart),
		IsolationUntil: nullDate(w.IsolationUntil), LeftOn: nullDate(w.LeftOn), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
}

func (s *WorkerStore) index(id domain.IDNumber) string { return s.Box.Index(string(id), idPurpose) }

func (s *WorkerStore) toDomain(wr workerRead) (domain.Worker, error) {
	r := wr.Row
	id, err := s.Box.Open(r.IDNumberSealed, idPurpose)
	if err != nil {
		return domain.Worker{}, fmt.Errorf("worker %d: %w", r.ID, err)
	}
	return domain.Worker{
		ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, EnterpriseName: wr.EnterpriseName,
		Name: r.Name, IDNumber: domain.IDNumber(id), Phone: r.Phone, Department: r.Department,
		ShiftID: r.ShiftID.Int64, ShiftGroup: wr.ShiftName.String, BatchID: r.BatchID.Int64,
		BatchNumber: int(wr.BatchNumber.Int64), BatchDate: dateOf(wr.BatchDate),
		OriginRegion: r.OriginRegion, ArrivedOn: dateOf(r.ArrivedOn),
		Transport: r.Transport, KeyAreaExposure: r.KeyAreaExposure, ContactHistory: r.ContactHistory,
		RiskLevel: domain.RiskLevel(r.RiskLevel), RiskReason: r.RiskReason, Status: domain.WorkerStatus(r.Status),
		IsolationPlace: r.IsolationPlace, IsolationStart: dateOf(r.IsolationStart),
		IsolationUntil: dateOf(r.IsolationUntil), LeftOn: dateOf(r.LeftOn), Generation: r.TokenGeneration,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}, nil
}

// Create inserts a worker.
func (s *WorkerStore) Create(ctx context.Context, w *domain.Worker) error {
	row := s.newRow(*w)
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "职工")
	}
	w.ID, w.CreatedAt, w.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
	return nil
}

// CreateMany inserts workers: on PostgreSQL in one statement per 10,000 from column arrays
// (createManyArrays), elsewhere with multi-row INSERTs of 1,000 (21,000 parameters: under
// SQLite's limit).
func (s *WorkerStore) CreateMany(ctx context.Context, ws []domain.Worker) error {
	if len(ws) == 0 {
		return nil
	}
	rows := make([]workerRow, len(ws))
	now := time.Now().UTC()
	for i, w := range ws {
		rows[i] = s.newRow(w)
		if rows[i].CreatedAt.IsZero() {
			rows[i].CreatedAt = now
		}
		if rows[i].UpdatedAt.IsZero() {
			rows[i].UpdatedAt = now
		}
	}
	var err error
	if s.DB.Dialect == Postgres {
		for start := 0; start < len(rows) && err == nil; start += 10_000 {
			err = s.createManyArrays(ctx, rows[start:min(start+10_000, len(rows))])
		}
	} else {
		err = s.DB.conn(ctx).CreateInBatches(rows, 1000).Error
	}
	if err != nil {
		return translate(err, "职工")
	}
	for i := range ws {
		ws[i].ID, ws[i].CreatedAt, ws[i].UpdatedAt = rows[i].ID, rows[i].CreatedAt, rows[i].UpdatedAt
	}
	return nil
}

func (s *WorkerStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("workers w").
		Select("w.*, e.name AS enterprise_name, sh.name AS shift_name, b.number AS batch_number, b.date AS batch_date").
		Joins("JOIN enterprises e ON e.id = w.enterprise_id").
		Joins("LEFT JOIN shifts sh ON sh.id = w.shift_id").Joins("LEFT JOIN return_batches b ON b.id = w.batch_id")
}

// Get returns one worker.
func (s *WorkerStore) Get(ctx context.Context, id int64) (domain.Worker, error) {
	var r workerRead
	if err := s.reads(ctx).Where("w.id = ?", id).Take(&r).Error; err != nil {
		return domain.Worker{}, translate(err, "职工")
	}
	return s.toDomain(r)
}

// Standing reads the five columns checking a token and a check-in need.
func (s *WorkerStore) Standing(ctx context.Context, id int64) (domain.Worker, error) {
	var r struct {
		ID, TownshipID, EnterpriseID, TokenGeneration int64
		Status                                        string
	}
	err := s.DB.conn(ctx).Table("workers").Select("id, township_id, enterprise_id, status, token_generation").
		Where("id = ?", id).Take(&r).Error
	if err != nil {
		return domain.Worker{}, translate(err, "职工")
	}
	return domain.Worker{ID: r.ID, TownshipID: r.TownshipID, EnterpriseID: r.EnterpriseID, Status: domain.WorkerStatus(r.Status),
		Generation: r.TokenGeneration}, nil
}

// BumpGeneration adds one to the worker's token generation.
func (s *WorkerStore) BumpGeneration(ctx context.Context, id int64) error {
	return bumpGeneration(s.DB.conn(ctx).Table("workers"), id, "职工")
}

// bumpGeneration adds one to the token generation of row id of the table q is on, in one
// UPDATE, so that bumps at once each count.
func bumpGeneration(q *gorm.DB, id int64, what string) error {
	res := q.Where("id = ?", id).UpdateColumn("token_generation", gorm.Expr("token_generation + 1"))
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return domain.NotFound(what)
	}
	return nil
}

// List returns a page of matching workers.
func (s *WorkerStore) List(ctx context.Context, f domain.WorkerFilter) ([]domain.Worker, int, error) {
	q := s.reads(ctx)
	if f.TownshipID != 0 {
		q = q.Where("w.township_id = ?", f.TownshipID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("w.enterprise_id = ?", f.EnterpriseID)
	}
	if f.SupervisorID != 0 {
		q = q.Where("w.enterprise_id IN (SELECT enterprise_id FROM enterprise_supervisors WHERE user_id = ?)", f.SupervisorID)
	}
	if f.Status != "" {
		q = q.Where("w.status = ?", string(f.Status))
	}
	if len(f.IDs) > 0 {
		q = q.Where("w.id IN ?", f.IDs)
	}
	if f.Phone != "" {
		q = q.Where("w.phone = ?", f.Phone)
	}
	if f.Risk != "" {
		q = q.Where("w.risk_level = ?", string(f.Risk))
	}
	if f.QueryID != "" {
		q = q.Where("w.id_number_index = ?", s.index(f.QueryID))
	} else if f.Query != "" {
		p := like(f.Query)
		q = q.Where(`(w.name LIKE ? ESCAPE '\' OR w.phone LIKE ? ESCAPE '\' OR w.department LIKE ? ESCAPE '\')`, p, p, p)
	}
	rows, total, err := page[workerRead](q, "w.id", f.Page)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.convert(rows)
	return out, total, err
}

func (s *WorkerStore) convert(rows []workerRead) ([]domain.Worker, error) {
	out := make([]domain.Worker, 0, len(rows))
	for _, r := range rows {
		w, err := s.toDomain(r)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// Update saves a worker's fields; the ID number never changes.
func (s *WorkerStore) Update(ctx context.Context, w domain.Worker) error {
	row := s.newRow(w)
	res := s.DB.conn(ctx).Model(&workerRow{ID: w.ID}).Select("name", "phone", "department", "shift_id", "batch_id",
		"origin_region", "arrived_on", "transport", "key_area_exposure", "contact_history", "risk_level",
		"risk_reason", "status", "isolation_place", "isolation_start", "isolation_until", "left_on", "updated_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "职工")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("职工")
	}
	return nil
}

// FindByIDNumbers finds an enterprise's workers by their blind indexes, in chunks small enough
// for any driver's parameter limit.
func (s *WorkerStore) FindByIDNumbers(ctx context.Context, enterpriseID int64, ids []domain.IDNumber) (map[domain.IDNumber]domain.Worker, error) {
	out := make(map[domain.IDNumber]domain.Worker, len(ids))
	chunk := 500 // SQLite binds every ID as a parameter, up to its limit
	if s.DB.Dialect == Postgres {
		chunk = 10_000
	}
	for start := 0; start < len(ids); start += chunk {
		idx := make([]string, 0, min(chunk, len(ids)-start))
		for _, id := range ids[start:min(start+chunk, len(ids))] {
			idx = append(idx, s.index(id))
		}
		var rows []workerRead
		if err := s.byIndexes(ctx, enterpriseID, idx).Find(&rows).Error; err != nil {
			return nil, err
		}
		ws, err := s.convert(rows)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			out[w.IDNumber] = w
		}
	}
	return out, nil
}

// byIndexes selects an enterprise's workers by blind index. PostgreSQL gets the indexes as one
// array: the import looks people up batch by batch after writing the batches before, in the
// same transaction, and with a list of 500 parameters the planner, going by statistics that
// did not count those rows yet, filtered every worker of the enterprise through the list
// (30 s for 50,000 people); = ANY of an array goes down the unique index.
func (s *WorkerStore) byIndexes(ctx context.Context, enterpriseID int64, idx []string) *gorm.DB {
	if s.DB.Dialect == Postgres {
		// Hex digits only: the array's text form needs no quoting.
		return s.reads(ctx).Where("w.enterprise_id = ? AND w.id_number_index = ANY(?::text[])", enterpriseID, "{"+strings.Join(idx, ",")+"}")
	}
	return s.reads(ctx).Where("w.enterprise_id = ? AND w.id_number_index IN ?", enterpriseID, idx)
}

// ForTownship hands fn the township's workers in batches of 500, by ID.
func (s *WorkerStore) ForTownship(ctx context.Context, townshipID int64, fn func([]domain.Worker) error) error {
	var after int64
	for {
		var rows []workerRead
		err := s.reads(ctx).Where("w.township_id = ? AND w.id > ?", townshipID, after).Order("w.id").Limit(500).Find(&rows).Error
		if err != nil || len(rows) == 0 {
			return err
		}
		ws, err := s.convert(rows)
		if err != nil {
			return err
		}
		if err := fn(ws); err != nil {
			return err
		}
		after = rows[len(rows)-1].Row.ID
	}
}
