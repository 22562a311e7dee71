package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fugong/domain"
)

// The demo's gate account (issue 19): the guard of a reopened enterprise supervisor1 looks
// after, made by its HR.
const (
	GateUsername = "gate1"
	gateName     = "张师傅"
	gatePhone    = "13905431100"
)

// spotDays is how many days before today the demo's spot checks go back; today has its own
// once its morning has come.
const spotDays = 7

// spotsPerSupervisor is how many of their sample a supervisor measures on a morning round, and
// spotsPerGuard how many people a guard measures: enough for figures worth reading, few enough
// that the demo starts quickly.
const (
	spotsPerSupervisor = 4
	spotsPerGuard      = 6
)

// Revocations are the demo's two revoked passes today, with their reasons.
var Revocations = []string{"密接者待核酸结果", "同住家属为密切接触者,居家待排查"}

// discrepancyKind is what one of the demo's planned discrepancies is.
type discrepancyKind int

const (
	measuredFever discrepancyKind = iota + 1 // 37.8–38.3 °C measured against a normal self-report
	absent                                   // reported at work, not there
)

// plannedDiscrepancy is one discrepancy a checker (0–4 supervisor1–5, 5 the guard) finds on
// the day offset days from today, on the first person of their sample it fits, at that
// temperature.
type plannedDiscrepancy struct {
	offset, checker int
	kind            discrepancyKind
	temperature     float64
}

// discrepancies are the few the week's spot checks find, each on a day its checker is out
// (onRound): three fevers the self-reports did not show, one of them yesterday's by the guard
// (still open: the worker's pass is yellow today), and two people who reported at work and
// were not there, found by supervisors going down their sample (a guard scans whoever comes).
var discrepancies = []plannedDiscrepancy{
	{-6, 1, measuredFever, 37.9}, {-4, 1, absent, 0}, {-2, 0, measuredFever, 38.3},
	{-1, 5, measuredFever, 37.8}, {0, 2, absent, 0},
}

// gateAndSpotChecks plays issue 19 through the gate service as the people did it: HR of a
// reopened enterprise of supervisor1's makes a guard's account eight days ago; each morning of
// the week since, about 08:00, three of the five supervisors in turn and the guard measure
// people of their daily sample whose pass is green at the gate (a yellow or red pass is turned
// away, not let in and measured); a few measurements disagree with the self-report and raise
// their alerts, which HR resolves the next day, but yesterday's. Today two passes are revoked
// with reasons. The week's passes of every colour come from the check-ins and alerts already
// played.
func (s *seeder) gateAndSpotChecks(ctx context.Context) error {
	// One transaction, as createCheckins writes its history: a commit per spot check and audit
	// entry would make PostgreSQL sync a few hundred times; the services join it as they join
	// a request's.
	return s.stores.Tx.InTx(ctx, s.playGate)
}

func (s *seeder) playGate(ctx context.Context) error {
	i, err := s.gateEnterprise(ctx)
	if err != nil {
		return err
	}
	s.day(-spotDays-1, 8, 10)
	u, err := s.svc.Users.Create(ctx, s.hr[i], domain.NewUser{Username: GateUsername, Password: Password,
		Role: domain.RoleGate, Name: gateName, Phone: gatePhone})
	if err != nil {
		return fmt.Errorf("gate account: %w", err)
	}
	checkers := append(append([]domain.Actor{}, s.supervisors...), u.Actor())
	t, err := s.svc.Townships.Get(ctx, s.town, s.township.ID)
	if err != nil {
		return err
	}
	for offset := -spotDays; offset <= 0; offset++ {
		if offset == 0 {
			if err := s.revoke(ctx, i); err != nil {
				return err
			}
		}
		for k, c := range checkers {
			if c.Role == domain.RoleSupervisor && !onRound(k, offset) {
				continue
			}
			s.day(offset, 8, 3+7*k)
			if offset == 0 && s.clock.t.Before(t.Cutoff(t.Today(s.end), domain.SlotAM).Add(-2*time.Hour)) {
				return nil // today's morning has not come: nobody is at work to measure yet
			}
			if err := s.spotRound(ctx, c, offset, k); err != nil {
				return fmt.Errorf("spot checks of checker %d on day %d: %w", k+1, offset, err)
			}
		}
		if err := s.resolveDiscrepancies(ctx, offset); err != nil {
			return err
		}
	}
	return nil
}

