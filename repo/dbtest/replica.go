package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fugong/internal/pgbin"
)

// Streaming is a PostgreSQL primary of a test's own with a streaming replica of it, each in a
// temporary folder on a port of its own, and a database "fugong" on both (made on the
// primary, replayed on the replica). The test may stop the replica and pause its replay,
// which it must never do to a shared server.
type Streaming struct {
	bin              string // the folder with initdb, pg_ctl, pg_basebackup
	dir              string
	cred             *syscall.Credential // nil: run as ourselves; as root, PostgreSQL's tools refuse to
	primary, replica int                 // ports
}

// ReplicaPortsEnv may name a range of ports the servers take, e.g. 18500-18599 (on a machine
// whose ports are shared out); without it the system picks free ones.
const ReplicaPortsEnv = "FUGONG_TEST_REPLICA_PORTS"

// NewStreaming makes and starts a primary and its replica, and waits until the replica
// streams; it takes about 5 to 20 s. It skips the test when PostgreSQL's server programs are
// not installed (CI installs them), and removes both servers when the test ends.
func NewStreaming(t testing.TB) *Streaming {
	t.Helper()
	bin, err := pgbin.Dir("initdb", "pg_ctl", "pg_basebackup")
	if err != nil {
		t.Skipf("no streaming replica: %v", err)
	}
	dir, err := os.MkdirTemp("", "fugong-replica-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Streaming{bin: bin, dir: dir}
	t.Cleanup(s.remove)
	if s.cred, err = pgbin.User(dir); err != nil {
		t.Fatal(err)
	}
	ports, err := freePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	s.primary, s.replica = ports[0], ports[1]
	ctx := context.Background()
	steps := []func() error{
		func() error {
			return s.run(ctx, "initdb", "-D", s.data("primary"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
		},
		func() error { return s.start(ctx, "primary", s.primary) },
		func() error {
			return s.run(ctx, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(s.primary), "-U", "postgres",
				"-D", s.data("replica"), "-R", "-X", "stream", "-c", "fast", "--no-sync")
		},
		func() error { return s.start(ctx, "replica", s.replica) },
		func() error { return s.exec(ctx, s.PrimaryURL("postgres"), "CREATE DATABASE fugong") },
		func() error { return s.waitStreaming(ctx) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("streaming replica: %v", err)
		}
	}
	return s
}

// PrimaryURL is a database of the primary.
func (s *Streaming) PrimaryURL(db string) string { return s.url(s.primary, db) }

// ReplicaURL is a database of the replica.
func (s *Streaming) ReplicaURL(db string) string { return s.url(s.replica, db) }

func (s *Streaming) url(port int, db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, db)
}

// PauseReplay stops the replica applying the WAL it receives (pg_wal_replay_pause): what the
// primary commits from then on is not on the replica until ResumeReplay.
func (s *Streaming) PauseReplay(t testing.TB) {
	t.Helper()
	if err := s.exec(context.Background(), s.ReplicaURL("fugong"), "SELECT pg_wal_replay_pause()"); err != nil {
		t.Fatalf("pause replay: %v", err)
	}
}

// ResumeReplay lets the replica apply the WAL again.
func (s *Streaming) ResumeReplay(t testing.TB) {
	t.Helper()
	if err := s.exec(context.Background(), s.ReplicaURL("fugong"), "SELECT pg_wal_replay_resume()"); err != nil {
		t.Fatalf("resume replay: %v", err)
	}
}

// ExecPrimary runs a statement on the primary's database fugong.
func (s *Streaming) ExecPrimary(statement string) error {
	return s.exec(context.Background(), s.PrimaryURL("fugong"), statement)
}

// StopReplica stops the replica at once, as a crash would.
func (s *Streaming) StopReplica(t testing.TB) {
	t.Helper()
	if err := s.run(context.Background(), "pg_ctl", "-D", s.data("replica"), "-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
		t.Fatalf("stop replica: %v", err)
	}
}

// CaughtUp waits until the replica has replayed everything the primary has written, at most
// 30 s, and fails the test if it does not.
func (s *Streaming) CaughtUp(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	var target string
	if err := s.query(ctx, s.PrimaryURL("fugong"), "SELECT pg_current_wal_insert_lsn()::text", &target); err != nil {
		t.Fatalf("primary's position: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var behind bool
		err := s.query(ctx, s.ReplicaURL("fugong"), "SELECT pg_last_wal_replay_lsn() < '"+target+"'::pg_lsn", &behind)
		if err == nil && !behind {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not replay the primary's WAL up to %s within 30 s (last error: %v)", target, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

// waitStreaming waits until the primary has a replica streaming from it, at most 30 s.
func (s *Streaming) waitStreaming(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		err := s.query(ctx, s.PrimaryURL("postgres"), "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", &n)
		if err == nil && n == 1 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no replica streaming within 30 s (last error: %v)", err)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

func (s *Streaming) data(name string) string { return filepath.Join(s.dir, name) }

// start starts one server and waits until it accepts connections; its socket goes in the
// folder, not in /var/run/postgresql, which belongs to the machine's server.
func (s *Streaming) start(ctx context.Context, name string, port int) error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=50 -c shared_buffers=16MB "+
		"-c fsync=off -c full_page_writes=off -c max_standby_streaming_delay=-1", port, s.dir)
	return s.run(ctx, "pg_ctl", "-D", s.data(name), "-l", filepath.Join(s.dir, name+".log"), "-o", opts, "-w", "-t", "60", "start")
}

// remove stops both servers if they run and deletes their folder.
func (s *Streaming) remove() {
	for _, name := range []string{"replica", "primary"} {
		if _, err := os.Stat(s.data(name)); err == nil {
			_ = s.run(context.Background(), "pg_ctl", "-D", s.data(name), "-m", "immediate", "-w", "stop")
		}
	}
	os.RemoveAll(s.dir)
}

// run runs one of PostgreSQL's programs, as the postgres user when we are root.
func (s *Streaming) run(ctx context.Context, program string, args ...string) error {
	return pgbin.Run(ctx, s.bin, s.dir, s.cred, program, args...)
}

func (s *Streaming) exec(ctx context.Context, url, statement string) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, statement)
	return err
}

func (s *Streaming) query(ctx context.Context, url, q string, dest any) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return db.QueryRowContext(ctx, q).Scan(dest)
}

// freePorts finds n ports free on 127.0.0.1: in ReplicaPortsEnv's range when it is set, else
// as the system picks them.
func freePorts(n int) ([]int, error) {
	lo, hi := 0, 0
	if r := os.Getenv(ReplicaPortsEnv); r != "" {
		a, b, _ := strings.Cut(r, "-")
		lo, _ = strconv.Atoi(a)
		hi, _ = strconv.Atoi(b)
		if lo <= 0 || hi < lo {
			return nil, fmt.Errorf("%s: want a range like 18500-18599, got %q", ReplicaPortsEnv, r)
		}
	}
	var out []int
	for p := lo; len(out) < n; p++ {
		if lo > 0 && p > hi {
			return nil, fmt.Errorf("%s: fewer than %d ports free in %s", ReplicaPortsEnv, n, os.Getenv(ReplicaPortsEnv))
		}
		try := p
		if lo == 0 {
			try = 0 // the system's choice
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(try))
		if err != nil {
			continue
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !slices.Contains(out, port) {
			out = append(out, port)
		}
	}
	return out, nil
}
