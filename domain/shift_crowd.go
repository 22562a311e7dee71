package domain

import (
	"context"
	"sync"
	"time"
)

// crowdCache keeps, per enterprise, which of its shifts have more workers assigned than their
// capacity: the only shifts whose people on duty can be over it (on duty are among the
// assigned, and an assignment past the capacity is refused; only a capacity cut makes one).
// A morning check-in at work counts its shift's people on duty only for such a shift; asking
// the database whether the shift is one on every check-in, even in the upsert's own statement,
// cost the check-in benchmark a third of its throughput (BENCHMARKS.md). An enterprise's
// entry is read again after a change of its roster or shifts is heard (in this process or,
// through the change feed, another), and after maxAge whatever was heard.
type crowdCache struct {
	mu      sync.Mutex
	kept    map[int64]keptCrowd
	version map[int64]uint64 // enterprise → changes heard
	all     uint64           // changes heard of every enterprise (a township-wide one)
	maxAge  time.Duration
	now     func() time.Time
}

type keptCrowd struct {
	shifts  []int64 // the crowded shifts
	version uint64  // the enterprise's version plus all, when read
	at      time.Time
}

// newCrowdCache keeps crowded shifts as feed tells of changes; nil (no feed) keeps nothing and
// asks the store each time.
func newCrowdCache(feed ChangeFeed) *crowdCache {
	if feed == nil {
		return nil
	}
	c := &crowdCache{kept: map[int64]keptCrowd{}, version: map[int64]uint64{}, maxAge: time.Minute, now: time.Now}
	feed.Listen(c.changed)
	return c
}

// changed moves an enterprise's version on after a change of its workers or shifts.
func (c *crowdCache) changed(ch Change) {
	if ch.Kind != ChangeRoster && ch.Kind != ChangeEnterprise {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.EnterpriseID == 0 {
		c.all++
		return
	}
	c.version[ch.EnterpriseID]++
}

// crowded says whether shift shiftID of an enterprise has more workers assigned than its
// capacity.
func (c *crowdCache) crowded(ctx context.Context, store ShiftStore, enterpriseID, shiftID int64) (bool, error) {
	var shifts []int64
	if c != nil {
		c.mu.Lock()
		k, ok := c.kept[enterpriseID]
		version := c.version[enterpriseID] + c.all
		c.mu.Unlock()
		if ok && k.version == version && c.now().Sub(k.at) < c.maxAge {
			return containsID(k.shifts, shiftID), nil
		}
		defer func(started time.Time) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if old, ok := c.kept[enterpriseID]; shifts != nil && (!ok || old.version <= version) {
				c.kept[enterpriseID] = keptCrowd{shifts: shifts, version: version, at: started}
			}
		}(c.now())
	}
	shifts, err := store.Crowded(ctx, enterpriseID)
	if err != nil {
		shifts = nil // nothing kept
		return false, err
	}
	if shifts == nil {
		shifts = []int64{}
	}
	return containsID(shifts, shiftID), nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
