package repo_test

import (
	"context"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestReplicaAsOf: with a streaming replica, the replica is chosen and its as-of is within a
// second or two of now while the primary is idle (the LSN measure, not the last replayed
// transaction's time); with replay paused and the primary writing, the as-of stays where it
// was and, past the bound, the replica is no longer chosen; resumed, it is again; stopped, it
// is not. A context that chose it reads from it, but writes, and reads in a transaction, go to
// the primary.
func TestReplicaAsOf(t *testing.T) {
	s := dbtest.NewStreaming(t)
	ctx := context.Background()
	db, err := repo.Open(ctx, s.PrimaryURL("fugong"), dbtest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const bound = 2 * time.Second
	if err := db.AttachReplica(ctx, s.ReplicaURL("fugong"), repo.ReplicaOptions{Bound: bound, Every: 100 * time.Millisecond}, dbtest.Quiet); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the replica chosen with an as-of within a second", func() bool {
		asOf, ok := db.ReplicaAsOf()
		return ok && time.Since(asOf) < time.Second
	})
	// Idle for three checks: the as-of keeps up.
	idleFrom := time.Now()
	waitFor(t, "an as-of after an idle second", func() bool {
		asOf, ok := db.ReplicaAsOf()
		return ok && asOf.After(idleFrom.Add(500*time.Millisecond))
	})

	s.PauseReplay(t)
	paused := time.Now()
	t.Run("Routing", func(t *testing.T) {
		audit := repo.Stores(db, dbtest.Box()).Audit
		rctx, _, ok := db.ReadReplica(ctx)
		if !ok {
			t.Fatal("the replica was not chosen right after the pause")
		}
		// A write made with a context that chose the replica goes to the primary.
		if err := audit.Record(rctx, domain.AuditEvent{Action: "probe.write", EntityType: "probe", At: time.Now()}); err != nil {
			t.Fatalf("write with the replica chosen: %v", err)
		}
		count := func(ctx context.Context) int {
			t.Helper()
			_, n, err := audit.List(ctx, domain.AuditFilter{Action: "probe.write", Page: domain.Page{Limit: 10}})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got := count(ctx); got != 1 {
			t.Errorf("primary: got %d events, want 1", got)
		}
		if got := count(rctx); got != 0 {
			t.Errorf("replica, replay paused: got %d events, want 0 (the read did not go to the replica)", got)
		}
		err := db.InTx(rctx, func(ctx context.Context) error {
			if got := count(ctx); got != 1 {
				t.Errorf("in a transaction: got %d events, want 1 (a transaction is the primary's)", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if err := s.ExecPrimary("CREATE TABLE replica_probe (id int)"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the replica not chosen past the bound with replay paused", func() bool {
		_, ok := db.ReplicaAsOf()
		return !ok
	})
	if since := time.Since(paused); since < bound-500*time.Millisecond {
		t.Errorf("the replica was dropped %s after the pause, before the bound of %s", since, bound)
	}
	s.ResumeReplay(t)
	waitFor(t, "the replica chosen again once replay resumed", func() bool {
		asOf, ok := db.ReplicaAsOf()
		return ok && asOf.After(paused)
	})

	s.StopReplica(t)
	waitFor(t, "the stopped replica not chosen", func() bool {
		_, ok := db.ReplicaAsOf()
		return !ok
	})
}

// waitFor waits, at most 30 s, until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}
