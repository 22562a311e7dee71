package repo

import (
	"context"
	"time"

	"fugong/domain"
)

// CloseMissed resolves a slot's missed-check-in alerts with one UPDATE … RETURNING: the late
// report has come, and the system says so; handled_by stays empty, so nobody is named for it.
func (s *AlertStore) CloseMissed(ctx context.Context, workerID int64, d domain.Date, slot domain.Slot, at time.Time, note string) ([]domain.Alert, error) {
	var rows []alertRow
	err := s.DB.conn(ctx).Raw(`UPDATE alerts SET status = 'resolved', note = ?, handled_by = NULL, handled_at = ?,
			taken_at = COALESCE(taken_at, ?)
		WHERE worker_id = ? AND date = ? AND slot = ? AND type = 'missed_checkin' AND status <> 'resolved'
		RETURNING id, township_id, enterprise_id, worker_id, type, date, slot, status`,
		note, at.UTC(), at.UTC(), workerID, d.Time(), string(slot)).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return convert(rows, alertRow.toDomain), nil
}
