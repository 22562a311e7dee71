package repo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// spot records a spot check of wk on d through the store; found is its discrepancy.
func (w *passWorld) spot(t *testing.T, wk domain.Worker, d domain.Date, at time.Time, present bool, found string) domain.SpotCheck {
	t.Helper()
	c := domain.SpotCheck{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, CheckerID: w.checker.ID,
		Date: d, Slot: domain.SlotAM, CheckedAt: at, Present: present, Color: domain.PassGreen, Discrepancy: found}
	if present {
		c.Temperature = 366
	}
	if err := w.spots.Create(context.Background(), &c); err != nil {
		t.Fatalf("spot check of %d on %s: %v", wk.ID, d, err)
	}
	if c.ID == 0 {
		t.Fatalf("spot check of %d: got ID 0, want it set", wk.ID)
	}
	return c
}

// TestSpotCheckStore: a check reads back as it was written (the self-report, the missing
// temperature of an absence, no alert), lists newest first within the filter; Figures counts
// each enterprise-day's checks, distinct workers checked, discrepancies and distinct workers
// with a check-in at work, with its date a date on both engines; RecentDiscrepancies names the
// workers a check found a discrepancy of.
func TestSpotCheckStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		w := newPassWorld(t, db)
		a1 := w.worker(t, w.entA, domain.WorkerOnDuty)
		a2 := w.worker(t, w.entA, domain.WorkerOnDuty)
		a3 := w.worker(t, w.entA, domain.WorkerOnDuty)
		b1 := w.worker(t, w.entB, domain.WorkerOnDuty)
		stranger := w.worker(t, w.entOther, domain.WorkerOnDuty)
		at := time.Date(2020, 2, 10, 1, 0, 0, 0, time.UTC)

		// Today: a1, a2 at work (am and pm: counted once), a3 at home; yesterday: a1 at work;
		// b1 at work only yesterday; another township's worker at work today.
		w.report(t, a1, w.today, domain.SlotAM, 365, domain.AtWork)
		w.report(t, a1, w.today, domain.SlotPM, 365, domain.AtWork)
		w.report(t, a2, w.today, domain.SlotAM, 365, domain.AtWork)
		w.report(t, a3, w.today, domain.SlotAM, 365, domain.AtHome)
		w.report(t, a1, w.earlier, domain.SlotAM, 365, domain.AtWork)
		w.report(t, b1, w.earlier, domain.SlotAM, 365, domain.AtWork)
		w.report(t, stranger, w.today, domain.SlotAM, 365, domain.AtWork)

		// Today in A: a1 twice (one a discrepancy), a3 absent (a discrepancy); yesterday in A:
		// a1 once; in B: b1 today (no one of B at work today); the stranger today.
		self := domain.Checkin{Temperature: 365, Location: domain.AtWork, UpdatedAt: at.Add(-time.Hour)}
		first := domain.SpotCheck{TownshipID: w.tw.ID, EnterpriseID: w.entA.ID, WorkerID: a1.ID, CheckerID: w.checker.ID,
			Date: w.today, Slot: domain.SlotAM, CheckedAt: at, Present: true, Temperature: 380, Fever: true, Color: domain.PassGreen,
			SelfReport: &self, Discrepancy: "现场测得 38.0 °C,自报 36.5 °C(上午)", AlertID: 77, Note: "复测"}
		must(t, w.spots.Create(ctx, &first))
		second := w.spot(t, a1, w.today, at.Add(time.Minute), true, "")
		absent := w.spot(t, a3, w.today, at.Add(2*time.Minute), false, "自报在岗(上午 36.5 °C),现场未见本人")
		w.spot(t, a1, w.earlier, at.Add(-24*time.Hour), true, "")
		w.spot(t, b1, w.today, at, true, "")
		w.spot(t, stranger, w.today, at, true, "红码人员在现场")

		t.Run("List", func(t *testing.T) {
			got, total, err := w.spots.List(ctx, domain.SpotCheckFilter{TownshipID: w.tw.ID, EnterpriseIDs: []int64{w.entA.ID},
				Date: w.today, Page: domain.Page{Limit: 10}})
			must(t, err)
			if want := []int64{absent.ID, second.ID, first.ID}; total != 3 || !slices.Equal(ids(got, spotID), want) {
				t.Fatalf("got %v of %d, want %v, newest first", ids(got, spotID), total, want)
			}
			c := got[2]
			if c.Temperature != 380 || !c.Fever || c.AlertID != 77 || c.Note != "复测" || c.Discrepancy != first.Discrepancy ||
				c.EnterpriseName != "甲厂" || c.Zone != "一区" || c.WorkerName != "职工" || c.CheckerName != w.checker.Name ||
				!c.CheckedAt.Equal(at) || c.Date != w.today || c.Slot != domain.SlotAM {
				t.Errorf("got %+v, want the check as written, with names", c)
			}
			if sr := c.SelfReport; sr == nil || sr.Temperature != 365 || sr.Location != domain.AtWork || !sr.UpdatedAt.Equal(self.UpdatedAt) {
				t.Errorf("got self-report %+v, want 36.5 at work at its time", sr)
			}
			if a := got[0]; a.Present || a.Temperature != 0 || a.AlertID != 0 || a.SelfReport != nil {
				t.Errorf("got %+v, want an absence without temperature, alert or self-report", a)
			}
			page, total, err := w.spots.List(ctx, domain.SpotCheckFilter{TownshipID: w.tw.ID, WorkerID: a1.ID,
				From: w.earlier, To: w.today, Page: domain.Page{Limit: 1, Offset: 1}})
			must(t, err)
			if total != 3 || len(page) != 1 || page[0].ID != first.ID {
				t.Errorf("got %v of %d, want the second newest of a1's three", ids(page, spotID), total)
			}
		})
		t.Run("Figures", func(t *testing.T) {
			got, err := w.spots.Figures(ctx, w.tw.ID, nil, w.earlier, w.today)
			must(t, err)
			want := []domain.SpotDay{
				{EnterpriseID: w.entA.ID, Date: w.earlier, SpotFigures: domain.SpotFigures{Checks: 1, Checked: 1, OnDuty: 1}},
				{EnterpriseID: w.entA.ID, Date: w.today, SpotFigures: domain.SpotFigures{Checks: 3, Checked: 2, OnDuty: 2, Discrepancies: 2}},
				{EnterpriseID: w.entB.ID, Date: w.earlier, SpotFigures: domain.SpotFigures{OnDuty: 1}},
				{EnterpriseID: w.entB.ID, Date: w.today, SpotFigures: domain.SpotFigures{Checks: 1, Checked: 1}},
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %+v,\nwant %+v", got, want)
			}
			one, err := w.spots.Figures(ctx, w.tw.ID, []int64{w.entB.ID}, w.today, w.today)
			must(t, err)
			if !slices.Equal(one, want[3:]) {
				t.Errorf("B today: got %+v, want %+v", one, want[3:])
			}
			none, err := w.spots.Figures(ctx, w.tw.ID, nil, w.today.AddDays(-10), w.today.AddDays(-5))
			must(t, err)
			if len(none) != 0 {
				t.Errorf("got %+v of days without anything, want none", none)
			}
		})
		t.Run("RecentDiscrepancies", func(t *testing.T) {
			got, err := w.spots.RecentDiscrepancies(ctx, w.tw.ID, w.earlier, w.today)
			must(t, err)
			if len(got) != 2 || !got[a1.ID] || !got[a3.ID] {
				t.Errorf("got %v, want a1 and a3 (not the other township's)", got)
			}
			got, err = w.spots.RecentDiscrepancies(ctx, w.tw.ID, w.earlier, w.earlier)
			must(t, err)
			if len(got) != 0 {
				t.Errorf("got %v yesterday, want none", got)
			}
		})
	})
}

func spotID(c domain.SpotCheck) int64 { return c.ID }
