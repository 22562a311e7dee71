package repo

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"

	"fugong/domain"
)

// StatsStore keeps the daily statistics. The triggers of repo/stats keep the activity
// figures; this store snapshots the roster figures and reads both, by the rules of its
// engine's file there.
type StatsStore struct {
	DB    *DB
	taken snapshotsTaken // EnsureSnapshot's days
}

var _ domain.StatsStore = (*StatsStore)(nil)

// rule is a rule of the database's engine (repo/stats).
func (s *StatsStore) rule(name string) string { return s.DB.stats().rule(name) }

// dayParam is a day as a value of a SELECT list: PostgreSQL cannot tell a bare parameter's
// type there, while SQLite would turn a CAST to DATE into a number.
func (s *StatsStore) dayParam() string {
	if s.DB.Dialect == Postgres {
		return "CAST(@d AS DATE)"
	}
	return "@d"
}

// SnapshotRoster takes the roster figures of day d from the workers table in one statement.
func (s *StatsStore) SnapshotRoster(ctx context.Context, townshipID int64, enterpriseIDs []int64, d domain.Date, onlyMissing bool) error {
	args := map[string]any{"t": townshipID, "d": d.Time()}
	where := "w.township_id = @t"
	if len(enterpriseIDs) > 0 {
		where += " AND w.enterprise_id IN @ids"
		args["ids"] = enterpriseIDs
	}
	cond := ""
	if onlyMissing {
		cond = " WHERE daily_stats.snapshot = FALSE"
	}
	q := `INSERT INTO daily_stats (township_id, enterprise_id, date, snapshot, roster, returned, on_duty, isolating, key_area, due)
		SELECT w.township_id, w.enterprise_id, ` + s.dayParam() + `, TRUE, ` + s.rule("roster_figures") + `
		FROM workers w WHERE ` + where + `
		GROUP BY w.township_id, w.enterprise_id
		ON CONFLICT (enterprise_id, date) DO UPDATE SET snapshot = TRUE, roster = excluded.roster,
			returned = excluded.returned, on_duty = excluded.on_duty, isolating = excluded.isolating,
			key_area = excluded.key_area, due = excluded.due` + cond
	origins := `INSERT INTO daily_origins (township_id, enterprise_id, date, province, workers)
		SELECT w.township_id, w.enterprise_id, ` + s.dayParam() + `, substr(w.origin_region, 1, 2) || '0000', COUNT(*)
		FROM workers w WHERE ` + where + ` AND w.origin_region <> '' AND ` + s.rule("back") + `
		GROUP BY w.township_id, w.enterprise_id, substr(w.origin_region, 1, 2)
		ON CONFLICT (enterprise_id, date, province) DO NOTHING`
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		if err := db.Exec(q, args).Error; err != nil {
			return err
		}
		if !onlyMissing {
			// The day's check-ins follow the roster they are counted against: a worker
			// marked back today turns today's reports from unregistered into reports.
			// (by enterprise, the index check-ins have)
			due := `UPDATE checkins SET due = NOT due WHERE date = @d AND due <> COALESCE(
				(SELECT ` + s.rule("due") + ` FROM workers w WHERE w.id = checkins.worker_id), FALSE)`
			if len(enterpriseIDs) > 0 {
				due += " AND enterprise_id IN @ids"
			} else {
				due += " AND enterprise_id IN (SELECT id FROM enterprises WHERE township_id = @t)"
			}
			if err := db.Exec(due, args).Error; err != nil {
				return err
			}
			del := "DELETE FROM daily_origins WHERE township_id = @t AND date = @d"
			if len(enterpriseIDs) > 0 {
				del += " AND enterprise_id IN @ids"
			}
			if err := db.Exec(del, args).Error; err != nil {
				return err
			}
		}
		return db.Exec(origins, args).Error
	})
}

// statsRow is a row of daily_stats as read.
type statsRow struct {
	EnterpriseID int64
	Date         sql.NullTime
	Roster       int
	Returned     int
	OnDuty       int
	Isolating    int
	KeyArea      int
	Due          int
	CheckinsAM   int `gorm:"column:checkins_am"`
	CheckinsPM   int `gorm:"column:checkins_pm"`
	Fever        int
	Late         int
	Symptomatic  int
	Unregistered int
	Alerts       int
}

func (r statsRow) toDomain() domain.DayRow {
	return domain.DayRow{EnterpriseID: r.EnterpriseID, Date: dateOf(r.Date), Figures: domain.Figures{
		Roster: r.Roster, Returned: r.Returned, OnDuty: r.OnDuty, Isolating: r.Isolating, KeyArea: r.KeyArea,
		Due: r.Due, CheckinsAM: r.CheckinsAM, CheckinsPM: r.CheckinsPM, Fever: r.Fever,
		Late: r.Late, Symptomatic: r.Symptomatic, Unregistered: r.Unregistered, Alerts: r.Alerts,
	}}
}

// statsColumns are the figures daily_stats keeps. Its alerts_open (the day's alerts still open)
// is no figure: AlertsOpen counts every day's (OpenAlerts).
const statsColumns = `roster, returned, on_duty, isolating, key_area, due, checkins_am, checkins_pm, late,
	fever, symptomatic, unregistered, alerts`

