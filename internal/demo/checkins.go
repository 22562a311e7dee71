package demo

import (
	"context"
	"fmt"
	"time"

	"fugong/domain"
)

// historyDays is how far back the demo's check-ins go.
const historyDays = 14

// createCheckins plays two weeks of daily health reports for every worker who was back: mostly
// normal readings, a realistic few fevers, symptoms and missed slots, with the alerts they
// raise under the township's rules, handled as a township handles them: the older ones
// resolved, yesterday's being handled, today's open. History is written in bulk (the demo
// would otherwise take a minute to start); the alerts come from the same domain rules the
// service applies to live check-ins.
func (s *seeder) createCheckins(ctx context.Context) error {
	t, err := s.svc.Townships.Get(ctx, s.town, s.township.ID)
	if err != nil {
		return err
	}
	today := t.Today(s.end)
	var all []domain.Worker
	if err := s.stores.Workers.ForTownship(ctx, t.ID, func(ws []domain.Worker) error {
		all = append(all, ws...)
		return nil
	}); err != nil {
		return err
	}
	return s.stores.Tx.InTx(ctx, func(ctx context.Context) error {
		var checkins []domain.Checkin
		var alerts []domain.Alert
		for d := today.AddDays(-historyDays + 1); !d.After(today); d = d.AddDays(1) {
			for _, slot := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
				cutoff := t.Cutoff(d, slot)
				due := cutoff.Add(-2 * time.Hour) // reports come in the two hours before the cut-off
				if due.After(s.end) {
					continue
				}
				cs, as := s.slotHistory(t, all, d, slot, due, cutoff.Before(s.end))
				checkins, alerts = append(checkins, cs...), append(alerts, as...)
			}
		}
		cs, as := s.unregistered(t, all, today)
		checkins, alerts = append(checkins, cs...), append(alerts, as...)
		// The alerts first: a late report then closes its slot's missed-check-in alert as it
		// goes in, as on the live server.
		if _, err := s.stores.Alerts.Raise(ctx, alerts); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		if err := s.stores.Checkins.InsertMany(ctx, checkins); err != nil {
			return fmt.Errorf("check-ins: %w", err)
		}
		return s.handleAlerts(ctx, today)
	})
}

// unregistered has a few people HR has not marked back yet report anyway, yesterday and
// today, as happened when workers came back before their papers: they count apart from the
// reports (未登记返岗), each with an alert for HR to confirm the arrival.
func (s *seeder) unregistered(t domain.Township, ws []domain.Worker, today domain.Date) ([]domain.Checkin, []domain.Alert) {
	var cs []domain.Checkin
	var as []domain.Alert
	seen := map[int64]bool{}
	for _, w := range ws {
		if w.Status != domain.WorkerExpected || seen[w.EnterpriseID] || len(seen) == 3 {
			continue
		}
		seen[w.EnterpriseID] = true
		for _, d := range []domain.Date{today.AddDays(-1), today} {
			at := t.Cutoff(d, domain.SlotAM).Add(-time.Duration(30+s.rng.IntN(60)) * time.Minute)
			if at.After(s.end) {
				continue
			}
			cs = append(cs, domain.Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Date: d,
				Slot: domain.SlotAM, Temperature: domain.Temperature(362 + s.rng.IntN(6)), Location: domain.AtWork,
				CreatedAt: at, UpdatedAt: at})
			as = append(as, domain.Alert{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
				Type: domain.AlertUnregisteredArrival, Date: d, Status: domain.AlertOpen,
				Detail: "尚未登记返岗的职工已打卡,请核实并登记返岗日期"})
		}
	}
	return cs, as
}

// readingsOfNote plays what the reading history is for, through the services as the people
// did it: one worker this morning reported a fever and then, remeasured, a normal reading (the
// day stays a fever day); and one of yesterday's fevers was corrected by HR, with a note.
func (s *seeder) readingsOfNote(ctx context.Context) error {
	s.clock.t = s.end
	t, err := s.svc.Townships.Get(ctx, s.town, s.township.ID)
	if err != nil {
		return err
	}
	today := t.Today(s.end)
	hrOf := map[int64]domain.Actor{}
	for i, e := range s.ents {
		hrOf[e.ID] = s.hr[i]
	}
	var remeasured *domain.Worker
	var feverYesterday *domain.Checkin
	err = s.stores.Workers.ForTownship(ctx, t.ID, func(ws []domain.Worker) error {
		for i := range ws {
			if w := ws[i]; remeasured == nil && w.Status == domain.WorkerOnDuty && domain.DueOn(w, today) {
				remeasured = &ws[i]
			}
		}
		return nil
	})
	if err != nil || remeasured == nil {
		return err
	}
	w := *remeasured
	worker := domain.Actor{Role: domain.RoleWorker, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID}
	for _, temp := range []float64{38.2, 36.7} {
		if _, _, err := s.svc.Checkins.Submit(ctx, worker, domain.CheckinInput{Slot: domain.SlotAM, Temperature: &temp}); err != nil {
			return fmt.Errorf("remeasured fever: %w", err)
		}
	}
	for f := (domain.CheckinFilter{Date: today.AddDays(-1), Page: domain.Page{Limit: domain.MaxPageSize}}); feverYesterday == nil; f.Offset += domain.MaxPageSize {
		cs, total, err := s.stores.Checkins.List(ctx, f)
		if err != nil {
			return err
		}
		for i := range cs {
			if cs[i].Fever && cs[i].TownshipID == t.ID {
				feverYesterday = &cs[i]
				break
			}
		}
		if f.Offset+len(cs) >= total {
			break
		}
	}
	if feverYesterday == nil {
		return nil
	}
	temp := 36.6
	_, err = s.svc.Checkins.Correct(ctx, hrOf[feverYesterday.EnterpriseID], feverYesterday.ID, domain.CorrectionInput{
		Temperature: &temp, Note: "额温枪读数有误,卫生院复测 36.6 °C"})
	return err
}

