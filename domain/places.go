package domain

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// placeCache keeps townships (their policy, zones, time zone), which every check-in and
// dashboard read needs and which change rarely. It is kept true by the change feed (Options.
// Changes), which tells of every change made here or in another process: a change of a township
// or of its enterprises (zones count them) moves that township's version on, and a township
// kept under an older version is read again; a check-in does not. maxAge bounds what a change
// nobody announced can leave stale. Without a feed nothing would say when to read one again,
// so there is no cache (a nil *placeCache reads the store each time).
type placeCache struct {
	mu      sync.Mutex
	kept    map[int64]keptTownship
	version map[int64]uint64 // township → changes heard
	flight  singleflight.Group
	maxAge  time.Duration
	now     func() time.Time
}

type keptTownship struct {
	township Township
	version  uint64
	at       time.Time // when its read started
}

// newPlaceCache keeps townships as feed tells of their changes.
func newPlaceCache(feed ChangeFeed) *placeCache {
	p := &placeCache{kept: map[int64]keptTownship{}, version: map[int64]uint64{}, maxAge: time.Minute, now: time.Now}
	feed.Listen(p.changed)
	return p
}

// changed moves a township's version on after a change that concerns it.
func (p *placeCache) changed(ch Change) {
	if ch.Kind != ChangeTownship && ch.Kind != ChangeEnterprise {
		return
	}
	p.mu.Lock()
	p.version[ch.TownshipID]++
	p.mu.Unlock()
}

// township returns a township of store, from memory when it was read since its last change.
// Concurrent readers after a change share one read.
func (p *placeCache) township(ctx context.Context, store TownshipStore, id int64) (Township, error) {
	if p == nil {
		return store.Get(ctx, id)
	}
	p.mu.Lock()
	k, ok := p.kept[id]
	version := p.version[id]
	p.mu.Unlock()
	if ok && k.version == version && p.now().Sub(k.at) < p.maxAge {
		return k.township, nil
	}
	// Who asks after a change does not join a read that started before it. The read belongs to
	// no one reader: the first one's leaving (a phone giving up) does not fail it for the
	// others, and a reader who leaves stops waiting for it.
	done := p.flight.DoChan(strconv.FormatInt(id, 10)+"@"+strconv.FormatUint(version, 10), func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
		defer cancel()
		started := p.now()
		t, err := store.Get(ctx, id)
		if err == nil {
			p.mu.Lock()
			if old, ok := p.kept[id]; !ok || old.version <= version {
				p.kept[id] = keptTownship{township: t, version: version, at: started}
			}
			p.mu.Unlock()
		}
		return t, err
	})
	select {
	case r := <-done:
		if r.Err != nil {
			return Township{}, r.Err
		}
		return r.Val.(Township), nil
	case <-ctx.Done():
		return Township{}, ctx.Err()
	}
}

// readTimeout bounds a shared read of a township.
const readTimeout = 30 * time.Second
