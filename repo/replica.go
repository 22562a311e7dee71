package repo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"fugong/domain"
)

// A read replica (FUGONG_DATABASE_READ_URL) takes the reads that may be a few seconds old —
// the dashboard, the reports, the lists — off the primary. The API chooses per request
// (DB.ReadReplica) and says so in the context; conn then reads from the replica unless the
// context holds a transaction, which is always the primary's. Store code does not fork.
//
// Why not GORM's dbresolver plugin: it routes by statement (every SELECT outside a
// transaction to a replica), which is the wrong unit here: a writer must read its own writes,
// a read must never fail because the replica did, and only routes whose pages can say "as
// of" may read stale data. All three are per request, so the choice is a context value that
// conn looks at, a dozen lines, with nothing for dbresolver to add.
//
// How far behind the replica is, is measured the way the primary sees it, not by
// pg_last_xact_replay_timestamp() (the time of the last transaction replayed, which stops
// moving while the primary is idle and would call an up-to-date replica stale). Each check
// notes the primary's current WAL position with the time it was read, then the replica's
// replayed position; the replica holds everything the primary had committed at the latest
// noted time whose position it has replayed. That time is the replica's as-of: nothing to
// write to (no heartbeat table, no migration), and an idle primary gives an as-of of the last
// check.

// ReplicaOptions tune the read replica.
type ReplicaOptions struct {
	MaxConns int           // the replica's pool
	Bound    time.Duration // a replica further behind than this is not read (default 10 s)
	Every    time.Duration // how often its lag is measured (default 1 s)
}

// replica is the read replica and what the last checks found.
type replica struct {
	gorm  *gorm.DB
	opts  ReplicaOptions
	log   *slog.Logger
	stop  context.CancelFunc
	done  chan struct{}
	mu    sync.Mutex
	marks []walMark // the primary's positions, oldest first, not yet known replayed
	asOf  time.Time // the replica holds what the primary committed before this; zero: do not read it
	state string    // what the last check found, for the log when it changes
	// The reads answered from the primary after the replica failed them, by reason (/metrics).
	conflicts, failures atomic.Int64
}

// walMark is the primary's current WAL position at a time.
type walMark struct {
	at  time.Time
	lsn int64
}

type replicaKey struct{}

// ReadReplica chooses the replica for the reads made with the context it returns, when there
// is one and it is within the bound; it returns the time the replica's data are as of (it
// holds everything committed before it), and false with ctx unchanged when the reads go to
// the primary. The choice holds for the request: the replica only moves forward, so what it
// reads later is at least as fresh as the time returned.
func (db *DB) ReadReplica(ctx context.Context) (context.Context, time.Time, bool) {
	r := db.replica
	if r == nil {
		return ctx, time.Time{}, false
	}
	asOf, ok := r.current()
	if !ok {
		return ctx, time.Time{}, false
	}
	return context.WithValue(ctx, replicaKey{}, r), asOf, true
}

// ReplicaFailed is told that a read on the replica failed as a database away fails (err is
// domain.ErrUnavailable), before the read is made again on the primary. A replica that went
// away is not chosen again until a check finds it back; a read its replay cancelled (a
// recovery conflict, see replicaDialector) says nothing about the next one, so the replica
// stays chosen.
func (db *DB) ReplicaFailed(err error) {
	r := db.replica
	if r == nil {
		return
	}
	var conflict *replayConflictError
	if errors.As(err, &conflict) {
		r.conflicts.Add(1)
		return
	}
	r.failures.Add(1)
	r.set(time.Time{}, "failed a read")
}

// ReplicaFigures are what /metrics says of the read replica.
type ReplicaFigures struct {
	Lag       time.Duration // how old the replica's data were at its last check; Known false: unknown
	Known     bool          // the replica answered its last check as a standby
	Conflicts int64         // reads its replay cancelled, answered from the primary
	Failures  int64         // reads it failed as a database away fails, answered from the primary
}

// ReplicaFigures reports the read replica's figures, and false without a replica.
func (db *DB) ReplicaFigures() (ReplicaFigures, bool) {
	r := db.replica
	if r == nil {
		return ReplicaFigures{}, false
	}
	r.mu.Lock()
	asOf := r.asOf
	r.mu.Unlock()
	f := ReplicaFigures{Known: !asOf.IsZero(), Conflicts: r.conflicts.Load(), Failures: r.failures.Load()}
	if f.Known {
		f.Lag = time.Since(asOf)
	}
	return f, true
}

