package domain

import (
	"context"
	"time"
)

// placeCache keeps townships (their policy, zones, time zone), which every check-in and
// dashboard read needs and which change rarely. It is kept true by the change feed (Options.
// Changes), which tells of every change made here or in another process: a change of a township
// or of its enterprises (zones count them) has that township read again; a check-in does not.
// Without a feed nothing would say when to read one again, so there is no cache (a nil
// *placeCache reads the store each time). keptValues says how it is read and aged.
type placeCache struct{ *keptValues[Township] }

// newPlaceCache keeps townships as feed tells of their changes.
func newPlaceCache(feed ChangeFeed) *placeCache {
	p := &placeCache{newKeptValues[Township](time.Minute)}
	feed.Listen(p.heard)
	return p
}

// heard has a township read again after a change that concerns it.
func (p *placeCache) heard(ch Change) {
	if ch.Kind == ChangeTownship || ch.Kind == ChangeEnterprise {
		p.changed(ch.TownshipID)
	}
}

// township returns a township of store, from memory when it was read since its last change.
func (p *placeCache) township(ctx context.Context, store TownshipStore, id int64) (Township, error) {
	if p == nil {
		return store.Get(ctx, id)
	}
	return p.get(ctx, id, func(ctx context.Context) (Township, error) { return store.Get(ctx, id) })
}
