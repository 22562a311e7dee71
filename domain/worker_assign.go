package domain

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// AssignInput is HR's multi-select on the roster page: these workers into a batch and/or a
// shift. A nil ID leaves that placement alone; 0 takes the workers out of theirs.
type AssignInput struct {
	WorkerIDs        []int64
	BatchID          *int64
	ShiftID          *int64
	ConfirmIsolation bool // HR confirms the isolation warnings (FieldConfirmIsolation)
}

// MaxAssign is how many workers one assignment moves: a page of the roster.
const MaxAssign = MaxPageSize

// AssignResult is what an assignment did.
type AssignResult struct {
	Changed  int // workers whose batch or shift changed
	Warnings []string
}

// Assign places workers of the actor's enterprise in a batch and/or a shift, all or nothing:
// a worker not on the roster, a batch or shift not the enterprise's, a shift without places
// for all who join it (counted with the shift locked), or an isolation warning HR has not
// confirmed refuses the whole assignment. Each worker back before their new batch raises an
// early-arrival alert. ErrForbidden, ErrNotFound, ErrInvalid, ErrConflict (the warnings).
func (s *WorkerService) Assign(ctx context.Context, actor Actor, enterpriseID int64, in AssignInput) (AssignResult, error) {
	e, t, err := s.roster(ctx, actor, enterpriseID, true)
	if err != nil {
		return AssignResult{}, err
	}
	pl, err := s.placementOf(ctx, e.ID)
	if err != nil {
		return AssignResult{}, err
	}
	ids, err := in.check(pl)
	if err != nil {
		return AssignResult{}, err
	}
	ws, _, err := s.workers.List(ctx, WorkerFilter{EnterpriseID: e.ID, IDs: ids, Page: Page{Limit: MaxAssign}})
	if err != nil {
		return AssignResult{}, err
	}
	if len(ws) != len(ids) {
		return AssignResult{}, Invalid("worker_ids", "有 "+strconv.Itoa(len(ids)-len(ws))+" 名职工不在本企业花名册中,请刷新后重新选择")
	}
	today := t.Today(s.clock.Now())
	moved, warnings := in.apply(pl, t, ws, today)
	if len(warnings) > 0 && !in.ConfirmIsolation {
		return AssignResult{}, isolationConflict(warnings)
	}
	tally := raised{}
	var n int
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.seatAll(ctx, ws, moved); err != nil {
			return err
		}
		if n, err = s.workers.Assign(ctx, e.ID, ids, in.BatchID, in.ShiftID); err != nil {
			return err
		}
		var alerts []Alert
		for _, w := range moved {
			alerts = append(alerts, earlyArrivalAlerts(w)...)
		}
		if _, err := tally.raise(ctx, s.alerts, alerts); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "worker.assign", "enterprise", e.ID, in.describe(pl, len(ids)))
	})
	if err != nil {
		return AssignResult{}, err
	}
	tally.report(s.recorder)
	notify(s.changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeRoster})
	return AssignResult{Changed: n, Warnings: warnings}, nil
}

// check checks the input against the enterprise's batches and shifts and returns the worker
// IDs without repeats.
func (in AssignInput) check(pl placement) ([]int64, error) {
	var p Problems
	ids := slices.Compact(slices.Sorted(slices.Values(in.WorkerIDs)))
	switch {
	case len(ids) == 0:
		p.Add("worker_ids", "请选择职工")
	case len(ids) > MaxAssign:
		p.Add("worker_ids", "一次最多分配 "+strconv.Itoa(MaxAssign)+" 人")
	case ids[0] <= 0:
		p.Add("worker_ids", "职工编号无效")
	}
	if in.BatchID == nil && in.ShiftID == nil {
		p.Add("batch_id", "请选择返岗批次或班组")
	}
	if in.BatchID != nil && *in.BatchID != 0 {
		if _, ok := pl.batch(*in.BatchID); !ok {
			p.Add("batch_id", "本企业没有这个返岗批次")
		}
	}
	if in.ShiftID != nil && *in.ShiftID != 0 {
		if _, ok := pl.byID[*in.ShiftID]; !ok {
			p.Add("shift_id", "本企业没有这个班组")
		}
	}
	return ids, p.Err()
}

// apply returns the workers as the assignment leaves them, and the isolation warnings it
// raises.
func (in AssignInput) apply(pl placement, t Township, ws []Worker, today Date) ([]Worker, []string) {
	moved := make([]Worker, 0, len(ws))
	var warnings []string
	for _, old := range ws {
		w := old
		if in.BatchID != nil {
			b, _ := pl.batch(*in.BatchID)
			w.BatchID, w.BatchNumber, w.BatchDate = b.ID, b.Number, b.Date
		}
		if in.ShiftID != nil {
			sh := pl.byID[*in.ShiftID]
			w.ShiftID, w.ShiftGroup = sh.ID, sh.Name
		}
		if msg, warn := t.newIsolationWarning(&old, w, today); warn {
			warnings = append(warnings, msg)
		}
		moved = append(moved, w)
	}
	return moved, warnings
}

// seatAll takes the places the assignment needs in its shift, the shift locked: all or none.
func (s *WorkerService) seatAll(ctx context.Context, before, after []Worker) error {
	joining := 0
	for i := range after {
		if joinsShift(&before[i], after[i]) {
			joining++
		}
	}
	if joining == 0 {
		return nil
	}
	sh, err := s.shifts.Lock(ctx, after[0].ShiftID)
	if err != nil {
		return err
	}
	if sh.Assigned+joining > sh.Capacity {
		return capacityError("shift_id", capacityMessage(sh, joining))
	}
	return nil
}

// describe is the assignment in the audit log's words: 12 人:第1批 2026-02-20,甲班.
func (in AssignInput) describe(pl placement, n int) string {
	var parts []string
	if in.BatchID != nil {
		if b, ok := pl.batch(*in.BatchID); ok {
			parts = append(parts, BatchLabel(b))
		} else {
			parts = append(parts, "取消返岗批次")
		}
	}
	if in.ShiftID != nil {
		if sh, ok := pl.byID[*in.ShiftID]; ok {
			parts = append(parts, sh.Name)
		} else {
			parts = append(parts, "取消班组")
		}
	}
	return strconv.Itoa(n) + " 人:" + strings.Join(parts, ",")
}