// ReplicaAsOf reports the time the replica's data are as of, and whether it is read at all
// (attached and within its bound).
func (db *DB) ReplicaAsOf() (time.Time, bool) {
	if db.replica == nil {
		return time.Time{}, false
	}
	return db.replica.current()
}

// replicaOf returns the replica chosen in ctx, or nil.
func replicaOf(ctx context.Context) *gorm.DB {
	if r, ok := ctx.Value(replicaKey{}).(*replica); ok {
		return r.gorm
	}
	return nil
}

// AttachReplica opens the read replica rawURL names (PostgreSQL only) and starts measuring its
// lag in the background; until the first check finds it within the bound, nothing reads from
// it. A replica that cannot be reached now is no error: the reads go to the primary until it
// can be.
func (db *DB) AttachReplica(ctx context.Context, rawURL string, opts ReplicaOptions, log *slog.Logger) error {
	if db.Dialect != Postgres {
		return errors.New("a read replica needs PostgreSQL")
	}
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return err
	}
	if dialect != Postgres {
		return errors.New("a read replica must be a postgres:// url")
	}
	if opts.Bound <= 0 {
		opts.Bound = 10 * time.Second
	}
	if opts.Every <= 0 {
		opts.Every = time.Second
	}
	cfg := gormConfig(log)
	cfg.DisableAutomaticPing = true // the replica may be away at start; the checks say when it is back
	g, err := gorm.Open(replicaDialector{pgDialector{postgres.Open(withSessionDefaults(dsn)).(*postgres.Dialector)}}, cfg)
	if err == nil {
		err = g.Callback().Row().After("gorm:row").Register("fugong:unavailable", translateReplica)
	}
	if err == nil {
		err = writesToPrimary(g, db.gorm.ConnPool)
	}
	if err != nil {
		return fmt.Errorf("open read replica: %w", err)
	}
	if opts.MaxConns > 0 {
		pool, _ := g.DB()
		pool.SetMaxOpenConns(opts.MaxConns)
		pool.SetMaxIdleConns(opts.MaxConns)
		pool.SetConnMaxIdleTime(5 * time.Minute)
	}
	run, stop := context.WithCancel(context.WithoutCancel(ctx))
	r := &replica{gorm: g, opts: opts, log: log, stop: stop, done: make(chan struct{}), state: "not checked"}
	db.replica = r
	r.check(run, db.gorm)
	go r.watch(run, db.gorm)
	db.onClose(func() {
		stop()
		<-r.done
		if pool, err := g.DB(); err == nil {
			pool.Close()
		}
	})
	return nil
}

// replicaDialector is the replica's dialector. A standby cancels a read whose rows its replay
// must remove, or whose lock its replay must take, once the read has held replay up for
// max_standby_streaming_delay (30 s by default): a long report on the replica of a busy
// primary. Such a read was not wrong, and its data are on the primary: its error becomes a
// replayConflictError, which is domain.ErrUnavailable, so the API reads again from the
// primary (api.Reads) instead of answering 500.
type replicaDialector struct{ pgDialector }

func (d replicaDialector) Translate(err error) error {
	if replayConflict(err) {
		return &unavailableError{cause: &replayConflictError{cause: err}}
	}
	return d.pgDialector.Translate(err)
}

// translateReplica translates the error of a row query on the replica as its dialector does.
func translateReplica(db *gorm.DB) {
	if db.Error != nil && !errors.Is(db.Error, domain.ErrUnavailable) && replayConflict(db.Error) {
		db.Error = &unavailableError{cause: &replayConflictError{cause: db.Error}}
		return
	}
	translateUnavailable(db)
}

// replayConflictError is a read the replica's replay cancelled.
type replayConflictError struct{ cause error }

func (e *replayConflictError) Error() string {
	return "cancelled by the replica's replay: " + e.cause.Error()
}
func (e *replayConflictError) Unwrap() error { return e.cause }

