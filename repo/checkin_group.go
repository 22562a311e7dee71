package repo

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"fugong/domain"
)

// Group commit of check-ins on PostgreSQL. The morning's check-ins arrive together, each one
// statement; sent one by one, each pays its own round trip and its own commit. Here the
// check-ins that wait at the same moment go to the database together, pipelined in one
// transaction (pgx's batch, one Sync), and every one of them is answered only after that
// transaction committed: "2xx only after commit" holds as before.
//
// Each statement stays a one-row upsert, so the daily statistics trigger keeps its one-row
// path (a multi-row statement takes its general path, which is what sank an earlier attempt,
// BENCHMARKS.md). Check-ins go to a lane by enterprise, and a lane commits one group at a
// time: two groups never hold the same enterprise's statistics row, so they neither wait on
// nor deadlock with each other.

// DefaultCheckinLanes is how many groups commit at once unless configured: half the cores, at
// least one. Measured on two cores running the server, PostgreSQL and the load together
// (BENCHMARKS.md): one lane did 0.80× the baseline, two 0.63×, four 0.55×, eight 0.50×. One
// lane keeps one database backend busy with long groups and leaves the other core to the
// requests; more lanes make shorter groups that cost more each.
func DefaultCheckinLanes() int { return max(1, runtime.NumCPU()/2) }

// checkinGroupMax bounds a group: a longer one would hold its enterprises' statistics rows
// (and make its first check-in wait) longer than the round trips it saves are worth.
const checkinGroupMax = 64

// upsertArgs are the values of one upsertCheckin.
type upsertArgs [14]any

// upserted is what upsertCheckin returns; id 0 when the worker is not on the roster.
type upserted struct {
	id                   int64
	location             string
	due                  bool
	createdAt, updatedAt time.Time
	inserted             bool // the statement inserted the row (it did not replace one)
	enterpriseStatus     sql.NullString
	shiftID              sql.NullInt64 // the worker's shift
}

// dest are where a scan of upsertCheckin's columns goes, in their order.
func (u *upserted) dest() []any {
	return []any{&u.id, &u.location, &u.due, &u.createdAt, &u.updatedAt, &u.inserted, &u.enterpriseStatus, &u.shiftID}
}

// pendingUpsert is one check-in waiting in a lane for its group to commit.
type pendingUpsert struct {
	ctx          context.Context
	enterpriseID int64
	workerID     int64
	args         upsertArgs
	done         chan upsertDone // buffered: the lane never waits for the caller
}

func newPendingUpsert(ctx context.Context, enterpriseID, workerID int64, args upsertArgs) *pendingUpsert {
	return &pendingUpsert{ctx: ctx, enterpriseID: enterpriseID, workerID: workerID, args: args, done: make(chan upsertDone, 1)}
}

// upsertDone is a check-in's outcome: its row, or why it has none.
type upsertDone struct {
	row upserted
	err error
}

// checkinGroups commits check-ins in groups; see above.
//
// Each lane has a connection of its own, outside the pool the requests share. Sharing it, the
// lane waited behind the requests: when load starts, hundreds of requests arrive together and
// each reads its worker first, all the pool's connections were theirs, and the lane that would
// answer them waited for one (the pool's 16 in use, 57 waits, the first groups' transactions
// 66–145 ms against 2–4 ms after), a backlog that took seconds to drain (BENCHMARKS.md, the
// check-in tail).
type checkinGroups struct {
	connect func(ctx context.Context) (*pgx.Conn, error)                 // a lane's own connection
	one     func(ctx context.Context, args upsertArgs) (upserted, error) // a check-in on its own
	lanes   []chan *pendingUpsert
	start   sync.Once
	stop    sync.Once
	quit    chan struct{}
	// observe is CheckinOptions.Observe; nil: nobody watches
	observe func(size int, took time.Duration)
}

func newCheckinGroups(connect func(context.Context) (*pgx.Conn, error), lanes int, one func(context.Context, upsertArgs) (upserted, error)) *checkinGroups {
	g := &checkinGroups{connect: connect, one: one, quit: make(chan struct{}), lanes: make([]chan *pendingUpsert, lanes)}
	for i := range g.lanes {
		g.lanes[i] = make(chan *pendingUpsert, checkinGroupMax)
	}
	return g
}

