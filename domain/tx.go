package domain

import (
	"context"
	"time"
)

// TxRunner runs fn in one database transaction. Stores called with the ctx that fn receives
// take part in it; a nested InTx joins the outer transaction. If fn returns an error, or
// panics, everything is rolled back.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// oneWriter is a TxRunner that says whether its database has one writer at a time, so that
// a transaction held open stops every other write (SQLite); repo.DB is one.
type oneWriter interface{ OneWriter() bool }

// holdsWriters says whether a transaction of tx held open holds up every other write: true
// unless tx says otherwise, the safe answer for a work that could hold one open for long.
func holdsWriters(tx TxRunner) bool {
	w, ok := tx.(oneWriter)
	return !ok || w.OneWriter()
}

// Clock tells the time. Services take one so tests can fix it.
type Clock func() time.Time

// Now returns the current time in UTC.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
