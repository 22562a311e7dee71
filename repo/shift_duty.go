package repo

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"fugong/domain"
)

// onShiftDuty is the rule domain.OnShiftDuty in SQL, the same on both engines: the workers w
// who have not left and whose morning check-in of day $2 was located at work. Each worker's is
// looked up by the check-ins' unique index (worker_id, date, slot); as a join, SQLite's planner
// scanned the day's check-ins instead.
const onShiftDuty = `workers w WHERE w.status <> 'left' AND EXISTS (SELECT 1 FROM checkins c
	WHERE c.worker_id = w.id AND c.date = $2 AND c.slot = 'am' AND c.location = 'work')`

// shiftDutyQuery reads one shift with its people on duty; $1 is the shift, $2 the day.
const shiftDutyQuery = `SELECT s.id, s.township_id, s.enterprise_id, s.name, s.capacity,
	(SELECT COUNT(*) FROM ` + onShiftDuty + ` AND w.shift_id = s.id)
FROM shifts s WHERE s.id = $1`

var shiftDutySQLite = regexp.MustCompile(`\$(\d+)`).ReplaceAllString(shiftDutyQuery, "?$1")

// onDutyQuery counts an enterprise's shifts' people on duty, for GORM's ? placeholders: the
// day, then the enterprise.
var onDutyQuery = `SELECT w.shift_id AS shift_id, COUNT(*) AS n FROM ` + strings.Replace(onShiftDuty, "$2", "?", 1) + `
	AND w.enterprise_id = ? AND w.shift_id IS NOT NULL GROUP BY w.shift_id`

// Crowded lists an enterprise's shifts with more workers assigned than their capacity.
func (s *ShiftStore) Crowded(ctx context.Context, enterpriseID int64) ([]int64, error) {
	var ids []int64
	err := s.DB.conn(ctx).Raw(`SELECT s.id FROM shifts s WHERE s.enterprise_id = ? AND s.capacity <
		(SELECT COUNT(*) FROM workers w WHERE w.shift_id = s.id AND w.status <> 'left') ORDER BY s.id`, enterpriseID).Scan(&ids).Error
	return ids, translate(err, "班组")
}

// OnDuty counts each shift's people on duty on day d, in one grouped query over the
// enterprise's workers with a shift.
func (s *ShiftStore) OnDuty(ctx context.Context, enterpriseID int64, d domain.Date) (map[int64]int, error) {
	var rows []struct {
		ShiftID int64
		N       int
	}
	if err := s.DB.conn(ctx).Raw(onDutyQuery, d.Time(), enterpriseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "班组")
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ShiftID] = r.N
	}
	return out, nil
}

// Duty reads one shift and counts its people on duty on day d, in one statement sent to the
// connection under GORM: a morning check-in at work of a worker with a shift asks it, on the
// busiest route (as CheckinStore.upsertOne, for the same reason).
func (s *ShiftStore) Duty(ctx context.Context, shiftID int64, d domain.Date) (domain.ShiftDuty, error) {
	q := shiftDutyQuery
	if s.DB.Dialect == SQLite {
		q = shiftDutySQLite
	}
	out := domain.ShiftDuty{Date: d}
	db := s.DB.conn(ctx)
	err := db.Statement.ConnPool.QueryRowContext(ctx, q, shiftID, d.Time()).
		Scan(&out.ID, &out.TownshipID, &out.EnterpriseID, &out.Name, &out.Capacity, &out.OnDuty)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ShiftDuty{}, domain.NotFound("班组")
	}
	return out, translateDriver(db, err)
}
