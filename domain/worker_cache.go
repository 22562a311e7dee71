package domain

import (
	"context"
	"sync"
	"time"
)

// workerCache keeps the workers that check in, so that authenticating a phone's request does
// not read the worker's row each time. A change to a township's rosters (HR's edits, an
// import, a policy re-evaluation), announced by the change feed from this process or another,
// makes every worker of that township be read again: a worker who left is refused at once
// here, and within a notification's delay (about 100 ms) on the other processes. maxAge bounds
// what a change nobody announced could leave.
type workerCache struct {
	mu      sync.Mutex
	entries map[int64]workerEntry
	changed map[int64]time.Time // township → when its rosters last changed
	maxAge  time.Duration
	now     func() time.Time
}

type workerEntry struct {
	w  Worker
	at time.Time // when the read started
}

// maxCachedWorkers bounds the memory: beyond it the cache starts again empty (a worker is a
// few hundred bytes; a province's peak fits).
const maxCachedWorkers = 500_000

func newWorkerCache() *workerCache {
	return &workerCache{entries: map[int64]workerEntry{}, changed: map[int64]time.Time{}, maxAge: time.Minute, now: time.Now}
}

// get returns a worker, from memory when no roster change of its township came after it was
// read; without a cache, from the store.
func (c *workerCache) get(ctx context.Context, store WorkerStore, id int64) (Worker, error) {
	if c == nil {
		return store.Get(ctx, id)
	}
	c.mu.Lock()
	e, ok := c.entries[id]
	fresh := ok && e.at.After(c.changed[e.w.TownshipID]) && c.now().Sub(e.at) < c.maxAge
	c.mu.Unlock()
	if fresh {
		return e.w, nil
	}
	started := c.now()
	w, err := store.Get(ctx, id)
	if err != nil {
		return Worker{}, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxCachedWorkers {
		clear(c.entries)
	}
	c.entries[id] = workerEntry{w: w, at: started}
	c.mu.Unlock()
	return w, nil
}

// changedHeard marks a township's workers stale after a change that can touch them.
func (c *workerCache) changedHeard(ch Change) {
	if ch.Kind != ChangeRoster && ch.Kind != ChangeTownship {
		return
	}
	c.mu.Lock()
	c.changed[ch.TownshipID] = c.now()
	c.mu.Unlock()
}
