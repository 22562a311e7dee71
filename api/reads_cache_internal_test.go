package api

import (
	"context"
	"strconv"
	"testing"
	"time"

	"fugong/domain"
)

// TestDashboardCacheReplica: answers read from the replica are kept apart from the primary's;
// one whose data are as of before the cache saw its version (it may lack the change that
// moved the version) is not kept; one as of after is, served with its own as-of, until
// replicaKeep past it.
func TestDashboardCacheReplica(t *testing.T) {
	now := time.Date(2020, 2, 10, 8, 0, 0, 0, time.UTC)
	vs := &versions{v: map[int64]uint64{}}
	c := newDashboardCache(vs)
	c.now = func() time.Time { return now }
	calls := 0
	compute := func(context.Context) (any, error) { calls++; return calls, nil }
	ask := func(t *testing.T, asOf time.Time, want int, wantAsOf time.Time) {
		t.Helper()
		ctx := context.Background()
		var note *readNote
		if !asOf.IsZero() {
			note = &readNote{asOf: asOf}
			ctx = context.WithValue(ctx, readNoteKey{}, note)
		}
		body, err := c.answer(ctx, "summary", domain.DashboardView{}, compute)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(body); got != strconv.Itoa(want)+"\n" {
			t.Fatalf("got %q, want the answer of computation %d", got, want)
		}
		if note != nil && !note.asOf.Equal(wantAsOf) {
			t.Errorf("got as-of %s, want %s", note.asOf, wantAsOf)
		}
	}
	seen := now
	ask(t, now.Add(-time.Second), 1, now.Add(-time.Second)) // as of before the version was seen
	ask(t, now.Add(-time.Second), 2, now.Add(-time.Second)) // so not kept
	ask(t, time.Time{}, 3, time.Time{})                     // the primary's, apart
	now = now.Add(time.Second)
	ask(t, seen.Add(500*time.Millisecond), 4, seen.Add(500*time.Millisecond)) // after: kept
	now = now.Add(time.Second)
	ask(t, now, 4, seen.Add(500*time.Millisecond)) // served with its own as-of
	ask(t, time.Time{}, 3, time.Time{})            // the primary's kept answer
	now = seen.Add(500*time.Millisecond + replicaKeep)
	ask(t, now, 5, now) // replicaKeep past its as-of: computed again
	vs.change(0)        // the township of the zero view
	ask(t, now, 6, now) // a new version is seen now: an answer as of now is kept
	ask(t, now, 6, now)
}
