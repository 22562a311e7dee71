package main

import (
	"testing"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

// TestCheckinKeysMix holds the order checkinKeyOf deals keys in to what the runs need of it
// (checkinKeys): each worker's four day-slots over the four passes, and in every stretch of 4E
// keys of a pass each enterprise on each of the four day-slots, so that no run of the
// benchmark changes its work in mid-run. (The order before failed the second: each enterprise
// kept one day-slot for a whole pass.)
func TestCheckinKeysMix(t *testing.T) {
	const workers, enterprises = 1000, 20
	ds := &loadtest.Dataset{Today: domain.NewDate(2026, 12, 6), Enterprises: make([]domain.Enterprise, enterprises)}
	for i := range workers {
		ds.Workers = append(ds.Workers, domain.Worker{ID: int64(i), EnterpriseID: int64(i % enterprises)}) // as Seed
	}
	perWorker := map[int64]map[keyDay]bool{}
	for key := range 4 * workers {
		k := checkinKeyOf(ds, key, 0)
		addDaySlot(perWorker, k.worker.ID, k)
	}
	for id, slots := range perWorker {
		if len(slots) != 4 {
			t.Fatalf("worker %d got %d distinct day-slots over the four passes, want 4", id, len(slots))
		}
	}
	for pass := range 4 {
		for start := pass * workers; start+4*enterprises <= (pass+1)*workers; start += 4 * enterprises {
			perEnterprise := map[int64]map[keyDay]bool{}
			for key := start; key < start+4*enterprises; key++ {
				k := checkinKeyOf(ds, key, 0)
				addDaySlot(perEnterprise, k.worker.EnterpriseID, k)
			}
			for e := range int64(enterprises) {
				if len(perEnterprise[e]) != 4 {
					t.Fatalf("keys %d to %d: enterprise %d got %d of the four day-slots, want all four",
						start, start+4*enterprises-1, e, len(perEnterprise[e]))
				}
			}
		}
	}
}

type keyDay struct {
	date domain.Date
	slot domain.Slot
}

func addDaySlot(m map[int64]map[keyDay]bool, id int64, k checkinKey) {
	if m[id] == nil {
		m[id] = map[keyDay]bool{}
	}
	m[id][keyDay{k.date, k.slot}] = true
}
