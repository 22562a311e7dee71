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

// Clock tells the time. Services take one so tests can fix it.
type Clock func() time.Time

// Now returns the current time in UTC.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}
