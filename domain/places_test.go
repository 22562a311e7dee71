package domain

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// townshipReads is a TownshipStore that counts its reads; every other method is absent.
type townshipReads struct {
	TownshipStore
	reads   atomic.Int32
	fail    error
	release chan struct{} // when set, a read waits for it
}

func (s *townshipReads) Get(ctx context.Context, id int64) (Township, error) {
	s.reads.Add(1)
	if s.release != nil {
		<-s.release
	}
	if err := ctx.Err(); err != nil {
		return Township{}, err
	}
	return Township{ID: id, Name: "镇"}, s.fail
}

// feed is a change feed that tells its listeners at once.
type feed struct{ listeners []func(Change) }

func (f *feed) Notify(c Change) {
	for _, fn := range f.listeners {
		fn(c)
	}
}

func (f *feed) Listen(fn func(Change)) { f.listeners = append(f.listeners, fn) }

// TestPlaceCache: a township is kept until a change of it or of its enterprises is heard, or
// it grows old; a check-in, or a change of another township, leaves it; a failed read is not
// kept; concurrent readers after a change share one read; without a feed nothing is kept.
func TestPlaceCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2020, 2, 10, 8, 0, 0, 0, time.UTC)
	f := &feed{}
	p := newPlaceCache(f)
	p.now = func() time.Time { return now }
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
	now = now.Add(p.maxAge)
	read(t, 1, 4)

	t.Run("ErrorsNotKept", func(t *testing.T) {
		store.fail = errors.New("boom")
		if _, err := p.township(ctx, store, 3); !errors.Is(err, store.fail) {
			t.Fatalf("got %v, want the store's error", err)
		}
		store.fail = nil
		before := store.reads.Load()
		read(t, 3, before+1)
	})
	t.Run("Shared", func(t *testing.T) {
		f.Notify(Change{TownshipID: 1, Kind: ChangeTownship})
		store.release = make(chan struct{})
		before := store.reads.Load()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { _, _ = p.township(ctx, store, 1) })
		}
		time.Sleep(50 * time.Millisecond) // all eight are waiting on the first
		close(store.release)
		wg.Wait()
		store.release = nil
		if got := store.reads.Load() - before; got != 1 {
			t.Errorf("got %d reads for 8 concurrent readers, want 1", got)
		}
	})
	t.Run("ReaderLeaves", func(t *testing.T) {
		// The reader whose read the others wait on leaves: the read goes on for them.
		f.Notify(Change{TownshipID: 1, Kind: ChangeTownship})
		store.release = make(chan struct{})
		first, leave := context.WithCancel(ctx)
		left := make(chan error, 1)
		go func() { _, err := p.township(first, store, 1); left <- err }()
		time.Sleep(20 * time.Millisecond) // the first read has started
		stayed := make(chan error, 1)
		go func() { _, err := p.township(ctx, store, 1); stayed <- err }()
		time.Sleep(20 * time.Millisecond)
		leave()
		if err := <-left; !errors.Is(err, context.Canceled) {
			t.Errorf("the reader who left: got %v, want context.Canceled", err)
		}
		close(store.release)
		if err := <-stayed; err != nil {
			t.Errorf("the reader who stayed: got %v, want the township", err)
		}
		store.release = nil
	})
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