// slotHistory makes one slot's reports of a day, and the alerts they and the missing ones raise.
func (s *seeder) slotHistory(t domain.Township, ws []domain.Worker, d domain.Date, slot domain.Slot, due time.Time, pastCutoff bool) ([]domain.Checkin, []domain.Alert) {
	var cs []domain.Checkin
	var as []domain.Alert
	for _, w := range ws {
		if !reports(w, d) {
			continue
		}
		base := domain.Alert{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Date: d, Status: domain.AlertOpen}
		if s.rng.IntN(100) < 2 { // forgot, or no signal at the quarry
			if pastCutoff {
				a := base
				a.Type, a.Slot, a.Detail = domain.AlertMissedCheckin, slot, map[domain.Slot]string{domain.SlotAM: "上午", domain.SlotPM: "下午"}[slot]+"未打卡"
				as = append(as, a)
			}
			continue
		}
		at := due.Add(time.Duration(s.rng.IntN(110)) * time.Minute)
		late := false
		if s.rng.IntN(100) < 2 { // reported after the cut-off: the missed alert came first
			late = true
			at = due.Add(2*time.Hour + time.Duration(10+s.rng.IntN(80))*time.Minute)
			if at.After(s.end) {
				continue
			}
			a := base
			a.Type, a.Slot, a.Detail = domain.AlertMissedCheckin, slot, map[domain.Slot]string{domain.SlotAM: "上午", domain.SlotPM: "下午"}[slot]+"未打卡"
			as = append(as, a)
		}
		c := domain.Checkin{
			TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Date: d, Slot: slot,
			Temperature: domain.Temperature(360 + s.rng.IntN(11)), Location: domain.AtWork, CreatedAt: at, UpdatedAt: at,
		}
		if w.Status == domain.WorkerIsolating {
			c.Location = domain.AtIsolation
		}
		switch n := s.rng.IntN(1000); {
		case n < 4: // a fever, now and then with a cough
			c.Temperature = domain.Temperature(373 + s.rng.IntN(13))
			c.Symptoms = []domain.Symptom{domain.SymptomFever}
			if n < 2 {
				c.Symptoms = append(c.Symptoms, domain.SymptomDryCough)
			}
		case n < 10:
			c.Symptoms = []domain.Symptom{[]domain.Symptom{domain.SymptomSoreThroat, domain.SymptomFatigue, domain.SymptomDryCough}[s.rng.IntN(3)]}
		}
		c.Fever = t.Fever(c.Temperature)
		c.Due, c.Late = domain.DueOn(w, d), late
		cs = append(cs, c)
		as = append(as, t.CheckinAlerts(c, nil)...)
	}
	return cs, as
}

// reports says whether a worker was expected to report on d: back by then, not gone.
func reports(w domain.Worker, d domain.Date) bool {
	return (w.Status == domain.WorkerOnDuty || w.Status == domain.WorkerIsolating) && !w.ArrivedOn.IsZero() && !w.ArrivedOn.After(d)
}

// handleAlerts has HR deal with the alerts as a township does: those older than two days
// resolved, about half of yesterday's taken in hand, the rest and today's still open.
func (s *seeder) handleAlerts(ctx context.Context, today domain.Date) error {
	hrOf := map[int64]int64{}
	for i, e := range s.ents {
		hrOf[e.ID] = s.hr[i].UserID
	}
	notes := map[domain.AlertType]string{
		domain.AlertFever: "已复测体温并送镇卫生院发热门诊排查,结果正常,已解除", domain.AlertSymptoms: "已安排居家观察两日,症状消失",
		domain.AlertMissedCheckin: "已电话联系,职工已补报,体温正常",
	}
	for f := (domain.AlertFilter{TownshipID: s.township.ID, Status: domain.AlertOpen, Page: domain.Page{Limit: domain.MaxPageSize}}); ; {
		as, _, err := s.stores.Alerts.List(ctx, f)
		if err != nil || len(as) == 0 {
			return err
		}
		handled := 0
		for _, a := range as {
			by, at := hrOf[a.EnterpriseID], a.Date.Time().Add(12*time.Hour)
			switch {
			case a.Date.Before(today.AddDays(-1)):
				err = s.stores.Alerts.Handle(ctx, a.ID, []domain.AlertStatus{domain.AlertOpen}, domain.AlertResolved, by, notes[a.Type], at)
			case a.Date == today.AddDays(-1) && a.ID%2 == 0:
				err = s.stores.Alerts.Handle(ctx, a.ID, []domain.AlertStatus{domain.AlertOpen}, domain.AlertAcknowledged, by, "已联系,正在跟进", at)
			default:
				continue
			}
			if err != nil {
				return err
			}
			handled++
		}
		if handled == 0 {
			f.Offset += len(as) // only today's are left on this page
		}
	}
}
