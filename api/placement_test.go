package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// approvedBatches has A1's HR submit the example plan and its supervisor approve it, which
// makes its two batches (in 3 and 6 days) A1's; it returns them by number.
func (f *fixture) approvedBatches() []domain.ReturnBatch {
	f.t.Helper()
	hr, sup := f.token("hra1"), f.token("supa")
	id := planID(f.t, f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID), hr, fullPlan()))
	f.mustStatus(f.do(http.MethodPost, fmt.Sprintf("/api/v1/plans/%d/submit", id), hr, nil), http.StatusOK)
	f.mustStatus(f.do(http.MethodPost, fmt.Sprintf("/api/v1/plans/%d/approve", id), sup, map[string]any{"comment": "同意"}), http.StatusOK)
	bs, err := f.svc.Stagger.Batches(context.Background(), f.hrA1.Actor(), f.entA1.ID)
	if err != nil || len(bs) != 2 {
		f.t.Fatalf("batches: got %v %v, want the plan's two", bs, err)
	}
	return bs
}

func (f *fixture) mustStatus(res response, want int) {
	f.t.Helper()
	if res.status != want {
		f.t.Fatalf("got %d %s, want %d", res.status, res.body, want)
	}
}

// smallShift adds a shift of A1 of capacity n, named name, with its hours and meal time.
func (f *fixture) smallShift(name string, n int) int64 {
	f.t.Helper()
	var sh struct{ ID int64 }
	f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/shifts", f.entA1.ID), f.token("hra1"), map[string]any{
		"name": name, "workshop": "织造车间", "start": "08:00", "end": "16:00", "meal_start": "11:30", "meal_end": "12:00", "capacity": n,
	}).decode(f.t, &sh)
	return sh.ID
}

