package domain

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// MaxImportRows is how many data rows one roster upload may have.
const MaxImportRows = 60_000

// WorkerService keeps the enterprises' rosters: records, their risk and isolation, the Excel
// import, and who may read ID numbers whole.
type WorkerService struct {
	workers     WorkerStore
	shifts      ShiftStore
	batches     BatchStore
	enterprises EnterpriseStore
	townships   TownshipStore
	audits      AuditStore
	alerts      AlertStore
	stats       StatsStore
	tx          TxRunner
	clock       Clock
	changes     Notifier
	recorder    Recorder // hears of the alerts raised on arrival; nil for none
	// imports bounds the roster imports running at once; nil for no bound.
	imports *ImportSlots
	// importBudget is how long an import may take, reading and writing; 0 for no limit.
	importBudget time.Duration
	places       *placeCache // townships kept in memory; nil reads them each time
	scope        scopeLoader
}

// WorkerUpdate changes the fields that are set.
type WorkerUpdate struct {
	Name            *string
	Phone           *string
	Department      *string
	ShiftGroup      *string
	Batch           *string // the return batch as ParseBatchRef reads it; empty for none
	OriginRegion    *string
	ArrivedOn       *string
	Transport       *string
	KeyAreaExposure *bool
	ContactHistory  *bool
	Status          *WorkerStatus
	IsolationPlace  *string
	IsolationUntil  *Date // with status isolating: HR orders an isolation until then
	// ConfirmIsolation: HR confirms the isolation warning of the change (FieldConfirmIsolation).
	ConfirmIsolation bool
}

