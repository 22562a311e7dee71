package domain

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// CheckinFilter selects check-ins; zero fields do not filter.
type CheckinFilter struct {
	WorkerID     int64
	EnterpriseID int64
	Date         Date
	Page
}

// CheckinStore keeps check-ins: one per worker, day and slot.
type CheckinStore interface {
	// Upsert inserts the check-in of its worker, day and slot, or replaces the one there, in one
	// statement, so that concurrent retries never make two. It reports whether the row is new,
	// and fills ID, times, Due and, when Location is empty, the location the worker's status
	// gives (isolation while isolating, else work). It writes only for a worker on the roster of
	// c's enterprise and township who has not left: ErrNotFound otherwise.
	Upsert(ctx context.Context, c *Checkin) (created bool, err error)
	// UpsertOwn is Upsert of a worker's own report, sent under an access token of token
	// generation gen: it writes only for a worker still on the roster of c's enterprise and
	// township, not left, whose token generation is still gen (Worker.Generation), and answers
	// ErrNotFound otherwise, all in Upsert's one statement. That is the whole standing of a
	// worker's token (AuthService.Check reads the same), so the route of a worker's own report
	// leaves the standing to this write instead of reading the worker first: it saves the
	// busiest route a query (api's router.standingInWrite; BENCHMARKS.md).
	UpsertOwn(ctx context.Context, c *Checkin, gen int64) (created bool, err error)
	// Get returns a worker's check-in of a day and slot. ErrNotFound.
	Get(ctx context.Context, workerID int64, d Date, s Slot) (Checkin, error)
	// GetByID returns one check-in. ErrNotFound.
	GetByID(ctx context.Context, id int64) (Checkin, error)
	// Readings returns every reading of a check-in's slot, oldest first, with the names of the
	// staff who sent them.
	Readings(ctx context.Context, checkinID int64) ([]Reading, error)
	// Correct replaces the reading of check-in c.ID with c's (temperature, symptoms, kept
	// flags, correction note, who and when); the earlier reading stays in Readings.
	// ErrNotFound.
	Correct(ctx context.Context, c Checkin) error
	// Around returns a worker's check-ins of the slots before and after a day's slot, nil
	// where there is none, in one read.
	Around(ctx context.Context, workerID int64, d Date, s Slot) (prev, next *Checkin, err error)
	// List returns matching check-ins, newest first, and how many match in all.
	List(ctx context.Context, f CheckinFilter) ([]Checkin, int, error)
	// InsertMany adds check-ins in bulk, for loading history (the demo, benchmarks): no replace,
	// no alerts. ErrConflict if one exists.
	InsertMany(ctx context.Context, cs []Checkin) error
	// CheckedIn returns the workers of a township (of one enterprise, when enterpriseID is not
	// 0) who have a check-in for a day and slot.
	CheckedIn(ctx context.Context, townshipID, enterpriseID int64, d Date, s Slot) (map[int64]Checkin, error)
}

// AlertFilter selects alerts; zero fields do not filter. Every field narrows what the others
// select, scope included, so a filter naming an enterprise out of scope selects nothing.
type AlertFilter struct {
	ID           int64
	IDs          []int64 // any of these
	TownshipID   int64
	EnterpriseID int64
	SupervisorID int64
	WorkerID     int64
	Zone         string // the name of the enterprise's zone (责任区)
	Status       AlertStatus
	Type         AlertType
	Date         Date
	From, To     Date // the alert's date, both days included
	Page
}