// replayConflict reports whether err is a standby's recovery conflict: PostgreSQL cancels the
// statement, or ends the session, with serialization_failure (snapshot, lock, buffer pin and
// tablespace conflicts) or deadlock_detected (a deadlock with the replay). A read on a
// standby takes no serializable snapshot and no lock a session of its own could deadlock on,
// so there these codes mean nothing else.
func replayConflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// writesToPrimary sends the statements that write, made with the replica's GORM, to the
// primary's pool: a request that reads from the replica may still write (an audit event of
// what it read), and a standby refuses every write. The same switch dbresolver makes.
func writesToPrimary(g *gorm.DB, primary gorm.ConnPool) error {
	toPrimary := func(tx *gorm.DB) { tx.Statement.ConnPool = primary }
	cb := g.Callback()
	return errors.Join(
		cb.Create().Before("*").Register("fugong:primary", toPrimary),
		cb.Update().Before("*").Register("fugong:primary", toPrimary),
		cb.Delete().Before("*").Register("fugong:primary", toPrimary),
		cb.Raw().Before("*").Register("fugong:primary", toPrimary),
	)
}

// readPool is the pool a read with ctx goes to through pgx: the replica's when the request
// chose it, else the primary's.
func (db *DB) readPool(ctx context.Context) (*sql.DB, error) {
	if r := replicaOf(ctx); r != nil && !inTx(ctx) {
		return r.DB()
	}
	return db.gorm.DB()
}

// current is the replica's as-of while it is within the bound.
func (r *replica) current() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.asOf.IsZero() || time.Since(r.asOf) >= r.opts.Bound {
		return time.Time{}, false
	}
	return r.asOf, true
}

// watch checks the replica's lag every opts.Every until ctx ends.
func (r *replica) watch(ctx context.Context, primary *gorm.DB) {
	defer close(r.done)
	t := time.NewTicker(r.opts.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.check(ctx, primary)
		}
	}
}

// checkTimeout bounds one check, so that a replica that hangs is found within a few seconds.
const checkTimeout = 2 * time.Second

// check notes the primary's WAL position, reads the replica's replayed one and moves the
// as-of to the latest noted time the replica has replayed. A replica that does not answer,
// or is not a standby, is not read until a later check finds it well.
func (r *replica) check(ctx context.Context, primary *gorm.DB) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	at := time.Now()
	var lsn int64
	if err := primary.WithContext(ctx).Raw(`SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint`).Scan(&lsn).Error; err != nil {
		// The lag cannot be measured: the as-of stays, and ages out of the bound.
		r.note("primary unreachable")
		return
	}
	var st struct {
		Standby bool
		Replay  *int64
	}
	err := r.gorm.WithContext(ctx).Raw(`SELECT pg_is_in_recovery() AS standby, (pg_last_wal_replay_lsn() - '0/0')::bigint AS replay`).Scan(&st).Error
	switch {
	case err != nil:
		r.set(time.Time{}, "unreachable")
		return
	case !st.Standby || st.Replay == nil:
		// A promoted replica (or a URL naming a primary) holds data of its own, not ours.
		r.set(time.Time{}, "not a standby")
		return
	}
	r.mu.Lock()
	r.marks = append(r.marks, walMark{at, lsn})
	var asOf time.Time
	kept := r.marks[:0]
	for _, m := range r.marks {
		switch {
		case m.lsn <= *st.Replay:
			asOf = m.at
		case time.Since(m.at) < 2*r.opts.Bound:
			kept = append(kept, m) // not replayed yet; past twice the bound it no longer matters
		}
	}
	r.marks = kept
	if asOf.IsZero() {
		asOf = r.asOf // no newer mark replayed: the replica is where the last check found it
	}
	r.mu.Unlock()
	state := "streaming"
	if time.Since(asOf) >= r.opts.Bound {
		state = "behind"
	}
	r.set(asOf, state)
}

// set records a check's finding, logging when the state changes.
func (r *replica) set(asOf time.Time, state string) {
	r.mu.Lock()
	r.asOf = asOf
	if asOf.IsZero() {
		r.marks = nil
	}
	r.mu.Unlock()
	r.note(state)
}

// note logs the replica's state when it changes: reads moving to the primary and back.
func (r *replica) note(state string) {
	r.mu.Lock()
	changed := state != r.state
	r.state = state
	r.mu.Unlock()
	if !changed || r.log == nil {
		return
	}
	level := slog.LevelWarn
	if state == "streaming" {
		level = slog.LevelInfo
	}
	r.log.Log(context.Background(), level, "read replica", slog.String("state", state))
}
