package hacluster

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"fugong/internal/pgbin"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx"
)

// upLimit bounds each wait of Up: generous, for a busy two-core machine.
const upLimit = 90 * time.Second

// Up starts the whole cluster in dir, in order, waiting for each piece to be healthy before
// the next needs it: etcd; the first Patroni member (it bootstraps and leads); the second
// (it clones the first and becomes the synchronous standby); HAProxy; the database; the
// Fugong processes one at a time (the first applies the migrations, and with demo seeds the
// demo township). log receives a line per step.
func Up(ctx context.Context, dir string, demo bool, log io.Writer) (*State, error) {
	if s, err := Load(dir); err == nil {
		for name := range s.Pids {
			if s.Alive(name) {
				return nil, fmt.Errorf("a cluster already runs from %s (%s is up): go run ./scripts/cluster down", dir, name)
			}
		}
	}
	// Only a folder of a former cluster (or an empty one) is cleared: -dir could name anything.
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, "state.json")); err != nil {
			return nil, fmt.Errorf("%s is not empty and holds no cluster (no state.json): choose another -dir", dir)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	secret := make([]byte, 32)
	_, _ = rand.Read(key)
	_, _ = rand.Read(secret)
	s := &State{Dir: dir, Bin: filepath.Join(dir, "fugong"), JWTSecret: hex.EncodeToString(secret),
		DataKey: base64.StdEncoding.EncodeToString(key), Pids: map[string]int{}}
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{"build the fugong binary", s.build},
		{"etcd on 127.0.0.1:18400", s.startEtcd},
		{"Patroni pg1 (bootstraps, leads)", func(ctx context.Context) error { return s.StartNode(ctx, Nodes[0].Name) }},
		{"Patroni pg2 (clones pg1, synchronous standby)", func(ctx context.Context) error { return s.StartNode(ctx, Nodes[1].Name) }},
		{"HAProxy", s.startHAProxy},
		{"database " + Database, s.createDatabase},
	}
	for i := range Apps {
		steps = append(steps, struct {
			what string
			do   func(context.Context) error
		}{fmt.Sprintf("Fugong %s on 127.0.0.1:%d", AppName(i), AppPort(i)), func(ctx context.Context) error {
			return s.StartApp(ctx, i, demo && i == 0)
		}})
	}
	for _, st := range steps {
		t0 := time.Now()
		if err := st.do(ctx); err != nil {
			return s, fmt.Errorf("%s: %w (logs in %s)", st.what, err, dir)
		}
		fmt.Fprintf(log, "✓ %s (%s)\n", st.what, time.Since(t0).Round(10*time.Millisecond))
	}
	if err := s.WaitHealthy(ctx, upLimit); err != nil {
		return s, err
	}
	return s, nil
}

func (s *State) build(ctx context.Context) error {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return fmt.Errorf("run it from the fugong module: go run ./scripts/cluster up")
	}
	b := exec.CommandContext(ctx, "go", "build", "-o", s.Bin, ".")
	b.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if out, err := b.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

