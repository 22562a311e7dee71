package api

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fugong/domain"
)

// versions are townships' change versions a test moves by hand.
type versions struct {
	mu sync.Mutex
	v  map[int64]uint64
}

func (vs *versions) Version(township int64) uint64 {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return vs.v[township]
}

func (vs *versions) change(township int64) {
	vs.mu.Lock()
	vs.v[township]++
	vs.mu.Unlock()
}

// TestDashboardCache: an answer is served as it was encoded until its township's version moves
// on (a change of another township leaves it) or it grows old; each question has its own;
// failures are not kept; concurrent askers of one version share one computation; an answer
// computed under an older version does not replace a newer one; a nil cache computes each time.
func TestDashboardCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2020, 2, 10, 8, 0, 0, 0, time.UTC)
	vs := &versions{v: map[int64]uint64{}}
	c := newDashboardCache(vs)
	c.now = func() time.Time { return now }
	calls := 0
	compute := func(context.Context) (any, error) { calls++; return calls, nil }
	ask := func(t *testing.T, key string, township int64, want int) {
		t.Helper()
		body, err := c.get(ctx, key, township, compute)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(body); got != strconv.Itoa(want)+"\n" {
			t.Fatalf("%s: got %q, want the answer of computation %d", key, got, want)
		}
	}

	ask(t, "summary|1", 1, 1)
	ask(t, "summary|1", 1, 1)
	ask(t, "summary|1|zone", 1, 2) // another question of the same township
	vs.change(2)
	ask(t, "summary|1", 1, 1)
	vs.change(1)
	ask(t, "summary|1", 1, 3)
	ask(t, "summary|1", 1, 3)
	ask(t, "summary|1|zone", 1, 4)
	now = now.Add(c.maxAge)
	ask(t, "summary|1", 1, 5)

	t.Run("ErrorsNotKept", func(t *testing.T) {
		boom := errors.New("boom")
		if _, err := c.get(ctx, "trend|1", 1, func(context.Context) (any, error) { return nil, boom }); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the computation's error", err)
		}
		ask(t, "trend|1", 1, calls+1)
	})
	t.Run("Shared", func(t *testing.T) {
		vs.change(1)
		var n atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, _ = c.get(ctx, "enterprises|1", 1, func(context.Context) (any, error) { n.Add(1); <-release; return 1, nil })
			})
		}
		time.Sleep(50 * time.Millisecond) // all eight are waiting on the first
		close(release)
		wg.Wait()
		if n.Load() != 1 {
			t.Errorf("got %d computations for 8 concurrent askers, want 1", n.Load())
		}
	})
	t.Run("ChangeDuringComputation", func(t *testing.T) {
		// A change while an answer is computed: the answer may have missed it, so who asks
		// after the change computes again, and the late answer does not replace theirs.
		release := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = c.get(ctx, "summary|9", 9, func(context.Context) (any, error) { <-release; return "old", nil })
		}()
		time.Sleep(20 * time.Millisecond)
		vs.change(9)
		body, err := c.get(ctx, "summary|9", 9, func(context.Context) (any, error) { return "new", nil })
		if err != nil || string(body) != "\"new\"\n" {
			t.Fatalf("got %q %v after the change, want a new computation", body, err)
		}
		close(release)
		<-done
		body, _ = c.get(ctx, "summary|9", 9, func(context.Context) (any, error) { return "again", nil })
		if string(body) != "\"new\"\n" {
			t.Errorf("got %q, want the answer of the newer version kept", body)
		}
	})
	t.Run("AskerLeaves", func(t *testing.T) {
		// The asker whose computation the others wait on leaves (a stream closed): the
		// computation goes on for them, on a context that did not end with the asker's, and
		// its answer is kept; the one who left stops waiting at once.
		vs.change(1)
		first, leave := context.WithCancel(ctx)
		started, release := make(chan struct{}), make(chan struct{})
		left := make(chan error, 1)
		go func() {
			_, err := c.get(first, "stream|1", 1, func(ctx context.Context) (any, error) {
				close(started)
				<-release
				return "summary", ctx.Err()
			})
			left <- err
		}()
		<-started
		second := make(chan []byte, 1)
		go func() {
			body, err := c.get(ctx, "stream|1", 1, func(context.Context) (any, error) { return "again", nil })
			if err != nil {
				t.Errorf("the asker who stayed: got %v", err)
			}
			second <- body
		}()
		leave()
		if err := <-left; !errors.Is(err, context.Canceled) {
			t.Errorf("the asker who left: got %v, want context.Canceled", err)
		}
		close(release)
		if got := string(<-second); got != "\"summary\"\n" {
			t.Errorf("the asker who stayed: got %q, want the shared computation's answer", got)
		}
		if body, _ := c.get(ctx, "stream|1", 1, func(context.Context) (any, error) { return "late", nil }); string(body) != "\"summary\"\n" {
			t.Errorf("got %q after the computation, want its answer kept", body)
		}
	})
	t.Run("NilComputesEachTime", func(t *testing.T) {
		var none *dashboardCache
		n := 0
		for range 2 {
			if _, err := none.answer(ctx, "summary", domain.DashboardView{}, func(context.Context) (any, error) { n++; return n, nil }); err != nil {
				t.Fatal(err)
			}
		}
		if n != 2 {
			t.Errorf("got %d computations for 2 asks without a cache, want 2", n)
		}
	})
}
