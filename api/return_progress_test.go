package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// returnDay is a day of the plan-against-actual answers.
type returnDay struct {
	Date          string `json:"date"`
	Planned       int    `json:"planned"`
	PlannedToDate int    `json:"planned_to_date"`
	Arrived       int    `json:"arrived"`
	ArrivedToDate int    `json:"arrived_to_date"`
	Early         int    `json:"early"`
	NoShow        int    `json:"no_show"`
	Gap           int    `json:"gap"`
}

type returnProgress struct {
	From, To string
	Days     []returnDay `json:"days"`
	Batches  []struct {
		Number   int    `json:"number"`
		Date     string `json:"date"`
		Planned  int    `json:"planned"`
		Assigned int    `json:"assigned"`
		Arrived  int    `json:"arrived"`
		Early    int    `json:"early"`
		NoShow   int    `json:"no_show"`
	} `json:"batches"`
}

// staggeredA1 gives enterprise A1 two batches (two days ago, 2 people; tomorrow, 3) of a plan
// its HR filed over HTTP, and four workers: one of batch 1 back three days ago (early), one
// of batch 1 not back (a no-show), one of batch 2 back today (early), one of no batch back
// yesterday.
func (f *fixture) staggeredA1(hr string) {
	f.t.Helper()
	res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID), hr, fullPlan())
	if res.status != http.StatusCreated {
		f.t.Fatalf("plan: got %d %s", res.status, res.body)
	}
	var plan struct{ ID int64 }
	res.decode(f.t, &plan)
	ctx, st := context.Background(), repo.Stores(f.db, dbtest.Box())
	day := func(n int) domain.Date { d, _ := domain.ParseDate(dayFromToday(n)); return d }
	bs := []domain.ReturnBatch{
		{TownshipID: f.townA.ID, PlanID: plan.ID, Number: 1, Date: day(-2), Planned: 2},
		{TownshipID: f.townA.ID, PlanID: plan.ID, Number: 2, Date: day(1), Planned: 3},
	}
	if err := st.Batches.Replace(ctx, f.entA1.ID, bs); err != nil {
		f.t.Fatal(err)
	}
	for i, w := range []struct {
		arrived string
		batch   int
	}{{dayFromToday(-3), 1}, {"", 1}, {dayFromToday(0), 2}, {dayFromToday(-1), 0}} {
		wk, _, err := f.svc.Workers.Create(ctx, f.hrA1.Actor(), f.entA1.ID, domain.WorkerInput{Name: fmt.Sprintf("批次%d", i),
			IDNumber: idNumber(700 + i), Phone: fmt.Sprintf("1390000%04d", 700+i), OriginRegion: "371681", ArrivedOn: w.arrived})
		if err != nil {
			f.t.Fatal(err)
		}
		if w.batch != 0 {
			if _, err := st.Workers.Assign(ctx, f.entA1.ID, []int64{wk.ID}, &bs[w.batch-1].ID, nil); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// TestReturnProgress reads an enterprise's return against its plan and the township's curve
// over HTTP: the figures per day and per batch, the scope, and bad ranges refused by field.
func TestReturnProgress(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr, admin, sup, sup2 := f.token("hra1"), f.token("admina"), f.token("supa"), f.token("supa2")
		f.staggeredA1(hr)
		// Two days ago, yesterday, today.
		want := []returnDay{
			{Date: dayFromToday(-2), Planned: 2, PlannedToDate: 2, ArrivedToDate: 1, Early: 1, Gap: -1},
			{Date: dayFromToday(-1), PlannedToDate: 2, Arrived: 1, ArrivedToDate: 2, Early: 1, NoShow: 1, Gap: 0},
			{Date: dayFromToday(0), PlannedToDate: 2, Arrived: 1, ArrivedToDate: 3, Early: 2, NoShow: 1, Gap: 1},
		}
		path := fmt.Sprintf("/api/v1/enterprises/%d/return-progress", f.entA1.ID)

		t.Run("OK", func(t *testing.T) {
			for _, tok := range []string{hr, admin, sup} {
				for _, q := range []string{"?days=3", "?from=" + dayFromToday(-2) + "&to=" + dayFromToday(0)} {
					res := f.do(http.MethodGet, path+q, tok, nil)
					if res.status != http.StatusOK {
						t.Fatalf("%s: got %d %s", q, res.status, res.body)
					}
					var got returnProgress
					res.decode(t, &got)
					if fmt.Sprint(got.Days) != fmt.Sprint(want) {
						t.Errorf("%s: got %+v, want %+v", q, got.Days, want)
					}
					if len(got.Batches) != 2 {
						t.Fatalf("got batches %+v, want 2", got.Batches)
					}
					b1, b2 := got.Batches[0], got.Batches[1]
					if b1.Number != 1 || b1.Assigned != 2 || b1.Arrived != 1 || b1.Early != 1 || b1.NoShow != 1 ||
						b2.Number != 2 || b2.Date != dayFromToday(1) || b2.Planned != 3 || b2.Assigned != 1 || b2.Early != 1 || b2.NoShow != 0 {
						t.Errorf("got batches %+v, want 1: 2 assigned, 1 back early, 1 no-show; 2: 1 back early", got.Batches)
					}
				}
			}
		})
		t.Run("Curve", func(t *testing.T) {
			q := "?from=" + dayFromToday(-2) + "&to=" + dayFromToday(0)
			var town, other struct{ Items []returnDay }
			if res := f.do(http.MethodGet, "/api/v1/dashboard/return-curve"+q, admin, nil); res.status != http.StatusOK {
				t.Fatalf("got %d %s", res.status, res.body)
			} else {
				res.decode(t, &town)
			}
			if fmt.Sprint(town.Items) != fmt.Sprint(want) {
				t.Errorf("town: got %+v, want %+v", town.Items, want)
			}
			// Every figure of domain.ReturnFigureDefs is in the answer under its key.
			var raw struct{ Items []map[string]any }
			f.do(http.MethodGet, "/api/v1/dashboard/return-curve"+q, admin, nil).decode(t, &raw)
			for _, def := range domain.ReturnFigureDefs {
				if _, ok := raw.Items[0][def.Key]; !ok {
					t.Errorf("got %v, want the figure %s", raw.Items[0], def.Key)
				}
			}
			f.do(http.MethodGet, "/api/v1/dashboard/return-curve"+q, sup2, nil).decode(t, &other)
			for _, d := range other.Items {
				if d != (returnDay{Date: d.Date}) {
					t.Errorf("supa2 (A2 only): got %+v, want nothing", d)
				}
			}
			f.do(http.MethodGet, "/api/v1/dashboard/return-curve"+q+"&zone=二区", admin, nil).decode(t, &other)
			if len(other.Items) != 3 || other.Items[2] != (returnDay{Date: dayFromToday(0)}) {
				t.Errorf("zone 二区: got %+v, want three empty days", other.Items)
			}
		})
		t.Run("Live", func(t *testing.T) {
			// The answer is kept until the township changes: a worker back today moves it on.
			var before, after struct{ Items []returnDay }
			f.do(http.MethodGet, "/api/v1/dashboard/return-curve", admin, nil).decode(t, &before)
			_, _, err := f.svc.Workers.Create(context.Background(), f.hrA1.Actor(), f.entA1.ID, domain.WorkerInput{Name: "今日返岗",
				IDNumber: idNumber(790), Phone: "13900000790", OriginRegion: "371681", ArrivedOn: dayFromToday(0)})
			if err != nil {
				t.Fatal(err)
			}
			f.do(http.MethodGet, "/api/v1/dashboard/return-curve", admin, nil).decode(t, &after)
			b, a := before.Items[len(before.Items)-1], after.Items[len(after.Items)-1]
			if a.ArrivedToDate != b.ArrivedToDate+1 || a.Arrived != b.Arrived+1 {
				t.Errorf("today after a worker came back: got %+v, want one more than %+v", a, b)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for q, field := range map[string]string{
				"?days=0": "days", "?days=367": "days", "?days=x": "days", "?from=2020-01-01&days=3": "days",
				"?from=" + dayFromToday(0) + "&to=" + dayFromToday(-1): "from", "?to=2020-02-30": "to",
			} {
				res := f.do(http.MethodGet, path+q, hr, nil)
				if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || len(got) != 1 || got[0] != field {
					t.Errorf("%s: got %d %v, want 422 naming %s", q, res.status, got, field)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			if res := f.do(http.MethodGet, path, sup2, nil); res.status != http.StatusNotFound {
				t.Errorf("supa2: got %d, want 404", res.status)
			}
		})
	})
}
