package demo

import (
	"context"
	"fmt"

	"fugong/domain"
)

// heldToToday plays the two things a check-in at work finds today, through the services as
// they happen on the live server: at a reopened enterprise, its supervisor cut a shift's
// capacity after this morning's inspection and the shift's people kept checking in at work, so
// the shift is over capacity with its density alert (班组超员); and at an enterprise that
// applied but is not approved, a few workers checked in at work anyway (未批先复), which
// raises its alert to the town.
func (s *seeder) heldToToday(ctx context.Context) error {
	s.clock.t = s.end
	t, err := s.svc.Townships.Get(ctx, s.town, s.township.ID)
	if err != nil {
		return err
	}
	today := t.Today(s.end)
	var reopened, applied *domain.Enterprise
	for i := range s.ents {
		e, err := s.stores.Enterprises.Get(ctx, s.ents[i].ID)
		if err != nil {
			return err
		}
		switch {
		case e.Status == domain.StatusReopened && reopened == nil && s.supervisorOf(e) != nil:
			reopened = &e
		case e.Status == domain.StatusApplied && applied == nil:
			applied = &e
		}
	}
	if reopened == nil || applied == nil {
		return fmt.Errorf("demo: no reopened or applied enterprise to hold to today")
	}
	if err := s.crowdedShift(ctx, *reopened, today); err != nil {
		return fmt.Errorf("crowded shift of %s: %w", reopened.Name, err)
	}
	ws, err := s.roster(ctx, applied.ID)
	if err != nil {
		return err
	}
	for _, w := range ws[:min(3, len(ws))] {
		if err := s.checkInAtWork(ctx, w); err != nil {
			return fmt.Errorf("未批先复 at %s: %w", applied.Name, err)
		}
	}
	return nil
}

// crowdedShift has e's supervisor, after this morning's inspection, cut the capacity of the
// shift with the most people back to two fewer than those people, and they check in at work
// this morning (a repeat of a slot replaces it): the check-in that takes the shift over
// capacity raises the alert.
func (s *seeder) crowdedShift(ctx context.Context, e domain.Enterprise, today domain.Date) error {
	ws, err := s.roster(ctx, e.ID)
	if err != nil {
		return err
	}
	back := map[int64][]domain.Worker{}
	var busiest int64
	for _, w := range ws {
		if w.ShiftID != 0 && w.Status == domain.WorkerOnDuty && domain.DueOn(w, today) {
			back[w.ShiftID] = append(back[w.ShiftID], w)
			if len(back[w.ShiftID]) > len(back[busiest]) {
				busiest = w.ShiftID
			}
		}
	}
	crew := back[busiest]
	if len(crew) < 4 {
		return fmt.Errorf("no shift with four people back")
	}
	sh, err := s.stores.Shifts.Get(ctx, busiest)
	if err != nil {
		return err
	}
	sup := *s.supervisorOf(e)
	all := domain.Checklist{TemperatureCheck: true, MasksWorn: true, DisinfectionLog: true,
		IsolationRoomReady: true, RosterUpToDate: true, CanteenStaggered: true}
	findings := fmt.Sprintf("%s车间工位间距不足一米,班组容量核减为 %d 人,超出人员请调整至其他班组。", sh.Name, len(crew)-2)
	if _, _, err := s.svc.Inspections.Create(ctx, sup, e.ID, domain.NewInspection{VisitedOn: today, Checklist: all, Findings: findings}); err != nil {
		return err
	}
	in := domain.ShiftInput{Name: sh.Name, Workshop: sh.Workshop, Start: sh.Start, End: sh.End, MealStart: sh.MealStart,
		MealEnd: sh.MealEnd, Capacity: len(crew) - 2}
	if _, err := s.svc.Stagger.UpdateShift(ctx, sup, sh.ID, in); err != nil {
		return err
	}
	for _, w := range crew {
		if err := s.checkInAtWork(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// checkInAtWork sends w's own normal morning report, at work.
func (s *seeder) checkInAtWork(ctx context.Context, w domain.Worker) error {
	temp := 36.2 + float64(s.rng.IntN(6))/10
	worker := domain.Actor{Role: domain.RoleWorker, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
		Generation: w.Generation}
	_, _, err := s.svc.Checkins.Submit(ctx, worker, domain.CheckinInput{Slot: domain.SlotAM, Temperature: &temp, Location: domain.AtWork})
	return err
}

// roster is an enterprise's roster, people who left included.
func (s *seeder) roster(ctx context.Context, enterpriseID int64) ([]domain.Worker, error) {
	ws, _, err := s.stores.Workers.List(ctx, domain.WorkerFilter{EnterpriseID: enterpriseID, Page: domain.Page{Limit: domain.MaxPageSize}})
	return ws, err
}

// supervisorOf is one of e's supervisors among the demo's, nil when it has none.
func (s *seeder) supervisorOf(e domain.Enterprise) *domain.Actor {
	for i, sup := range s.supervisors {
		if e.SupervisedBy(sup.UserID) {
			return &s.supervisors[i]
		}
	}
	return nil
}