// AlertStore keeps alerts.
type AlertStore interface {
	// Raise inserts the alerts whose condition has none yet and reports how many were new.
	Raise(ctx context.Context, alerts []Alert) (int, error)
	// Get returns one alert. ErrNotFound.
	Get(ctx context.Context, id int64) (Alert, error)
	// OfDay calls fn with every alert of a township dated d, in ID order, in one read, for the
	// daily report: ID, enterprise, worker, type, slot and status only.
	OfDay(ctx context.Context, townshipID int64, d Date, fn func(Alert)) error
	// List returns matching alerts, newest first, and how many match in all, each with its
	// enterprise's name and zone, its worker's name and the worker's readings of its day, read
	// in the same query.
	List(ctx context.Context, f AlertFilter) ([]Alert, int, error)
	// Handle moves an alert from one of from to to, with who and a note. ErrConflict when it is
	// in none of from any more.
	Handle(ctx context.Context, id int64, from []AlertStatus, to AlertStatus, by int64, note string, at time.Time) error
}

// CheckinInput is a check-in as a phone or HR sends it.
type CheckinInput struct {
	WorkerID    int64 // for HR reporting on a worker's behalf
	Date        string
	Slot        Slot
	Temperature *float64
	Symptoms    []string
	SymptomNote string
	Location    Location
	// Overwrite lets HR's report replace one the worker sent themselves; without it that item
	// is refused (ErrConflict), so that a worker's own reading is never replaced silently.
	Overwrite bool
}

// CheckinService takes the daily health reports and raises the alerts they call for.
type CheckinService struct {
	checkins  CheckinStore
	alerts    AlertStore
	workers   WorkerStore
	townships TownshipStore
	audits    AuditStore
	tx        TxRunner
	clock     Clock
	changes   Notifier
	recorder  Recorder    // hears of saved check-ins and raised alerts; nil for none
	places    *placeCache // townships kept in memory; nil reads them each time
	scope     scopeLoader
	shifts    ShiftStore  // counts a shift's people on duty when a morning check-in at work asks
	found     *foundToday // enterprise-wide alerts seen raised lately; nil remembers none
	crowds    *crowdCache // the enterprises' crowded shifts; nil asks the store each time
}

// Swept is what the sweeps of one process have done: the townships' slots whose missed
// check-ins they raised, and the days whose isolations ending. The process that runs the sweeps
// keeps one and hands it to each (app's sweep loop), so that a slot once swept is not swept
// again every minute; a new one, after a restart, sweeps everything once more, which the
// alerts' unique index keeps harmless. Its zero value is empty; one sweep at a time uses it.
type Swept struct{ done map[sweepKey]bool }

// sweepKey names one township's slot of one day (or, with slot "", its isolations ending).
type sweepKey struct {
	township int64
	day      Date
	slot     Slot
}

// has says whether a sweep recorded in s did k; a nil s remembers nothing.
func (s *Swept) has(k sweepKey) bool { return s != nil && s.done[k] }

// add records that a sweep did k.
func (s *Swept) add(k sweepKey) {
	if s == nil {
		return
	}
	if s.done == nil {
		s.done = map[sweepKey]bool{}
	}
	s.done[k] = true
}

// forget drops what a township's sweeps did before day d, which no sweep looks at any more.
func (s *Swept) forget(township int64, d Date) {
	if s == nil {
		return
	}
	for k := range s.done {
		if k.township == township && k.day.Before(d) {
			delete(s.done, k)
		}
	}
}

// Submit records a worker's own check-in; a repeat of the same day and slot replaces the
// earlier one. It reports whether the check-in is new. ErrForbidden, ErrInvalid,
// ErrUnauthenticated (the worker is gone or moved).
func (s *CheckinService) Submit(ctx context.Context, actor Actor, in CheckinInput) (Checkin, bool, error) {
	if !actor.Is(RoleWorker) {
		return Checkin{}, false, Forbidden("只有返岗职工本人可以打卡;企业人事请使用代报")
	}
	// The worker as the token says; the write checks that they still stand so (UpsertOwn).
	w := Worker{ID: actor.WorkerID, TownshipID: actor.TownshipID, EnterpriseID: actor.EnterpriseID,
		Generation: actor.Generation}
	return s.record(ctx, w, in, 0)
}

// ItemResult is the outcome of one item of a batch of check-ins reported on workers' behalf.
type ItemResult struct {
	Index   int
	Checkin Checkin
	Created bool
	Err     error
}

