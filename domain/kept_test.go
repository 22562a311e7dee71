package domain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// keptReads is a store read for keptValues that counts its reads and answers its current
// value; while gate is set, each read waits for it to close.
type keptReads struct {
	mu    sync.Mutex
	reads int
	value string
	fail  error
	gate  chan struct{}
}

func (s *keptReads) read(ctx context.Context) (string, error) {
	s.mu.Lock()
	s.reads++
	gate, value, fail := s.gate, s.value, s.fail
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return value, fail
}

// set changes what the store answers and whether its reads wait (gate).
func (s *keptReads) set(value string, gate chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.value, s.gate = value, gate
}

func (s *keptReads) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// The tests run in a synctest bubble: its clock moves only when every goroutine in it waits,
// and synctest.Wait returns once they all do, so no test sleeps or guesses how long a
// goroutine takes. A get that blocked where it must not would leave the bubble deadlocked,
// which fails the test.

// TestKeptValuesAged: a value that grew old is served at once while one read in the
// background replaces it, however many ask meanwhile; it is not read again before three
// quarters of maxAge.
func TestKeptValuesAged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, k, store := context.Background(), newKeptValues[string](time.Minute), &keptReads{value: "a"}
		get := func(want string, reads int) {
			t.Helper()
			got, err := k.get(ctx, 1, store.read)
			if err != nil || got != want || store.count() != reads {
				t.Fatalf("got %q (%v) after %d reads, want %q after %d", got, err, store.count(), want, reads)
			}
		}
		get("a", 1)
		time.Sleep(3*time.Minute/4 - time.Millisecond)
		get("a", 1)

		gate := make(chan struct{})
		store.set("b", gate)
		time.Sleep(time.Minute / 4)
		for range 5 {
			// served while the one read waits
			if got, err := k.get(ctx, 1, store.read); err != nil || got != "a" {
				t.Fatalf("got %q (%v) while it is read again, want %q", got, err, "a")
			}
			synctest.Wait()
		}
		if store.count() != 2 {
			t.Fatalf("got %d reads for five gets of an old value, want 2", store.count())
		}
		close(gate)
		synctest.Wait()
		get("b", 2)
	})
}

// TestKeptValuesOneRenewal: of the values that grew old together, one is read again at a
// time; the others are served as they are meanwhile and read once it is done.
func TestKeptValuesOneRenewal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, k := context.Background(), newKeptValues[string](time.Minute)
		one, two := &keptReads{value: "1a"}, &keptReads{value: "2a"}
		for key, store := range map[int64]*keptReads{1: one, 2: two} {
			if _, err := k.get(ctx, key, store.read); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Minute)
		gate := make(chan struct{})
		one.set("1b", gate)
		two.set("2b", nil)
		if got, _ := k.get(ctx, 1, one.read); got != "1a" {
			t.Fatalf("key 1: got %q, want %q while it is read again", got, "1a")
		}
		synctest.Wait()
		if got, _ := k.get(ctx, 2, two.read); got != "2a" || two.count() != 1 {
			t.Fatalf("key 2 while key 1 is read again: got %q after %d reads, want %q after 1", got, two.count(), "2a")
		}
		synctest.Wait()
		if two.count() != 1 {
			t.Fatalf("key 2 was read again beside key 1: %d reads, want 1", two.count())
		}
		close(gate)
		synctest.Wait()
		if got, _ := k.get(ctx, 2, two.read); got != "2a" {
			t.Fatalf("key 2: got %q, want %q while it is read again", got, "2a")
		}
		synctest.Wait()
		for key, want := range map[int64]string{1: "1b", 2: "2b"} {
			if got, _ := k.get(ctx, key, map[int64]*keptReads{1: one, 2: two}[key].read); got != want {
				t.Errorf("key %d: got %q, want %q", key, got, want)
			}
		}
	})
}

