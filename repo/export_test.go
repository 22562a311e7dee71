package repo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fugong/domain"
)

// UpsertGroup writes check-ins as one group of the group commit (checkin_group.go), as a lane
// does with check-ins that arrive together, and returns each one's outcome as Upsert would.
// PostgreSQL only.
func UpsertGroup(ctx context.Context, db *DB, cs []domain.Checkin) ([]bool, []error) {
	group := make([]*pendingUpsert, len(cs))
	for i := range cs {
		group[i] = newPendingUpsert(ctx, cs[i].EnterpriseID, cs[i].WorkerID, newUpsertArgs(&cs[i]))
	}
	db.groups.commit(slices.Clone(group)) // commit sorts its group
	created, errs := make([]bool, len(cs)), make([]error, len(cs))
	for i, p := range group {
		created[i], errs[i] = (<-p.done).into(&cs[i])
	}
	return created, errs
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