// SubmitForWorkers records check-ins that HR reports for workers without a phone. Each item is
// checked and kept on its own: the answer says which failed and why, the valid ones stay.
// ErrForbidden, ErrNotFound (the enterprise), for the whole batch.
func (s *CheckinService) SubmitForWorkers(ctx context.Context, actor Actor, enterpriseID int64, items []CheckinInput) ([]ItemResult, error) {
	if !actor.Is(RoleEnterpriseHR) {
		return nil, Forbidden("只有企业人事可以代报")
	}
	if actor.EnterpriseID != enterpriseID {
		return nil, NotFound("企业")
	}
	if len(items) == 0 || len(items) > 500 {
		return nil, Invalid("items", "每次代报 1 到 500 人")
	}
	out := make([]ItemResult, 0, len(items))
	for i, in := range items {
		r := ItemResult{Index: i}
		w, err := s.workers.Get(ctx, in.WorkerID)
		if errors.Is(err, ErrNotFound) || (err == nil && w.EnterpriseID != enterpriseID) {
			err = Invalid("worker_id", "本企业花名册中没有此职工")
		}
		if err == nil {
			r.Checkin, r.Created, err = s.onBehalf(ctx, actor, w, in)
		}
		r.Err = err
		out = append(out, r)
	}
	return out, nil
}

// onBehalf records one check-in HR reports for a worker, with its audit event, in one
// transaction.
func (s *CheckinService) onBehalf(ctx context.Context, actor Actor, w Worker, in CheckinInput) (c Checkin, created bool, err error) {
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if c, created, err = s.record(ctx, w, in, actor.UserID); err != nil {
			return err
		}
		detail := "代报 " + c.Date.String() + " " + slotLabel[c.Slot] + " 打卡"
		if in.Overwrite {
			detail += "(确认覆盖本人上报)"
		}
		return s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "checkin.on_behalf", "checkin", c.ID, detail)
	})
	return c, created, err
}

func (s *CheckinService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// record checks and writes one check-in with its alerts, in one transaction: the answer comes
// only after both are committed. by is the staff user reporting on the worker's behalf, 0 for
// the worker's own report under a token of w.Generation.
func (s *CheckinService) record(ctx context.Context, w Worker, in CheckinInput, by int64) (Checkin, bool, error) {
	if w.Status == WorkerLeft {
		return Checkin{}, false, Invalid("worker_id", "该职工已离职")
	}
	t, err := s.places.township(ctx, s.townships, w.TownshipID)
	if err != nil {
		return Checkin{}, false, err
	}
	c, err := in.parse(w, t.Today(s.clock.Now()))
	if err != nil {
		return Checkin{}, false, err
	}
	c.SubmittedBy = by
	c.Fever = t.Fever(c.Temperature)
	c.Late = !s.clock.Now().Before(t.Cutoff(c.Date, c.Slot))
	if by != 0 && !in.Overwrite {
		if err := s.ownReadingThere(ctx, t, c); err != nil {
			return Checkin{}, false, err
		}
	}
	var created bool
	if len(t.CheckinAlerts(c, nil)) == 0 {
		// A normal reading raises nothing, whatever the slots around it hold (two fevers in a
		// row need this one to be a fever): the upsert alone, one statement, is the whole
		// write. Most reports are this one.
		if created, err = s.upsert(ctx, &c, w.Generation); err != nil {
			return Checkin{}, false, s.notOnRoster(ctx, err, w.ID)
		}
		notify(s.changes, Change{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, Kind: ChangeCheckin})
		recordCheckin(s.recorder, c)
		return c, created, s.settle(ctx, t, c)
	}
	tally := raised{}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if created, err = s.upsert(ctx, &c, w.Generation); err != nil {
			return s.notOnRoster(ctx, err, w.ID)
		}
		previous, next, err := s.checkins.Around(ctx, c.WorkerID, c.Date, c.Slot)
		if err != nil {
			return err
		}
		alerts := t.CheckinAlerts(c, previous)
		// A report may come in late, after the next slot's: two fevers in a row count whichever
		// arrived first.
		if next != nil {
			for _, a := range t.CheckinAlerts(*next, &c) {
				if a.Type == AlertRepeatedFever {
					alerts = append(alerts, a)
				}
			}
		}
		_, err = tally.raise(ctx, s.alerts, alerts)
		return err
	})
	if err == nil {
		notify(s.changes, Change{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, Kind: ChangeCheckin})
		recordCheckin(s.recorder, c)
		tally.report(s.recorder)
		err = s.settle(ctx, t, c)
	}
	return c, created, err
}

