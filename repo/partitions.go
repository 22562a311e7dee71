package repo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"fugong/domain"
)

// PartitionsAhead is how many months after the current one EnsurePartitions keeps made: a
// quarter, so that a maintenance that stops running is noticed (and a clock set wrong by a
// few weeks lands in its month) long before the DEFAULT partition has to catch anything.
const PartitionsAhead = 3

// partitioned are the tables migration 00023 partitions by month on PostgreSQL, in the order a
// month of them is dropped (readings, then the check-ins they belong to, then alerts).
var partitioned = []string{"checkin_readings", "checkins", "alerts"}

// monthPartition matches the name of one month's partition: TABLE_YYYY_MM.
var monthPartition = regexp.MustCompile(`^(checkin_readings|checkins|alerts)_(\d{4}_\d{2})$`)

// EnsurePartitions makes, on PostgreSQL, the partitions of the month of now (UTC) and of the
// PartitionsAhead months after it that do not exist yet, and answers how many it made. It is
// idempotent and safe while other processes run it (month_partition, migration 00023, queues
// them on an advisory lock and tolerates the one that came first); when every partition exists
// it costs one catalogue query and takes no lock, so the server may call it every minute. On
// SQLite, which has no partitions, it does nothing.
func (db *DB) EnsurePartitions(ctx context.Context, now time.Time) (int, error) {
	if db.Dialect != Postgres {
		return 0, nil
	}
	var missing []struct {
		Tbl string
		Day time.Time
	}
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	err := db.conn(ctx).Raw(`SELECT t.tbl, m.day FROM unnest(string_to_array(?, ',')) AS t (tbl),
			generate_series(?::date, ?::date, '1 month') AS m (day)
		WHERE to_regclass(t.tbl || '_' || to_char(m.day, 'YYYY_MM')) IS NULL`,
		strings.Join(partitioned, ","), first.Format(time.DateOnly), first.AddDate(0, PartitionsAhead, 0).Format(time.DateOnly)).Scan(&missing).Error
	if err != nil || len(missing) == 0 {
		return 0, err
	}
	made := 0
	err = db.InTx(ctx, func(ctx context.Context) error {
		for _, m := range missing {
			var ok bool
			if err := db.conn(ctx).Raw(`SELECT month_partition(?, ?::date)`, m.Tbl, m.Day.Format(time.DateOnly)).Scan(&ok).Error; err != nil {
				return fmt.Errorf("partition %s %s: %w", m.Tbl, m.Day.Format("2006-01"), err)
			}
			if ok {
				made++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("ensure partitions: %w", err)
	}
	return made, nil
}

// dropLockTimeout bounds the wait for the lock a dropped partition takes on its parent: a
// check-in in progress holds it back, and check-ins queue behind a waiting DROP. Past it the
// months stay, and the row deletes that follow remove their rows as before.
const dropLockTimeout = "3s"

// DropMonths drops, on PostgreSQL, the months of check-ins (with their readings) and alerts
// dated entirely before before, and counts per township what went: a check-in is its
// enterprise's township's, as Expired counts it. The daily statistics stay as they are (a
// dropped table fires no trigger). On SQLite, or when the drop cannot have its lock in time,
// it drops nothing.
func (s *RetentionStore) DropMonths(ctx context.Context, before domain.Date) (map[int64]domain.RetentionCounts, error) {
	out := map[int64]domain.RetentionCounts{}
	if s.DB.Dialect != Postgres {
		return out, nil
	}
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		var names []string
		if err := db.Raw(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent::regclass::text IN ('checkin_readings', 'checkins', 'alerts') ORDER BY c.relname`).Scan(&names).Error; err != nil {
			return err
		}
		var drop []string
		for _, n := range names {
			m := monthPartition.FindStringSubmatch(n)
			if m == nil {
				continue // the default partition
			}
			first, err := time.Parse("2006_01", m[2])
			if err != nil || domain.DateFromTime(first.AddDate(0, 1, 0)).After(before) {
				continue
			}
			if err := s.countMonth(ctx, m[1], n, out); err != nil {
				return err
			}
			drop = append(drop, n)
		}
		if len(drop) == 0 {
			return nil
		}
		if err := db.Exec("SET LOCAL lock_timeout = '" + dropLockTimeout + "'").Error; err != nil {
			return err
		}
		for _, n := range drop {
			if err := db.Exec(`DROP TABLE ` + quoteIdent(n)).Error; err != nil {
				return err
			}
		}
		return nil
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
		return map[int64]domain.RetentionCounts{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("drop months: %w", err)
	}
	return out, nil
}

// countMonth adds the rows of one month's partition of tbl to each township's counts.
func (s *RetentionStore) countMonth(ctx context.Context, tbl, part string, out map[int64]domain.RetentionCounts) error {
	q := map[string]string{
		"checkins": `SELECT e.township_id AS township, COUNT(*) AS n FROM ` + quoteIdent(part) +
			` c JOIN enterprises e ON e.id = c.enterprise_id GROUP BY e.township_id`,
		"alerts": `SELECT township_id AS township, COUNT(*) AS n FROM ` + quoteIdent(part) + ` GROUP BY township_id`,
	}[tbl]
	if q == "" {
		return nil // readings are not counted, as Purge does not count them
	}
	var rows []struct{ Township, N int64 }
	if err := s.DB.conn(ctx).Raw(q).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		c := out[r.Township]
		if tbl == "checkins" {
			c.Checkins += int(r.N)
		} else {
			c.Alerts += int(r.N)
		}
		out[r.Township] = c
	}
	return nil
}

// quoteIdent quotes a name made here (monthPartition matched it) for PostgreSQL.
func quoteIdent(s string) string { return `"` + s + `"` }
