package domain

import (
	"context"
	"errors"
	"slices"
	"time"
	"unicode/utf8"
)

// GateService runs the return-to-work pass (复工码) and what happens at the gate (issue 19):
// a worker's pass, a scan of it, a measurement there compared with the self-report, the
// supervisors' daily sample, revoking a pass, and the figures of passes and spot checks.
type GateService struct {
	passes      PassStore
	spots       SpotCheckStore
	alerts      AlertStore
	workers     WorkerStore
	enterprises EnterpriseStore
	townships   TownshipStore
	places      *placeCache
	audits      AuditStore
	tx          TxRunner
	clock       Clock
	changes     Notifier
	scope       scopeLoader
	counts      countTurns // one count of passes at a time per question
}

func (s *GateService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// gateRoles may scan passes and record spot checks.
var gateRoles = []Role{RoleSupervisor, RoleGate}

// GatePass is a worker's pass as the phone and the gate show it.
type GatePass struct {
	Pass
	Worker         Worker // ID, enterprise, name, department, shift name, status, risk
	EnterpriseName string
	Zone           string
	Slot           Slot     // the slot of now
	SelfReport     *Checkin // the slot's self-report; nil for none
	Revoked        *Revocation
	Sampled        bool // in today's spot-check sample
	Checked        bool // spot-checked today
}

// MaskName shows a name as passes and the gate do: the family name and a star for each other
// character (张*、欧阳**), so that a screen seen over a shoulder names nobody.
func MaskName(name string) string {
	n := utf8.RuneCountInString(name)
	if n <= 1 {
		return name
	}
	first, _ := utf8.DecodeRuneInString(name)
	out := string(first)
	for range n - 1 {
		out += "*"
	}
	return out
}

// SlotAt is the slot a moment belongs to: the morning's before noon, local time.
func (t Township) SlotAt(now time.Time) Slot {
	if now.In(t.location()).Hour() < 12 {
		return SlotAM
	}
	return SlotPM
}

// MyPass is a worker's own pass of today. ErrForbidden for anyone else, ErrNotFound when the
// worker is not on a roster any more.
func (s *GateService) MyPass(ctx context.Context, actor Actor) (GatePass, error) {
	if !actor.Is(RoleWorker) {
		return GatePass{}, Forbidden("只有职工本人可以查看复工码")
	}
	passes, err := s.passesOf(ctx, actor.TownshipID, PassFactsFilter{WorkerIDs: []int64{actor.WorkerID}})
	if err != nil {
		return GatePass{}, err
	}
	if len(passes) == 0 || passes[0].Worker.EnterpriseID != actor.EnterpriseID {
		return GatePass{}, NotFound("职工")
	}
	return passes[0], nil
}

// passesOf reads the facts of the workers f selects and makes their passes of today, now.
func (s *GateService) passesOf(ctx context.Context, townshipID int64, f PassFactsFilter) ([]GatePass, error) {
	t, err := s.places.township(ctx, s.townships, townshipID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	today := t.Today(now)
	facts, err := s.passes.Facts(ctx, townshipID, today, f)
	if err != nil {
		return nil, err
	}
	slot := t.SlotAt(now)
	out := make([]GatePass, 0, len(facts))
	for _, pf := range facts {
		gp := GatePass{Pass: t.Pass(pf, today, now), Worker: pf.Worker, EnterpriseName: pf.Worker.EnterpriseName,
			Zone: pf.Zone, Slot: slot, Revoked: pf.Revoked}
		for i, c := range pf.Reports {
			if c.Date == today && c.Slot == slot {
				gp.SelfReport = &pf.Reports[i]
			}
		}
		out = append(out, gp)
	}
	return out, nil
}

// gateScope returns the enterprises whose people the actor may check at the gate: a
// supervisor's assigned ones, a guard's own. ErrForbidden for other roles.
func (s *GateService) gateScope(ctx context.Context, actor Actor) ([]int64, error) {
	if err := tenantOnly(actor); err != nil {
		return nil, err
	}
	if !actor.Is(gateRoles...) {
		return nil, Forbidden("只有驻厂监督员和门岗可以核验复工码")
	}
	return s.seenEnterprises(ctx, actor)
}

// seenEnterprises returns the IDs of the enterprises the actor sees: nil for a town admin
// (all of the township), a supervisor's assigned ones, HR's and a guard's own.
func (s *GateService) seenEnterprises(ctx context.Context, actor Actor) ([]int64, error) {
	switch actor.Role {
	case RoleTownAdmin:
		return nil, nil
	case RoleEnterpriseHR, RoleGate:
		return []int64{actor.EnterpriseID}, nil
	case RoleSupervisor:
		ids := []int64{}
		for page := (Page{Limit: MaxPageSize}); ; page.Offset += MaxPageSize {
			es, _, err := s.enterprises.List(ctx, EnterpriseFilter{TownshipID: actor.TownshipID, SupervisorID: actor.UserID, Page: page})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				ids = append(ids, e.ID)
			}
			if len(es) < MaxPageSize {
				return ids, nil
			}
		}
	}
	return nil, Forbidden("无权查看复工码")
}

// ScanWorker is a scan of a pass whose token named this worker of this township (the API
// checked the token): the worker's pass of now, if the actor may check them. Audited.
// ErrForbidden, ErrInvalid (token of another township), ErrNotFound.
func (s *GateService) ScanWorker(ctx context.Context, actor Actor, townshipID, workerID int64) ([]GatePass, error) {
	ids, err := s.gateScope(ctx, actor)
	if err != nil {
		return nil, err
	}
	if townshipID != actor.TownshipID {
		return nil, s.refuse(ctx, actor, Invalid("token", "复工码无效"))
	}
	return s.scan(ctx, actor, ids, PassFactsFilter{WorkerIDs: []int64{workerID}}, "扫码")
}

// RefusedScan records a scan whose token the API refused (expired, signed with another key,
// edited: why is that refusal, an ErrInvalid naming token) and returns why. Every scan is
// audited, those that found nobody too: a forged or replayed code shown at the gate is what
// the log is for. A caller who may not scan gets ErrForbidden instead, as for a good token.
//
// Added by the gate tests (issue 19): refused tokens left no trace in the audit log, and a
// caller of another role learnt that a token was bad (422) before being told the route is not
// theirs (403).
func (s *GateService) RefusedScan(ctx context.Context, actor Actor, why error) error {
	if err := tenantOnly(actor); err != nil {
		return err
	}
	if !actor.Is(gateRoles...) {
		return Forbidden("只有驻厂监督员和门岗可以核验复工码")
	}
	return s.refuse(ctx, actor, why)
}

// refuse audits a refused scan (gate.scan_refused, what was wrong in words) and returns why.
func (s *GateService) refuse(ctx context.Context, actor Actor, why error) error {
	detail := "扫码被拒"
	var de *Error
	if errors.As(why, &de) {
		for _, f := range de.Fields {
			detail += ":" + f.Message
		}
	}
	if err := s.audit().record(ctx, actor, actor.TownshipID, actor.EnterpriseID, "gate.scan_refused", "worker", 0, detail); err != nil {
		return err
	}
	return why
}

// ScanPhone finds the workers of the actor's enterprises with this phone (a guard types it when
// a phone cannot show its code) and returns their passes. Audited. ErrInvalid, ErrNotFound.
func (s *GateService) ScanPhone(ctx context.Context, actor Actor, phone string) ([]GatePass, error) {
	ids, err := s.gateScope(ctx, actor)
	if err != nil {
		return nil, err
	}
	var p Problems
	phone = checkMobile(&p, "phone", phone, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.scan(ctx, actor, ids, PassFactsFilter{Phone: phone}, "手机号查询")
}

func (s *GateService) scan(ctx context.Context, actor Actor, enterpriseIDs []int64, f PassFactsFilter, how string) ([]GatePass, error) {
	f.EnterpriseIDs = enterpriseIDs
	if len(enterpriseIDs) == 0 {
		return nil, NotFound("职工")
	}
	passes, err := s.passesOf(ctx, actor.TownshipID, f)
	if err != nil {
		return nil, err
	}
	if len(passes) == 0 {
		return nil, NotFound("职工")
	}
	if err := s.markSample(ctx, actor.TownshipID, passes); err != nil {
		return nil, err
	}
	for _, gp := range passes {
		detail := how + ":" + MaskName(gp.Worker.Name) + " " + gp.Color.Label()
		if err := s.audit().record(ctx, actor, actor.TownshipID, gp.Worker.EnterpriseID, "gate.scan", "worker", gp.Worker.ID, detail); err != nil {
			return nil, err
		}
	}
	return passes, nil
}

// markSample sets Sampled and Checked of today's passes.
func (s *GateService) markSample(ctx context.Context, townshipID int64, passes []GatePass) error {
	if len(passes) == 0 {
		return nil
	}
	t, err := s.places.township(ctx, s.townships, townshipID)
	if err != nil {
		return err
	}
	var es []int64
	for _, gp := range passes {
		if !slices.Contains(es, gp.Worker.EnterpriseID) {
			es = append(es, gp.Worker.EnterpriseID)
		}
	}
	sample, checked, err := s.sampleOf(ctx, t, es, passes[0].Date)
	if err != nil {
		return err
	}
	for i := range passes {
		w := passes[i].Worker
		passes[i].Sampled = slices.Contains(sample[w.EnterpriseID], w.ID)
		passes[i].Checked = checked[w.ID] != 0
	}
	return nil
}

// SampleItem is one worker of a day's sample.
type SampleItem struct {
	Worker         Worker
	EnterpriseName string
	WeightReason   string
	SpotCheckID    int64 // the day's latest check of them; 0: not checked yet
}

// Sample is the actor's spot-check sample of day d (zero: today, the day it returns): of each of their enterprises (a guard: its
// own), the share of the on-duty workers the township set, drawn by Sample. ErrForbidden.
func (s *GateService) Sample(ctx context.Context, actor Actor, d Date) ([]SampleItem, int, Date, error) {
	ids, err := s.gateScope(ctx, actor)
	if err != nil {
		return nil, 0, d, err
	}
	t, err := s.places.township(ctx, s.townships, actor.TownshipID)
	if err != nil {
		return nil, 0, d, err
	}
	if d.IsZero() {
		d = t.Today(s.clock.Now())
	}
	if len(ids) == 0 {
		return []SampleItem{}, t.Policy.SpotCheckPercent, d, nil
	}
	cands, err := s.candidates(ctx, t, ids, d)
	if err != nil {
		return nil, 0, d, err
	}
	sample, checked, err := s.draw(ctx, t, cands, ids, d)
	if err != nil {
		return nil, 0, d, err
	}
	byID := map[int64]SampleCandidate{}
	for _, c := range cands {
		byID[c.Worker.ID] = c
	}
	out := []SampleItem{}
	for _, e := range ids {
		for _, id := range sample[e] {
			c := byID[id]
			_, why := SampleWeight(c)
			out = append(out, SampleItem{Worker: c.Worker, EnterpriseName: c.Worker.EnterpriseName, WeightReason: why,
				SpotCheckID: checked[id]})
		}
	}
	return out, t.Policy.SpotCheckPercent, d, nil
}

// candidates are the enterprises' workers on duty and back by d, with their recent
// discrepancies.
func (s *GateService) candidates(ctx context.Context, t Township, enterpriseIDs []int64, d Date) ([]SampleCandidate, error) {
	facts, err := s.passes.Facts(ctx, t.ID, d, PassFactsFilter{EnterpriseIDs: enterpriseIDs})
	if err != nil {
		return nil, err
	}
	recent, err := s.spots.RecentDiscrepancies(ctx, t.ID, d.AddDays(-SampleLookback), d)
	if err != nil {
		return nil, err
	}
	var out []SampleCandidate
	for _, f := range facts {
		if f.Worker.Status == WorkerOnDuty && back(f.Worker, d) {
			out = append(out, SampleCandidate{Worker: f.Worker, RecentDiscrepancy: recent[f.Worker.ID]})
		}
	}
	return out, nil
}

// sampleOf draws the enterprises' sample of d and reads who was checked that day.
func (s *GateService) sampleOf(ctx context.Context, t Township, enterpriseIDs []int64, d Date) (map[int64][]int64, map[int64]int64, error) {
	cands, err := s.candidates(ctx, t, enterpriseIDs, d)
	if err != nil {
		return nil, nil, err
	}
	return s.draw(ctx, t, cands, enterpriseIDs, d)
}

// draw draws the sample of the candidates and reads the day's checks of the enterprises: the
// latest check's ID by worker.
func (s *GateService) draw(ctx context.Context, t Township, cands []SampleCandidate, enterpriseIDs []int64, d Date) (map[int64][]int64, map[int64]int64, error) {
	sample := Sample(cands, t.Policy.SpotCheckPercent, d)
	checks, _, err := s.spots.List(ctx, SpotCheckFilter{TownshipID: t.ID, EnterpriseIDs: enterpriseIDs, Date: d,
		Page: Page{Limit: MaxPageSize}})
	if err != nil {
		return nil, nil, err
	}
	checked := map[int64]int64{}
	for _, c := range checks {
		if checked[c.WorkerID] == 0 { // newest first
			checked[c.WorkerID] = c.ID
		}
	}
	return sample, checked, nil
}

// Record records a measurement at the gate, compares it with the slot's self-report and the
// worker's pass, and raises a discrepancy alert (escalated, with both readings) when they
// disagree. Audited. ErrForbidden, ErrInvalid, ErrNotFound.
func (s *GateService) Record(ctx context.Context, actor Actor, in SpotCheckInput) (SpotCheck, error) {
	ids, err := s.gateScope(ctx, actor)
	if err != nil {
		return SpotCheck{}, err
	}
	c, err := s.checkInput(in)
	if err != nil {
		return SpotCheck{}, err
	}
	passes, err := s.passesOf(ctx, actor.TownshipID, PassFactsFilter{WorkerIDs: []int64{in.WorkerID}, EnterpriseIDs: ids})
	if err != nil {
		return SpotCheck{}, err
	}
	if len(ids) == 0 || len(passes) == 0 {
		return SpotCheck{}, Invalid("worker_id", "没有这名职工,或不在您负责的企业")
	}
	t, err := s.places.township(ctx, s.townships, actor.TownshipID)
	if err != nil {
		return SpotCheck{}, err
	}
	gp := passes[0]
	c.TownshipID, c.EnterpriseID, c.WorkerID, c.CheckerID = actor.TownshipID, gp.Worker.EnterpriseID, gp.Worker.ID, actor.UserID
	c.Date, c.Slot, c.CheckedAt, c.Color, c.SelfReport = gp.Date, gp.Slot, s.clock.Now(), gp.Color, gp.SelfReport
	c.Fever = c.Present && t.Fever(c.Temperature)
	c.Discrepancy = t.Discrepancy(c, gp.SelfReport)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if c.Discrepancy != "" {
			if c.AlertID, err = s.raiseDiscrepancy(ctx, c); err != nil {
				return err
			}
		}
		if err := s.spots.Create(ctx, &c); err != nil {
			return err
		}
		detail := "现场抽查 " + MaskName(gp.Worker.Name) + ":" + map[bool]string{true: c.Temperature.String() + " °C", false: "未见本人"}[c.Present]
		if c.Discrepancy != "" {
			detail += ";不符:" + c.Discrepancy
		}
		return s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "spot_check.create", "worker", c.WorkerID, detail)
	})
	if err != nil {
		return SpotCheck{}, err
	}
	if s.changes != nil {
		s.changes.Notify(Change{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, Kind: ChangeAlert})
	}
	// Read back as lists show it: with the checker's name.
	found, _, err := s.spots.List(ctx, SpotCheckFilter{TownshipID: c.TownshipID, WorkerID: c.WorkerID, Date: c.Date, Page: Page{Limit: MaxPageSize}})
	if err != nil {
		return SpotCheck{}, err
	}
	for _, f := range found {
		if f.ID == c.ID {
			return f, nil
		}
	}
	return c, nil
}

