// Package repo implements domain's store interfaces with GORM, on PostgreSQL in production and
// on SQLite (pure Go, no cgo) as the embedded default. Both engines run the same versioned SQL
// migrations, one folder per dialect, embedded in the binary; the rules of the daily
// statistics, triggers included, are one file per dialect in stats/ (stats_rules.go).
package repo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"fugong/domain"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The engines Fugong runs on.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open database with the transaction plumbing every store shares.
type DB struct {
	gorm    *gorm.DB
	Dialect Dialect
	// URL is the address Open was given, so that another connection to the same database (a
	// second process, in the tests) can be opened.
	URL string
	// writer is SQLite's one write transaction at a time, taken in Go: SQLite lets one writer
	// in and has the others poll its lock until the busy timeout, which under 16 concurrent
	// check-ins fell to a few dozen a second (measured: one connection did 1,584/s, sixteen
	// polling 21/s). Waiting here is a queue instead, and gives up when the request does.
	writer chan struct{}
	// closing are the stores' own goroutines to stop when the database closes (the check-ins'
	// group commit).
	mu      sync.Mutex
	closing []func()
	// replica takes the reads a request chose it for (ReadReplica); nil without one.
	replica *replica
}

var _ domain.TxRunner = (*DB)(nil)

// ParseURL splits a database URL into its dialect and the DSN its driver takes:
// postgres://… or postgresql://… as they are; sqlite:PATH or sqlite://PATH for a file.
func ParseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", "", fmt.Errorf("database url: %w", err)
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("database url: sqlite: needs a file path, e.g. sqlite:data/fugong.db")
		}
		return SQLite, path, nil
	}
	return "", "", errors.New("database url: must start with postgres://, postgresql:// or sqlite:")
}

// slowQuery is how long a statement may take before it is logged.
const slowQuery = 500 * time.Millisecond

// quietLogger passes to GORM's logger only the statements it will log: failed and slow ones.
// GORM's slog logger renders every statement's SQL before deciding, which cost about a sixth
// of the CPU of a bulk insert (measured by the import benchmark's profile).
type quietLogger struct{ logger.Interface }

func (l quietLogger) LogMode(level logger.LogLevel) logger.Interface {
	return quietLogger{l.Interface.LogMode(level)}
}

// Trace logs failed and slow statements, but not a database that is away: every statement
// would say so, and the caller reports it once (the API with the request, the sweep with its run).
func (l quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	failed := err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, domain.ErrUnavailable)
	if failed || time.Since(begin) > slowQuery {
		l.Interface.Trace(ctx, begin, fc, err)
	}
}

// ParamsFilter passes on the wrapped logger's: GORM asks the logger it holds whether to write
// a statement's values into the SQL it logs, and without this the wrapper hid the slog
// logger's answer (ParameterizedQueries: no values), so a failed insert of a worker logged
// their name, phone and sealed ID number. Found by TestNoPersonalDataInLogs.
func (l quietLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := l.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, nil
}

var _ gorm.ParamsFilter = quietLogger{}

// Open connects to the database a URL names. For SQLite it creates the file's folder.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*DB, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg := gormConfig(log)
	var g *gorm.DB
	switch dialect {
	case Postgres:
		g, err = gorm.Open(pgDialector{postgres.Open(withSessionDefaults(dsn)).(*postgres.Dialector)}, cfg)
		if err == nil {
			err = g.Callback().Row().After("gorm:row").Register("fugong:unavailable", translateUnavailable)
		}
	case SQLite:
		if dir := filepath.Dir(dsn); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("open sqlite: %w", err)
			}
		}
		g, err = gorm.Open(sqlite.Open(sqliteDSN(dsn)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	db := &DB{gorm: g, Dialect: dialect, URL: rawURL}
	if dialect == SQLite {
		db.writer = make(chan struct{}, 1)
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// gormConfig is GORM's configuration for a pool of ours, the primary's or the replica's.
func gormConfig(log *slog.Logger) *gorm.Config {
	return &gorm.Config{
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
		Logger: quietLogger{logger.NewSlogLogger(log, logger.Config{
			SlowThreshold: slowQuery, LogLevel: logger.Warn,
			IgnoreRecordNotFoundError: true, ParameterizedQueries: true, // never log personal data
		})},
	}
}

// sqliteDSN adds the pragmas Fugong relies on: foreign keys enforced, WAL so readers do not
// block the writer, a busy timeout instead of immediate SQLITE_BUSY errors, and IMMEDIATE
// transactions so that two writers queue up instead of deadlocking on a lock upgrade.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// LimitPool caps the open connections. Without a cap a burst of requests opens one each,
// until PostgreSQL refuses more ("too many clients") for every process on the server; with
// one, requests queue for a connection, and the database works at the concurrency it does
// best with (a few per core).
func (db *DB) LimitPool(max int) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	sqlDB.SetMaxOpenConns(max)
	sqlDB.SetMaxIdleConns(max)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.Dialect, err)
	}
	return nil
}