func (s *WorkerService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// roster loads an enterprise and its township and checks that the actor may see it; with
// hrOnly, that the actor is its HR.
func (s *WorkerService) roster(ctx context.Context, actor Actor, enterpriseID int64, hrOnly bool) (Enterprise, Township, error) {
	e, err := s.scope.enterprise(ctx, actor, enterpriseID)
	if err != nil {
		return Enterprise{}, Township{}, err
	}
	if hrOnly && !actor.Is(RoleEnterpriseHR) {
		return Enterprise{}, Township{}, Forbidden("花名册由企业维护")
	}
	t, err := s.townships.Get(ctx, e.TownshipID)
	return e, t, err
}

// snapshot retakes today's roster figures of an enterprise, in the transaction that changed
// its roster, so that the dashboard never shows a roster it does not have.
func (s *WorkerService) snapshot(ctx context.Context, t Township, enterpriseID int64, today Date) error {
	return s.stats.SnapshotRoster(ctx, t.ID, []int64{enterpriseID}, today, false)
}

// CanWrite checks that the actor keeps the enterprise's roster (its HR), for what writes it or
// serves the writing (the template). ErrNotFound, ErrForbidden.
func (s *WorkerService) CanWrite(ctx context.Context, actor Actor, enterpriseID int64) error {
	_, _, err := s.roster(ctx, actor, enterpriseID, true)
	return err
}

// TemplateChoices are what the enterprise's roster template offers in its drop-down lists, by
// column key: its return batches (BatchLabel) and its shifts. Only for its HR (CanWrite).
func (s *WorkerService) TemplateChoices(ctx context.Context, actor Actor, enterpriseID int64) (map[string][]string, error) {
	if err := s.CanWrite(ctx, actor, enterpriseID); err != nil {
		return nil, err
	}
	pl, err := s.placementOf(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, b := range pl.batches {
		out[ColBatch] = append(out[ColBatch], BatchLabel(b))
	}
	for name := range pl.shifts {
		out[ColShiftGroup] = append(out[ColShiftGroup], name)
	}
	slices.Sort(out[ColShiftGroup])
	return out, nil
}

// ReturnSchedule is what a worker's own page shows of their return: the day of their batch
// and what to bring on it, and their shift's hours and meal time.
type ReturnSchedule struct {
	BatchNumber int  // 0: no batch yet
	BatchDate   Date // zero: no batch yet
	Bring       []string
	Shift       *Shift // nil: no shift yet
}

// Schedule returns the return schedule of a worker read through Get (which checked the
// actor's scope).
func (s *WorkerService) Schedule(ctx context.Context, w Worker) (ReturnSchedule, error) {
	out := ReturnSchedule{BatchNumber: w.BatchNumber, BatchDate: w.BatchDate, Bring: WhatToBring}
	if w.ShiftID == 0 {
		return out, nil
	}
	sh, err := s.shifts.Get(ctx, w.ShiftID)
	if err != nil {
		return ReturnSchedule{}, err
	}
	out.Shift = &sh
	return out, nil
}

// Create adds a worker to the actor's enterprise roster, and returns them with the township's
// today, as of which they are shown (age, isolation days left). ErrForbidden, ErrNotFound,
// ErrInvalid, ErrConflict (the person is on the roster).
func (s *WorkerService) Create(ctx context.Context, actor Actor, enterpriseID int64, in WorkerInput) (Worker, Date, error) {
	e, t, err := s.roster(ctx, actor, enterpriseID, true)
	if err != nil {
		return Worker{}, Date{}, err
	}
	today := t.Today(s.clock.Now())
	w, p := in.parse(today)
	pl, err := s.placementOf(ctx, e.ID)
	if err != nil {
		return Worker{}, Date{}, err
	}
	pl.placeShift(&w, &p)
	pl.placeBatch(&w, in.Batch, &p)
	if err := p.Err(); err != nil {
		return Worker{}, Date{}, err
	}
	w.TownshipID, w.EnterpriseID, w.Status = e.TownshipID, e.ID, WorkerExpected
	t.settle(&w, today)
	if msg, warn := t.newIsolationWarning(nil, w, today); warn && !in.ConfirmIsolation {
		return Worker{}, Date{}, isolationConflict([]string{msg})
	}
	tally := raised{}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.takeSeat(ctx, nil, w); err != nil {
			return err
		}
		if err := s.workers.Create(ctx, &w); err != nil {
			return conflictField(err, ColIDNumber, "此人已在本企业花名册中")
		}
		if _, err := tally.raise(ctx, s.alerts, t.placedAlerts(w)); err != nil {
			return err
		}
		if err := s.snapshot(ctx, t, e.ID, today); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, e.TownshipID, e.ID, "worker.create", "worker", w.ID, "")
	})
	if err != nil {
		return Worker{}, Date{}, err
	}
	tally.report(s.recorder)
	notify(s.changes, Change{TownshipID: e.TownshipID, EnterpriseID: e.ID, Kind: ChangeRoster})
	w, err = s.workers.Get(ctx, w.ID)
	return w, today, err
}

// takeSeat takes w's place in its shift, when the write moves w into it (old is w as it was,
// nil for a new worker), in the writing transaction: the shift is locked and counted first,
// so that of two writes at once only one takes its last place. ErrInvalid on the shift's
// field when it is full.
func (s *WorkerService) takeSeat(ctx context.Context, old *Worker, w Worker) error {
	if !joinsShift(old, w) {
		return nil
	}
	st, err := s.lockSeats(ctx, []int64{w.ShiftID})
	if err != nil {
		return err
	}
	if sh, ok := st.take(old, w); !ok {
		return capacityError(ColShiftGroup, capacityMessage(sh, 1))
	}
	return nil
}

