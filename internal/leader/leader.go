// Package leader elects one process of many on the same PostgreSQL database to do the
// periodic work (the sweep of missed check-ins, the daily statistics' snapshots) with a
// session advisory lock held on a connection of its own: the lock lives exactly as long as
// that session, so when the leader dies, or its connection does (a failover moves the
// database), PostgreSQL releases it and another process takes it at its next try.
//
// The work it guards is already safe to do twice (alerts and snapshots have unique keys);
// the lock saves doing it N times over, which for a township of 50,000 workers is 200,000
// refused inserts per process at each cut-off. So a moment with two leaders (the old one's
// connection not yet seen dead) costs only that waste, never a wrong figure.
package leader

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Key is the advisory lock of Fugong's periodic work. Advisory locks are per database, so
// any other use of this number on the same database would contend with it: there is none.
const Key int64 = 0x66756730_70657231 // "fug0per1"

// timeout bounds each connection attempt and liveness check, so that a dead database (or a
// dead proxy in front of it) makes Leads answer false soon rather than hang the loop.
const timeout = 5 * time.Second

// Lock is one process's candidacy. The zero value is not usable: set DSN and Log.
type Lock struct {
	DSN string // the database, as the process's pool is given it
	Key int64  // the advisory lock; Key when zero
	Log *slog.Logger

	mu   sync.Mutex
	conn *pgx.Conn // the session holding the lock; nil while not leading
}

// Leads reports whether this process leads now. A leader checks that its session still
// answers; one that does not (the database restarted, failed over, or killed the session)
// has lost the lock with it. A follower tries to take the lock, without waiting for it.
func (l *Lock) Leads(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		pctx, cancel := context.WithTimeout(ctx, timeout)
		err := l.conn.Ping(pctx)
		cancel()
		if err == nil {
			return true
		}
		l.drop()
		l.Log.Warn("leader: lost the lock with its connection", slog.String("error", err.Error()))
	}
	return l.try(ctx)
}

// try connects and takes the lock if nobody holds it.
func (l *Lock) try(ctx context.Context) bool {
	cfg, err := pgx.ParseConfig(l.DSN)
	if err != nil {
		return false
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = timeout
	}
	cctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return false
	}
	key := l.Key
	if key == 0 {
		key = Key
	}
	var got bool
	if err := conn.QueryRow(cctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil || !got {
		_ = conn.Close(context.Background())
		return false
	}
	l.conn = conn
	l.Log.Info("leader: this process does the periodic work")
	return true
}

func (l *Lock) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_ = l.conn.Close(ctx)
	l.conn = nil
}

// Close gives the lock up (closing its session), so that another process takes it at once.
func (l *Lock) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.drop()
	}
}