func (s *GateService) checkInput(in SpotCheckInput) (SpotCheck, error) {
	var p Problems
	c := SpotCheck{Present: in.Present, Note: Clean(in.Note)}
	if in.WorkerID <= 0 {
		p.Add("worker_id", "请选择职工")
	}
	switch {
	case in.Present && in.Temperature == nil:
		p.Add("temperature", "请填写现场测得的体温")
	case in.Present:
		t, err := ParseTemperature(*in.Temperature)
		if err != nil {
			p.Add("temperature", "现场体温应在 35.0 到 42.0 °C 之间")
		}
		c.Temperature = t
	case in.Temperature != nil:
		p.Add("temperature", "未见本人时不填体温")
	}
	checkText(&p, "note", "备注", c.Note, 0, 200)
	return c, p.Err()
}

// raiseDiscrepancy raises the check's discrepancy alert (one per worker, day and slot) and
// returns its ID, the existing one's when the slot has one already.
func (s *GateService) raiseDiscrepancy(ctx context.Context, c SpotCheck) (int64, error) {
	a := Alert{TownshipID: c.TownshipID, EnterpriseID: c.EnterpriseID, WorkerID: c.WorkerID, Type: AlertDiscrepancy,
		Date: c.Date, Slot: c.Slot, Escalated: true, Detail: c.Discrepancy, Status: AlertOpen}
	if _, err := s.alerts.Raise(ctx, []Alert{a}); err != nil {
		return 0, err
	}
	found, _, err := s.alerts.List(ctx, AlertFilter{TownshipID: c.TownshipID, WorkerID: c.WorkerID, Type: AlertDiscrepancy,
		Date: c.Date, Page: Page{Limit: 10}})
	if err != nil {
		return 0, err
	}
	for _, f := range found {
		if f.Slot == c.Slot {
			return f.ID, nil
		}
	}
	return 0, errors.New("discrepancy alert not found after raising it")
}

