package repo

import "fugong/domain"

// CheckinStatement is the one statement CheckinStore.Upsert sends to write c, in dialect d's
// placeholders, with its arguments (stamped now). It returns the row's id, location, due,
// created_at and updated_at (equal times: the row is new), or no row when the worker is not
// on the roster. It is exported for one program, the check-in benchmark (scripts/bench), whose
// baseline sends exactly the product's write straight to the database: a copy of its own
// drifted from this one as the statement grew.
func CheckinStatement(d Dialect, c *domain.Checkin) (query string, args []any) {
	query = upsertCheckin
	if d == SQLite {
		query = upsertCheckinSQLite
	}
	a := newUpsertArgs(c)
	return query, a[:]
}
