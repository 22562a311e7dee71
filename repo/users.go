package repo

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// UserStore keeps staff accounts.
type UserStore struct{ DB *DB }

var _ domain.UserStore = (*UserStore)(nil)

type userRow struct {
	ID           int64
	Username     string
	Name         string
	Phone        string
	Role         string
	TownshipID   sql.NullInt64
	EnterpriseID sql.NullInt64
	Active       bool
	PasswordHash string
	// TokenGeneration is written only by BumpGeneration (Update's columns leave it out), so
	// that a save of a user read before a bump cannot undo it.
	TokenGeneration int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (userRow) TableName() string { return "users" }

// userRead is a user with the names of its township and enterprise, for display.
type userRead struct {
	Row            userRow `gorm:"embedded"`
	TownshipName   sql.NullString
	TownshipZone   sql.NullString
	EnterpriseName sql.NullString
}

func newUserRow(u domain.User) userRow {
	return userRow{
		ID: u.ID, Username: u.Username, Name: u.Name, Phone: u.Phone, Role: string(u.Role),
		TownshipID: nullID(u.TownshipID), EnterpriseID: nullID(u.EnterpriseID),
		Active: u.Active, PasswordHash: u.PasswordHash, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func (u userRead) toDomain() domain.User {
	r := u.Row
	return domain.User{
		ID: r.ID, Username: r.Username, Name: r.Name, Phone: r.Phone, Role: domain.Role(r.Role),
		TownshipID: r.TownshipID.Int64, EnterpriseID: r.EnterpriseID.Int64, Active: r.Active,
		PasswordHash: r.PasswordHash, Generation: r.TokenGeneration, TownshipName: u.TownshipName.String,
		TownshipZone: u.TownshipZone.String, EnterpriseName: u.EnterpriseName.String, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt,
	}
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Create inserts a user.
func (s *UserStore) Create(ctx context.Context, u *domain.User) error {
	row := newUserRow(*u)
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "user")
	}
	u.ID = row.ID
	return nil
}

func (s *UserStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("users u").
		Select("u.*, t.name AS township_name, t.timezone AS township_zone, e.name AS enterprise_name").
		Joins("LEFT JOIN townships t ON t.id = u.township_id").
		Joins("LEFT JOIN enterprises e ON e.id = u.enterprise_id")
}

// Get returns one user.
func (s *UserStore) Get(ctx context.Context, id int64) (domain.User, error) {
	var r userRead
	if err := s.reads(ctx).Where("u.id = ?", id).Take(&r).Error; err != nil {
		return domain.User{}, translate(err, "账号")
	}
	return r.toDomain(), nil
}

// GetByUsername returns the user signing in with username.
func (s *UserStore) GetByUsername(ctx context.Context, username string) (domain.User, error) {
	var r userRead
	if err := s.reads(ctx).Where("u.username = ?", username).Take(&r).Error; err != nil {
		return domain.User{}, translate(err, "账号")
	}
	return r.toDomain(), nil
}

// List returns a page of the users that match f.
func (s *UserStore) List(ctx context.Context, f domain.UserFilter) ([]domain.User, int, error) {
	q := s.reads(ctx)
	if f.TownshipID != 0 {
		q = q.Where("u.township_id = ?", f.TownshipID)
	}
	if f.EnterpriseID != 0 {
		q = q.Where("u.enterprise_id = ?", f.EnterpriseID)
	}
	if f.Role != "" {
		q = q.Where("u.role = ?", string(f.Role))
	}
	if f.Query != "" {
		p := like(f.Query)
		q = q.Where(`(u.username LIKE ? ESCAPE '\' OR u.name LIKE ? ESCAPE '\')`, p, p)
	}
	rows, total, err := page[userRead](q, "u.id", f.Page)
	return convert(rows, userRead.toDomain), total, err
}

// Update saves the changeable fields of a user.
func (s *UserStore) Update(ctx context.Context, u domain.User) error {
	row := newUserRow(u)
	res := s.DB.conn(ctx).Model(&userRow{ID: u.ID}).
		Select("name", "phone", "password_hash", "active", "enterprise_id", "updated_at").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "账号")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("账号")
	}
	return nil
}

// BumpGeneration adds one to the user's token generation.
func (s *UserStore) BumpGeneration(ctx context.Context, id int64) error {
	return bumpGeneration(s.DB.conn(ctx).Table("users"), id, "账号")
}