// upsert writes c: a worker's own report (SubmittedBy 0) only while their token of generation
// gen stands (UpsertOwn), HR's for a worker on the roster (Upsert).
func (s *CheckinService) upsert(ctx context.Context, c *Checkin, gen int64) (bool, error) {
	if c.SubmittedBy == 0 {
		return s.checkins.UpsertOwn(ctx, c, gen)
	}
	return s.checkins.Upsert(ctx, c)
}

// ownReadingThere refuses HR's report of a slot the worker reported themselves, unless HR
// confirmed it (CheckinInput.Overwrite): the earlier reading would stay in the slot's history,
// but the slot would show HR's.
func (s *CheckinService) ownReadingThere(ctx context.Context, t Township, c Checkin) error {
	own, err := s.checkins.Get(ctx, c.WorkerID, c.Date, c.Slot)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	case own.SubmittedBy != 0:
		return nil // HR's own earlier report: replacing it is HR's business
	}
	return Conflict("职工本人已于 "+own.UpdatedAt.In(t.location()).Format("15:04")+" 上报 "+own.Temperature.String()+
		" °C,确认覆盖后才能代报", FieldError{Field: "overwrite", Message: "职工本人已上报"})
}

// settle does what a report arriving tells beyond its figures, once it is written: a report
// from someone not marked back raises an alert for HR to confirm the arrival, and one at work
// what its enterprise or shift is found in (atWork). (A late report's closing of its slot's
// missed-check-in alert is the database's, in the same statement.)
func (s *CheckinService) settle(ctx context.Context, t Township, c Checkin) error {
	if err := s.atWork(ctx, c); err != nil {
		return err
	}
	if !c.Due {
		tally := raised{}
		_, err := tally.raise(ctx, s.alerts, []Alert{{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID,
			WorkerID: c.WorkerID, Type: AlertUnregisteredArrival, Date: c.Date, Status: AlertOpen,
			Detail: "尚未登记返岗的职工已打卡,请核实并登记返岗日期"}})
		if err != nil {
			return err
		}
		tally.report(s.recorder)
	}
	// (A late report's closing of its slot's missed-check-in alert needs no word of its own:
	// the check-in's change already has every view of the township read its figures again.)
	return nil
}

// notOnRoster says why the upsert refused a worker, reading the worker only then (it is rare):
// left (ErrInvalid on worker_id), or gone or no longer where the token says
// (ErrUnauthenticated, as every other route answers such a token, so that the phone signs in
// again rather than showing "not found").
func (s *CheckinService) notOnRoster(ctx context.Context, err error, workerID int64) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	w, err := s.workers.Standing(ctx, workerID)
	switch {
	case errors.Is(err, ErrNotFound):
		return Unauthenticated("职工不存在")
	case err != nil:
		return err
	case w.Status == WorkerLeft:
		return Invalid("worker_id", "该职工已离职")
	default:
		return Unauthenticated("登录已失效,请重新登录")
	}
}

