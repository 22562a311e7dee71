package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"fugong/domain"
)

// Channel is the PostgreSQL notification channel the processes share.
const Channel = "fugong_changes"

// PGBridge joins the hubs of every process on one PostgreSQL database: it sends this
// process's changes with NOTIFY, a batch every Interval, and LISTENs for the others'. NOTIFY
// rather than a home-made bus (DESIGN.md): the database every replica already trusts carries
// it, and it needs no other server.
//
// Each side keeps its own connection and reconnects by itself; while the database is away the
// changes of that time are dropped, which costs viewers nothing but a late refresh.
type PGBridge struct {
	Hub      *Hub
	DSN      string
	Log      *slog.Logger
	Interval time.Duration // how long changes gather before one NOTIFY; default 100 ms

	origin  string // this process, so that it skips its own notifications
	mu      sync.Mutex
	pending map[domain.Change]int64
	ready   chan struct{} // closed once LISTEN is in place, for tests and start-up
	once    sync.Once
}

// message is a notification's payload: who sent it and the changes, each as
// [township, enterprise, kind, id]; compact because a payload holds under 8,000 bytes.
type message struct {
	Origin  string  `json:"o"`
	Changes [][]any `json:"c"`
}

// maxBatch keeps one payload well under PostgreSQL's 8,000-byte limit.
const maxBatch = 150

// Run forwards and listens until ctx ends.
func (b *PGBridge) Run(ctx context.Context) {
	b.init()
	b.Hub.SetForwarder(b.queue)
	defer b.Hub.SetForwarder(nil)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); b.listen(ctx) }()
	go func() { defer wg.Done(); b.send(ctx) }()
	wg.Wait()
}

// Listening is closed once the bridge listens: changes made elsewhere from then on arrive.
func (b *PGBridge) Listening() <-chan struct{} {
	b.init()
	return b.ready
}

func (b *PGBridge) init() {
	b.once.Do(func() {
		var id [8]byte
		_, _ = rand.Read(id[:])
		b.origin = hex.EncodeToString(id[:])
		b.pending = map[domain.Change]int64{}
		b.ready = make(chan struct{})
		if b.Interval == 0 {
			b.Interval = 100 * time.Millisecond
		}
		if b.Log == nil {
			b.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// queue keeps a local change for the next NOTIFY; repeats of one change merge.
func (b *PGBridge) queue(c domain.Change, id int64) {
	b.mu.Lock()
	b.pending[c] = max(b.pending[c], id)
	b.mu.Unlock()
}

func (b *PGBridge) take() []message {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		return nil
	}
	var out []message
	m := message{Origin: b.origin}
	for c, id := range b.pending {
		m.Changes = append(m.Changes, []any{c.TownshipID, c.EnterpriseID, string(c.Kind), id})
		if len(m.Changes) == maxBatch {
			out = append(out, m)
			m = message{Origin: b.origin}
		}
	}
	if len(m.Changes) > 0 {
		out = append(out, m)
	}
	clear(b.pending)
	return out
}

// send NOTIFYs the gathered changes every Interval.
func (b *PGBridge) send(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	tick := time.NewTicker(b.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		msgs := b.take()
		for _, m := range msgs {
			if conn == nil {
				c, err := pgx.Connect(ctx, b.DSN)
				if err != nil {
					b.Log.Warn("live: cannot reach the database to notify", slog.String("error", err.Error()))
					break
				}
				conn = c
			}
			payload, _ := json.Marshal(m)
			if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, string(payload)); err != nil {
				b.Log.Warn("live: notify", slog.String("error", err.Error()))
				conn.Close(context.Background())
				conn = nil
			}
		}
	}
}

// listen delivers the other processes' changes to the hub, reconnecting with a growing pause.
func (b *PGBridge) listen(ctx context.Context) {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := b.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		b.Log.Warn("live: listen", slog.String("error", err.Error()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func (b *PGBridge) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, b.DSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	select {
	case <-b.ready:
	default:
		close(b.ready)
	}
	b.Log.Info("live: listening for other processes' changes", slog.String("channel", Channel))
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var m message
		if json.Unmarshal([]byte(n.Payload), &m) != nil || m.Origin == b.origin {
			continue
		}
		for _, c := range m.Changes {
			if ch, id, ok := decode(c); ok {
				b.Hub.Deliver(ch, id)
			}
		}
	}
}

// decode reads one [township, enterprise, kind, id] of a payload.
func decode(c []any) (domain.Change, int64, bool) {
	if len(c) != 4 {
		return domain.Change{}, 0, false
	}
	t, ok1 := c[0].(float64)
	e, ok2 := c[1].(float64)
	k, ok3 := c[2].(string)
	id, ok4 := c[3].(float64)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return domain.Change{}, 0, false
	}
	return domain.Change{TownshipID: int64(t), EnterpriseID: int64(e), Kind: domain.ChangeKind(k)}, int64(id), true
}
