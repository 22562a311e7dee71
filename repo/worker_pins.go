package repo

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"fugong/domain"
)

// workerPINRow is a worker's PIN hash (migration 00013): kept apart from the worker's file so
// that no roster read carries it.
type workerPINRow struct {
	WorkerID int64 `gorm:"primaryKey;autoIncrement:false"`
	PINHash  string
	SetAt    time.Time
}

func (workerPINRow) TableName() string { return "worker_pins" }

// PIN returns the hash of a worker's PIN and when it was set. ErrNotFound: not enrolled.
func (s *WorkerStore) PIN(ctx context.Context, workerID int64) (domain.WorkerPIN, error) {
	var r workerPINRow
	if err := s.DB.conn(ctx).Where("worker_id = ?", workerID).Take(&r).Error; err != nil {
		return domain.WorkerPIN{}, translate(err, "PIN")
	}
	return domain.WorkerPIN{WorkerID: r.WorkerID, Hash: r.PINHash, SetAt: r.SetAt}, nil
}

// SetPIN keeps a worker's first PIN. It reports false, changing nothing, when the worker has
// one already: of two enrolments at once only one wins.
func (s *WorkerStore) SetPIN(ctx context.Context, p domain.WorkerPIN) (bool, error) {
	res := s.DB.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&workerPINRow{WorkerID: p.WorkerID, PINHash: p.Hash, SetAt: p.SetAt.UTC()})
	if res.Error != nil {
		return false, translate(res.Error, "职工")
	}
	return res.RowsAffected == 1, nil
}

// ClearPIN forgets a worker's PIN, so that they enrol again; it reports whether there was one.
func (s *WorkerStore) ClearPIN(ctx context.Context, workerID int64) (bool, error) {
	res := s.DB.conn(ctx).Where("worker_id = ?", workerID).Delete(&workerPINRow{})
	return res.RowsAffected == 1, res.Error
}

// Enrolled says which of the workers have a PIN, for the roster's 已开通 column.
func (s *WorkerStore) Enrolled(ctx context.Context, workerIDs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(workerIDs))
	if len(workerIDs) == 0 {
		return out, nil
	}
	var ids []int64
	err := s.DB.conn(ctx).Model(&workerPINRow{}).Where("worker_id IN ?", workerIDs).Pluck("worker_id", &ids).Error
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
