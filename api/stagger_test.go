package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// shiftList is the part of GET /enterprises/{id}/shifts these tests read.
type shiftList struct {
	Date  string      `json:"date"`
	Total int         `json:"total"`
	Items []shiftItem `json:"items"`
}

type shiftItem struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Capacity     int    `json:"capacity"`
	Assigned     int    `json:"assigned"`
	OnDuty       int    `json:"on_duty"`
	OverCapacity bool   `json:"over_capacity"`
}

// named is the list's shift of that name (the fixture's enterprises have 甲班 and 乙班 too).
func (l shiftList) named(name string) shiftItem {
	for _, it := range l.Items {
		if it.Name == name {
			return it
		}
	}
	return shiftItem{}
}

// TestShiftsOnDuty: the shift list answers each shift's people on duty of a day, today by
// default or the day asked for, over capacity when more are on duty than it holds; the
// morning check-in that takes it over raises the density alert its HR and supervisor list.
func TestShiftsOnDuty(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		hr, sup := f.token("hra1"), f.token("supa")
		res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/shifts", f.entA1.ID), hr,
			map[string]any{"name": "早班", "start": "08:00", "end": "16:00", "meal_start": "11:30", "meal_end": "12:00", "capacity": 2})
		if res.status != http.StatusCreated {
			t.Fatalf("create shift: got %d %s", res.status, res.body)
		}
		var sh struct {
			ID int64 `json:"id"`
		}
		res.decode(t, &sh)
		ids, tokens := []int64{}, []string{}
		for n := 1; n <= 3; n++ {
			id, tok := f.workerToken(n)
			ids, tokens = append(ids, id), append(tokens, tok)
		}
		if _, err := repo.Stores(db, dbtest.Box()).Workers.Assign(ctx, f.entA1.ID, ids, nil, &sh.ID); err != nil {
			t.Fatal(err)
		}
		today := f.townA.Today(time.Now())
		list := func(t *testing.T, token, query string) shiftList {
			t.Helper()
			res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/shifts%s", f.entA1.ID, query), token, nil)
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
			var l shiftList
			res.decode(t, &l)
			return l
		}
		checkIn := func(t *testing.T, tok, slot string) {
			t.Helper()
			res := f.do(http.MethodPost, "/api/v1/checkins", tok, map[string]any{"slot": slot, "temperature": 36.5, "location": "work"})
			if res.status != http.StatusCreated {
				t.Fatalf("check in: got %d %s", res.status, res.body)
			}
		}
		checkIn(t, tokens[0], "am")
		checkIn(t, tokens[1], "am")
		checkIn(t, tokens[2], "pm")

		t.Run("OKToday", func(t *testing.T) {
			l := list(t, hr, "")
			if it := l.named("早班"); l.Date != today.String() || it.OnDuty != 2 || it.Assigned != 3 || it.OverCapacity || l.named("甲班").OnDuty != 0 {
				t.Errorf("got %+v, want today's 早班 with 2 of 3 on duty, within 2", l)
			}
		})
		t.Run("OKDate", func(t *testing.T) {
			for _, token := range []string{hr, sup, f.token("admina")} {
				l := list(t, token, "?date="+today.AddDays(-1).String())
				if l.Date != today.AddDays(-1).String() || l.named("早班").OnDuty != 0 || l.named("早班").ID != sh.ID {
					t.Errorf("got %+v, want yesterday's, nobody on duty", l)
				}
			}
		})
		t.Run("OKOverCapacity", func(t *testing.T) {
			checkIn(t, tokens[2], "am")
			l := list(t, sup, "?date="+today.String())
			if it := l.named("早班"); it.OnDuty != 3 || !it.OverCapacity {
				t.Errorf("got %+v, want 3 on duty, over capacity", l)
			}
			res := f.do(http.MethodGet, "/api/v1/alerts?type=shift_over_capacity", hr, nil)
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"shift_name":"早班"`) ||
				!strings.Contains(string(res.body), fmt.Sprintf(`"shift_id":%d`, sh.ID)) || !strings.Contains(string(res.body), `"total":1`) {
				t.Errorf("got %d %s, want the one density alert of 早班", res.status, res.body)
			}
		})
		t.Run("ErrInvalidDate", func(t *testing.T) {
			res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/shifts?date=2020-13-01", f.entA1.ID), hr, nil)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"date"`) {
				t.Errorf("got %d %s, want 422 naming date", res.status, res.body)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/shifts", f.entA1.ID), f.token("adminb"), nil)
			if res.status != http.StatusNotFound {
				t.Errorf("got %d %s, want 404 for another township's admin", res.status, res.body)
			}
		})
	})
}

// TestUnapprovedWorkAlert: a check-in at work at an enterprise not approved raises one 未批先复
// alert, escalated, which the town lists by its type.
func TestUnapprovedWorkAlert(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, tok := f.workerToken(1)
		for _, slot := range []string{"am", "pm"} {
			res := f.do(http.MethodPost, "/api/v1/checkins", tok, map[string]any{"slot": slot, "temperature": 36.5, "location": "work"})
			if res.status != http.StatusCreated {
				t.Fatalf("check in: got %d %s", res.status, res.body)
			}
		}
		res := f.do(http.MethodGet, "/api/v1/alerts?type="+string(domain.AlertUnapprovedWork), f.token("admina"), nil)
		if res.status != http.StatusOK || !strings.Contains(string(res.body), `"total":1`) || !strings.Contains(string(res.body), `"escalated":true`) ||
			!strings.Contains(string(res.body), "未申请") {
			t.Errorf("got %d %s, want one escalated alert naming 未申请", res.status, res.body)
		}
	})
}