// TestAssignWorkers is the multi-select of the roster page over HTTP: into a batch and a shift,
// refused whole when the shift is full, asked again for an isolation, and shown on the roster.
func TestAssignWorkers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		bs := f.approvedBatches()
		shift := f.smallShift("丙班", 20)
		hr := f.token("hra1")
		path := fmt.Sprintf("/api/v1/enterprises/%d/workers/assign", f.entA1.ID)
		var ids []int64
		for i := range 21 {
			var w struct{ ID int64 }
			f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID), hr, map[string]any{
				"name": fmt.Sprintf("职工%d", i), "id_number": idNumber(i), "phone": fmt.Sprintf("1380000%04d", i), "origin_region": "371681",
			}).decode(t, &w)
			ids = append(ids, w.ID)
		}

		t.Run("OK", func(t *testing.T) {
			res := f.do(http.MethodPost, path, hr, map[string]any{"worker_ids": ids[:20], "batch_id": bs[0].ID, "shift_id": shift})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"changed":20`) {
				t.Fatalf("got %d %s, want 20 changed", res.status, res.body)
			}
			if ev := f.events("worker.assign"); len(ev) != 1 || !strings.Contains(ev[0].Detail, "20 人:第1批 "+bs[0].Date.String()+",丙班") {
				t.Fatalf("got audit %+v, want the assignment recorded", ev)
			}
			var w struct {
				BatchNumber int    `json:"batch_number"`
				BatchDate   string `json:"batch_date"`
				ShiftGroup  string `json:"shift_group"`
			}
			f.do(http.MethodGet, fmt.Sprintf("/api/v1/workers/%d", ids[0]), hr, nil).decode(t, &w)
			if w.BatchNumber != 1 || w.BatchDate != bs[0].Date.String() || w.ShiftGroup != "丙班" {
				t.Fatalf("got %+v, want 第1批 on %s in 丙班", w, bs[0].Date)
			}
		})

		t.Run("ErrFull", func(t *testing.T) {
			res := f.do(http.MethodPost, path, hr, map[string]any{"worker_ids": ids[20:], "shift_id": shift})
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), "丙班容量 20 人,已有 20 人") ||
				!slices.Equal(res.errorFields(t), []string{"shift_id"}) {
				t.Fatalf("got %d %s, want 422 on shift_id with the count", res.status, res.body)
			}
			res = f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID), hr, map[string]any{
				"name": "第二十二人", "id_number": idNumber(99), "phone": "13800000099", "shift_group": "丙班",
			})
			if res.status != http.StatusUnprocessableEntity || !slices.Equal(res.errorFields(t), []string{"shift_group"}) {
				t.Fatalf("got %d %s, want 422 on shift_group", res.status, res.body)
			}
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			for _, body := range []map[string]any{
				{"worker_ids": []int64{}, "batch_id": bs[0].ID},
				{"worker_ids": ids[:1]},
				{"worker_ids": ids[:1], "batch_id": 999999},
				{"worker_ids": []int64{ids[0], 999999}, "batch_id": bs[0].ID},
			} {
				if res := f.do(http.MethodPost, path, hr, body); res.status != http.StatusUnprocessableEntity {
					t.Fatalf("%v: got %d %s, want 422", body, res.status, res.body)
				}
			}
		})

		t.Run("ConfirmIsolation", func(t *testing.T) {
			var w struct{ ID int64 }
			f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID), hr, map[string]any{
				"name": "李武汉", "id_number": idNumber(50), "phone": "13800000050", "origin_region": "420100",
				"arrived_on": dayFromToday(0), "contact_history": true,
			}).decode(t, &w)
			body := map[string]any{"worker_ids": []int64{w.ID}, "batch_id": bs[1].ID}
			res := f.do(http.MethodPost, path, hr, body)
			if res.status != http.StatusConflict || !slices.Equal(res.errorFields(t), []string{"confirm_isolation"}) ||
				!strings.Contains(string(res.body), "李武汉(高风险)隔离观察至 "+dayFromToday(14)) {
				t.Fatalf("got %d %s, want 409 on confirm_isolation naming the worker and date", res.status, res.body)
			}
			body["confirm_isolation"] = true
			if res := f.do(http.MethodPost, path, hr, body); res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200 once confirmed", res.status, res.body)
			}
		})
	})
}

// TestWorkerPhoneSchedule: the worker's own /me carries their batch date, what to bring, and
// their shift's hours and meal time.
func TestWorkerPhoneSchedule(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		bs := f.approvedBatches()
		shift := f.smallShift("织造一班", 20)
		id, tok := f.workerToken(1)
		var me struct {
			Schedule struct {
				BatchNumber *int     `json:"batch_number"`
				BatchDate   *string  `json:"batch_date"`
				Bring       []string `json:"bring"`
				Shift       *struct {
					Name, Start, End, MealStart string
				} `json:"shift"`
			} `json:"schedule"`
		}
		f.do(http.MethodGet, "/api/v1/me", tok, nil).decode(t, &me)
		if me.Schedule.BatchDate != nil || me.Schedule.Shift != nil || len(me.Schedule.Bring) == 0 {
			t.Fatalf("got %+v, want no batch or shift yet, and what to bring", me.Schedule)
		}
		f.mustStatus(f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/workers/assign", f.entA1.ID), f.token("hra1"),
			map[string]any{"worker_ids": []int64{id}, "batch_id": bs[1].ID, "shift_id": shift}), http.StatusOK)
		res := f.do(http.MethodGet, "/api/v1/me", tok, nil)
		res.decode(t, &me)
		s := me.Schedule
		if s.BatchNumber == nil || *s.BatchNumber != 2 || *s.BatchDate != bs[1].Date.String() || s.Shift == nil ||
			!strings.Contains(string(res.body), `"meal_start":"11:30"`) || !strings.Contains(string(res.body), `"name":"织造一班"`) {
			t.Fatalf("got %s, want batch 2 on %s and 织造一班 eating at 11:30", res.body, bs[1].Date)
		}
		// Back three days ago, before a batch in 6 days: 提前返岗 on the roster.
		if res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/workers/%d", id), f.token("hra1"), nil); !strings.Contains(string(res.body), `"early_arrival":true`) {
			t.Fatalf("got %s, want early_arrival", res.body)
		}
	})
}

// TestRosterTemplateChoices: the enterprise's template offers its batches and shifts in
// drop-down lists, and an import of it with an unknown batch names the row and column.
func TestRosterTemplateChoices(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		bs := f.approvedBatches()
		hr := f.token("hra1")
		res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers/import-template", f.entA1.ID), hr, nil)
		book, err := excelize.OpenReader(bytes.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		dvs, err := book.GetDataValidations("花名册")
		if err != nil {
			t.Fatal(err)
		}
		var lists []string
		for _, dv := range dvs {
			lists = append(lists, dv.Formula1)
		}
		all := strings.Join(lists, "|")
		if !strings.Contains(all, domain.BatchLabel(bs[0])) || !strings.Contains(all, domain.BatchLabel(bs[1])) || !strings.Contains(all, "乙班") {
			t.Fatalf("got drop-down lists %v, want A1's batches and shifts", lists)
		}
		data := f.filledTemplate(hr, 3, func(row int, cells []any) []any {
			batch := []string{"1", "第二批", "第9批"}[row-3]
			return append(cells, "", batch)
		})
		before := f.count("workers")
		res = f.upload(fmt.Sprintf("/api/v1/enterprises/%d/workers/import", f.entA1.ID), hr, "", data)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"row":5,"column":"返岗批次"`) || f.count("workers") != before {
			t.Fatalf("got %d %s, want row 5's 返岗批次 refused and nothing written", res.status, res.body)
		}
	})
}
