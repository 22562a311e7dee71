package repo

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"fugong/domain"
)

// An error that means the database cannot be reached, or went away mid-statement, becomes
// domain.ErrUnavailable, which the API answers with 503 ("try again later") instead of 500:
// it tells a phone to retry and a load balancer that this is not a bug. It is translated in
// GORM, so that no store can forget it, in the two places errors pass: the dialector's
// Translate (GORM's TranslateError, for errors GORM adds) and a callback after the row query
// (which Raw(…).Scan and Rows use, and which sets its error without translating it).

// pgDialector is GORM's PostgreSQL dialector with that one more translation.
type pgDialector struct{ *postgres.Dialector }

func (d pgDialector) Translate(err error) error {
	if unavailable(err) {
		return &unavailableError{cause: err}
	}
	return d.Dialector.Translate(err)
}

// translateUnavailable translates the error of a row query the same way.
func translateUnavailable(db *gorm.DB) {
	if db.Error != nil && !errors.Is(db.Error, domain.ErrUnavailable) && unavailable(db.Error) {
		db.Error = &unavailableError{cause: db.Error}
	}
}

// unavailableError is domain.ErrUnavailable to errors.Is, and keeps the driver's words for
// the log.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string   { return "database unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error { return []error{domain.ErrUnavailable, e.cause} }

// unavailable reports whether err says the database is away rather than that the statement
// was wrong: no connection could be made (refused, the server starting up or shutting down,
// out of connection slots), or the one in use broke. These are the errors seen while
// PostgreSQL stopped and started under load (scripts/faults pgrestart). A connection that
// closed while its answer was awaited is ErrConnClosed, no longer SafeToRetry since pgx 5.13
// (the statement may have run, so database/sql must not repeat it): it is still the database
// gone away, and the 503 leaves the retry to the person, who can see whether it took.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			"53300", // too_many_connections
			"25006": // read_only_sql_transaction: a standby, mid-promotion or reached before a balancer saw it was not the leader
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection_exception and its kinds
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// connectTimeout bounds a new connection's wait when the URL does not: without one, a server
// that accepts the connection and never answers (hung, or a dead proxy in front of it) holds a
// request, and the pool slot it waits for, forever. pgx has no default.
const connectTimeout = "5"

// serialPlans is how many parallel workers one query of Fugong's may start unless the URL
// says (max_parallel_workers_per_gather, as a parameter of its own or in options): none.
// Fugong's reads are many at once and short. On a township's two-core server PostgreSQL's
// parallel plans for the daily report's reads of the township's alerts and check-ins started
// workers that fought the requests, and each other, for the same two cores: with them the
// report took 1.4 times as long (BENCHMARKS.md, daily.xlsx), and one count of open alerts
// 109 ms against 47 ms on its own. A database server with cores to spare (a province's) may
// allow them again in FUGONG_DATABASE_URL, e.g. max_parallel_workers_per_gather=2.
const serialPlans = "0"

// withSessionDefaults adds to a PostgreSQL URL the session settings it does not set itself:
// connect_timeout, and max_parallel_workers_per_gather (serialPlans), which pgx sends in the
// startup message like any parameter it does not know (a PgBouncer in between refuses it
// unless told to ignore it: README, Configuration).
func withSessionDefaults(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", connectTimeout)
	}
	const parallel = "max_parallel_workers_per_gather"
	if !q.Has(parallel) && !strings.Contains(q.Get("options"), parallel) {
		q.Set(parallel, serialPlans)
	}
	// Spaces as %20: pgx reads a query's "+" as itself, and options' "-c name=value" has one
	// (Encode writes a "+" of the URL's own as %2B).
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String()
}
