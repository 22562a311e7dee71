package repo

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// NoticeStore keeps the notices of staff users (migration 00015).
type NoticeStore struct{ DB *DB }

var _ domain.NoticeStore = (*NoticeStore)(nil)

type noticeRow struct {
	ID         int64
	UserID     int64
	TownshipID sql.NullInt64
	Kind       string
	ActorID    sql.NullInt64
	SubjectID  sql.NullInt64
	Reason     string
	CreatedAt  time.Time
	ReadAt     *time.Time
}

func (noticeRow) TableName() string { return "notices" }

// noticeView is a notice as its reader sees it, with the names of its actor and subject.
type noticeView struct {
	Row             noticeRow `gorm:"embedded"`
	ActorUsername   sql.NullString
	ActorName       sql.NullString
	SubjectUsername sql.NullString
	SubjectName     sql.NullString
}

func (v noticeView) toDomain() domain.Notice {
	r := v.Row
	n := domain.Notice{
		ID: r.ID, UserID: r.UserID, TownshipID: r.TownshipID.Int64, Kind: domain.NoticeKind(r.Kind),
		ActorID: r.ActorID.Int64, SubjectID: r.SubjectID.Int64, Reason: r.Reason, CreatedAt: r.CreatedAt,
		ActorUsername: v.ActorUsername.String, ActorName: v.ActorName.String,
		SubjectUsername: v.SubjectUsername.String, SubjectName: v.SubjectName.String,
	}
	if r.ReadAt != nil {
		n.ReadAt = *r.ReadAt
	}
	return n
}

// Create inserts the notices in one statement.
func (s *NoticeStore) Create(ctx context.Context, ns []domain.Notice) error {
	if len(ns) == 0 {
		return nil
	}
	rows := make([]noticeRow, 0, len(ns))
	for _, n := range ns {
		rows = append(rows, noticeRow{
			UserID: n.UserID, TownshipID: nullID(n.TownshipID), Kind: string(n.Kind), ActorID: nullID(n.ActorID),
			SubjectID: nullID(n.SubjectID), Reason: n.Reason, CreatedAt: n.CreatedAt.UTC(),
		})
	}
	return s.DB.exclusive(ctx, func() error {
		if err := s.DB.conn(ctx).Create(&rows).Error; err != nil {
			return translate(err, "notice")
		}
		for i := range rows {
			ns[i].ID = rows[i].ID
		}
		return nil
	})
}

func (s *NoticeStore) reads(ctx context.Context) *gorm.DB {
	return s.DB.conn(ctx).Table("notices n").
		Select("n.*, a.username AS actor_username, a.name AS actor_name, u.username AS subject_username, u.name AS subject_name").
		Joins("LEFT JOIN users a ON a.id = n.actor_id").
		Joins("LEFT JOIN users u ON u.id = n.subject_id")
}

// Get returns one notice.
func (s *NoticeStore) Get(ctx context.Context, id int64) (domain.Notice, error) {
	var v noticeView
	if err := s.reads(ctx).Where("n.id = ?", id).Take(&v).Error; err != nil {
		return domain.Notice{}, translate(err, "通知")
	}
	return v.toDomain(), nil
}

// List returns a user's notices, newest first; the indexes of migration 00015 serve both the
// whole list and the unread ones.
func (s *NoticeStore) List(ctx context.Context, f domain.NoticeFilter) ([]domain.Notice, int, error) {
	q := s.reads(ctx).Where("n.user_id = ?", f.UserID)
	if f.Unread {
		q = q.Where("n.read_at IS NULL")
	}
	rows, total, err := page[noticeView](q, "n.created_at DESC, n.id DESC", f.Page)
	return convert(rows, noticeView.toDomain), total, err
}

// MarkRead sets the read time of a notice not read yet; one read already keeps its time.
func (s *NoticeStore) MarkRead(ctx context.Context, id int64, at time.Time) error {
	return s.DB.exclusive(ctx, func() error {
		db := s.DB.conn(ctx)
		res := db.Model(&noticeRow{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", at.UTC())
		if res.Error != nil {
			return translate(res.Error, "通知")
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := db.Model(&noticeRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return domain.NotFound("通知")
			}
		}
		return nil
	})
}
