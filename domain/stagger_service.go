package domain

import (
	"context"
	"strconv"
)

// StaggerService keeps what runs a plan's staggered return and small shifts: the enterprise's
// return batches (set by its approved plan, read here) and its shifts (班组), which its HR and
// its supervisors keep.
type StaggerService struct {
	batches   BatchStore
	shifts    ShiftStore
	plans     PlanStore
	townships TownshipStore
	audits    AuditStore
	tx        TxRunner
	clock     Clock
	changes   Notifier
	scope     scopeLoader
}

func (s *StaggerService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// Batches returns an enterprise's return batches by number, with how many workers each has.
// ErrNotFound out of scope.
func (s *StaggerService) Batches(ctx context.Context, actor Actor, enterpriseID int64) ([]ReturnBatch, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return nil, err
	}
	return s.batches.ForEnterprise(ctx, e.ID)
}

// Shifts returns an enterprise's shifts by name, with how many workers each has. ErrNotFound
// out of scope.
func (s *StaggerService) Shifts(ctx context.Context, actor Actor, enterpriseID int64) ([]Shift, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return nil, err
	}
	return s.shifts.ForEnterprise(ctx, e.ID)
}

// ShiftInput is a shift as HR or the supervisor gives it.
type ShiftInput struct {
	Name, Workshop     string
	Start, End         string // HH:MM
	MealStart, MealEnd string // HH:MM
	Capacity           int
}

// MaxShiftCapacity bounds a shift's capacity: a small shift is small.
const MaxShiftCapacity = 10_000

// check checks the input and returns the shift it describes. Times are HH:MM (clockRe, as
// the township's cut-offs).
func (in ShiftInput) check() (Shift, error) {
	var p Problems
	sh := Shift{
		Name: Clean(in.Name), Workshop: Clean(in.Workshop), Start: NarrowText(in.Start), End: NarrowText(in.End),
		MealStart: NarrowText(in.MealStart), MealEnd: NarrowText(in.MealEnd), Capacity: in.Capacity,
	}
	checkText(&p, "name", "班组名称", sh.Name, 1, 30)
	checkText(&p, "workshop", "车间", sh.Workshop, 0, 50)
	for _, f := range []struct{ field, value string }{
		{"start", sh.Start}, {"end", sh.End}, {"meal_start", sh.MealStart}, {"meal_end", sh.MealEnd},
	} {
		if f.value != "" && !clockRe.MatchString(f.value) {
			p.Add(f.field, "时间应写成 08:00 这样的 24 小时制")
		}
	}
	if (sh.Start == "") != (sh.End == "") {
		p.Add("end", "请同时填写上班和下班时间")
	}
	switch {
	case (sh.MealStart == "") != (sh.MealEnd == ""):
		p.Add("meal_end", "请同时填写就餐开始和结束时间")
	case sh.MealStart != "" && sh.MealEnd <= sh.MealStart && !p.Has("meal_start") && !p.Has("meal_end"):
		p.Add("meal_end", "就餐结束时间应晚于开始时间")
	}
	if sh.Capacity < 1 || sh.Capacity > MaxShiftCapacity {
		p.Add("capacity", "班组容量应在 1 到 "+strconv.Itoa(MaxShiftCapacity)+" 人之间")
	}
	return sh, p.Err()
}

// shiftWriter loads an enterprise the actor may keep the shifts of. ErrNotFound, ErrForbidden.
func (s *StaggerService) shiftWriter(ctx context.Context, actor Actor, enterpriseID int64) (Enterprise, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return Enterprise{}, err
	}
	return e, canKeepShifts(actor, e)
}

// canKeepShifts: an enterprise's shifts are kept by its HR and by its supervisors.
func canKeepShifts(actor Actor, e Enterprise) error {
	if !actor.Is(RoleEnterpriseHR) && !(actor.Is(RoleSupervisor) && e.SupervisedBy(actor.UserID)) {
		return Forbidden("班组由企业或其驻厂监督员维护")
	}
	return nil
}

// CreateShift adds a shift to an enterprise. ErrForbidden, ErrNotFound, ErrInvalid,
// ErrConflict (a shift of that name exists).
func (s *StaggerService) CreateShift(ctx context.Context, actor Actor, enterpriseID int64, in ShiftInput) (Shift, error) {
	e, err := s.shiftWriter(ctx, actor, enterpriseID)
	if err != nil {
		return Shift{}, err
	}
	sh, err := in.check()
	if err != nil {
		return Shift{}, err
	}
	sh.TownshipID, sh.EnterpriseID = e.TownshipID, e.ID
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.shifts.Create(ctx, &sh); err != nil {
			return conflictField(err, "name", "本企业已有班组“"+sh.Name+"”")
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "shift.create", "shift", sh.ID, sh.Name+",容量 "+strconv.Itoa(sh.Capacity)+" 人")
	})
	if err != nil {
		return Shift{}, err
	}
	s.changed(e)
	return s.shifts.Get(ctx, sh.ID)
}

// UpdateShift changes a shift. A capacity below the workers it has is allowed (a supervisor
// cuts a shift after an inspection): the shift shows over capacity and takes nobody more.
// ErrForbidden, ErrNotFound, ErrInvalid, ErrConflict.
func (s *StaggerService) UpdateShift(ctx context.Context, actor Actor, id int64, in ShiftInput) (Shift, error) {
	old, e, err := s.shiftOf(ctx, actor, id)
	if err != nil {
		return Shift{}, err
	}
	sh, err := in.check()
	if err != nil {
		return Shift{}, err
	}
	sh.ID, sh.TownshipID, sh.EnterpriseID = old.ID, old.TownshipID, old.EnterpriseID
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.shifts.Update(ctx, sh); err != nil {
			return conflictField(err, "name", "本企业已有班组“"+sh.Name+"”")
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "shift.update", "shift", sh.ID, sh.Name+",容量 "+strconv.Itoa(sh.Capacity)+" 人")
	})
	if err != nil {
		return Shift{}, err
	}
	s.changed(e)
	return s.shifts.Get(ctx, sh.ID)
}

// DeleteShift removes a shift nobody is assigned to. ErrForbidden, ErrNotFound, ErrConflict.
func (s *StaggerService) DeleteShift(ctx context.Context, actor Actor, id int64) error {
	sh, e, err := s.shiftOf(ctx, actor, id)
	if err != nil {
		return err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.shifts.Delete(ctx, sh.ID); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "shift.delete", "shift", sh.ID, sh.Name)
	})
	if err == nil {
		s.changed(e)
	}
	return err
}

// shiftOf loads a shift and its enterprise for a writer of its shifts; a shift out of scope is
// not found.
func (s *StaggerService) shiftOf(ctx context.Context, actor Actor, id int64) (Shift, Enterprise, error) {
	get := func(ctx context.Context, id int64) (Shift, error) { return s.shifts.Get(ctx, id) }
	sh, e, err := recordOf(ctx, s.scope, actor, id, "班组", get, func(sh Shift) int64 { return sh.EnterpriseID })
	if err != nil {
		return Shift{}, Enterprise{}, err
	}
	return sh, e, canKeepShifts(actor, e)
}

// changed tells live views that an enterprise's shifts changed.
func (s *StaggerService) changed(e Enterprise) {
	notify(s.changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeRoster})
}
