package repo

import (
	"context"

	"fugong/domain"
)

// RetentionStore removes expired personal data (domain.RetentionService).
type RetentionStore struct{ DB *DB }

var _ domain.RetentionStore = (*RetentionStore)(nil)

// The rows a township's retention removes, for the cut-off @cut. Old check-ins are found by
// (enterprise_id, date), the index the dashboard reads them by; a worker's by (worker_id, …).
const (
	expiredWorkers  = `SELECT id FROM workers WHERE township_id = @t AND status = 'left' AND left_on < @cut`
	oldCheckins     = `enterprise_id IN (SELECT id FROM enterprises WHERE township_id = @t) AND date < @cut`
	leftCheckins    = `worker_id IN (` + expiredWorkers + `) AND date >= @cut`
	oldAlerts       = `township_id = @t AND date < @cut`
	leftAlerts      = `worker_id IN (` + expiredWorkers + `) AND date >= @cut`
	expiredWorkerID = `id IN (` + expiredWorkers + `)`
)

// Expired counts, with the same conditions Purge deletes by.
func (s *RetentionStore) Expired(ctx context.Context, townshipID int64, cut domain.Date) (domain.RetentionCounts, error) {
	args := map[string]any{"t": townshipID, "cut": cut.Time()}
	db := s.DB.conn(ctx)
	var c struct{ Checkins, Alerts, Workers int }
	err := db.Raw(`SELECT
		(SELECT COUNT(*) FROM checkins WHERE `+oldCheckins+`) + (SELECT COUNT(*) FROM checkins WHERE `+leftCheckins+`) AS checkins,
		(SELECT COUNT(*) FROM alerts WHERE `+oldAlerts+`) + (SELECT COUNT(*) FROM alerts WHERE `+leftAlerts+`) AS alerts,
		(SELECT COUNT(*) FROM workers WHERE `+expiredWorkerID+`) AS workers`, args).Scan(&c).Error
	return domain.RetentionCounts(c), err
}

// Purge deletes in one transaction with the statistics triggers standing aside (migration
// 00009): on PostgreSQL by the transaction-local setting fugong.keep_stats, on SQLite by a row
// in stats_frozen that exists only inside this transaction.
func (s *RetentionStore) Purge(ctx context.Context, townshipID int64, cut domain.Date) (domain.RetentionCounts, error) {
	args := map[string]any{"t": townshipID, "cut": cut.Time()}
	var out domain.RetentionCounts
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		freeze, thaw := "SELECT set_config('fugong.keep_stats', 'on', true)", "SELECT set_config('fugong.keep_stats', 'off', true)"
		if s.DB.Dialect == SQLite {
			freeze, thaw = "INSERT INTO stats_frozen (frozen) VALUES (1)", "DELETE FROM stats_frozen"
		}
		if err := db.Exec(freeze).Error; err != nil {
			return err
		}
		for _, step := range []struct {
			sql string
			n   *int
		}{
			{"DELETE FROM alerts WHERE " + oldAlerts, &out.Alerts},
			{"DELETE FROM alerts WHERE " + leftAlerts, &out.Alerts},
			// Every reading of a removed check-in goes with it (checkin_readings).
			{"DELETE FROM checkin_readings WHERE checkin_id IN (SELECT id FROM checkins WHERE " + oldCheckins + ")", nil},
			{"DELETE FROM checkin_readings WHERE checkin_id IN (SELECT id FROM checkins WHERE " + leftCheckins + ")", nil},
			{"DELETE FROM checkins WHERE " + oldCheckins, &out.Checkins},
			{"DELETE FROM checkins WHERE " + leftCheckins, &out.Checkins},
			// Measurements at the gate are health data as check-ins are (issue 19); a removed
			// worker's go with the file (ON DELETE CASCADE), as does a revoked pass.
			{"DELETE FROM spot_checks WHERE township_id = @t AND date < @cut", nil},
			// The group messages (issue 20) name the workers of an alert or a missed slot and
			// carry phone numbers to mention: they go as the alerts do, and so do the events
			// already turned into messages (one not yet fanned out is still to be sent).
			{"DELETE FROM messages WHERE township_id = @t AND created_at < @cut", nil},
			{"DELETE FROM outbox_events WHERE township_id = @t AND done_at IS NOT NULL AND day < @cut", nil},
			// Their refresh tokens go with them (ON DELETE CASCADE); the audit log keeps the
			// events about them, which name no one.
			{"DELETE FROM workers WHERE " + expiredWorkerID, &out.Workers},
			{"UPDATE townships SET purged_before = @cut WHERE id = @t AND (purged_before IS NULL OR purged_before < @cut)", nil},
		} {
			res := db.Exec(step.sql, args)
			if res.Error != nil {
				return res.Error
			}
			if step.n != nil {
				*step.n += int(res.RowsAffected)
			}
		}
		return db.Exec(thaw).Error
	})
	return out, err
}
