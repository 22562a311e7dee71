package api

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"fugong/domain"
)

// dashboardCache keeps the JSON of the dashboard's answers until the numbers behind them
// change. A wall of screens asks the same questions every few seconds while the numbers change
// far less often between check-in bursts; each answer costs several queries, and encoding the
// 200 rows of /dashboard/enterprises for each viewer was most of that route's time
// (BENCHMARKS.md). An answer is kept under its question, what is asked of which view (the
// service resolved it for the viewer: scope, filters, days; domain.DashboardView.Key), with the
// change version its township had when it was asked (live.Hub.Version, which every change made
// here or heard from another process moves on): an answer of an older version is never served
// again. Viewers asking the same question of the same version share one computation
// (singleflight), so a check-in storm costs at most one computation at a time per question.
// maxAge bounds what a change nobody announced (`fugong stats rebuild` from the command line)
// can leave stale.
//
// An answer read from the read replica (reads.go) is kept apart from the primary's (a writer
// reading their own write must not be served the replica's), with its as-of, which the asker
// is answered with. It is kept only when its data are as of a time after this cache first saw
// its version: a change is heard after it commits, and may not have reached the replica when
// the answer was computed, so the version alone would keep an answer without that change
// looking current. And it is served no longer than replicaKeep after its as-of, so that the
// as-of it is sent with stays within a few seconds while the replica keeps up (the pages show
// it past that).
type dashboardCache struct {
	versions interface{ Version(townshipID int64) uint64 }
	mu       sync.Mutex
	answers  map[string]keptAnswer
	flight   singleflight.Group
	maxAge   time.Duration
	// replicaKeep is how long past its as-of an answer read from the replica is served.
	replicaKeep time.Duration
	seen        map[int64]versionSeen // by township: when its current version was first seen
	now         func() time.Time
}

// versionSeen is a township's change version and when the cache first saw it.
type versionSeen struct {
	version uint64
	at      time.Time
}

// replicaKeep is dashboardCache.replicaKeep unless the replica's lag bound is shorter: with
// the replica's checks every second, the answers' as-of stays under 5 s, the age past which
// the pages show it.
const replicaKeep = 3 * time.Second

// keptAnswer is the JSON of an answer, with the version of its township it was computed under.
type keptAnswer struct {
	version uint64
	at      time.Time // when its computation started
	asOf    time.Time // read from the replica: its data are as of this; zero for the primary's
	body    []byte
}

// maxAnswers bounds what is kept: past it, the answers too old to be served are dropped.
const maxAnswers = 1000

func newDashboardCache(versions interface{ Version(int64) uint64 }) *dashboardCache {
	return &dashboardCache{versions: versions, answers: map[string]keptAnswer{}, maxAge: time.Minute,
		replicaKeep: replicaKeep, seen: map[int64]versionSeen{}, now: time.Now}
}

// answer returns the JSON of the answer to the question what of view v: the one kept, when its
// township has not changed since it was computed, or compute's, encoded once for all who ask
// at the same time. A nil cache computes every answer, with ctx.
func (c *dashboardCache) answer(ctx context.Context, what string, v domain.DashboardView, compute func(context.Context) (any, error)) ([]byte, error) {
	if c == nil {
		return encode(ctx, compute)
	}
	key := what + "|" + v.Key()
	if readNoteOf(ctx) != nil {
		key += "|replica"
	}
	return c.get(ctx, key, v.TownshipID(), compute)
}

// computeTimeout bounds a shared computation, which no one asker's leaving ends.
const computeTimeout = 30 * time.Second

// get is answer of the question key about township's numbers. The computation several askers
// share belongs to none of them: it runs on ctx's values without its end, so that the first
// asker's leaving (a closed stream, a tab closed) does not fail it for the others; an asker
// who leaves stops waiting for it.
func (c *dashboardCache) get(ctx context.Context, key string, township int64, compute func(context.Context) (any, error)) ([]byte, error) {
	version := c.versions.Version(township) // before the computation reads anything
	c.mu.Lock()
	a, ok := c.answers[key]
	seen := c.seenLocked(township, version)
	c.mu.Unlock()
	if ok && a.version == version && c.fresh(a) {
		a.tell(ctx)
		return a.body, nil
	}
	var asOf time.Time // of the data this asker's computation would read
	if n := readNoteOf(ctx); n != nil {
		asOf = n.asOf
	}
	done := c.flight.DoChan(key+"@"+strconv.FormatUint(version, 10), func() (any, error) {
		shared, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
		defer cancel()
		started := c.now()
		body, err := encode(shared, compute)
		kept := keptAnswer{version: version, at: started, asOf: asOf, body: body}
		if err == nil && (asOf.IsZero() || !asOf.Before(seen)) {
			c.keep(key, kept)
		}
		return kept, err
	})
	select {
	case r := <-done:
		if r.Err != nil {
			return nil, r.Err
		}
		a := r.Val.(keptAnswer)
		a.tell(ctx)
		return a.body, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fresh reports whether a kept answer may still be served: computed less than maxAge ago,
// and, read from the replica, as of less than replicaKeep ago.
func (c *dashboardCache) fresh(a keptAnswer) bool {
	if c.now().Sub(a.at) >= c.maxAge {
		return false
	}
	return a.asOf.IsZero() || c.now().Sub(a.asOf) < c.replicaKeep
}

// seenLocked is when the cache first saw township's version; c.mu is held.
func (c *dashboardCache) seenLocked(township int64, version uint64) time.Time {
	s, ok := c.seen[township]
	if !ok || s.version != version {
		s = versionSeen{version: version, at: c.now()}
		c.seen[township] = s
	}
	return s.at
}

// tell gives the asker of a replica answer the as-of of the data it is served, which may be
// older than their own request's.
func (a keptAnswer) tell(ctx context.Context) {
	if n := readNoteOf(ctx); n != nil && !a.asOf.IsZero() {
		n.asOf = a.asOf
	}
}

// keep keeps an answer unless one of a later version is kept already, dropping the answers too
// old to be served when there are many.
func (c *dashboardCache) keep(key string, a keptAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.answers[key]; ok && old.version > a.version {
		return
	}
	if len(c.answers) >= maxAnswers {
		for k, old := range c.answers {
			if !c.fresh(old) {
				delete(c.answers, k)
			}
		}
	}
	c.answers[key] = a
}

// encode is the JSON of compute's answer, ended by a newline as c.JSON's encoder ends it.
func encode(ctx context.Context, compute func(context.Context) (any, error)) ([]byte, error) {
	v, err := compute(ctx)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
