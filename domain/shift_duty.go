package domain

import (
	"context"
	"errors"
	"strconv"
	"sync"
)

// ShiftDuty is a shift on one day: its people on duty against its capacity (FIGURES.md,
// "Shifts").
type ShiftDuty struct {
	Shift
	Date   Date
	OnDuty int
}

// OverCapacity says the shift had more people on duty than its capacity.
func (d ShiftDuty) OverCapacity() bool { return d.OnDuty > d.Capacity }

// OnShiftDuty is the rule of the figure "on duty" of a shift on day d: a worker assigned to the
// shift, who has not left, whose morning check-in of d (am, nil if none) was located at work.
// The stores count by the same rule in SQL (repo.ShiftStore.OnDuty and Duty); the tests hold
// them to this one. Shifts are taken as assigned now, as the HR status page lists people by
// the roster as it stands.
func OnShiftDuty(w Worker, shiftID int64, am *Checkin) bool {
	return shiftID != 0 && w.ShiftID == shiftID && w.Status != WorkerLeft &&
		am != nil && am.Slot == SlotAM && am.Location == AtWork
}

// MayWork says the enterprise's reopening is approved (or it reopened): its workers may be at
// work. Anyone checking in at work elsewhere is 未批先复.
func (s EnterpriseStatus) MayWork() bool { return s == StatusApproved || s == StatusReopened }

// ShiftsOn returns an enterprise's shifts by name, each with its people on duty on day d
// (today in the township when d is zero), and the day. Anyone who may see the enterprise may
// ask. ErrNotFound out of scope.
func (s *StaggerService) ShiftsOn(ctx context.Context, actor Actor, enterpriseID int64, d Date) ([]ShiftDuty, Date, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return nil, Date{}, err
	}
	if d.IsZero() {
		t, err := s.townships.Get(ctx, e.TownshipID)
		if err != nil {
			return nil, Date{}, err
		}
		d = t.Today(s.clock.Now())
	}
	shifts, err := s.shifts.ForEnterprise(ctx, e.ID)
	if err != nil {
		return nil, Date{}, err
	}
	onDuty, err := s.shifts.OnDuty(ctx, e.ID, d)
	if err != nil {
		return nil, Date{}, err
	}
	out := make([]ShiftDuty, 0, len(shifts))
	for _, sh := range shifts {
		out = append(out, ShiftDuty{Shift: sh, Date: d, OnDuty: onDuty[sh.ID]})
	}
	return out, d, nil
}

// atWork raises what a check-in at work finds of its enterprise, once it is written: people at
// work before the reopening was approved (未批先复, escalated to the town), and, in the
// morning, the worker's shift over capacity. The upsert read the enterprise's status and the
// worker's shift in its own statement (Checkin.EnterpriseStatus, ShiftID); only a morning
// check-in in a shift with more workers assigned than its capacity (crowdCache: the only kind
// that can be over it) costs a query, the shift's count, and none once this process knows the
// day's alert raised (s.found). Counting after the check-in committed means that of check-ins
// crossing the capacity together, the last to count sees them all: none is missed, and the
// alerts' unique index keeps the alert single.
func (s *CheckinService) atWork(ctx context.Context, c Checkin) error {
	if c.Location != AtWork {
		return nil
	}
	var alerts []Alert
	base := Alert{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, WorkerID: c.WorkerID, Date: c.Date, Status: AlertOpen}
	if c.EnterpriseStatus != "" && !c.EnterpriseStatus.MayWork() && !s.found.has(c.Date, foundKey{AlertUnapprovedWork, c.EnterpriseID, 0}) {
		a := base
		a.Type, a.Escalated = AlertUnapprovedWork, true
		a.Detail = "企业状态为“" + c.EnterpriseStatus.Label() + "”,复工尚未批准,已有职工在岗打卡(未批先复)"
		alerts = append(alerts, a)
	}
	if c.Slot == SlotAM && c.ShiftID != 0 && !s.found.has(c.Date, foundKey{AlertShiftOverCapacity, c.EnterpriseID, c.ShiftID}) {
		crowded, err := s.crowds.crowded(ctx, s.shifts, c.EnterpriseID, c.ShiftID)
		if err != nil {
			return err
		}
		var duty ShiftDuty
		if crowded {
			duty, err = s.shifts.Duty(ctx, c.ShiftID, c.Date)
		}
		if err != nil && !errors.Is(err, ErrNotFound) { // a shift removed meanwhile has nothing to count
			return err
		}
		if err == nil && duty.OverCapacity() && duty.EnterpriseID == c.EnterpriseID {
			a := base
			a.Type, a.ShiftID = AlertShiftOverCapacity, duty.ID
			a.Detail = "班组“" + duty.Name + "”上午在岗 " + strconv.Itoa(duty.OnDuty) + " 人,超过容量 " +
				strconv.Itoa(duty.Capacity) + " 人"
			alerts = append(alerts, a)
		}
	}
	if len(alerts) == 0 {
		return nil
	}
	tally := raised{}
	if _, err := tally.raise(ctx, s.alerts, alerts); err != nil {
		return err
	}
	tally.report(s.recorder)
	if c.SubmittedBy != 0 {
		return nil // HR's report on a worker's behalf: its transaction may yet roll the alert back
	}
	for _, a := range alerts {
		// Raised now or before (the unique index kept it single): either way it is there.
		s.found.add(a.Date, foundKey{a.Type, a.EnterpriseID, a.ShiftID})
	}
	return nil
}

// foundKey names one enterprise-wide condition, as the alerts' unique index
// alerts_enterprise_condition does: its alert type, the enterprise, and the shift (0 for
// 未批先复).
type foundKey struct {
	typ        AlertType
	enterprise int64
	shift      int64
}

// foundToday remembers the enterprise-wide alerts of recent days this process saw raised, so
// that the many check-ins that find the same condition after the first ask the database
// nothing more. It is only a saving: another process raising the same alert meets the unique
// index. Safe for concurrent use; a nil one remembers nothing.
type foundToday struct {
	mu   sync.Mutex
	days map[Date]map[foundKey]bool
}

func newFoundToday() *foundToday { return &foundToday{days: map[Date]map[foundKey]bool{}} }

// has says whether the alert of k on day d was seen raised.
func (f *foundToday) has(d Date, k foundKey) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.days[d][k]
}

// add records that the alert of k on day d is raised, and forgets days more than one before d
// (a check-in may be of yesterday, never older: CheckCheckinDate).
func (f *foundToday) add(d Date, k foundKey) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.days[d] == nil {
		f.days[d] = map[foundKey]bool{}
		for old := range f.days {
			if old.Before(d.AddDays(-1)) {
				delete(f.days, old)
			}
		}
	}
	f.days[d][k] = true
}