// scope narrows s (daily_stats) or w (workers), by the column named, to the filter's
// enterprises.
func scope(f domain.StatsFilter, col string, args map[string]any) string {
	where := ""
	if f.SupervisorID != 0 {
		where += " AND " + col + " IN (SELECT enterprise_id FROM enterprise_supervisors WHERE user_id = @sup)"
		args["sup"] = f.SupervisorID
	}
	if f.Zone != "" {
		where += " AND " + col + ` IN (SELECT e.id FROM enterprises e JOIN zones z ON z.id = e.zone_id
			WHERE e.township_id = @t AND z.name = @zone)`
		args["zone"] = f.Zone
	}
	if f.Industry != "" {
		where += " AND " + col + " IN (SELECT id FROM enterprises WHERE township_id = @t AND industry = @industry)"
		args["industry"] = f.Industry
	}
	return where
}

func (s *StatsStore) daysQuery(ctx context.Context, f domain.StatsFilter, from, to domain.Date) *gorm.DB {
	args := map[string]any{"t": f.TownshipID, "from": from.Time(), "to": to.Time()}
	where := "township_id = @t AND date >= @from AND date <= @to" + scope(f, "enterprise_id", args)
	return s.DB.conn(ctx).Raw(`SELECT enterprise_id, date, `+statsColumns+` FROM daily_stats WHERE `+where+
		` ORDER BY date, enterprise_id`, args)
}

// Days returns the rows of the filter's enterprises from one day to another.
func (s *StatsStore) Days(ctx context.Context, f domain.StatsFilter, from, to domain.Date) ([]domain.DayRow, error) {
	var rows []statsRow
	if err := s.daysQuery(ctx, f, from, to).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return convert(rows, statsRow.toDomain), nil
}

// EachDay streams the rows with a cursor: a range export of a million rows holds one at a time.
func (s *StatsStore) EachDay(ctx context.Context, f domain.StatsFilter, from, to domain.Date, fn func(domain.DayRow) error) error {
	q := s.daysQuery(ctx, f, from, to)
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r statsRow
		if err := q.ScanRows(rows, &r); err != nil {
			return err
		}
		if err := fn(r.toDomain()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Totals sums the filter's enterprises per day.
func (s *StatsStore) Totals(ctx context.Context, f domain.StatsFilter, from, to domain.Date) ([]domain.DayRow, error) {
	args := map[string]any{"t": f.TownshipID, "from": from.Time(), "to": to.Time()}
	where := "township_id = @t AND date >= @from AND date <= @to" + scope(f, "enterprise_id", args)
	sums := make([]string, 0, 12)
	for _, c := range strings.Split(statsColumns, ",") {
		c = strings.TrimSpace(c)
		sums = append(sums, "SUM("+c+") AS "+c)
	}
	var rows []statsRow
	err := s.DB.conn(ctx).Raw(`SELECT date, `+strings.Join(sums, ", ")+` FROM daily_stats WHERE `+where+
		` GROUP BY date ORDER BY date`, args).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return convert(rows, statsRow.toDomain), nil
}

// Origins sums the day's snapshot of returned workers by home province.
func (s *StatsStore) Origins(ctx context.Context, f domain.StatsFilter, d domain.Date) ([]domain.OriginCount, error) {
	args := map[string]any{"t": f.TownshipID, "d": d.Time()}
	where := "township_id = @t AND date = @d" + scope(f, "enterprise_id", args)
	var out []domain.OriginCount
	err := s.DB.conn(ctx).Raw(`SELECT province, SUM(workers) AS workers FROM daily_origins WHERE `+where+
		` GROUP BY province`, args).Scan(&out).Error
	return out, err
}

// RecountActivity replaces the activity figures of a township's days by a count of the
// check-ins and alerts (the rules recount_* of repo/stats), in one transaction. A check-in
// committed meanwhile waits for the rows this locks and then adds itself, so nothing is
// counted twice or lost.
func (s *StatsStore) RecountActivity(ctx context.Context, townshipID int64, from, to domain.Date) error {
	args := map[string]any{"t": townshipID, "from": from.Time(), "to": to.Time()}
	return s.DB.InTx(ctx, func(ctx context.Context) error {
		db := s.DB.conn(ctx)
		steps := []string{s.rule("recount_zero"), s.rule("recount_checkins"), s.rule("recount_alerts")}
		for _, q := range steps {
			if err := db.Exec(q, args).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// OpenAlerts reads the alerts open at since or raised after it: those still open counted by
// enterprise and day (a busy township has a hundred thousand of them, read by the status
// index), those taken in hand since then one by one (few).
func (s *StatsStore) OpenAlerts(ctx context.Context, f domain.StatsFilter, to domain.Date, since time.Time, fn func(domain.OpenAlert)) error {
	args := map[string]any{"t": f.TownshipID, "to": to.Time(), "since": since.UTC()}
	where := "township_id = @t AND date <= @to" + scope(f, "enterprise_id", args)
	// (the taken ones first: SQLite types a compound's columns by its first SELECT)
	rows, err := s.DB.conn(ctx).Raw(`SELECT enterprise_id, date, taken_at, 1 FROM alerts
		WHERE `+where+` AND status <> 'open' AND taken_at >= @since
		UNION ALL SELECT enterprise_id, date, NULL, COUNT(*) FROM alerts
		WHERE `+where+` AND status = 'open' GROUP BY enterprise_id, date`, args).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a domain.OpenAlert
		var d sql.NullTime
		var taken sql.NullTime
		if err := rows.Scan(&a.EnterpriseID, &d, &taken, &a.Count); err != nil {
			return err
		}
		a.Date = dateOf(d)
		if taken.Valid {
			a.TakenAt = &taken.Time
		}
		fn(a)
	}
	return rows.Err()
}
