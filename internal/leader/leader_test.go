package leader_test

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"fugong/internal/leader"
	"fugong/repo/dbtest"
)

// TestOneLeads takes the lock from two candidates on one database: one leads, the other not;
// the leader's session terminated (a failover, a dead network) loses it, and the next try of
// either takes it; a leader that closes hands it on at once.
func TestOneLeads(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("advisory locks need PostgreSQL: %s is not set", dbtest.PostgresURLEnv)
	}
	dsn := dbtest.EmptyPostgres(t)
	ctx := context.Background()
	a := &leader.Lock{DSN: dsn, Log: dbtest.Quiet}
	b := &leader.Lock{DSN: dsn, Log: dbtest.Quiet}
	defer a.Close()
	defer b.Close()
	if !a.Leads(ctx) {
		t.Fatal("the first candidate: got no lead, want it")
	}
	if b.Leads(ctx) {
		t.Fatal("the second candidate while the first leads: got the lead, want none")
	}
	if !a.Leads(ctx) {
		t.Fatal("the leader asked again: got no lead, want it still")
	}

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminating the leader's session: %d terminated, %v; want 1", n, err)
	}
	// pg_terminate_backend only signals: wait (bounded) until the session is gone with its lock.
	deadline := time.Now().Add(10 * time.Second)
	for held := 1; held > 0; {
		if err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&held); err != nil {
			t.Fatal(err)
		}
		if held > 0 && time.Now().After(deadline) {
			t.Fatal("the terminated session still held the lock after 10 s")
		}
	}
	if !b.Leads(ctx) {
		t.Fatal("the second candidate after the leader's session died: got no lead, want it")
	}
	if a.Leads(ctx) {
		t.Fatal("the former leader, its session dead: got the lead, want none (the other holds it)")
	}

	b.Close()
	if !a.Leads(ctx) {
		t.Fatal("after the leader closed: got no lead, want it")
	}
}
