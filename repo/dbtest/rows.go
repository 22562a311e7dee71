package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"fugong/repo"
)

// CountRows counts the rows of a table; tests use it to prove that a refused request wrote
// nothing. table must be a constant of the caller's, never user input.
func CountRows(ctx context.Context, db *repo.DB, table string) (int, error) {
	pool, err := db.Pool()
	if err != nil {
		return 0, err
	}
	var n int
	err = pool.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	return n, err
}

// Fingerprint sums up what the database holds: each table's row count and the latest value of
// each of its timestamp columns (created_at, updated_at, used_at, handled_at, …). Tests compare
// it before and after a refused request to prove that the request wrote nothing, without
// knowing which tables it could have touched: an insert or a delete changes a count, an update
// sets one of those columns. Tables and columns come from the catalog, so that a table added
// later is covered without changing the tests. Two statements, whatever the size of the data.
// The answer maps each table to its count and latest times.
func Fingerprint(ctx context.Context, db *repo.DB) (map[string]string, error) {
	pool, err := db.Pool()
	if err != nil {
		return nil, err
	}
	catalog := `SELECT m.name AS tbl, p.name AS col FROM sqlite_master m
		LEFT JOIN pragma_table_info(m.name) p ON p.name LIKE '%\_at' ESCAPE '\'
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY 1, 2`
	if db.Dialect == repo.Postgres {
		catalog = `SELECT t.table_name AS tbl, c.column_name AS col FROM information_schema.tables t
		LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
			AND c.column_name LIKE '%\_at' ESCAPE '\'
		WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`
	}
	rows, err := pool.QueryContext(ctx, catalog)
	if err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	var tables []string
	latest := map[string][]string{} // table → MAX(col) expressions
	for rows.Next() {
		var tbl string
		var col sql.NullString
		if err := rows.Scan(&tbl, &col); err != nil {
			rows.Close()
			return nil, fmt.Errorf("fingerprint: %w", err)
		}
		if _, seen := latest[tbl]; !seen {
			tables = append(tables, tbl)
			latest[tbl] = nil
		}
		if col.Valid {
			latest[tbl] = append(latest[tbl], fmt.Sprintf(`COALESCE(CAST(MAX(%q) AS TEXT), '-')`, col.String))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	parts := make([]string, 0, len(tables))
	for _, t := range tables {
		times := "''"
		if len(latest[t]) > 0 {
			times = strings.Join(latest[t], ` || ' ' || `)
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s' AS tbl, COUNT(*) AS n, %s AS latest FROM %q`, t, times, t))
	}
	if len(parts) == 0 {
		return nil, errors.New("fingerprint: no tables")
	}
	rows, err = pool.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	defer rows.Close()
	out := make(map[string]string, len(tables))
	for rows.Next() {
		var tbl, latest string
		var n int64
		if err := rows.Scan(&tbl, &n, &latest); err != nil {
			return nil, fmt.Errorf("fingerprint: %w", err)
		}
		out[tbl] = fmt.Sprintf("%d %s", n, latest)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	return out, nil
}