// parse checks a check-in's fields against the worker and the township's today.
func (in CheckinInput) parse(w Worker, today Date) (Checkin, error) {
	var p Problems
	c := Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Slot: in.Slot, Location: in.Location}
	if !in.Slot.Valid() {
		p.Add("slot", "请选择上午(am)或下午(pm)")
	}
	if in.Temperature == nil {
		p.Add("temperature", "请填写体温")
	} else if temp, err := ParseTemperature(*in.Temperature); err != nil {
		p = append(p, err.(*Error).Fields...)
	} else {
		c.Temperature = temp
	}
	syms, note, err := ParseSymptoms(in.Symptoms, in.SymptomNote)
	if err != nil {
		p = append(p, err.(*Error).Fields...)
	}
	c.Symptoms, c.SymptomNote = syms, note
	if c.Location == "" && w.Status != "" { // an unknown status: the upsert applies the same rule
		c.Location = AtWork
		if w.Status == WorkerIsolating {
			c.Location = AtIsolation
		}
	} else if c.Location != "" && !c.Location.Valid() {
		p.Add("location", "位置应为 work、home 或 isolation")
	}
	c.Date = today
	if in.Date != "" {
		d, ok := ParseDate(in.Date)
		switch {
		case !ok:
			p.Add("date", "日期格式应为 YYYY-MM-DD")
		default:
			if err := CheckCheckinDate(d, today); err != nil {
				p = append(p, err.(*Error).Fields...)
			}
			c.Date = d
		}
	}
	return c, p.Err()
}

// Mine returns a worker's own check-ins, newest first.
func (s *CheckinService) Mine(ctx context.Context, actor Actor, page Page) ([]Checkin, int, error) {
	if !actor.Is(RoleWorker) {
		return nil, 0, Forbidden("只有返岗职工本人可以查看自己的打卡记录")
	}
	return s.checkins.List(ctx, CheckinFilter{WorkerID: actor.WorkerID, Page: page.Normalize()})
}

// alertScope is the part of the alerts an actor may see and handle: HR their enterprise's,
// supervisors their enterprises', town admins the township's. It narrows f, never widens it:
// HR asking for another enterprise's alerts asks for none (ok false), as a supervisor's or a
// town admin's filter for an enterprise out of scope matches none in the store.
func alertScope(actor Actor, f AlertFilter) (AlertFilter, bool, error) {
	switch actor.Role {
	case RoleEnterpriseHR:
		if f.EnterpriseID != 0 && f.EnterpriseID != actor.EnterpriseID {
			return f, false, nil
		}
		f.TownshipID, f.EnterpriseID = actor.TownshipID, actor.EnterpriseID
	case RoleSupervisor:
		f.TownshipID, f.SupervisorID = actor.TownshipID, actor.UserID
	case RoleTownAdmin:
		f.TownshipID = actor.TownshipID
	default:
		return f, false, Forbidden("无权查看预警")
	}
	return f, true, nil
}

// ListAlerts returns the alerts in the actor's scope that match f. A filter for an enterprise
// out of scope finds nothing, as the other lists' filters do (the audit log's, the accounts').
// ErrForbidden, ErrInvalid (an unknown type or status, from after to).
func (s *CheckinService) ListAlerts(ctx context.Context, actor Actor, f AlertFilter) ([]Alert, int, error) {
	f, ok, err := alertScope(actor, f)
	if err != nil {
		return nil, 0, err
	}
	var p Problems
	if f.Type != "" && !f.Type.Valid() {
		p.Add("type", "未知的预警类型")
	}
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", "预警状态应为 open、acknowledged 或 resolved")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		p.Add("to", "结束日期不能早于开始日期")
	}
	f.Zone = Clean(f.Zone)
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	if !ok {
		return []Alert{}, 0, nil
	}
	f.Page = f.Page.Normalize()
	return s.alerts.List(ctx, f)
}

// MaxBulkAlerts is how many alerts one bulk acknowledgement or resolution takes at most.
const MaxBulkAlerts = 200

// AlertResult is the outcome of one alert of a bulk acknowledgement or resolution.
type AlertResult struct {
	ID     int64
	Moved  bool        // false: its status did not allow the move (a conflict), and it is unchanged
	Status AlertStatus // its status now: the new one, or the one that refused the move
}