// upsert queues one check-in and waits until its group committed.
func (g *checkinGroups) upsert(ctx context.Context, enterpriseID, workerID int64, args upsertArgs) upsertDone {
	g.start.Do(func() {
		for _, lane := range g.lanes {
			go g.run(lane)
		}
	})
	p := newPendingUpsert(ctx, enterpriseID, workerID, args)
	select {
	case g.lanes[uint64(enterpriseID)%uint64(len(g.lanes))] <- p:
	case <-ctx.Done():
		return upsertDone{err: ctx.Err()}
	case <-g.quit:
		return upsertDone{err: errGroupsClosed}
	}
	select {
	case d := <-p.done:
		return d
	case <-ctx.Done():
		return upsertDone{err: ctx.Err()}
	case <-g.quit:
		return upsertDone{err: errGroupsClosed}
	}
}

var errGroupsClosed = fmt.Errorf("database closed: %w", domain.ErrUnavailable)

// close stops the lanes; check-ins still waiting get errGroupsClosed.
func (g *checkinGroups) close() { g.stop.Do(func() { close(g.quit) }) }

// run takes what waits in its lane, up to checkinGroupMax, and commits it as one group, on
// the lane's own connection.
func (g *checkinGroups) run(lane chan *pendingUpsert) {
	c := &laneConn{connect: g.connect}
	defer c.close()
	group := make([]*pendingUpsert, 0, checkinGroupMax)
	for {
		select {
		case p := <-lane:
			group = append(group[:0], p)
		case <-g.quit:
			return
		}
	gather:
		for len(group) < checkinGroupMax {
			select {
			case p := <-lane:
				group = append(group, p)
			default:
				break gather
			}
		}
		g.commit(c, group)
	}
}

// laneConn is a lane's connection, made when first needed and again after a group failed on
// it (the database went away, or the connection is in doubt).
type laneConn struct {
	connect func(ctx context.Context) (*pgx.Conn, error)
	conn    *pgx.Conn
}

func (c *laneConn) get(ctx context.Context) (*pgx.Conn, error) {
	if c.conn != nil && !c.conn.IsClosed() {
		return c.conn, nil
	}
	conn, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	c.conn = conn
	return conn, nil
}

func (c *laneConn) close() {
	if c.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.conn.Close(ctx)
		c.conn = nil
	}
}

// commit writes a group in one transaction and answers each check-in. If the group fails as a
// whole (nothing of it is kept then), each check-in is written again on its own, so that one
// bad check-in or a deadlock with another transaction fails only whom it concerns, with the
// error the single path gives.
func (g *checkinGroups) commit(c *laneConn, group []*pendingUpsert) {
	live := group[:0]
	for _, p := range group {
		if err := p.ctx.Err(); err != nil {
			p.done <- upsertDone{err: err} // the phone gave up before its group was sent
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	// Advisory locks on workers and row locks on the statistics, taken in one order.
	slices.SortFunc(live, func(a, b *pendingUpsert) int {
		return cmp.Or(cmp.Compare(a.enterpriseID, b.enterpriseID), cmp.Compare(a.workerID, b.workerID))
	})
	sent := time.Now()
	rows, err := g.send(c, live)
	if g.observe != nil {
		g.observe(len(live), time.Since(sent))
	}
	if err != nil {
		c.close()
		for _, p := range live {
			row, err := g.one(p.ctx, p.args)
			p.done <- upsertDone{row: row, err: err}
		}
		return
	}
	for i, p := range live {
		p.done <- upsertDone{row: rows[i]}
	}
}

// groupTimeout bounds one group's round trip; the group does not belong to any one request,
// whose cancelling would break the connection for all the others.
const groupTimeout = 30 * time.Second

// send pipelines the group's upserts in one implicit transaction and returns their rows once
// it committed (pgx reads up to the Sync's ReadyForQuery before Close returns).
func (g *checkinGroups) send(c *laneConn, group []*pendingUpsert) ([]upserted, error) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	conn, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]upserted, len(group))
	b := &pgx.Batch{}
	for _, p := range group {
		b.Queue(upsertCheckin, p.args[:]...)
	}
	br := conn.SendBatch(ctx, b)
	for i := range rows {
		r := &rows[i]
		err := br.QueryRow().Scan(r.dest()...)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			br.Close()
			return nil, err
		}
	}
	return rows, br.Close()
}
