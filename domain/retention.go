package domain

import (
	"context"
	"strconv"
)

// RetentionCounts are what the retention removes from one township, or in a dry run would.
type RetentionCounts struct {
	Checkins int // dated before the cut-off, or of a worker whose file goes
	Alerts   int // the same
	Workers  int // files of workers who left before the cut-off
}

// RetentionStore removes a township's expired personal data.
type RetentionStore interface {
	// Expired counts what Purge would remove for a cut-off day.
	Expired(ctx context.Context, townshipID int64, cut Date) (RetentionCounts, error)
	// Purge removes the township's check-ins and alerts dated before cut, and the workers who
	// left before cut with their check-ins and alerts, in one transaction; the daily
	// statistics stay as they are (they hold no personal data, and past reports keep their
	// numbers). It moves the township's PurgedBefore up to cut.
	Purge(ctx context.Context, townshipID int64, cut Date) (RetentionCounts, error)
	// DropMonths removes at once, where the store keeps check-ins and alerts by month, the
	// whole months dated before before (a day no township's cut-off is earlier than), with the
	// daily statistics as they are, and returns per township ID what went; what it leaves,
	// Purge removes. A store that keeps no months, or cannot drop them now, removes nothing.
	DropMonths(ctx context.Context, before Date) (map[int64]RetentionCounts, error)
}

// RetentionService applies each township's retention period (Policy.RetentionDays) to the
// personal data it keeps: `fugong retention run`, once a day from cron or a timer.
type RetentionService struct {
	townships TownshipStore
	store     RetentionStore
	audits    AuditStore
	tx        TxRunner
	clock     Clock
}

// RetentionResult is what the retention did, or would do, in one township.
type RetentionResult struct {
	Township Township
	Cut      Date // data dated before this day goes; so do workers who left before it
	Removed  RetentionCounts
}

// Run removes, township by township, the personal data older than its retention period, and
// records each township's run (counts only) in its audit log, in the transaction of the
// removal. With dryRun it only counts and changes nothing.
//
// First, the whole months older than every township's cut-off go at once (DropMonths: on
// PostgreSQL a month is a partition, issue 22); each township's counts are what went from it
// there and in its own removal, so a dry run's counts equal a run's.
func (s *RetentionService) Run(ctx context.Context, dryRun bool) ([]RetentionResult, error) {
	var out []RetentionResult
	err := eachTownship(ctx, s.townships, func(t Township) error {
		out = append(out, RetentionResult{Township: t, Cut: t.Today(s.clock.Now()).AddDays(-t.Policy.RetentionDays)})
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	dropped := map[int64]RetentionCounts{}
	if !dryRun {
		if dropped, err = s.store.DropMonths(ctx, earliestCut(out)); err != nil {
			return nil, err
		}
	}
	for i := range out {
		if err := s.runOne(ctx, &out[i], dryRun, dropped[out[i].Township.ID]); err != nil {
			return out[:i], err
		}
	}
	return out, nil
}

// runOne removes (or counts) one township's expired data, adding what DropMonths took from it.
func (s *RetentionService) runOne(ctx context.Context, r *RetentionResult, dryRun bool, dropped RetentionCounts) error {
	t := r.Township
	if dryRun {
		var err error
		r.Removed, err = s.store.Expired(ctx, t.ID, r.Cut)
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		purged, err := s.store.Purge(ctx, t.ID, r.Cut)
		if err != nil {
			return err
		}
		r.Removed = RetentionCounts{Checkins: dropped.Checkins + purged.Checkins, Alerts: dropped.Alerts + purged.Alerts,
			Workers: dropped.Workers + purged.Workers}
		return audit{store: s.audits, clock: s.clock}.record(ctx, Actor{}, t.ID, 0, "retention.run", "township", t.ID, r.describe())
	})
}

// earliestCut is the earliest of the townships' cut-offs: data dated before it is every
// township's to remove.
func earliestCut(rs []RetentionResult) Date {
	cut := rs[0].Cut
	for _, r := range rs[1:] {
		if r.Cut.Before(cut) {
			cut = r.Cut
		}
	}
	return cut
}

func (r RetentionResult) describe() string {
	days := strconv.Itoa(r.Township.Policy.RetentionDays)
	return "保留 " + days + " 天:删除 " + r.Cut.String() + " 之前的打卡 " + strconv.Itoa(r.Removed.Checkins) +
		" 条、预警 " + strconv.Itoa(r.Removed.Alerts) + " 条,离职满 " + days + " 天的职工档案 " + strconv.Itoa(r.Removed.Workers) + " 份"
}