// Acknowledge marks an open alert as being handled. ErrNotFound, ErrForbidden, ErrConflict,
// ErrInvalid.
func (s *CheckinService) Acknowledge(ctx context.Context, actor Actor, id int64, note string) (Alert, error) {
	return s.handleOne(ctx, actor, id, AlertAcknowledged, note)
}

// Resolve closes an open or acknowledged alert; a note saying how is required.
func (s *CheckinService) Resolve(ctx context.Context, actor Actor, id int64, note string) (Alert, error) {
	return s.handleOne(ctx, actor, id, AlertResolved, note)
}

// AcknowledgeMany marks open alerts as being handled, in one transaction: each alert that is
// open moves and is audited; one that is not is reported with its status and the others move
// all the same. An ID out of the actor's scope fails the whole request with ErrNotFound and
// changes nothing, so that nobody learns which of them exist. ErrForbidden, ErrInvalid.
func (s *CheckinService) AcknowledgeMany(ctx context.Context, actor Actor, ids []int64, note string) ([]AlertResult, error) {
	return s.handle(ctx, actor, ids, AlertAcknowledged, note)
}

// ResolveMany closes open or acknowledged alerts with a note, as AcknowledgeMany moves them.
func (s *CheckinService) ResolveMany(ctx context.Context, actor Actor, ids []int64, note string) ([]AlertResult, error) {
	return s.handle(ctx, actor, ids, AlertResolved, note)
}

// handleOne is handle of one alert, whose conflict is the request's: 409 with its status. It
// returns the alert as stored, read again after the move.
func (s *CheckinService) handleOne(ctx context.Context, actor Actor, id int64, to AlertStatus, note string) (Alert, error) {
	results, err := s.handle(ctx, actor, []int64{id}, to, note)
	if err != nil {
		return Alert{}, err
	}
	if r := results[0]; !r.Moved {
		return Alert{}, Conflict("预警当前状态为 "+string(r.Status)+",不能改为 "+string(to),
			FieldError{Field: "status", Message: string(r.Status)})
	}
	scope, _, _ := alertScope(actor, AlertFilter{ID: id, Page: Page{Limit: 1}})
	as, _, err := s.alerts.List(ctx, scope)
	if err == nil && len(as) == 0 {
		err = NotFound("预警") // removed since, by the retention run
	}
	if err != nil {
		return Alert{}, err
	}
	return as[0], nil
}

// alertMoves are the statuses an alert may be moved to, each from the statuses it may leave,
// with the audit action and the words of its event.
var alertMoves = map[AlertStatus]struct {
	from   []AlertStatus
	action string
	verb   string
}{
	AlertAcknowledged: {[]AlertStatus{AlertOpen}, "alert.acknowledge", "开始处理"},
	AlertResolved:     {[]AlertStatus{AlertOpen, AlertAcknowledged}, "alert.resolve", "已解决"},
}

