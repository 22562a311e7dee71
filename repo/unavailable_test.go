package repo_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestDatabaseAway puts a TCP proxy between the repo and the test PostgreSQL, then takes the
// database away in the two ways it goes: the port refuses connections (PostgreSQL stopped), or
// it accepts and never answers (hung, or a dead proxy in front of it). Either way every kind of
// statement (a query, a raw scan, a transaction) must fail with domain.ErrUnavailable, which
// the API answers with 503, rather than a bare driver error (500) or a wait without end; and
// once the database is back the same DB works again by itself.
func TestDatabaseAway(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("needs PostgreSQL: %s is not set", dbtest.PostgresURLEnv)
	}
	target, err := url.Parse(dbtest.EmptyPostgres(t))
	must(t, err)
	p := startProxy(t, target.Host)
	viaProxy := *target
	viaProxy.Host = p.addr
	ctx := context.Background()
	db, err := repo.Open(ctx, viaProxy.String(), dbtest.Quiet)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Migrate(ctx)
	must(t, err)
	must(t, db.LimitPool(2))

	users, stats := &repo.UserStore{DB: db}, &repo.StatsStore{DB: db}
	statements := map[string]func() error{
		"query": func() error {
			_, _, err := users.List(ctx, domain.UserFilter{Page: domain.Page{Limit: 5}})
			return err
		},
		"raw scan": func() error {
			_, err := stats.Origins(ctx, domain.StatsFilter{TownshipID: 1}, domain.NewDate(2026, 2, 10))
			return err
		},
		"transaction": func() error {
			return db.InTx(ctx, func(ctx context.Context) error {
				return users.Create(ctx, &domain.User{Username: "u" + time.Now().Format("150405.000000"), Name: "u",
					Role: domain.RolePlatformAdmin, Active: true, PasswordHash: "x"})
			})
		},
	}
	for name, run := range statements {
		if err := run(); err != nil {
			t.Fatalf("%s through the proxy: %v", name, err)
		}
	}

	for _, mode := range []string{"refusing", "silent"} {
		t.Run(mode, func(t *testing.T) {
			p.set(mode)
			for name, run := range statements {
				if err := finishes(t, run); !errors.Is(err, domain.ErrUnavailable) {
					t.Errorf("%s with the database %s: got %v, want domain.ErrUnavailable", name, mode, err)
				}
			}
			p.set("forwarding")
			// The pool may still hold connections that broke while the database was away: each
			// fails once and is dropped, so a few tries reach a fresh one.
			for name, run := range statements {
				var err error
				for range 4 {
					if err = run(); err == nil || !errors.Is(err, domain.ErrUnavailable) {
						break
					}
				}
				if err != nil {
					t.Errorf("%s after the database came back: %v", name, err)
				}
			}
		})
	}
}

// finishes runs fn and returns its error; a minute without one fails the test, as a
// statement that waits for a database that never answers would.
func finishes(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("no answer after a minute: the statement waits for the database without end")
		return nil
	}
}

// proxy forwards TCP connections to a target, or stands for a database that is away:
// "refusing" closes its port (connections are refused), "silent" accepts and never answers.
// Changing mode closes the connections it holds.
type proxy struct {
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	mode   string
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &proxy{addr: ln.Addr().String(), target: target, mode: "forwarding"}
	p.listen(ln)
	t.Cleanup(func() { p.set("refusing") })
	return p
}

func (p *proxy) listen(ln net.Listener) {
	p.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			forward := p.mode == "forwarding"
			p.mu.Unlock()
			if forward {
				go p.forward(c)
			}
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

func (p *proxy) set(mode string) {
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	old := p.ln
	p.mode = mode
	p.mu.Unlock()
	switch {
	case mode == "refusing" && old != nil:
		old.Close()
		p.ln = nil
	case mode != "refusing" && old == nil:
		ln, err := net.Listen("tcp", p.addr) // the same port: the DB's URL stays as it was
		if err != nil {
			panic(err)
		}
		p.listen(ln)
	}
}

// TestStandbyIsUnavailable writes on a server that takes no writes, as the new leader does for
// a moment while Patroni promotes it and HAProxy already sends to it (scripts/faults
// primarykill saw it): the write fails with domain.ErrUnavailable (503, try again shortly),
// not as a bug (500). A session with default_transaction_read_only gives PostgreSQL's same
// error (25006) as a standby's.
func TestStandbyIsUnavailable(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("needs PostgreSQL: %s is not set", dbtest.PostgresURLEnv)
	}
	u, err := url.Parse(dbtest.EmptyPostgres(t))
	must(t, err)
	ctx := context.Background()
	rw, err := repo.Open(ctx, u.String(), dbtest.Quiet)
	must(t, err)
	t.Cleanup(func() { rw.Close() })
	_, err = rw.Migrate(ctx)
	must(t, err)
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	ro, err := repo.Open(ctx, u.String(), dbtest.Quiet)
	must(t, err)
	t.Cleanup(func() { ro.Close() })
	err = (&repo.UserStore{DB: ro}).Create(ctx, &domain.User{Username: "standby", Name: "u",
		Role: domain.RolePlatformAdmin, Active: true, PasswordHash: "x"})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("a write on a read-only server: got %v, want domain.ErrUnavailable", err)
	}
}

// TestSessionDefaults: Fugong's PostgreSQL sessions plan without parallel workers unless the
// URL allows them (repo.serialPlans says why), given as a parameter or in options.
func TestSessionDefaults(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("needs PostgreSQL: %s is not set", dbtest.PostgresURLEnv)
	}
	base, err := url.Parse(dbtest.EmptyPostgres(t))
	must(t, err)
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		params   map[string]string
		parallel string
	}{
		{"none given", nil, "0"},
		{"a parameter", map[string]string{"max_parallel_workers_per_gather": "2"}, "2"},
		{"in options", map[string]string{"options": "-c max_parallel_workers_per_gather=3"}, "3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := *base
			q := u.Query()
			for k, v := range c.params {
				q.Set(k, v)
			}
			u.RawQuery = q.Encode()
			db, err := repo.Open(ctx, u.String(), dbtest.Quiet)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			pool, err := db.Pool()
			must(t, err)
			var got string
			must(t, pool.QueryRowContext(ctx, "SHOW max_parallel_workers_per_gather").Scan(&got))
			if got != c.parallel {
				t.Errorf("max_parallel_workers_per_gather = %s, want %s", got, c.parallel)
			}
		})
	}
}
