package domain

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCountTurns: while a count runs, askers wait for their turn; those who asked during it get
// one count that started after them (not the running one, which may have missed what they
// saw), and only one count runs at a time however many ask; an asker who leaves stops waiting.
func TestCountTurns(t *testing.T) {
	var c countTurns
	ctx := context.Background()
	var running, most, counts atomic.Int32
	release := make(chan struct{})
	count := func() (PassCountsView, error) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		k := counts.Add(1)
		if k == 1 {
			<-release // the first count holds its turn until the others queue behind it
		}
		running.Add(-1)
		return PassCountsView{Total: PassCounts{Green: int(k)}}, nil
	}
	first := make(chan PassCountsView, 1)
	go func() {
		v, _ := c.do(ctx, "q", count)
		first <- v
	}()
	waitFor(t, "the first count to start", func() bool { return counts.Load() == 1 })
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Go(func() {
			v, err := c.do(ctx, "q", count)
			if err != nil {
				t.Error(err)
			}
			got[i] = v.Total.Green
		})
	}
	waitFor(t, "eight askers to ask", func() bool { return c.seq.Load() >= 10 })
	left, leave := context.WithCancel(ctx)
	leaving := make(chan error, 1)
	go func() { _, err := c.do(left, "q", count); leaving <- err }()
	leave()
	if err := <-leaving; err != context.Canceled {
		t.Errorf("the asker who left: got %v, want context.Canceled", err)
	}
	close(release)
	wg.Wait()
	if v := <-first; v.Total.Green != 1 {
		t.Errorf("the first asker got count %d, want its own (1)", v.Total.Green)
	}
	for i, g := range got {
		if g != 2 {
			t.Errorf("asker %d got count %d, want the one count after the first (2)", i, g)
		}
	}
	if counts.Load() != 2 || most.Load() != 1 {
		t.Errorf("got %d counts, at most %d at once; want 2, 1", counts.Load(), most.Load())
	}
	if v, _ := c.do(ctx, "q", count); v.Total.Green != 3 {
		t.Errorf("a later asker got count %d, want a new one (3)", v.Total.Green)
	}
}

// waitFor waits, with a generous bound, until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
