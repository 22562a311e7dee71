package demo_test

import (
	"context"
	"testing"
	"time"

	"fugong/domain"
	"fugong/internal/demo"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestDemoStatsEqualRecount is the "done when": on the demo, the dashboard's summary,
// trend and enterprise rows equal a recount from the raw tables, for every day of its history.
func TestDemoStatsEqualRecount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		st := repo.Stores(db, dbtest.Box())
		now := time.Now()
		if _, err := demo.Seed(ctx, st, now); err != nil {
			t.Fatal(err)
		}
		svc := domain.NewServices(st, domain.Options{Clock: func() time.Time { return now }})
		town, err := st.Townships.Get(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		admin := domain.Actor{Role: domain.RoleTownAdmin, TownshipID: town.ID, UserID: 2}
		today := town.Today(now)
		want := recount(t, st, town.ID, today) // today too: just after midnight it has no check-in yet

		tv, err := svc.Dashboard.TrendView(ctx, admin, domain.DashboardQuery{}, today.AddDays(-13), today)
		if err != nil {
			t.Fatal(err)
		}
		trend, err := svc.Dashboard.Trend(ctx, tv)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range trend {
			var sum domain.Figures
			for _, f := range want[p.Date] {
				sum.Add(f)
			}
			if p.Figures != sum {
				t.Errorf("trend %s: got %+v, want the recount %+v", p.Date, p.Figures, sum)
			}
			if p.Date == today.AddDays(-3) && sum.CheckinsAM == 0 {
				t.Errorf("recount %s: no check-ins, want the demo's history", p.Date)
			}
		}
		for _, d := range []domain.Date{today, today.AddDays(-5)} {
			v, err := svc.Dashboard.View(ctx, admin, domain.DashboardQuery{Date: d})
			if err != nil {
				t.Fatal(err)
			}
			days, err := svc.Dashboard.EnterpriseDays(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			var total domain.Figures
			for _, row := range days {
				if got, w := row.Figures, want[d][row.Enterprise.ID]; got != w {
					t.Errorf("%s, enterprise %d: got %+v, want the recount %+v", d, row.Enterprise.ID, got, w)
				}
				total.Add(row.Figures)
			}
			s, err := svc.Dashboard.Summary(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			if s.Figures != total || s.Enterprises.Total != 36 {
				t.Errorf("summary %s: got %+v of %d enterprises, want %+v of 36", d, s.Figures, s.Enterprises.Total, total)
			}
		}
	})
}

// recount computes every enterprise's figures of every day with a check-in or an alert, and of
// the days given, from the raw rows: check-ins, alerts and the roster (by domain.RosterFigures).
func recount(t *testing.T, st domain.Stores, townshipID int64, also ...domain.Date) map[domain.Date]map[int64]domain.Figures {
	t.Helper()
	ctx := context.Background()
	out := map[domain.Date]map[int64]domain.Figures{}
	at := func(d domain.Date, e int64) domain.Figures { return out[d][e] }
	set := func(d domain.Date, e int64, f domain.Figures) {
		if out[d] == nil {
			out[d] = map[int64]domain.Figures{}
		}
		out[d][e] = f
	}
	// A person's day counts by the Go rule of the figures: ActivityFigures of its two slots.
	type personDay struct {
		enterprise, worker int64
		day                domain.Date
	}
	slots := map[personDay]*[2]*domain.Checkin{}
	for f := (domain.CheckinFilter{Page: domain.Page{Limit: domain.MaxPageSize}}); ; f.Offset += domain.MaxPageSize {
		cs, total, err := st.Checkins.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			k := personDay{c.EnterpriseID, c.WorkerID, c.Date}
			if slots[k] == nil {
				slots[k] = new([2]*domain.Checkin)
			}
			if c.Slot == domain.SlotAM {
				slots[k][0] = &c
			} else {
				slots[k][1] = &c
			}
		}
		if f.Offset+len(cs) >= total {
			break
		}
	}
	for k, s := range slots {
		fig := at(k.day, k.enterprise)
		fig.Add(domain.ActivityFigures(s[0], s[1]))
		set(k.day, k.enterprise, fig)
	}
	var alerts []domain.Alert
	for f := (domain.AlertFilter{TownshipID: townshipID, Page: domain.Page{Limit: domain.MaxPageSize}}); ; f.Offset += domain.MaxPageSize {
		as, total, err := st.Alerts.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			fig := at(a.Date, a.EnterpriseID)
			fig.Alerts++
			set(a.Date, a.EnterpriseID, fig)
			alerts = append(alerts, a)
		}
		if f.Offset+len(as) >= total {
			break
		}
	}
	for _, d := range also {
		if out[d] == nil {
			out[d] = map[int64]domain.Figures{}
		}
	}
	// Open at the end of each day: dated then or before, not taken in hand before it ended.
	town, err := st.Townships.Get(ctx, townshipID)
	if err != nil {
		t.Fatal(err)
	}
	for d := range out {
		for _, a := range alerts {
			if !a.Date.After(d) && (a.TakenAt == nil || !a.TakenAt.Before(town.DayEnd(d))) {
				fig := at(d, a.EnterpriseID)
				fig.AlertsOpen++
				set(d, a.EnterpriseID, fig)
			}
		}
	}
	days := make([]domain.Date, 0, len(out))
	for d := range out {
		days = append(days, d)
	}
	err = st.Workers.ForTownship(ctx, townshipID, func(ws []domain.Worker) error {
		for _, w := range ws {
			for _, d := range days {
				fig := at(d, w.EnterpriseID)
				r := domain.RosterFigures(w, d)
				fig.Roster, fig.Returned, fig.OnDuty = fig.Roster+r.Roster, fig.Returned+r.Returned, fig.OnDuty+r.OnDuty
				fig.Isolating, fig.KeyArea, fig.Due = fig.Isolating+r.Isolating, fig.KeyArea+r.KeyArea, fig.Due+r.Due
				set(d, w.EnterpriseID, fig)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
