package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo/dbtest"
)

// TestReturnRecount is issue 18's check on `serve --demo`: the township's planned-vs-actual
// curve (the answer the dashboard's chart reads) and daily.xlsx's 错峰返岗 sheet, today and a
// past day, agree figure by figure with a count made here from the batches and the workers'
// arrival dates as the stores hold them, by FIGURES.md's words rather than by the product's
// rule.
func TestReturnRecount(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			env := map[string]string{"FUGONG_DATA_DIR": t.TempDir()}
			env["FUGONG_DATABASE_URL"] = "sqlite:" + filepath.Join(env["FUGONG_DATA_DIR"], "f.db")
			if e.Name == "postgres" {
				env["FUGONG_DATABASE_URL"] = dbtest.EmptyPostgres(t)
			}
			s := startServer(t, env)
			_, out := s.login(t, "changshan")
			a := agreement{t: t, s: s, token: out["access_token"].(string)}
			a.enterprises()
			st := openApp(t, env).Stores

			tws, _, err := st.Townships.List(ctx, domain.Page{Limit: 10})
			if err != nil || len(tws) != 1 {
				t.Fatalf("got townships %v, %v, want the demo's one", tws, err)
			}
			tw := tws[0]
			var c returnCount
			if c.batches, err = st.Batches.ForTownship(ctx, tw.ID); err != nil {
				t.Fatal(err)
			}
			if len(c.batches) == 0 {
				t.Fatal("the demo has no return batches: its approved plans should have made them")
			}
			err = st.Workers.ForTownship(ctx, tw.ID, func(ws []domain.Worker) error {
				c.workers = append(c.workers, ws...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			today := tw.Today(time.Now())

			var curve struct {
				Items []map[string]any `json:"items"`
			}
			a.get("/api/v1/dashboard/return-curve", &curve)
			if len(curve.Items) != 14 {
				t.Fatalf("got %d days of the curve, want the 14 up to today", len(curve.Items))
			}
			for i, item := range curve.Items {
				d := today.AddDays(i - 13)
				if item["date"] != d.String() {
					t.Fatalf("curve day %d: got %v, want %s", i, item["date"], d)
				}
				c.compare(t, "curve "+d.String(), returnNumbers(item), c.on(0, d))
			}

			for _, d := range []domain.Date{today, today.AddDays(-5)} {
				f := a.workbook("/api/v1/reports/daily.xlsx?date=" + d.String())
				sheet := sheetMaps(f, "错峰返岗", 1)
				f.Close()
				if len(sheet) != len(a.ents)+1 {
					t.Fatalf("daily.xlsx %s 错峰返岗: got %d rows, want %d enterprises and the total", d, len(sheet), len(a.ents))
				}
				byName := map[string]map[string]string{}
				for _, r := range sheet {
					byName[r["企业名称"]] = r
				}
				for _, ent := range a.ents {
					r, ok := byName[ent.Name]
					if !ok {
						t.Errorf("daily.xlsx %s 错峰返岗: no row of %s", d, ent.Name)
						continue
					}
					c.compare(t, fmt.Sprintf("daily.xlsx %s 错峰返岗 %s", d, ent.Name), returnRows([]map[string]string{r})[0], c.on(ent.ID, d))
				}
				total := returnRows(sheet[len(sheet)-1:])[0]
				c.compare(t, fmt.Sprintf("daily.xlsx %s 错峰返岗 %s", d, sheet[len(sheet)-1]["企业名称"]), total, c.on(0, d))
			}
			now := c.on(0, today)
			t.Logf("%d batches; today %v planned to date, %v arrived, %v early, %v no-shows", len(c.batches),
				now["planned_to_date"], now["arrived_to_date"], now["early"], now["no_show"])
		})
	}
}

// returnCount counts the 错峰返岗 figures from the batches and the roster, as FIGURES.md words
// them, apart from the product's rule.
type returnCount struct {
	batches []domain.ReturnBatch
	workers []domain.Worker
}

// on is the figures of day d of an enterprise (all of them for 0).
func (c returnCount) on(enterpriseID int64, d domain.Date) map[string]float64 {
	m := map[string]float64{}
	batchDay := map[int64]domain.Date{}
	for _, b := range c.batches {
		batchDay[b.ID] = b.Date
		if enterpriseID != 0 && b.EnterpriseID != enterpriseID {
			continue
		}
		if b.Date == d {
			m["planned"] += float64(b.Planned)
		}
		if b.Date.Before(d) || b.Date == d {
			m["planned_to_date"] += float64(b.Planned)
		}
	}
	for _, w := range c.workers {
		if enterpriseID != 0 && w.EnterpriseID != enterpriseID {
			continue
		}
		// On the roster on d: not left, or left after d.
		if w.Status == domain.WorkerLeft && !(w.LeftOn.After(d) && !w.LeftOn.IsZero()) {
			continue
		}
		back := w.Status != domain.WorkerExpected && !w.ArrivedOn.IsZero() && (w.ArrivedOn.Before(d) || w.ArrivedOn == d)
		if back {
			m["arrived_to_date"]++
			if w.ArrivedOn == d {
				m["arrived"]++
			}
		}
		day, assigned := batchDay[w.BatchID]
		switch {
		case !assigned || w.BatchID == 0:
		case back && w.ArrivedOn.Before(day):
			m["early"]++
		case !back && day.Before(d):
			m["no_show"]++
		}
	}
	m["gap"] = m["arrived_to_date"] - m["planned_to_date"]
	return m
}

// compare reports every figure of got that is not the count's.
func (c returnCount) compare(t *testing.T, where string, got, want map[string]float64) {
	t.Helper()
	for _, def := range domain.ReturnFigureDefs {
		if got[def.Key] != want[def.Key] {
			t.Errorf("%s %s: got %v, want the recount's %v", where, def.Key, got[def.Key], want[def.Key])
		}
	}
}