func (s *State) startEtcd(ctx context.Context) error {
	client := fmt.Sprintf("http://127.0.0.1:%d", EtcdClientPort)
	peer := fmt.Sprintf("http://127.0.0.1:%d", EtcdPeerPort)
	err := s.spawn("etcd", nil, os.Environ(), "etcd", "--name", "fugong-etcd", "--data-dir", filepath.Join(s.Dir, "etcd"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "fugong-etcd="+peer, "--log-level", "warn")
	if err != nil {
		return err
	}
	return s.waitUntil(ctx, "etcd", "etcd's /health to say true", func() bool {
		code, body := get(client + "/health")
		return code == 200 && strings.Contains(body, `"true"`)
	})
}

// StartNode starts Patroni member name (again, after KillNode: it rejoins as a replica,
// rewinding its data if it had been the leader) and waits until it runs PostgreSQL in a role:
// the first member to start leads; a later one is a replica in streaming.
func (s *State) StartNode(ctx context.Context, name string) error {
	n, err := nodeNamed(name)
	if err != nil {
		return err
	}
	cred, uid, gid, err := postgresUser()
	if err != nil {
		return err
	}
	nodeDir := filepath.Join(s.Dir, n.Name)
	if err := os.MkdirAll(nodeDir, 0o700); err != nil {
		return err
	}
	bin, err := pgbin.Dir("postgres", "initdb", "pg_ctl", "pg_controldata", "pg_basebackup", "pg_rewind") // what Patroni runs
	if err != nil {
		return err
	}
	cfg := filepath.Join(nodeDir, "patroni.yml")
	if err := writeFile(cfg, patroniYAML(s.Dir, bin, n)); err != nil {
		return err
	}
	for _, p := range []string{nodeDir, cfg} {
		if err := os.Chown(p, uid, gid); err != nil {
			return err
		}
	}
	env := append(os.Environ(), "HOME="+nodeDir, "LC_ALL=C.UTF-8", "PATH=/usr/bin:/bin")
	if err := s.spawn(n.Name, cred, env, "/usr/bin/patroni", cfg); err != nil {
		return err
	}
	rest := fmt.Sprintf("http://127.0.0.1:%d", n.RESTPort)
	return s.waitUntil(ctx, n.Name, "Patroni's /primary or /replica to answer 200 (PostgreSQL running as leader or replica)", func() bool {
		code, _ := get(rest + "/health")
		if code != 200 {
			return false
		}
		if c, _ := get(rest + "/primary"); c == 200 {
			return true
		}
		c, _ := get(rest + "/replica") // 200: a replica running, not lagging
		return c == 200
	})
}

func (s *State) startHAProxy(ctx context.Context) error {
	cfg := filepath.Join(s.Dir, "haproxy.cfg")
	if err := writeFile(filepath.Join(s.Dir, "haproxy-503.http"), haproxy503); err != nil {
		return err
	}
	if err := writeFile(cfg, haproxyCfg(s.Dir)); err != nil {
		return err
	}
	if out, err := exec.Command("haproxy", "-c", "-f", cfg).CombinedOutput(); err != nil {
		return fmt.Errorf("haproxy -c: %v\n%s", err, out)
	}
	if err := s.spawn("haproxy", nil, os.Environ(), "haproxy", "-db", "-f", cfg); err != nil {
		return err
	}
	// HAProxy starts with every server up until its checks say otherwise: wait for them to
	// have put the write port on the leader alone.
	return s.waitUntil(ctx, "haproxy", "HAProxy's write port on the leader alone, and PostgreSQL answering through it", func() bool {
		return writeOnLeader() == "" && s.ping(ctx, WriteURL("postgres")) == nil
	})
}

// ping runs a query on a database, failing within a few seconds.
func (s *State) ping(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

func (s *State) createDatabase(ctx context.Context) error {
	db, err := sql.Open("pgx", WriteURL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+Database)
	return err
}

// StartApp starts Fugong process i (again) and waits until it answers /healthz; demo seeds
// the demo township (one process does it, before the others start).
func (s *State) StartApp(ctx context.Context, i int, demo bool) error {
	args := []string{"serve"}
	if demo {
		args = append(args, "--demo")
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, AppName(i)), 0o755); err != nil {
		return err
	}
	if err := s.spawn(AppName(i), nil, s.AppEnv(i), s.Bin, args...); err != nil {
		return err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", AppPort(i))
	return s.waitUntil(ctx, AppName(i), "its /readyz to answer 200", func() bool { c, _ := get(url); return c == 200 })
}

// waitUntil waits upLimit for cond, failing at once when process name ended.
func (s *State) waitUntil(ctx context.Context, name, what string, cond func() bool) error {
	deadline := time.Now().Add(upLimit)
	for !cond() {
		switch {
		case !s.Alive(name):
			return fmt.Errorf("%s ended while waiting for %s: see %s", name, what, filepath.Join(s.Dir, name+".log"))
		case time.Now().After(deadline):
			return fmt.Errorf("waited %s for %s", upLimit, what)
		case ctx.Err() != nil:
			return ctx.Err()
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

func nodeNamed(name string) (Node, error) {
	for _, n := range Nodes {
		if n.Name == name {
			return n, nil
		}
	}
	return Node{}, fmt.Errorf("no member %q (pg1, pg2)", name)
}

// KillNode kills member name as a machine's death would: Patroni and its PostgreSQL with
// SIGKILL, nothing flushed, no leader key released (the other member waits out the ttl).
func (s *State) KillNode(name string) error {
	n, err := nodeNamed(name)
	if err != nil {
		return err
	}
	pm := postmasterPid(filepath.Join(s.Dir, n.Name, "data"))
	if err := s.Signal(n.Name, syscall.SIGKILL); err != nil {
		return err
	}
	if pm > 0 {
		_ = syscall.Kill(pm, syscall.SIGKILL)
	}
	if !waitGone(s.Pids[n.Name], 10*time.Second) || (pm > 0 && !waitGone(pm, 10*time.Second)) {
		return fmt.Errorf("%s still runs 10 s after SIGKILL", name)
	}
	return nil
}