// TestKeptValuesChanged: after a change of its key, a value is read again and its readers
// wait for that read, all of them for the same one; a change of another key leaves it, a
// change of every key (0) does not.
func TestKeptValuesChanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, k, store := context.Background(), newKeptValues[string](time.Minute), &keptReads{value: "a"}
		if _, err := k.get(ctx, 1, store.read); err != nil {
			t.Fatal(err)
		}
		k.changed(2)
		if got, _ := k.get(ctx, 1, store.read); got != "a" || store.count() != 1 {
			t.Fatalf("after another key's change: got %q after %d reads, want %q after 1", got, store.count(), "a")
		}

		gate := make(chan struct{})
		store.set("b", gate)
		k.changed(1)
		got := make([]string, 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], _ = k.get(ctx, 1, store.read) })
		}
		synctest.Wait() // all eight wait on one read
		close(gate)
		wg.Wait()
		for i, g := range got {
			if g != "b" {
				t.Errorf("reader %d: got %q, want %q", i, g, "b")
			}
		}
		if store.count() != 2 {
			t.Errorf("got %d reads for eight readers after a change, want 2", store.count())
		}

		store.set("c", nil)
		k.changed(0)
		if got, _ := k.get(ctx, 1, store.read); got != "c" || store.count() != 3 {
			t.Errorf("after every key's change: got %q after %d reads, want %q after 3", got, store.count(), "c")
		}
	})
}

// TestKeptValuesLaterChangeWins: a read that started before a change and ends after the read
// the change asked for does not replace what that one kept.
func TestKeptValuesLaterChangeWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, k, store := context.Background(), newKeptValues[string](time.Minute), &keptReads{value: "old"}
		slow := make(chan struct{})
		store.set("old", slow)
		oldRead := make(chan string, 1)
		go func() { v, _ := k.get(ctx, 1, store.read); oldRead <- v }()
		synctest.Wait()

		k.changed(1)
		store.set("new", nil)
		if got, _ := k.get(ctx, 1, store.read); got != "new" {
			t.Fatalf("after the change: got %q, want %q", got, "new")
		}
		close(slow)
		<-oldRead
		reads := store.count()
		if got, _ := k.get(ctx, 1, store.read); got != "new" || store.count() != reads {
			t.Errorf("got %q after %d reads, want %q kept (%d reads)", got, store.count(), "new", reads)
		}
	})
}

// TestKeptValuesErrors: a failed read is returned to its readers and not kept.
func TestKeptValuesErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, k := context.Background(), newKeptValues[string](time.Minute)
		store := &keptReads{value: "a", fail: errors.New("boom")}
		if _, err := k.get(ctx, 1, store.read); !errors.Is(err, store.fail) {
			t.Fatalf("got %v, want the store's error", err)
		}
		store.fail = nil
		if got, err := k.get(ctx, 1, store.read); err != nil || got != "a" || store.count() != 2 {
			t.Errorf("got %q (%v) after %d reads, want %q after 2", got, err, store.count(), "a")
		}
	})
}

// TestKeptValuesReaderLeaves: the reader whose read the others wait on leaves; the read goes
// on for them.
func TestKeptValuesReaderLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, k := context.Background(), newKeptValues[string](time.Minute)
		gate := make(chan struct{})
		store := &keptReads{value: "a", gate: gate}
		first, leave := context.WithCancel(ctx)
		left := make(chan error, 1)
		go func() { _, err := k.get(first, 1, store.read); left <- err }()
		synctest.Wait()
		stayed := make(chan error, 1)
		go func() { _, err := k.get(ctx, 1, store.read); stayed <- err }()
		synctest.Wait()
		leave()
		if err := <-left; !errors.Is(err, context.Canceled) {
			t.Errorf("the reader who left: got %v, want context.Canceled", err)
		}
		close(gate)
		if err := <-stayed; err != nil {
			t.Errorf("the reader who stayed: got %v, want the value", err)
		}
		if store.count() != 1 {
			t.Errorf("got %d reads, want 1", store.count())
		}
	})
}
