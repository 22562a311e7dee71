package domain

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// keptValues keeps values read from a store, each under a key (a township, an enterprise),
// until a change of that key is heard or the value grows old. The change feed says when a
// key changed (changed); the age bounds what a change nobody announced (another tool writing
// the database) can leave stale.
//
// Two rules keep it from stalling the busiest routes, which read it on every request:
//
//   - Readers of one key share one read: after a change, the hundreds of check-ins of the next
//     moment wait for one query, not one each.
//   - A value that only grew old (no change heard) is still served while a read in the
//     background replaces it, one such read at a time for the whole cache. Before, every kept
//     value of the check-in route was read at the first check-ins of a morning and grew old in
//     the same second a minute later; all the requests of that second then queued for the
//     database together (the check-in benchmark after a minute's pause: every answer of its
//     first second 0.3–0.5 s, BENCHMARKS.md). One background read at a time keeps the
//     database's work for them to one query however many values grew old together; the others
//     are served as they are until their turn. A value's age is also drawn between three
//     quarters and all of maxAge, so that values read together are read again apart.
//
// A value read after a change is kept only if no later change was heard meanwhile.
type keptValues[V any] struct {
	mu      sync.Mutex
	kept    map[int64]keptValue[V]
	version map[int64]uint64 // key → changes heard of it
	all     uint64           // changes heard of every key
	flight  singleflight.Group
	renew   chan struct{} // holds the one background read of an old value
	maxAge  time.Duration
	now     func() time.Time
}

type keptValue[V any] struct {
	value   V
	version uint64    // the key's version plus all, when the read started
	until   time.Time // when the value is to be read again
}

func newKeptValues[V any](maxAge time.Duration) *keptValues[V] {
	return &keptValues[V]{kept: map[int64]keptValue[V]{}, version: map[int64]uint64{}, renew: make(chan struct{}, 1),
		maxAge: maxAge, now: time.Now}
}

// changed says that the value of key changed; key 0, that every value did.
func (k *keptValues[V]) changed(key int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key == 0 {
		k.all++
		return
	}
	k.version[key]++
}

// get returns key's value, from memory unless a change of it was heard since it was read, in
// which case it waits for read (shared with the other readers). The read belongs to no one
// reader: the first one's leaving (a phone giving up) does not fail it for the others, and a
// reader who leaves stops waiting for it. An error is returned and not kept.
func (k *keptValues[V]) get(ctx context.Context, key int64, read func(context.Context) (V, error)) (V, error) {
	k.mu.Lock()
	v, ok := k.kept[key]
	version := k.version[key] + k.all
	k.mu.Unlock()
	if ok && v.version == version {
		if !k.now().Before(v.until) {
			k.renewInBackground(ctx, key, version, read)
		}
		return v.value, nil
	}
	done := k.flight.DoChan(k.flightName(key, version), k.reader(ctx, key, version, read))
	select {
	case r := <-done:
		if r.Err != nil {
			var zero V
			return zero, r.Err
		}
		return r.Val.(V), nil
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// renewInBackground starts the read that replaces key's old value, unless another old value
// is being read again: then key's waits for a later reader to ask.
func (k *keptValues[V]) renewInBackground(ctx context.Context, key int64, version uint64, read func(context.Context) (V, error)) {
	select {
	case k.renew <- struct{}{}:
	default:
		return
	}
	done := k.flight.DoChan(k.flightName(key, version), k.reader(ctx, key, version, read))
	go func() {
		<-done
		<-k.renew
	}()
}

// flightName is the shared read of key at version: whoever asks after a change does not join
// a read that started before it.
func (k *keptValues[V]) flightName(key int64, version uint64) string {
	return strconv.FormatInt(key, 10) + "@" + strconv.FormatUint(version, 10)
}

// reader is the shared read of key at version, which keeps what it read.
func (k *keptValues[V]) reader(ctx context.Context, key int64, version uint64, read func(context.Context) (V, error)) func() (any, error) {
	return func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
		defer cancel()
		started := k.now()
		v, err := read(ctx)
		if err != nil {
			return v, err
		}
		age := k.maxAge - time.Duration(rand.Int64N(int64(k.maxAge/4)+1))
		k.mu.Lock()
		defer k.mu.Unlock()
		if old, ok := k.kept[key]; !ok || old.version <= version {
			k.kept[key] = keptValue[V]{value: v, version: version, until: started.Add(age)}
		}
		return v, nil
	}
}

// readTimeout bounds a shared read.
const readTimeout = 30 * time.Second
