package repo

import (
	"context"
	"sync"

	"fugong/domain"
)

// snapshotsTaken are the days whose roster snapshot a StatsStore has taken for a whole township
// (EnsureSnapshot), so that it takes each once: the snapshot groups every worker of the
// township, and every dashboard read asks for it.
type snapshotsTaken struct {
	mu   sync.Mutex
	days map[snapshotDay]bool
}

type snapshotDay struct {
	township int64
	day      domain.Date
}

// EnsureSnapshot takes day d's roster figures of the township's enterprises that have no
// snapshot of the day yet, unless this store did so already. Inside a transaction, which may
// yet roll back, it remembers nothing.
func (s *StatsStore) EnsureSnapshot(ctx context.Context, townshipID int64, d domain.Date) error {
	key := snapshotDay{townshipID, d}
	s.taken.mu.Lock()
	done := s.taken.days[key]
	s.taken.mu.Unlock()
	if done {
		return nil
	}
	if err := s.SnapshotRoster(ctx, townshipID, nil, d, true); err != nil || inTx(ctx) {
		return err
	}
	s.taken.mu.Lock()
	defer s.taken.mu.Unlock()
	if s.taken.days == nil {
		s.taken.days = map[snapshotDay]bool{}
	}
	for k := range s.taken.days { // the days before d are no one's today any more
		if k.township == townshipID && k.day.Before(d.AddDays(-1)) {
			delete(s.taken.days, k)
		}
	}
	s.taken.days[key] = true
	return nil
}
