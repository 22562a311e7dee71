package repo

import (
	"context"
	"fmt"
	"time"
)

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