// handle moves alerts to status to with a note, in one transaction with an audit event for
// each alert moved. It returns each alert's outcome in the order of ids, repeats dropped.
func (s *CheckinService) handle(ctx context.Context, actor Actor, ids []int64, to AlertStatus, note string) ([]AlertResult, error) {
	scope, _, err := alertScope(actor, AlertFilter{})
	if err != nil {
		return nil, err
	}
	move := alertMoves[to]
	note = Clean(note)
	var p Problems
	if to == AlertResolved && note == "" {
		p.Add("note", "请写明处理结果")
	}
	checkText(&p, "note", "处理说明", note, 0, 500)
	unique := make([]int64, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	if len(unique) == 0 || len(unique) > MaxBulkAlerts {
		p.Add("ids", "每次处理 1 到 "+strconv.Itoa(MaxBulkAlerts)+" 条预警")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	byID := make(map[int64]Alert, len(unique))
	outcome := make(map[int64]AlertResult, len(unique))
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		clear(outcome)
		f := scope
		f.IDs, f.Page = unique, Page{Limit: len(unique)}
		visible, _, err := s.alerts.List(ctx, f)
		if err != nil {
			return err
		}
		// An ID out of scope and one that names nothing are the same answer, for the whole
		// request, before anything is written.
		if len(visible) != len(unique) {
			return NotFound("预警")
		}
		for _, a := range visible {
			byID[a.ID] = a
		}
		now := s.clock.Now()
		// In ID order, whatever the request's: two bulk requests over the same alerts then
		// take their row locks in the same order on PostgreSQL and never deadlock.
		for _, id := range slices.Sorted(slices.Values(unique)) {
			err := s.alerts.Handle(ctx, id, move.from, to, actor.UserID, note, now)
			if errors.Is(err, ErrConflict) {
				// The conditional update refused it: someone moved it first. Its status now is
				// the answer's, read after the update so that it is the one that refused.
				cur, err := s.alerts.Get(ctx, id)
				if err != nil {
					return err
				}
				outcome[id] = AlertResult{ID: id, Status: cur.Status}
				continue
			}
			if err != nil {
				return err
			}
			a := byID[id]
			detail := alertTypeLabels[a.Type] + " " + a.Date.String() + " " + move.verb
			if len(unique) > 1 {
				detail += "(批量 " + strconv.Itoa(len(unique)) + " 条)"
			}
			// The note is not copied: it is free text, and the audit log holds no personal data.
			if err := s.audit().record(ctx, actor, a.TownshipID, a.EnterpriseID, move.action, "alert", id, detail); err != nil {
				return err
			}
			outcome[id] = AlertResult{ID: id, Moved: true, Status: to}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	results := make([]AlertResult, 0, len(unique))
	for _, id := range unique {
		results = append(results, outcome[id])
	}
	notified := map[int64]bool{}
	for _, r := range results {
		if a := byID[r.ID]; r.Moved && !notified[a.EnterpriseID] {
			notified[a.EnterpriseID] = true
			notify(s.changes, Change{TownshipID: a.TownshipID, EnterpriseID: a.EnterpriseID, Kind: ChangeAlert})
		}
	}
	return results, nil
}

// WorkerDay is one worker's reports of a day, nil where missing. Due is false for someone who
// reported though not due (an unregistered arrival, the figure Unregistered).
type WorkerDay struct {
	Worker Worker
	AM, PM *Checkin
	Due    bool
}

// DayStatus lists, for an enterprise and day (today in the township when d is zero), every
// worker who must report with their morning and afternoon check-ins, so that HR can chase the
// missing, and those who reported though not due (Due false), whose arrival HR confirms. Anyone who may see the enterprise may ask. ErrNotFound.
func (s *CheckinService) DayStatus(ctx context.Context, actor Actor, enterpriseID int64, d Date) ([]WorkerDay, Date, error) {
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
	days, err := s.dayStatus(ctx, e, d)
	return days, d, err
}

func (s *CheckinService) dayStatus(ctx context.Context, e Enterprise, d Date) ([]WorkerDay, error) {
	am, err := s.checkins.CheckedIn(ctx, e.TownshipID, e.ID, d, SlotAM)
	if err != nil {
		return nil, err
	}
	pm, err := s.checkins.CheckedIn(ctx, e.TownshipID, e.ID, d, SlotPM)
	if err != nil {
		return nil, err
	}
	var out []WorkerDay
	for f := (WorkerFilter{EnterpriseID: e.ID, Page: Page{Limit: MaxPageSize}}); ; f.Offset += MaxPageSize {
		ws, total, err := s.workers.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			day := WorkerDay{Worker: w, Due: DueOn(w, d)}
			if c, ok := am[w.ID]; ok {
				day.AM = &c
			}
			if c, ok := pm[w.ID]; ok {
				day.PM = &c
			}
			if day.Due || Unregistered(PersonDay{Worker: w, AM: day.AM, PM: day.PM}) {
				out = append(out, day)
			}
		}
		if f.Offset+len(ws) >= total || len(ws) == 0 {
			return out, nil
		}
	}
}

// Sweep raises, for every township, the alerts that time rather than a check-in calls for:
// a missed slot once the township's cut-off has passed today, and an isolation ending today.
// The alerts' unique index makes it safe to run as often as wanted, from any number of
// processes; it returns how many new alerts it raised. It skips what swept says this process
// did already and records there what it does (nil: it sweeps everything and records nothing).
func (s *CheckinService) Sweep(ctx context.Context, now time.Time, swept *Swept) (int, error) {
	count := 0
	for page := (Page{Limit: MaxPageSize}); ; page.Offset += MaxPageSize {
		ts, total, err := s.townships.List(ctx, page)
		if err != nil {
			return count, err
		}
		for _, t := range ts {
			n, err := s.sweepTownship(ctx, t, now, swept)
			count += n
			if err != nil {
				return count, err
			}
		}
		if page.Offset+len(ts) >= total || len(ts) == 0 {
			return count, nil
		}
	}
}

// sweepTownship looks at yesterday's slots as well as today's, so that a sweep missed at the
// afternoon cut-off (a restart, say) still raises the day's missed alerts after midnight.
// Each slot is swept once per process once its cut-off has passed (Swept): sweeping it again
// every minute found nothing new and cost a township of 50,000 workers 200,000 refused inserts
// a minute (measured by the check-in benchmark). Someone who becomes due after a cut-off was
// not due at it. A restart sweeps again; the alerts' unique index keeps that harmless.
func (s *CheckinService) sweepTownship(ctx context.Context, t Township, now time.Time, swept *Swept) (int, error) {
	today := t.Today(now)
	type slotKey struct {
		day  Date
		slot Slot
	}
	checked := map[slotKey]map[int64]Checkin{}
	for _, day := range []Date{today.AddDays(-1), today} {
		for _, slot := range []Slot{SlotAM, SlotPM} {
			if now.Before(t.Cutoff(day, slot)) {
				continue
			}
			if swept.has(sweepKey{t.ID, day, slot}) {
				continue
			}
			ids, err := s.checkins.CheckedIn(ctx, t.ID, 0, day, slot)
			if err != nil {
				return 0, err
			}
			checked[slotKey{day, slot}] = ids
		}
	}
	isolations := sweepKey{t.ID, today, ""}
	if swept.has(isolations) && len(checked) == 0 {
		return 0, nil
	}
	count := 0
	err := s.workers.ForTownship(ctx, t.ID, func(ws []Worker) error {
		var alerts []Alert
		for _, w := range ws {
			base := Alert{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Date: today, Status: AlertOpen}
			for k, ids := range checked {
				if _, ok := ids[w.ID]; !ok && DueOn(w, k.day) {
					a := base
					a.Date, a.Type, a.Slot = k.day, AlertMissedCheckin, k.slot
					a.Detail = slotLabel[k.slot] + "未打卡(截止 " + t.Cutoff(k.day, k.slot).Format("15:04") + ")"
					alerts = append(alerts, a)
				}
			}
			if w.Status == WorkerIsolating && w.IsolationUntil == today {
				a := base
				a.Type, a.Detail = AlertIsolationEnding, "隔离观察今日期满,请安排复查后到岗"
				alerts = append(alerts, a)
			}
		}
		tally := raised{}
		n, err := tally.raise(ctx, s.alerts, alerts)
		tally.report(s.recorder) // each type's insert committed on its own
		count += n
		return err
	})
	if count > 0 {
		notify(s.changes, Change{TownshipID: t.ID, Kind: ChangeAlert})
	}
	if err == nil {
		for k := range checked {
			swept.add(sweepKey{t.ID, k.day, k.slot})
		}
		swept.add(isolations)
		swept.forget(t.ID, today.AddDays(-1))
	}
	return count, err
}

var slotLabel = map[Slot]string{SlotAM: "上午", SlotPM: "下午"}
