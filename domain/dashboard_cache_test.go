package domain

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestViewCache: an answer is kept until its township changes or it grows old; a change of
// another township leaves it; failures are not kept; concurrent askers share one computation.
func TestViewCache(t *testing.T) {
	now := time.Date(2020, 2, 10, 8, 0, 0, 0, time.UTC)
	c := newViewCache()
	c.now = func() time.Time { return now }
	calls := 0
	ask := func(township int64) int {
		t.Helper()
		v, err := get(c, township, "summary", func() (int, error) { calls++; return calls, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tick := func() { now = now.Add(time.Millisecond) }

	if ask(1) != 1 || ask(1) != 1 {
		t.Fatalf("got %d computations for two asks without a change, want 1", calls)
	}
	tick()
	c.changedNow(2)
	tick()
	if ask(1) != 1 {
		t.Errorf("a change of township 2 recomputed township 1's answer")
	}
	c.changedNow(1)
	tick()
	if got := ask(1); got != 2 {
		t.Errorf("after a change got answer %d, want a new computation (2)", got)
	}
	now = now.Add(c.maxAge)
	if got := ask(1); got != 3 {
		t.Errorf("after maxAge got answer %d, want a new computation (3)", got)
	}

	t.Run("ErrorsNotKept", func(t *testing.T) {
		boom := errors.New("boom")
		if _, err := get(c, 1, "trend", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the computation's error", err)
		}
		if v, _ := get(c, 1, "trend", func() (int, error) { return 7, nil }); v != 7 {
			t.Errorf("got %d after a failure, want a new computation", v)
		}
	})
	t.Run("Shared", func(t *testing.T) {
		c.changedNow(1)
		tick()
		var n atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, _ = get(c, 1, "enterprises", func() (int, error) { n.Add(1); <-release; return 1, nil })
			})
		}
		time.Sleep(50 * time.Millisecond) // all eight are waiting on the first
		close(release)
		wg.Wait()
		if n.Load() != 1 {
			t.Errorf("got %d computations for 8 concurrent askers, want 1", n.Load())
		}
	})
}
