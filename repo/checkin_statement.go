package repo

import (
	"database/sql"

	"fugong/domain"
)

// CheckinStatement is the one statement CheckinStore.UpsertOwn sends to write c, a worker's
// own report under a token of generation gen, in dialect d's placeholders, with its arguments
// (stamped now). It returns the row's id, location, due, created_at, updated_at, whether it
// is new, and for a check-in at work the enterprise's status and (morning) the worker's shift
// or NULL, or no row when the worker is not on the roster or the generation is over. It is exported for one program, the check-in benchmark (scripts/bench), whose
// baseline sends exactly the product's write straight to the database: a copy of its own
// drifted from this one as the statement grew.
func CheckinStatement(d Dialect, c *domain.Checkin, gen int64) (query string, args []any) {
	query = upsertCheckin
	if d == SQLite {
		query = upsertCheckinSQLite
	}
	a := newUpsertArgs(c, sql.NullInt64{Int64: gen, Valid: true})
	return query, a[:]
}
