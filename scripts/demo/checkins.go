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
		if err := s.stores.Checkins.InsertMany(ctx, checkins); err != nil {
			return fmt.Errorf("check-ins: %w", err)
		}
		if _, err := s.stores.Alerts.Raise(ctx, alerts); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		return s.handleAlerts(ctx, today)
	})
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
		c.Due = domain.DueOn(w, d)
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