// gateEnterprise is the index of the first enterprise supervisor1 looks after that has
// reopened: its guard gets the demo's gate account.
func (s *seeder) gateEnterprise(ctx context.Context) (int, error) {
	for i, e := range s.ents {
		got, err := s.stores.Enterprises.Get(ctx, e.ID)
		if err != nil {
			return 0, err
		}
		if got.Status == domain.StatusReopened && got.SupervisedBy(s.supervisors[0].UserID) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("demo: supervisor1 has no reopened enterprise for the gate account")
}

// spotRound is one checker's morning at the gate on the day offset days from today: the
// people of their day's sample (a guard: then anyone of its enterprise on duty, as they come
// in), their passes, and a measurement of the first few who may enter, normal but for the
// discrepancy planned for the checker that day.
func (s *seeder) spotRound(ctx context.Context, c domain.Actor, offset, checker int) error {
	sample, _, _, err := s.svc.Gate.Sample(ctx, c, domain.Date{})
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(sample))
	for _, it := range sample {
		ids = append(ids, it.Worker.ID)
	}
	limit := spotsPerSupervisor
	if c.Role == domain.RoleGate {
		limit = spotsPerGuard
		ws, err := s.roster(ctx, c.EnterpriseID)
		if err != nil {
			return err
		}
		for _, w := range ws {
			if w.Status == domain.WorkerOnDuty && !slices.Contains(ids, w.ID) {
				ids = append(ids, w.ID)
			}
		}
	}
	pass, err := s.passReader(ctx, c, ids)
	if err != nil {
		return err
	}
	var plan *plannedDiscrepancy
	for i, p := range discrepancies {
		if p.offset == offset && p.checker == checker {
			plan = &discrepancies[i]
		}
	}
	done, looked := 0, 0
	for _, id := range ids {
		if done == limit || (c.Role == domain.RoleGate && looked == limit+spotsTurnedAway) {
			break
		}
		looked++
		gp, ok, err := pass(id)
		if err != nil {
			return err
		}
		if !ok || gp.Color != domain.PassGreen {
			continue
		}
		in := domain.SpotCheckInput{WorkerID: gp.Worker.ID, Present: true}
		temp := 36.1 + float64(s.rng.IntN(8))/10
		self := gp.SelfReport
		switch {
		case plan != nil && plan.kind == measuredFever && self != nil && !self.Fever && !self.HadFever:
			temp, plan = plan.temperature, nil
			in.Note = "额温枪复测两次均超标,已送镇卫生院发热门诊"
		case plan != nil && plan.kind == absent && self != nil && self.Location == domain.AtWork:
			in.Present, plan = false, nil
			in.Note = "班组长称本人今日未到岗"
		}
		if in.Present {
			in.Temperature = &temp
		}
		if _, err := s.svc.Gate.Record(ctx, c, in); err != nil {
			return err
		}
		done++
		s.later(time.Minute) // a minute a person at the gate
	}
	return nil
}

// spotsTurnedAway bounds how many people with a yellow or red pass a guard scans in a round
// besides those it measures.
const spotsTurnedAway = 6

