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
func (s *RetentionService) Run(ctx context.Context, dryRun bool) ([]RetentionResult, error) {
	var out []RetentionResult
	err := eachTownship(ctx, s.townships, func(t Township) error {
		r := RetentionResult{Township: t, Cut: t.Today(s.clock.Now()).AddDays(-t.Policy.RetentionDays)}
		var err error
		if dryRun {
			r.Removed, err = s.store.Expired(ctx, t.ID, r.Cut)
		} else {
			err = s.tx.InTx(ctx, func(ctx context.Context) error {
				if r.Removed, err = s.store.Purge(ctx, t.ID, r.Cut); err != nil {
					return err
				}
				return audit{store: s.audits, clock: s.clock}.record(ctx, Actor{}, t.ID, 0, "retention.run", "township", t.ID, r.describe())
			})
		}
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

func (r RetentionResult) describe() string {
	days := strconv.Itoa(r.Township.Policy.RetentionDays)
	return "保留 " + days + " 天:删除 " + r.Cut.String() + " 之前的打卡 " + strconv.Itoa(r.Removed.Checkins) +
		" 条、预警 " + strconv.Itoa(r.Removed.Alerts) + " 条,离职满 " + days + " 天的职工档案 " + strconv.Itoa(r.Removed.Workers) + " 份"
}