// Get returns a worker in scope, with the township's today as of which they are shown. With
// reveal, the enterprise's own HR gets the ID number whole and the read is audited; everyone
// else gets it masked by the API either way.
func (s *WorkerService) Get(ctx context.Context, actor Actor, id int64, reveal bool) (Worker, Date, error) {
	if err := tenantOnly(actor); err != nil {
		return Worker{}, Date{}, err
	}
	w, err := s.workers.Get(ctx, id)
	if err != nil {
		return Worker{}, Date{}, err
	}
	own := actor.Is(RoleWorker) && actor.WorkerID == id
	_, t, err := s.roster(ctx, actor, w.EnterpriseID, false)
	switch {
	case err != nil && !own:
		return Worker{}, Date{}, NotFound("职工")
	case err != nil: // the worker themself, who may not see their enterprise's roster
		if t, err = s.places.township(ctx, s.townships, w.TownshipID); err != nil {
			return Worker{}, Date{}, err
		}
	}
	if reveal {
		if !CanReveal(actor, w.EnterpriseID) {
			return Worker{}, Date{}, Forbidden("只有本企业人事可以查看完整身份证号")
		}
		if err := s.audit().record(ctx, actor, w.TownshipID, w.EnterpriseID, "worker.reveal", "worker", w.ID, "查看完整身份证号"); err != nil {
			return Worker{}, Date{}, err
		}
	}
	return w, t.Today(s.clock.Now()), nil
}

// CanReveal says who may read ID numbers whole: the HR of the worker's own enterprise, who
// reports them to the health authorities. Everyone else sees them masked.
func CanReveal(actor Actor, enterpriseID int64) bool {
	return actor.Is(RoleEnterpriseHR) && actor.EnterpriseID == enterpriseID
}

// List returns an enterprise's workers to anyone who may see the enterprise.
func (s *WorkerService) List(ctx context.Context, actor Actor, enterpriseID int64, f WorkerFilter) ([]Worker, int, Date, error) {
	_, t, err := s.roster(ctx, actor, enterpriseID, false)
	if err != nil {
		return nil, 0, Date{}, err
	}
	f.EnterpriseID, f.TownshipID = enterpriseID, t.ID
	today := t.Today(s.clock.Now())
	f.Query = Clean(f.Query)
	if id, err := ParseIDNumber(f.Query, today); err == nil {
		f.QueryID, f.Query = id, ""
		// A search by whole number answers whether a guess is someone's number: for those who
		// see numbers masked it is audited, so that guessing one by search shows in the log.
		if !CanReveal(actor, enterpriseID) {
			if err := s.audit().record(ctx, actor, t.ID, enterpriseID, "worker.search_id", "enterprise", enterpriseID, "按完整身份证号查找职工"); err != nil {
				return nil, 0, Date{}, err
			}
		}
	}
	f.Page = f.Page.Normalize()
	items, total, err := s.workers.List(ctx, f)
	return items, total, today, err
}

// Enrolled says which of the listed workers have set their sign-in PIN, for the roster: HR
// sees who still has to enrol, and whose PIN to reset.
func (s *WorkerService) Enrolled(ctx context.Context, ws []Worker) (map[int64]bool, error) {
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return s.workers.Enrolled(ctx, ids)
}

