package domain

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestReadAhead: the batches come in order; a consume error, or the end of the context, stops
// the source within a batch or two and is what comes back; the sheet's problems come back; a
// panic while reading is an error, not a crash.
func TestReadAhead(t *testing.T) {
	batch := func(n int) []RosterRow { return []RosterRow{{Row: n}} }
	counting := func(yielded *int, sheetErrs []RowError) RosterSource {
		return func(_ context.Context, yield func([]RosterRow) error) ([]RowError, error) {
			for n := 1; n <= 100; n++ {
				if err := yield(batch(n)); err != nil {
					return nil, err
				}
				*yielded = n
			}
			return sheetErrs, nil
		}
	}
	t.Run("InOrder", func(t *testing.T) {
		var yielded int
		var got []int
		errs, err := readAhead(context.Background(), counting(&yielded, []RowError{{Row: 0, Message: "最多"}}), func(rows []RosterRow) error {
			got = append(got, rows[0].Row)
			return nil
		})
		if err != nil || len(errs) != 1 || len(got) != 100 || got[0] != 1 || got[99] != 100 {
			t.Errorf("got %v, %v and batches %v; want the sheet's error and batches 1 to 100 in order", errs, err, got)
		}
	})
	t.Run("ConsumeError", func(t *testing.T) {
		var yielded, consumed int
		failed := errors.New("database gone")
		_, err := readAhead(context.Background(), counting(&yielded, nil), func([]RosterRow) error {
			if consumed++; consumed == 2 {
				return failed
			}
			return nil
		})
		if !errors.Is(err, failed) {
			t.Errorf("got %v, want the consume error", err)
		}
		if consumed != 2 || yielded > 4 {
			t.Errorf("consumed %d and the source went on to %d; want 2, and the source stopped a batch or two ahead", consumed, yielded)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		var yielded, consumed int
		left := errors.New("the client left")
		ctx, cancel := context.WithCancelCause(context.Background())
		_, err := readAhead(ctx, counting(&yielded, nil), func([]RosterRow) error {
			if consumed++; consumed == 2 {
				cancel(left)
			}
			return nil
		})
		if !errors.Is(err, left) {
			t.Errorf("got %v, want the context's cause", err)
		}
		if consumed != 2 || yielded > 4 {
			t.Errorf("consumed %d and the source went on to %d; want 2, and the source stopped a batch or two ahead", consumed, yielded)
		}
	})
	t.Run("Panic", func(t *testing.T) {
		_, err := readAhead(context.Background(), func(_ context.Context, yield func([]RosterRow) error) ([]RowError, error) {
			_ = yield(batch(1))
			panic("index out of range")
		}, func([]RosterRow) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "panic") {
			t.Errorf("got %v, want an error saying the reader panicked", err)
		}
	})
}

// TestImportSlots: one import per enterprise, Max per server, 429 beyond with a message that
// says which; a place given back is free again, and giving it back twice frees no other.
func TestImportSlots(t *testing.T) {
	s := &ImportSlots{Max: 2}
	release1, err := s.Take(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take(1); !errors.Is(err, ErrTooManyRequests) || !strings.Contains(err.Error(), "本企业有一份花名册正在导入") {
		t.Errorf("the same enterprise: got %v, want ErrTooManyRequests, its import being under way", err)
	}
	release2, err := s.Take(2)
	if err != nil {
		t.Fatalf("a second enterprise: got %v, want a place", err)
	}
	if _, err := s.Take(3); !errors.Is(err, ErrTooManyRequests) || !strings.Contains(err.Error(), "正在导入的花名册较多") {
		t.Errorf("a third enterprise: got %v, want ErrTooManyRequests, the server being full", err)
	}
	release1()
	release1()
	if got := s.Running(); got != 1 {
		t.Errorf("got %d running, want 1", got)
	}
	release3, err := s.Take(3)
	if err != nil {
		t.Fatalf("after a release: got %v, want a place", err)
	}
	if _, err := s.Take(1); !errors.Is(err, ErrTooManyRequests) {
		t.Errorf("got %v, want the server full again", err)
	}
	release2()
	release3()
	if got := s.Running(); got != 0 {
		t.Errorf("got %d running, want 0", got)
	}
}
