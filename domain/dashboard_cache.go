package domain

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// viewCache keeps the dashboard's answers until the numbers behind them change. A wall of
// screens asks the same questions every few seconds while the data changes far less often
// between check-in bursts; each answer costs several queries. Every change a process hears of
// (its own, and through LISTEN/NOTIFY the other processes') marks its township changed, and an
// answer computed before the last change of its township is computed again. Concurrent
// viewers asking the same question after a change share one computation (singleflight), so a
// check-in storm costs at most one computation at a time per question. maxAge bounds what a
// change nobody announced (a `stats rebuild` run from the command line) can leave stale.
type viewCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	changed map[int64]time.Time // township → when its last change was heard
	flight  singleflight.Group
	maxAge  time.Duration
	now     func() time.Time
}

type cacheEntry struct {
	at       time.Time // when the computation started: a change after it makes it stale
	township int64
	value    any
}

func newViewCache() *viewCache {
	return &viewCache{entries: map[string]cacheEntry{}, changed: map[int64]time.Time{}, maxAge: time.Minute, now: time.Now}
}

// changedNow marks a township's numbers changed.
func (c *viewCache) changedNow(townshipID int64) {
	c.mu.Lock()
	c.changed[townshipID] = c.now()
	c.mu.Unlock()
}

// get returns the answer kept under key if no change of its township came after it, or
// computes it (once, for all who ask at the same time).
func get[T any](c *viewCache, township int64, key string, compute func() (T, error)) (T, error) {
	if c == nil {
		return compute()
	}
	c.mu.Lock()
	e, ok := c.entries[key]
	changed := c.changed[township]
	fresh := ok && e.at.After(changed) && c.now().Sub(e.at) < c.maxAge
	c.mu.Unlock()
	if fresh {
		return e.value.(T), nil
	}
	// Who asks after a change does not join a computation that started before it.
	v, err, _ := c.flight.Do(fmt.Sprint(key, "@", changed.UnixNano()), func() (any, error) {
		started := c.now()
		v, err := compute()
		if err == nil {
			c.put(key, cacheEntry{at: started, township: township, value: v})
		}
		return v, err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// put keeps an answer, dropping the ones too old to be served so that the map stays small.
func (c *viewCache) put(key string, e cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 1000 {
		for k, old := range c.entries {
			if c.now().Sub(old.at) >= c.maxAge {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = e
}

// placeCache keeps townships (their policy, zones, time zone), which every check-in and
// dashboard read needs and which change rarely: only a change of the township or of its
// enterprises (zones count them) makes it read one again, not every check-in.
type placeCache struct{ c *viewCache }

// township returns a township, from the cache when there is one.
func (p *placeCache) township(ctx context.Context, store TownshipStore, id int64) (Township, error) {
	var c *viewCache
	if p != nil {
		c = p.c
	}
	return get(c, id, "township|"+strconv.FormatInt(id, 10), func() (Township, error) { return store.Get(ctx, id) })
}

// changed forgets a township after a change that concerns it.
func (p *placeCache) changed(ch Change) {
	if ch.Kind == ChangeTownship || ch.Kind == ChangeEnterprise {
		p.c.changedNow(ch.TownshipID)
	}
}

// cacheKey names a question: what is asked, by whom (their scope), of which day and filters.
func (v view) cacheKey(what string, extra ...any) string {
	return fmt.Sprintf("%s|%d|%d|%s|%s|%s|%v", what, v.filter.TownshipID, v.filter.SupervisorID, v.filter.Zone,
		v.filter.Industry, v.date, extra)
}