// passReader returns how a checker learns the pass of each of ids: a supervisor reads them at
// once, as the roster shows them; a guard, who reads no roster, scans each person's code at
// the gate (GateService.ScanWorker, audited as every scan is).
func (s *seeder) passReader(ctx context.Context, c domain.Actor, ids []int64) (func(int64) (domain.GatePass, bool, error), error) {
	if c.Role == domain.RoleGate {
		return func(id int64) (domain.GatePass, bool, error) {
			ps, err := s.svc.Gate.ScanWorker(ctx, c, c.TownshipID, id)
			if err != nil || len(ps) == 0 {
				return domain.GatePass{}, false, err
			}
			s.later(20 * time.Second)
			return ps[0], true, nil
		}, nil
	}
	passes, err := s.svc.Gate.Colors(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	return func(id int64) (domain.GatePass, bool, error) {
		gp, ok := passes[id]
		return gp, ok, nil
	}, nil
}

// revoke revokes two passes this morning, each with its reason: one by the gate enterprise's
// HR, one by supervisor1 at another of their enterprises (or the same), of people on duty.
func (s *seeder) revoke(ctx context.Context, gateEnterprise int) error {
	s.day(0, 7, 40)
	sup := s.supervisors[0]
	by := []struct {
		actor      domain.Actor
		enterprise domain.Enterprise
	}{{s.hr[gateEnterprise], s.ents[gateEnterprise]}, {sup, s.ents[gateEnterprise]}}
	for i, e := range s.ents {
		got, err := s.stores.Enterprises.Get(ctx, e.ID)
		if err != nil {
			return err
		}
		if i != gateEnterprise && got.Status == domain.StatusReopened && got.SupervisedBy(sup.UserID) {
			by[1].enterprise = e
			break
		}
	}
	var revoked []int64
	for k, b := range by {
		ws, err := s.roster(ctx, b.enterprise.ID)
		if err != nil {
			return err
		}
		var picked *domain.Worker
		for j := len(ws) - 1; j >= 0 && picked == nil; j-- { // the roster's last: not the first HR looks up
			if ws[j].Status == domain.WorkerOnDuty && !slices.Contains(revoked, ws[j].ID) {
				picked = &ws[j]
			}
		}
		if picked == nil {
			return fmt.Errorf("demo: nobody on duty at %s to revoke the pass of", b.enterprise.Name)
		}
		if _, err := s.svc.Gate.Revoke(ctx, b.actor, picked.ID, Revocations[k]); err != nil {
			return fmt.Errorf("revoking a pass at %s: %w", b.enterprise.Name, err)
		}
		revoked = append(revoked, picked.ID)
		s.later(3 * time.Minute)
	}
	return nil
}

// resolveDiscrepancies has HR, at 11:00 of the day offset days from today, resolve the
// discrepancy alerts of the day before, after the health station's look; yesterday's stay
// open today, so that a pass shows 抽查不符待核.
func (s *seeder) resolveDiscrepancies(ctx context.Context, offset int) error {
	if offset >= 0 {
		return nil
	}
	d := s.day(offset, 11, 0)
	as, _, err := s.stores.Alerts.List(ctx, domain.AlertFilter{TownshipID: s.township.ID, Type: domain.AlertDiscrepancy,
		Date: d.AddDays(-1), Status: domain.AlertOpen, Page: domain.Page{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	for _, a := range as {
		for i, e := range s.ents {
			if e.ID != a.EnterpriseID {
				continue
			}
			if _, err := s.svc.Checkins.Resolve(ctx, s.hr[i], a.ID, "经镇卫生院复核,职工情况已查明,已批评教育并要求如实填报"); err != nil {
				return fmt.Errorf("resolving a discrepancy: %w", err)
			}
		}
	}
	return nil
}

// onRound says whether supervisor k (0–4) does a round of the gates on the day offset days
// from today: three of the five each day, in turn, so each is out about five mornings of eight
// (a supervisor's sample is drawn from all their enterprises, the demo's costliest read).
func onRound(k, offset int) bool { return (k-offset+5*spotDays)%5 < 3 }

// later moves the demo clock on by d, but never past the real now.
func (s *seeder) later(d time.Duration) {
	s.clock.t = s.clock.t.Add(d)
	if s.clock.t.After(s.end) {
		s.clock.t = s.end
	}
}
