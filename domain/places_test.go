package domain

import (
	"context"
	"sync/atomic"
	"testing"
)

// townshipReads is a TownshipStore that counts its reads; every other method is absent.
type townshipReads struct {
	TownshipStore
	reads atomic.Int32
}

func (s *townshipReads) Get(_ context.Context, id int64) (Township, error) {
	s.reads.Add(1)
	return Township{ID: id, Name: "镇"}, nil
}

// feed is a change feed that tells its listeners at once.
type feed struct{ listeners []func(Change) }

func (f *feed) Notify(c Change) {
	for _, fn := range f.listeners {
		fn(c)
	}
}

func (f *feed) Listen(fn func(Change)) { f.listeners = append(f.listeners, fn) }

// TestPlaceCache: a township is read again after a change of it or of its enterprises; a
// check-in, or a change of another township, leaves it; without a feed nothing is kept. How
// values are shared, aged and kept is keptValues' (kept_test.go).
func TestPlaceCache(t *testing.T) {
	ctx := context.Background()
	f := &feed{}
	p := newPlaceCache(f)
	store := &townshipReads{}
	read := func(t *testing.T, id int64, want int32) {
		t.Helper()
		if _, err := p.township(ctx, store, id); err != nil {
			t.Fatal(err)
		}
		if got := store.reads.Load(); got != want {
			t.Fatalf("got %d reads of the store, want %d", got, want)
		}
	}

	read(t, 1, 1)
	read(t, 1, 1)
	f.Notify(Change{TownshipID: 1, Kind: ChangeCheckin})
	f.Notify(Change{TownshipID: 2, Kind: ChangeTownship})
	read(t, 1, 1) // a check-in and another township's change leave it
	f.Notify(Change{TownshipID: 1, EnterpriseID: 5, Kind: ChangeEnterprise})
	read(t, 1, 2)
	f.Notify(Change{TownshipID: 1, Kind: ChangeTownship})
	read(t, 1, 3)
	read(t, 1, 3)

	t.Run("NoFeed", func(t *testing.T) {
		var none *placeCache
		before := store.reads.Load()
		for range 2 {
			if _, err := none.township(ctx, store, 1); err != nil {
				t.Fatal(err)
			}
		}
		if got := store.reads.Load() - before; got != 2 {
			t.Errorf("got %d reads for 2 without a cache, want 2", got)
		}
	})
}