// Update changes a worker: HR of the enterprise only. Putting an isolating worker on duty
// before the isolation ends is refused. ErrForbidden, ErrNotFound, ErrInvalid, ErrConflict.
func (s *WorkerService) Update(ctx context.Context, actor Actor, id int64, u WorkerUpdate) (Worker, Date, error) {
	if err := tenantOnly(actor); err != nil {
		return Worker{}, Date{}, err
	}
	w, err := s.workers.Get(ctx, id)
	if err != nil {
		return Worker{}, Date{}, err
	}
	_, t, err := s.roster(ctx, actor, w.EnterpriseID, true)
	if errors.Is(err, ErrNotFound) {
		return Worker{}, Date{}, NotFound("职工")
	}
	if err != nil {
		return Worker{}, Date{}, err
	}
	today := t.Today(s.clock.Now())
	old := w
	if err := applyWorkerUpdate(&w, u, today); err != nil {
		return Worker{}, Date{}, err
	}
	// The shift is found by its name again, whether or not HR changed it: the merge keeps
	// names, not IDs. The batch stays unless HR names another.
	pl, err := s.placementOf(ctx, w.EnterpriseID)
	if err != nil {
		return Worker{}, Date{}, err
	}
	var p Problems
	pl.placeShift(&w, &p)
	if u.Batch != nil {
		pl.placeBatch(&w, *u.Batch, &p)
	}
	if p.Err() != nil {
		return Worker{}, Date{}, p.Err()
	}
	if w.Status == WorkerIsolating && (u.IsolationUntil != nil || (u.Status != nil && *u.Status == WorkerIsolating)) {
		w.RiskLevel, w.RiskReason = t.Assess(w) // an isolation HR ordered or extended stands
	} else {
		t.settle(&w, today)
	}
	if msg, warn := t.newIsolationWarning(&old, w, today); warn && !u.ConfirmIsolation {
		return Worker{}, Date{}, isolationConflict([]string{msg})
	}
	tally := raised{}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.takeSeat(ctx, &old, w); err != nil {
			return err
		}
		if err := s.workers.Update(ctx, w); err != nil {
			return err
		}
		if _, err := tally.raise(ctx, s.alerts, t.placedAlerts(w)); err != nil {
			return err
		}
		if err := s.snapshot(ctx, t, w.EnterpriseID, today); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, w.TownshipID, w.EnterpriseID, "worker.update", "worker", w.ID, w.Status.Label())
	})
	if err != nil {
		return Worker{}, Date{}, err
	}
	tally.report(s.recorder)
	notify(s.changes, Change{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, Kind: ChangeRoster})
	w, err = s.workers.Get(ctx, id)
	return w, today, err
}

func applyWorkerUpdate(w *Worker, u WorkerUpdate, today Date) error {
	in := WorkerInput{
		Name: w.Name, IDNumber: string(w.IDNumber), Phone: w.Phone, Department: w.Department, ShiftGroup: w.ShiftGroup,
		OriginRegion: w.OriginRegion, ArrivedOn: w.ArrivedOn.String(), Transport: w.Transport,
		IsolationPlace: w.IsolationPlace, KeyAreaExposure: w.KeyAreaExposure, ContactHistory: w.ContactHistory,
	}
	for _, f := range []struct{ to, from *string }{
		{&in.Name, u.Name}, {&in.Phone, u.Phone}, {&in.Department, u.Department}, {&in.ShiftGroup, u.ShiftGroup},
		{&in.OriginRegion, u.OriginRegion}, {&in.ArrivedOn, u.ArrivedOn}, {&in.Transport, u.Transport},
		{&in.IsolationPlace, u.IsolationPlace},
	} {
		set(f.to, f.from, nil)
	}
	set(&in.KeyAreaExposure, u.KeyAreaExposure, nil)
	set(&in.ContactHistory, u.ContactHistory, nil)
	parsed, p := in.parse(today)
	to := w.Status
	if u.Status != nil {
		to = *u.Status
		checkStatusChange(&p, *w, parsed, to, u.IsolationUntil, today)
	} else if u.IsolationUntil != nil {
		checkIsolationChange(&p, *w, *u.IsolationUntil, today)
	}
	if err := p.Err(); err != nil {
		return err
	}
	id, start, until := w.IDNumber, w.IsolationStart, w.IsolationUntil
	*w = mergeWorker(*w, parsed)
	w.IDNumber, w.IsolationStart, w.IsolationUntil = id, start, until
	if to == WorkerIsolating && u.IsolationUntil != nil {
		// An isolation HR orders (status given) starts today; a new end date alone extends or
		// shortens the running one and keeps its start.
		if u.Status != nil || w.IsolationStart.IsZero() {
			w.IsolationStart = today
		}
		w.IsolationUntil = *u.IsolationUntil
	}
	// The day a worker left starts their file's retention (Policy.RetentionDays).
	switch {
	case to == WorkerLeft && w.Status != WorkerLeft:
		w.LeftOn = today
	case to != WorkerLeft:
		w.LeftOn = Date{}
	}
	w.Status = to
	return nil
}

