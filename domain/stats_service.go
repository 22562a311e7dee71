package domain

import "context"

// StatsService keeps the daily statistics in step beyond what the check-ins and rosters keep
// by themselves: a new day's roster snapshot before anyone looks, and a recount after a
// restore or a bulk load.
type StatsService struct {
	stats     StatsStore
	townships TownshipStore
	clock     Clock
}

// EnsureToday takes today's roster snapshot of every township that has none yet, for the
// sweep: the new day's snapshot is there before anyone looks.
func (s *StatsService) EnsureToday(ctx context.Context) error {
	return eachTownship(ctx, s.townships, func(t Township) error {
		return s.stats.EnsureSnapshot(ctx, t.ID, t.Today(s.clock.Now()))
	})
}

// Rebuild recounts the statistics of every township's days from one date to another: the
// activity figures from the check-ins and alerts, today's roster figures from the rosters, and
// the roster figures of past days that have no snapshot by the rule of RosterFigures (past
// snapshots stand: they are what the roster was that day). It returns how many townships.
func (s *StatsService) Rebuild(ctx context.Context, from, to Date) (int, error) {
	n := 0
	err := eachTownship(ctx, s.townships, func(t Township) error {
		// Days whose check-ins the retention removed keep the figures they had: a recount
		// would find nothing and zero them.
		from := from
		if from.Before(t.PurgedBefore) {
			from = t.PurgedBefore
		}
		if from.After(to) {
			return nil
		}
		if err := s.stats.RecountActivity(ctx, t.ID, from, to); err != nil {
			return err
		}
		today := t.Today(s.clock.Now())
		for d := from; !d.After(to) && !d.After(today); d = d.AddDays(1) {
			if err := s.stats.SnapshotRoster(ctx, t.ID, nil, d, d != today); err != nil {
				return err
			}
		}
		n++
		return nil
	})
	return n, err
}
