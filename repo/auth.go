package repo

import (
	"context"
	"database/sql"
	"time"

	"fugong/domain"
)

// RefreshTokenStore keeps the hashes of refresh tokens and their families.
type RefreshTokenStore struct{ DB *DB }

var _ domain.RefreshTokenStore = (*RefreshTokenStore)(nil)

type refreshTokenRow struct {
	ID        int64
	FamilyID  string
	UserID    sql.NullInt64
	WorkerID  sql.NullInt64
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshTokenRow) TableName() string { return "refresh_tokens" }

// Create inserts a token.
func (s *RefreshTokenStore) Create(ctx context.Context, t *domain.RefreshToken) error {
	row := refreshTokenRow{
		FamilyID: t.FamilyID, UserID: nullID(t.UserID), WorkerID: nullID(t.WorkerID), TokenHash: t.Hash, ExpiresAt: t.ExpiresAt.UTC(),
		CreatedAt: t.CreatedAt.UTC(),
	}
	if err := s.DB.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "refresh token")
	}
	t.ID = row.ID
	return nil
}

// GetByHash finds a token by its hash.
func (s *RefreshTokenStore) GetByHash(ctx context.Context, hash string) (domain.RefreshToken, error) {
	var r refreshTokenRow
	if err := s.DB.conn(ctx).Where("token_hash = ?", hash).Take(&r).Error; err != nil {
		return domain.RefreshToken{}, translate(err, "refresh token")
	}
	return domain.RefreshToken{
		ID: r.ID, FamilyID: r.FamilyID, UserID: r.UserID.Int64, WorkerID: r.WorkerID.Int64, Hash: r.TokenHash, ExpiresAt: r.ExpiresAt,
		UsedAt: r.UsedAt, RevokedAt: r.RevokedAt, CreatedAt: r.CreatedAt,
	}, nil
}

// Spend marks a token used with one conditional UPDATE, so of two concurrent spends of the
// same token exactly one succeeds.
func (s *RefreshTokenStore) Spend(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := s.DB.conn(ctx).Model(&refreshTokenRow{}).
		Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).Update("used_at", at.UTC())
	return res.RowsAffected == 1, res.Error
}

// RevokeFamily revokes every not yet revoked token of a family.
func (s *RefreshTokenStore) RevokeFamily(ctx context.Context, familyID string, at time.Time) error {
	return s.DB.conn(ctx).Model(&refreshTokenRow{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", at.UTC()).Error
}

// RevokeUser revokes every not yet revoked token of a user.
func (s *RefreshTokenStore) RevokeUser(ctx context.Context, userID int64, at time.Time) error {
	return s.DB.conn(ctx).Model(&refreshTokenRow{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", at.UTC()).Error
}

// RevokeWorker revokes every not yet revoked token of a worker: their phone's session ends.
func (s *RefreshTokenStore) RevokeWorker(ctx context.Context, workerID int64, at time.Time) error {
	return s.DB.conn(ctx).Model(&refreshTokenRow{}).
		Where("worker_id = ? AND revoked_at IS NULL", workerID).Update("revoked_at", at.UTC()).Error
}

// LoginAttemptStore keeps failed sign-ins in the database, so that the limit holds across
// every server process behind a load balancer.
type LoginAttemptStore struct{ DB *DB }

var _ domain.LoginAttemptStore = (*LoginAttemptStore)(nil)

type loginFailureRow struct {
	ID       int64
	Key      string
	FailedAt time.Time
}

func (loginFailureRow) TableName() string { return "login_failures" }

// Failures counts the failures of key since a time.
func (s *LoginAttemptStore) Failures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int64
	err := s.DB.conn(ctx).Model(&loginFailureRow{}).
		Where("key = ? AND failed_at > ?", key, since.UTC()).Count(&n).Error
	return int(n), err
}

// RecordFailure notes a failure and prunes old ones, so the table stays small.
func (s *LoginAttemptStore) RecordFailure(ctx context.Context, key string, at, pruneBefore time.Time) error {
	db := s.DB.conn(ctx)
	if err := db.Create(&loginFailureRow{Key: key, FailedAt: at.UTC()}).Error; err != nil {
		return err
	}
	return db.Where("failed_at < ?", pruneBefore.UTC()).Delete(&loginFailureRow{}).Error
}

// Clear forgets the failures of key.
func (s *LoginAttemptStore) Clear(ctx context.Context, key string) error {
	return s.DB.conn(ctx).Where("key = ?", key).Delete(&loginFailureRow{}).Error
}
