package domain

import (
	"context"
	"time"
)

// crowdCache keeps, per enterprise, which of its shifts have more workers assigned than their
// capacity: the only shifts whose people on duty can be over it (on duty are among the
// assigned, and an assignment past the capacity is refused; only a capacity cut makes one).
// A morning check-in at work counts its shift's people on duty only for such a shift; asking
// the database whether the shift is one on every check-in, even in the upsert's own statement,
// cost the check-in benchmark a third of its throughput (BENCHMARKS.md). An enterprise's
// entry is read again after a change of its roster or shifts is heard (in this process or,
// through the change feed, another; a township-wide one concerns them all); keptValues says
// how it is read and aged.
type crowdCache struct{ *keptValues[[]int64] }

// newCrowdCache keeps crowded shifts as feed tells of changes; nil (no feed) keeps nothing and
// asks the store each time.
func newCrowdCache(feed ChangeFeed) *crowdCache {
	if feed == nil {
		return nil
	}
	c := &crowdCache{newKeptValues[[]int64](time.Minute)}
	feed.Listen(c.heard)
	return c
}

// heard has an enterprise's entry read again after a change of its workers or shifts.
func (c *crowdCache) heard(ch Change) {
	if ch.Kind == ChangeRoster || ch.Kind == ChangeEnterprise {
		c.changed(ch.EnterpriseID) // 0: township-wide
	}
}

// crowded says whether shift shiftID of an enterprise has more workers assigned than its
// capacity.
func (c *crowdCache) crowded(ctx context.Context, store ShiftStore, enterpriseID, shiftID int64) (bool, error) {
	read := func(ctx context.Context) ([]int64, error) { return store.Crowded(ctx, enterpriseID) }
	var shifts []int64
	var err error
	if c == nil {
		shifts, err = read(ctx)
	} else {
		shifts, err = c.get(ctx, enterpriseID, read)
	}
	return containsID(shifts, shiftID), err
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
