// Package live carries "these numbers changed" hints from the services to the dashboard's
// event streams: within one process through a Hub, and between the processes that share one
// PostgreSQL database through LISTEN/NOTIFY (PGBridge). A hint carries no data; a viewer that
// gets one rereads what it may see. So a hint may be merged with others or, when a viewer is
// slow, stand for several, but it is never needed twice.
package live

import (
	"sync"
	"time"

	"fugong/domain"
)

// Hub fans changes out to the subscribers of their township. Every change gets an ID that grows
// over time (milliseconds since 1970, or one more than the last): the stream's event IDs, which
// a reconnecting viewer sends back as Last-Event-ID.
type Hub struct {
	mu      sync.Mutex
	subs    map[int64]map[*Subscription]struct{} // by township
	latest  map[int64]int64                      // last change ID by township
	version map[int64]uint64                     // changes delivered by township
	started int64                                // changes before the hub started are unknown to it
	lastID  int64
	forward func(domain.Change, int64) // to the other processes; nil when there are none
	listen  []func(domain.Change)      // told of every change, local or not
	closed  bool
	now     func() time.Time
}

var _ domain.ChangeFeed = (*Hub)(nil)

// NewHub returns a hub that has seen no change yet.
func NewHub() *Hub {
	h := &Hub{subs: map[int64]map[*Subscription]struct{}{}, latest: map[int64]int64{}, version: map[int64]uint64{},
		now: time.Now}
	h.started = h.now().UnixMilli()
	h.lastID = h.started
	return h
}

// Subscription receives the changes of one township. Changes that arrive while the reader is
// busy are merged into Pending; Ready holds at most one wake-up.
type Subscription struct {
	Township int64
	Ready    chan struct{} // a wake-up: something is pending
	Done     chan struct{} // closed when the hub shuts down

	mu      sync.Mutex
	pending Pending
}

// Pending is what changed since the reader last looked.
type Pending struct {
	ID          int64                      // the newest change's ID
	Kinds       map[domain.ChangeKind]bool // what kinds of change
	Enterprises map[int64]bool             // which enterprises; township-wide changes are 0
}

// Take returns what is pending and empties it.
func (s *Subscription) Take() Pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending = Pending{}
	return p
}

func (s *Subscription) add(c domain.Change, id int64) {
	s.mu.Lock()
	if s.pending.Kinds == nil {
		s.pending.Kinds, s.pending.Enterprises = map[domain.ChangeKind]bool{}, map[int64]bool{}
	}
	s.pending.ID = max(s.pending.ID, id)
	s.pending.Kinds[c.Kind] = true
	s.pending.Enterprises[c.EnterpriseID] = true
	s.mu.Unlock()
	select {
	case s.Ready <- struct{}{}:
	default: // a wake-up is already waiting; it will see this change too
	}
}

// Subscribe starts receiving a township's changes; Unsubscribe ends it.
func (h *Hub) Subscribe(townshipID int64) *Subscription {
	s := &Subscription{Township: townshipID, Ready: make(chan struct{}, 1), Done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.Done)
		return s
	}
	if h.subs[townshipID] == nil {
		h.subs[townshipID] = map[*Subscription]struct{}{}
	}
	h.subs[townshipID][s] = struct{}{}
	return s
}

// Unsubscribe stops s.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[s.Township], s)
	if len(h.subs[s.Township]) == 0 {
		delete(h.subs, s.Township)
	}
}

// Subscribers counts the open subscriptions, for metrics and tests.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.subs {
		n += len(m)
	}
	return n
}

// Latest is the ID of the newest change of a township this hub knows of. Before the first
// one it is the hub's start: a viewer whose last event is older may have missed something.
func (h *Hub) Latest(townshipID int64) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return max(h.latest[townshipID], h.started)
}

// Version counts the changes of a township this hub has delivered, made here or heard from
// another process: whatever was read of the township's numbers under one version may differ
// under the next (the dashboard's answers are kept by it). Unlike Latest, which takes the
// IDs of other processes' clocks, it moves on with every change.
func (h *Hub) Version(townshipID int64) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version[townshipID]
}

// Notify takes a change made in this process: its subscribers hear of it at once, the other
// processes through the forwarder.
func (h *Hub) Notify(c domain.Change) {
	h.mu.Lock()
	id := max(h.now().UnixMilli(), h.lastID+1)
	h.lastID = id
	forward := h.forward
	h.mu.Unlock()
	h.Deliver(c, id)
	if forward != nil {
		forward(c, id)
	}
}

// Deliver hands a change to this process's subscribers under the ID it got where it was made.
func (h *Hub) Deliver(c domain.Change, id int64) {
	h.mu.Lock()
	h.latest[c.TownshipID] = max(h.latest[c.TownshipID], id)
	h.lastID = max(h.lastID, id)
	h.version[c.TownshipID]++
	listeners := h.listen
	h.mu.Unlock()
	// The version first, then the listeners (the townships kept in memory), then the streams,
	// which will ask for new answers: none of them is served one of before the change.
	for _, fn := range listeners {
		fn(c)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[c.TownshipID] {
		s.add(c, id)
	}
}

// Listen has fn told of every change, made here or heard from another process.
func (h *Hub) Listen(fn func(domain.Change)) {
	h.mu.Lock()
	h.listen = append(h.listen, fn)
	h.mu.Unlock()
}

// SetForwarder sends every local change on to fn as well (PGBridge does this).
func (h *Hub) SetForwarder(fn func(domain.Change, int64)) {
	h.mu.Lock()
	h.forward = fn
	h.mu.Unlock()
}

// Close ends every subscription, so that open streams finish and a graceful shutdown need not
// wait for viewers who never hang up.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, m := range h.subs {
		for s := range m {
			close(s.Done)
		}
	}
	h.subs = map[int64]map[*Subscription]struct{}{}
}
