package repo

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// EnterpriseStore keeps enterprises and their supervisors.
type EnterpriseStore struct{ DB *DB }

var _ domain.EnterpriseStore = (*EnterpriseStore)(nil)

type enterpriseRow struct {
	ID           int64
	TownshipID   int64
	Code         string
	Name         string
	CreditCode   string
	Industry     string
	ZoneID       int64
	Address      string
	ContactName  string
	ContactPhone string
	Headcount    int
	Status       string
	ReopenedOn   sql.NullTime
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (enterpriseRow) TableName() string { return "enterprises" }

type enterpriseRead struct {
	Row      enterpriseRow `gorm:"embedded"`
	ZoneName string
}

type supervisorRow struct {
	TownshipID   int64
	EnterpriseID int64
	UserID       int64
}

func (supervisorRow) TableName() string { return "enterprise_supervisors" }

func newEnterpriseRow(e domain.Enterprise) enterpriseRow {
	r := enterpriseRow{
		ID: e.ID, TownshipID: e.TownshipID, Code: e.Code, Name: e.Name, CreditCode: string(e.CreditCode),
		Industry: e.Industry, ZoneID: e.ZoneID, Address: e.Address, ContactName: e.ContactName,
		ContactPhone: e.ContactPhone, Headcount: e.Headcount, Status: string(e.Status),
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
	r.ReopenedOn = nullDate(e.ReopenedOn)
	return r
}

func (er enterpriseRead) toDomain() domain.Enterprise {
	r := er.Row
	e := domain.Enterprise{
		ID: r.ID, TownshipID: r.TownshipID, Code: r.Code, Name: r.Name,
		CreditCode: domain.CreditCode(r.CreditCode), Industry: r.Industry, ZoneID: r.ZoneID,
		Zone: er.ZoneName, Address: r.Address, ContactName: r.ContactName, ContactPhone: r.ContactPhone,
		Headcount: r.Headcount, Status: domain.EnterpriseStatus(r.Status),
		Supervisors: []domain.UserRef{}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	e.ReopenedOn = dateOf(r.ReopenedOn)
	return e
}

// Create inserts an enterprise.
func (s *EnterpriseStore) Create(ctx context.Context, e *domain.Enterprise) error {
	row := newEnterpriseRow(*e)
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "enterprise")
	}
	e.ID = row.ID
	return nil
}

func (s *EnterpriseStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("enterprises e").
		Select("e.*, z.name AS zone_name").Joins("JOIN zones z ON z.id = e.zone_id")
}

// Get returns an enterprise with its zone name and supervisors.
func (s *EnterpriseStore) Get(ctx context.Context, id int64) (domain.Enterprise, error) {
	var r enterpriseRead
	if err := s.reads(ctx).Where("e.id = ?", id).Take(&r).Error; err != nil {
		return domain.Enterprise{}, translate(err, "企业")
	}
	out := []domain.Enterprise{r.toDomain()}
	if err := s.fillSupervisors(ctx, out); err != nil {
		return domain.Enterprise{}, err
	}
	if err := s.fillSuspensions(ctx, out); err != nil {
		return domain.Enterprise{}, err
	}
	return out[0], nil
}

// GetByCode returns the enterprise with a login code.
func (s *EnterpriseStore) GetByCode(ctx context.Context, code string) (domain.Enterprise, error) {
	var r enterpriseRead
	if err := s.reads(ctx).Where("e.code = ?", code).Take(&r).Error; err != nil {
		return domain.Enterprise{}, translate(err, "企业")
	}
	return r.toDomain(), nil
}

// List returns a page of the enterprises that match f, with supervisors.
func (s *EnterpriseStore) List(ctx context.Context, f domain.EnterpriseFilter) ([]domain.Enterprise, int, error) {
	q := s.reads(ctx)
	if f.TownshipID != 0 {
		q = q.Where("e.township_id = ?", f.TownshipID)
	}
	if f.ID != 0 {
		q = q.Where("e.id = ?", f.ID)
	}
	if f.SupervisorID != 0 {
		q = q.Where("e.id IN (SELECT enterprise_id FROM enterprise_supervisors WHERE user_id = ?)", f.SupervisorID)
	}
	if f.Zone != "" {
		q = q.Where("z.name = ?", f.Zone)
	}
	if f.Status != "" {
		q = q.Where("e.status = ?", string(f.Status))
	}
	if f.Industry != "" {
		q = q.Where("e.industry = ?", f.Industry)
	}
	if f.Query != "" {
		p := like(f.Query)
		q = q.Where(`(e.name LIKE ? ESCAPE '\' OR e.credit_code LIKE ? ESCAPE '\' OR e.code = ?)`, p, p, f.Query)
	}
	rows, total, err := page[enterpriseRead](q, "e.id", f.Page)
	if err != nil {
		return nil, 0, err
	}
	out := convert(rows, enterpriseRead.toDomain)
	if err := s.fillSupervisors(ctx, out); err != nil {
		return nil, 0, err
	}
	if err := s.fillSuspensions(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// fillSupervisors loads the supervisors of all es in one query.
func (s *EnterpriseStore) fillSupervisors(ctx context.Context, es []domain.Enterprise) error {
	if len(es) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(es))
	ids := make([]int64, 0, len(es))
	for i, e := range es {
		idx[e.ID] = i
		ids = append(ids, e.ID)
	}
	var refs []struct {
		EnterpriseID int64
		ID           int64
		Username     string
		Name         string
	}
	err := s.DB.conn(ctx).Table("enterprise_supervisors es").
		Select("es.enterprise_id, u.id, u.username, u.name").
		Joins("JOIN users u ON u.id = es.user_id").
		Where("es.enterprise_id IN ?", ids).Order("u.id").Scan(&refs).Error
	if err != nil {
		return err
	}
	for _, r := range refs {
		e := &es[idx[r.EnterpriseID]]
		e.Supervisors = append(e.Supervisors, domain.UserRef{ID: r.ID, Username: r.Username, Name: r.Name})
	}
	return nil
}

// Update saves an enterprise's fields but its status and reopening day, which change only
// through SetStatus, beside their history: an edit of the address that read the enterprise
// before a suspension must not write the old status back.
func (s *EnterpriseStore) Update(ctx context.Context, e domain.Enterprise) error {
	row := newEnterpriseRow(e)
	res := s.DB.conn(ctx).Model(&enterpriseRow{ID: e.ID}).
		Select("name", "credit_code", "industry", "zone_id", "address", "contact_name",
			"contact_phone", "headcount", "updated_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "企业")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("企业")
	}
	return nil
}

// SetSupervisors replaces an enterprise's supervisors.
func (s *EnterpriseStore) SetSupervisors(ctx context.Context, enterpriseID int64, userIDs []int64) error {
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		var e enterpriseRow
		if err := db.Select("id", "township_id").First(&e, enterpriseID).Error; err != nil {
			return translate(err, "企业")
		}
		if err := db.Where("enterprise_id = ?", enterpriseID).Delete(&supervisorRow{}).Error; err != nil {
			return err
		}
		if len(userIDs) == 0 {
			return nil
		}
		rows := make([]supervisorRow, 0, len(userIDs))
		for _, id := range userIDs {
			rows = append(rows, supervisorRow{TownshipID: e.TownshipID, EnterpriseID: enterpriseID, UserID: id})
		}
		return translate(db.Create(&rows).Error, "supervisor")
	})
}

// CreditCodeTaken reports whether another enterprise of the township has the credit code.
func (s *EnterpriseStore) CreditCodeTaken(ctx context.Context, townshipID int64, code domain.CreditCode, exceptID int64) (bool, error) {
	var n int64
	err := s.DB.conn(ctx).Model(&enterpriseRow{}).
		Where("township_id = ? AND credit_code = ? AND id <> ?", townshipID, string(code), exceptID).Count(&n).Error
	return n > 0, err
}

// CodeTaken reports whether any enterprise has the login code.
func (s *EnterpriseStore) CodeTaken(ctx context.Context, code string) (bool, error) {
	var n int64
	err := s.DB.conn(ctx).Model(&enterpriseRow{}).Where("code = ?", code).Count(&n).Error
	return n > 0, err
}
