package repo

import (
	"context"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Reading many rows. A township's reports read its whole roster and days of check-ins, tens
// of thousands of rows a query; costs that do not show on a page of twenty rows were most of
// the daily report's reading there (BENCHMARKS.md, daily.xlsx): GORM's reflection over each
// row's struct (issue 19), then database/sql turning every value into a driver.Value and
// converting it again into its destination, and a slice of rows copied whole each time it
// grew (issue 23).

// eachRow runs q's query and calls fn once per row, with a scan of that row. On PostgreSQL
// outside a transaction the rows come through pgx itself, on a connection of the read pool
// (the replica's when the request may read there), and pgx scans into the destinations
// directly; elsewhere (SQLite, a transaction) through GORM's connection.
func (db *DB) eachRow(ctx context.Context, q *gorm.DB, fn func(scan func(dest ...any) error) error) error {
	if !db.pgxReads(ctx) {
		return db.eachRowSQL(q, fn)
	}
	// The statement GORM would send, built without sending it: its SQL with PostgreSQL's
	// placeholders and its values, a list's values spread over as many placeholders.
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(&[]map[string]any{}).Statement
	pool, err := db.readPool(ctx)
	if err != nil {
		return err
	}
	err = withPgx(ctx, pool, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, stmt.SQL.String(), stmt.Vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return each(rows, fn)
	})
	return translateDriver(q, err)
}

// pgxReads says whether eachRow reads through pgx with ctx, so that its scans take pgx's own
// types (pgtype), or through database/sql.
func (db *DB) pgxReads(ctx context.Context) bool { return db.Dialect == Postgres && !inTx(ctx) }

func (db *DB) eachRowSQL(q *gorm.DB, fn func(scan func(dest ...any) error) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	return each(rows, fn)
}

// rowIter is what pgx's rows and database/sql's have alike.
type rowIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// each calls fn for each of rows, with its scan, until the rows end or fn fails.
func each(rows rowIter, fn func(scan func(dest ...any) error) error) error {
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowBlock is how many rows a block of rowBlocks holds.
const rowBlock = 1024

// rowBlocks gathers rows in blocks of rowBlock, copied once into one slice at the end rather
// than each time it grew.
type rowBlocks[R any] struct {
	blocks [][]R
	n      int
}

// next is a zeroed place for one more row.
func (b *rowBlocks[R]) next() *R {
	if b.n == len(b.blocks)*rowBlock {
		b.blocks = append(b.blocks, make([]R, rowBlock))
	}
	r := b.at(b.n)
	var zero R
	*r = zero // a place given back by drop holds the row dropped
	b.n++
	return r
}

// drop gives back the place next gave last, for the next row.
func (b *rowBlocks[R]) drop() { b.n-- }

// at is the i-th row.
func (b *rowBlocks[R]) at(i int) *R { return &b.blocks[i/rowBlock][i%rowBlock] }

// all is the rows in the order they came.
func (b *rowBlocks[R]) all() []R {
	if len(b.blocks) == 1 {
		return b.blocks[0][:b.n]
	}
	out := make([]R, 0, b.n)
	for _, blk := range b.blocks {
		out = append(out, blk[:min(rowBlock, b.n-len(out))]...)
	}
	return out
}