// Pool returns the connection pool under GORM: its statistics feed the metrics.
func (db *DB) Pool() (*sql.DB, error) { return db.gorm.DB() }

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	db.mu.Lock()
	closing := db.closing
	db.closing = nil
	db.mu.Unlock()
	for _, stop := range closing {
		stop()
	}
	return sqlDB.Close()
}

// onClose has stop called when the database closes, before its pool.
func (db *DB) onClose(stop func()) {
	db.mu.Lock()
	db.closing = append(db.closing, stop)
	db.mu.Unlock()
}

type txKey struct{}

// inTx reports whether ctx carries a transaction of InTx's.
func inTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// withPgx runs fn on a connection of pool through pgx itself, for what database/sql cannot do
// or does slowly: pipelining, and reading many rows into pgx's own types.
func withPgx(ctx context.Context, pool *sql.DB, fn func(*pgx.Conn) error) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error { return fn(driverConn.(*stdlib.Conn).Conn()) })
}

// InTx runs fn in a transaction kept in the context; stores called with that context use it,
// and a nested InTx joins it.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if inTx(ctx) {
		return fn(ctx)
	}
	if db.writer != nil {
		select {
		case db.writer <- struct{}{}:
			defer func() { <-db.writer }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// OneWriter says whether the database writes one transaction at a time (SQLite), so that a
// transaction held open holds up every other write; on PostgreSQL it holds up only the rows it
// locked (domain's roster import reads its file inside the transaction there).
func (db *DB) OneWriter() bool { return db.writer != nil }

// exclusive runs a write that is not in a transaction holding SQLite's writer gate too, so
// that it queues behind the transactions instead of polling SQLite's lock beside them (a
// check-in is one such statement). In a transaction, which holds the gate, and on
// PostgreSQL, it just runs fn.
func (db *DB) exclusive(ctx context.Context, fn func() error) error {
	if db.writer == nil || inTx(ctx) {
		return fn()
	}
	select {
	case db.writer <- struct{}{}:
		defer func() { <-db.writer }()
	case <-ctx.Done():
		return ctx.Err()
	}
	return fn()
}

// conn returns the transaction in ctx, or the replica the request chose (ReadReplica), or
// the primary's pool; every store method starts with it. A transaction is always the
// primary's: a write, and the reads that decide it, must see the newest data.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	if r := replicaOf(ctx); r != nil {
		return r.WithContext(ctx)
	}
	return db.gorm.WithContext(ctx)
}

// translateDriver translates an error of a statement sent to the connection under GORM
// (ConnPool) as GORM would have: a duplicate key to gorm.ErrDuplicatedKey, a database that went
// away to domain.ErrUnavailable. translate then maps those to domain kinds.
func translateDriver(db *gorm.DB, err error) error {
	if t, ok := db.Dialector.(gorm.ErrorTranslator); ok && err != nil {
		return t.Translate(err)
	}
	return err
}

// translate maps GORM's errors to domain kinds: a missing row to ErrNotFound (as what), a
// duplicate key or a foreign key still in use to ErrConflict.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return domain.NotFound(what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", what, domain.ErrConflict)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%s still in use: %w", what, domain.ErrConflict)
	}
	return err
}

// like makes a LIKE pattern that matches s anywhere, with LIKE's wildcards in s escaped.
func like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// nullDate stores a domain date in a DATE column; the zero date is NULL.
func nullDate(d domain.Date) sql.NullTime {
	return sql.NullTime{Time: d.Time(), Valid: !d.IsZero()}
}

// dateOf reads a DATE column back; NULL is the zero date.
func dateOf(t sql.NullTime) domain.Date {
	if !t.Valid {
		return domain.Date{}
	}
	return domain.DateFromTime(t.Time)
}

// page counts the rows q selects and reads one page of them in order, as rows of type R; every
// store's List ends with it.
func page[R any](q *gorm.DB, order string, p domain.Page) ([]R, int, error) {
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []R
	if err := q.Order(order).Limit(p.Limit).Offset(p.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	return rows, int(total), nil
}

// convert maps rows to domain values.
func convert[R, D any](rows []R, conv func(R) D) []D {
	out := make([]D, 0, len(rows))
	for _, r := range rows {
		out = append(out, conv(r))
	}
	return out
}
