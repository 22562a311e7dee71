package domain

import (
	"errors"
	"strings"
	"testing"
)

// TestReadAhead: the batches come in order; a consume error stops the source within a batch
// or two and is what comes back; the sheet's problems come back; a panic while reading is an
// error, not a crash.
func TestReadAhead(t *testing.T) {
	batch := func(n int) []RosterRow { return []RosterRow{{Row: n}} }
	counting := func(yielded *int, sheetErrs []RowError) RosterSource {
		return func(yield func([]RosterRow) error) ([]RowError, error) {
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
		errs, err := readAhead(counting(&yielded, []RowError{{Row: 0, Message: "最多"}}), func(rows []RosterRow) error {
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
		_, err := readAhead(counting(&yielded, nil), func([]RosterRow) error {
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
	t.Run("Panic", func(t *testing.T) {
		_, err := readAhead(func(yield func([]RosterRow) error) ([]RowError, error) {
			_ = yield(batch(1))
			panic("index out of range")
		}, func([]RosterRow) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "panic") {
			t.Errorf("got %v, want an error saying the reader panicked", err)
		}
	})
}