// checkIsolationChange allows a new end date only for a worker in isolation, and not in the past.
func checkIsolationChange(p *Problems, w Worker, until Date, today Date) {
	switch {
	case w.Status != WorkerIsolating:
		p.Add("isolation_until", "只有隔离观察中的职工可以调整隔离截止日期")
	case !until.After(today):
		p.Add("isolation_until", "隔离截止日期应晚于今天")
	}
}

// checkStatusChange holds HR to the rules of the statuses: on duty only once back and out of
// isolation, an ordered isolation with an end, and expected only for someone not yet back.
func checkStatusChange(p *Problems, old, w Worker, to WorkerStatus, until *Date, today Date) {
	switch to {
	case WorkerOnDuty:
		if w.ArrivedOn.IsZero() {
			p.Add("status", "请先填写返岗日期")
		} else if old.Status == WorkerIsolating && old.IsolationUntil.After(today) {
			p.Add("status", "隔离期至 "+old.IsolationUntil.String()+",期满后才能安排到岗")
		}
	case WorkerIsolating:
		if until == nil || !until.After(today) {
			p.Add("isolation_until", "安排隔离时请填写晚于今天的隔离截止日期")
		}
	case WorkerExpected:
		if !w.ArrivedOn.IsZero() {
			p.Add("status", "已返岗的职工不能改回待返岗;如未返回请清空返岗日期")
		}
	case WorkerLeft, WorkerInHospital:
	default:
		p.Add("status", "未知的状态")
	}
}

// mergeWorker copies the parsed, editable fields onto the stored worker.
func mergeWorker(w, parsed Worker) Worker {
	w.Name, w.Phone, w.Department = parsed.Name, parsed.Phone, parsed.Department
	w.ShiftGroup, w.ShiftID = parsed.ShiftGroup, parsed.ShiftID
	w.OriginRegion, w.ArrivedOn, w.Transport = parsed.OriginRegion, parsed.ArrivedOn, parsed.Transport
	w.IsolationPlace, w.KeyAreaExposure, w.ContactHistory = parsed.IsolationPlace, parsed.KeyAreaExposure, parsed.ContactHistory
	return w
}

// Export returns the workers of an enterprise that match f for the roster workbook, whether
// their ID numbers may be shown whole, and the township's today. Every export is audited.
func (s *WorkerService) Export(ctx context.Context, actor Actor, enterpriseID int64, f WorkerFilter) ([]Worker, bool, Date, error) {
	var all []Worker
	f.Page = Page{Limit: MaxPageSize}
	var today Date
	for {
		items, total, t, err := s.List(ctx, actor, enterpriseID, f)
		if err != nil {
			return nil, false, Date{}, err
		}
		today = t
		all = append(all, items...)
		f.Offset += len(items)
		if len(items) == 0 || f.Offset >= total {
			break
		}
	}
	e, err := s.enterprises.Get(ctx, enterpriseID)
	if err != nil {
		return nil, false, Date{}, err
	}
	reveal := CanReveal(actor, enterpriseID)
	detail := "导出 " + strconv.Itoa(len(all)) + " 人"
	if reveal {
		detail += "(含完整身份证号)"
	}
	if err := s.audit().record(ctx, actor, e.TownshipID, enterpriseID, "roster.export", "enterprise", enterpriseID, detail); err != nil {
		return nil, false, Date{}, err
	}
	return all, reveal, today, nil
}

// Reevaluate re-derives the risk, isolation and status of a township's workers after its key
// areas or isolation policy changed, saving those that changed, and returns how many did.
func (s *WorkerService) Reevaluate(ctx context.Context, t Township) (int, error) {
	today := t.Today(s.clock.Now())
	changed := 0
	err := s.workers.ForTownship(ctx, t.ID, func(batch []Worker) error {
		for _, w := range batch {
			next := w
			t.settle(&next, today)
			if next == w {
				continue
			}
			if err := s.workers.Update(ctx, next); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return changed, err
	}
	// The caller's transaction commits this with the changes; the caller tells live views.
	return changed, s.stats.SnapshotRoster(ctx, t.ID, nil, today, false)
}
