package repo_test

import (
	"context"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestStatsStoreEnsureSnapshot: EnsureSnapshot takes a day's roster snapshot once per store
// (the dashboard asks on every read), another store takes it again, and one taken inside a
// transaction, which may roll back, is not remembered.
func TestStatsStoreEnsureSnapshot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		w.back(t, w.hr, 1)
		w.back(t, w.hr2, 2)
		ctx, today := context.Background(), w.today()
		wipe := func(t *testing.T) {
			t.Helper()
			must(t, repo.Exec(ctx, db, "DELETE FROM daily_stats"))
		}
		wantRows := func(t *testing.T, want int) {
			t.Helper()
			if got := rows(t, db, "daily_stats"); got != want {
				t.Fatalf("got %d rows of daily statistics, want %d", got, want)
			}
		}

		st := &repo.StatsStore{DB: db}
		wipe(t)
		must(t, st.EnsureSnapshot(ctx, w.tw.ID, today))
		wantRows(t, 2) // the two enterprises with workers
		wipe(t)
		must(t, st.EnsureSnapshot(ctx, w.tw.ID, today))
		wantRows(t, 0) // taken once: this store does not look again
		must(t, st.EnsureSnapshot(ctx, w.tw.ID, today.AddDays(1)))
		wantRows(t, 2) // another day

		t.Run("OtherStore", func(t *testing.T) {
			wipe(t)
			must(t, (&repo.StatsStore{DB: db}).EnsureSnapshot(ctx, w.tw.ID, today))
			wantRows(t, 2)
		})
		t.Run("InTxNotKept", func(t *testing.T) {
			st := &repo.StatsStore{DB: db}
			wipe(t)
			must(t, db.InTx(ctx, func(ctx context.Context) error { return st.EnsureSnapshot(ctx, w.tw.ID, today) }))
			wantRows(t, 2)
			wipe(t)
			must(t, st.EnsureSnapshot(ctx, w.tw.ID, today))
			wantRows(t, 2)
		})
	})
}
