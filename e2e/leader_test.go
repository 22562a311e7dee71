package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fugong/repo/dbtest"
)

// TestPeriodicWorkOnceThreeProcesses runs three servers on one PostgreSQL database, as the
// cluster does, and checks that one at a time does the periodic work (the sweep and the
// statistics snapshots, internal/leader): exactly one session holds the leader lock; when
// the leader's session dies (PostgreSQL terminates it, as a failover or a dead network would)
// another process leads within seconds; when the leader process stops, another takes over.
func TestPeriodicWorkOnceThreeProcesses(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("three processes on one database need PostgreSQL: %s is not set", dbtest.PostgresURLEnv)
	}
	dbURL := dbtest.EmptyPostgres(t)
	dir := t.TempDir() // one data directory: the processes share the secrets the first made
	servers := make([]*server, 3)
	for i := range servers {
		servers[i] = startServer(t, map[string]string{"FUGONG_DATABASE_URL": dbURL, "FUGONG_DATA_DIR": dir})
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holders := func() []int {
		rows, err := db.Query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids = append(pids, pid)
		}
		return pids
	}
	// claims is how many times each server took the lead, from its log.
	claims := func() []int {
		n := make([]int, len(servers))
		for i, s := range servers {
			n[i] = strings.Count(s.out.String(), "leader: this process does the periodic work")
		}
		return n
	}
	state := func() string {
		return fmt.Sprintf("lock held by sessions %v; leads taken per server %v", holders(), claims())
	}
	one := func() bool { return len(holders()) == 1 }

	waitUntil(t, "one session to hold the leader lock", 30*time.Second, one, state)
	first := holders()[0]
	leaderOf := func(before []int) int {
		now := claims()
		for i := range now {
			if now[i] > before[i] {
				return i
			}
		}
		return -1
	}
	lead := leaderOf(make([]int, len(servers)))
	if lead < 0 || sum(claims()) != 1 {
		t.Fatalf("after start: %s, want one server to have taken the lead once", state())
	}

	// The leader's session dies: another session (maybe of the same process, reconnecting)
	// holds the lock within two retries, and never two at once.
	before := claims()
	if _, err := db.Exec("SELECT pg_terminate_backend($1)", first); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "another session to hold the lock after the leader's was terminated", 30*time.Second, func() bool {
		h := holders()
		if len(h) > 1 {
			t.Fatalf("two sessions hold the leader lock: %s", state())
		}
		return len(h) == 1 && h[0] != first
	}, state)
	if sum(claims()) != sum(before)+1 {
		t.Fatalf("after the session died: %s, want one more lead taken", state())
	}
	lead = leaderOf(before)

	// The leading process stops: one of the other two takes over.
	before = claims()
	servers[lead].stop()
	waitUntil(t, "one of the other processes to lead after the leader stopped", 30*time.Second, func() bool {
		return one() && leaderOf(before) >= 0 && leaderOf(before) != lead
	}, state)
	if sum(claims()) != sum(before)+1 {
		t.Fatalf("after the leader stopped: %s, want exactly one more lead taken", state())
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