// List returns the spot checks the actor may see (a town admin the township's, a supervisor
// their enterprises', HR and a guard their own enterprise's) that match f. ErrForbidden.
func (s *GateService) List(ctx context.Context, actor Actor, f SpotCheckFilter) ([]SpotCheck, int, error) {
	if err := tenantOnly(actor); err != nil {
		return nil, 0, err
	}
	ids, err := s.seenEnterprises(ctx, actor)
	if err != nil {
		return nil, 0, err
	}
	f.TownshipID = actor.TownshipID
	if ids != nil {
		if len(f.EnterpriseIDs) > 0 {
			ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return !slices.Contains(f.EnterpriseIDs, id) })
		}
		if len(ids) == 0 {
			return []SpotCheck{}, 0, nil
		}
		f.EnterpriseIDs = ids
	}
	f.Page = f.Page.Normalize()
	return s.spots.List(ctx, f)
}

// Revoke revokes a worker's pass with a reason (red by default) until Restore. Town admins,
// supervisors and HR in scope. Audited. ErrForbidden, ErrNotFound, ErrInvalid.
func (s *GateService) Revoke(ctx context.Context, actor Actor, workerID int64, reason string) (Revocation, error) {
	w, err := s.passWorker(ctx, actor, workerID)
	if err != nil {
		return Revocation{}, err
	}
	reason = Clean(reason)
	var p Problems
	checkText(&p, "reason", "撤销理由", reason, 2, 200)
	if err := p.Err(); err != nil {
		return Revocation{}, err
	}
	r := Revocation{WorkerID: w.ID, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, Reason: reason,
		RevokedBy: actor.UserID, RevokedAt: s.clock.Now()}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.passes.Revoke(ctx, r); err != nil {
			return err
		}
		return s.audit().record(ctx, actor, w.TownshipID, w.EnterpriseID, "pass.revoke", "worker", w.ID, "撤销复工码:"+reason)
	})
	if err != nil {
		return Revocation{}, err
	}
	s.notifyRoster(w)
	return r, nil
}

