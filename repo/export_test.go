package repo

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"fugong/domain"
)

// UpsertGroup writes check-ins as one group of s's group commit (checkin_group.go), as a lane
// does with check-ins that arrive together, and returns each one's outcome as Upsert would.
// PostgreSQL only.
func UpsertGroup(ctx context.Context, s *CheckinStore, cs []domain.Checkin) ([]bool, []error) {
	group := make([]*pendingUpsert, len(cs))
	for i := range cs {
		group[i] = newPendingUpsert(ctx, cs[i].EnterpriseID, cs[i].WorkerID, newUpsertArgs(&cs[i], sql.NullInt64{}))
	}
	c := &laneConn{connect: s.groups.connect} // a lane's connection of its own, as run makes
	defer c.close()
	s.groups.commit(c, slices.Clone(group)) // commit sorts its group
	created, errs := make([]bool, len(cs)), make([]error, len(cs))
	for i, p := range group {
		created[i], errs[i] = (<-p.done).into(&cs[i])
	}
	return created, errs
}

// CheckinLanes is how many lanes s's group commit has; 0 when it groups nothing.
func CheckinLanes(s *CheckinStore) int {
	if s.groups == nil {
		return 0
	}
	return len(s.groups.lanes)
}

// TableText returns every row of a table with each column's value as text, by column name,
// so that tests can prove what is stored and what is not. table must be a constant of the
// test's, never user input.
func TableText(ctx context.Context, db *DB, table string) ([]map[string]string, error) {
	var rows []map[string]any
	if err := db.conn(ctx).Table(table).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]map[string]string, 0, len(rows))
	for _, r := range rows {
		m := make(map[string]string, len(r))
		for col, v := range r {
			switch v := v.(type) {
			case nil:
				m[col] = ""
			case []byte:
				m[col] = string(v)
			case time.Time:
				m[col] = v.Format(time.RFC3339Nano)
			default:
				m[col] = fmt.Sprint(v)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// RawQuery runs a query of a test's own and scans its rows into out.
func RawQuery(ctx context.Context, db *DB, query string, out *[]map[string]any) error {
	return db.conn(ctx).Raw(query).Scan(out).Error
}

// MigrateDown rolls the newest migration back, so that a test can apply it again over data
// written before it.
func MigrateDown(ctx context.Context, db *DB) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	_, err = p.Down(ctx)
	return err
}

// Exec runs a statement of a test's own, to put rows in a state no service writes.
func Exec(ctx context.Context, db *DB, query string, args ...any) error {
	return db.conn(ctx).Exec(query, args...).Error
}

// MigrateTo applies the migrations up to a version and no further, without the statistics
// rules: a database as a binary of that version left it.
func MigrateTo(ctx context.Context, db *DB, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// StatsObjectsDiffer says how the statistics' functions and triggers the database has differ
// from those of its engine's file in repo/stats: each must be there once, with the file's text
// (a function's body, a SQLite trigger's statement), and no other trigger may sit on checkins
// or alerts but alerts_outbox, migration 00020's, which writes an alert's outbox event and is
// no statistics rule. No problems: the database runs the file.
func StatsObjectsDiffer(ctx context.Context, db *DB) ([]string, error) {
	r := db.stats()
	var problems []string
	seen := map[string]int{}
	type object struct{ Name, Text string }
	var have []object
	if db.Dialect == SQLite {
		err := db.conn(ctx).Raw(`SELECT name, sql AS text FROM sqlite_master
			WHERE type = 'trigger' AND tbl_name IN ('checkins', 'alerts') AND name <> 'alerts_outbox'`).Scan(&have).Error
		if err != nil {
			return nil, err
		}
	} else {
		err := db.conn(ctx).Raw(`SELECT p.proname AS name, p.prosrc AS text FROM pg_proc p
			JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()
			UNION ALL SELECT tgname, '' FROM pg_trigger
			WHERE NOT tgisinternal AND tgrelid IN ('checkins'::regclass, 'alerts'::regclass)`).Scan(&have).Error
		if err != nil {
			return nil, err
		}
	}
	want := map[string]string{}
	for _, o := range r.objects {
		text := strings.TrimSuffix(o.sql, ";")
		if db.Dialect == Postgres {
			text = "" // a trigger: the catalog rewrites its statement
			if parts := strings.Split(o.sql, "$$"); len(parts) == 3 {
				text = parts[1] // a function: its body as written
			}
		}
		want[o.name] = text
	}
	for _, h := range have {
		text, ok := want[h.Name]
		if !ok {
			if db.Dialect == SQLite {
				problems = append(problems, fmt.Sprintf("trigger %s is not in %s", h.Name, r.file))
			}
			continue
		}
		seen[h.Name]++
		if h.Text != text {
			problems = append(problems, fmt.Sprintf("%s is not the text of %s:\n%s", h.Name, r.file, h.Text))
		}
	}
	for name := range want {
		if seen[name] != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d in the database, want 1", name, seen[name]))
		}
	}
	slices.Sort(problems)
	return problems, nil
}