// Restore ends a worker's revocation. Audited. ErrForbidden, ErrNotFound.
func (s *GateService) Restore(ctx context.Context, actor Actor, workerID int64) error {
	w, err := s.passWorker(ctx, actor, workerID)
	if err != nil {
		return err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		had, err := s.passes.Restore(ctx, w.ID)
		if err != nil || !had {
			return err
		}
		return s.audit().record(ctx, actor, w.TownshipID, w.EnterpriseID, "pass.restore", "worker", w.ID, "恢复复工码")
	})
	if err == nil {
		s.notifyRoster(w)
	}
	return err
}

func (s *GateService) notifyRoster(w Worker) {
	if s.changes != nil {
		s.changes.Notify(Change{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, Kind: ChangeRoster})
	}
}

// passWorker reads a worker whose pass the actor may revoke or restore.
func (s *GateService) passWorker(ctx context.Context, actor Actor, workerID int64) (Worker, error) {
	if err := tenantOnly(actor); err != nil {
		return Worker{}, err
	}
	if !actor.Is(RoleTownAdmin, RoleSupervisor, RoleEnterpriseHR) {
		return Worker{}, Forbidden("无权撤销或恢复复工码")
	}
	w, _, err := recordOf(ctx, s.scope, actor, workerID, "职工", s.workers.Get, func(w Worker) int64 { return w.EnterpriseID })
	return w, err
}

// Colors returns today's pass of each of the workers (those the actor sees, not left), for
// the roster's column.
func (s *GateService) Colors(ctx context.Context, actor Actor, workerIDs []int64) (map[int64]GatePass, error) {
	if !actor.InTenant() || !actor.Is(RoleTownAdmin, RoleSupervisor, RoleEnterpriseHR) {
		return map[int64]GatePass{}, nil // nobody else reads rosters
	}
	ids, err := s.seenEnterprises(ctx, actor)
	if err != nil || len(workerIDs) == 0 || (ids != nil && len(ids) == 0) {
		return map[int64]GatePass{}, err
	}
	passes, err := s.passesOf(ctx, actor.TownshipID, PassFactsFilter{WorkerIDs: workerIDs, EnterpriseIDs: ids})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]GatePass, len(passes))
	for _, gp := range passes {
		out[gp.Worker.ID] = gp
	}
	return out, nil
}
