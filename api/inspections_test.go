package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestInspections(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		sup := f.token("supa")
		path := fmt.Sprintf("/api/v1/enterprises/%d/inspections", f.entA1.ID)
		all := map[string]bool{"temperature_check": true, "masks_worn": true, "disinfection_log": true,
			"isolation_room_ready": true, "roster_up_to_date": true, "canteen_staggered": true}
		failing := map[string]bool{}
		for k, v := range all {
			failing[k] = v
		}
		failing["disinfection_log"] = false
		tests := []struct {
			name string
			body map[string]any
			want int
			has  []string
		}{
			{"FailedNeedsDeadlineAndFindings", map[string]any{"visited_on": dayFromToday(-10), "checklist": failing}, 422,
				[]string{`"field":"rectification_deadline"`, `"field":"findings"`}},
			{"DeadlineBeforeVisit", map[string]any{"visited_on": dayFromToday(-10), "checklist": failing, "findings": "无消毒记录", "rectification_deadline": dayFromToday(-11)}, 422,
				[]string{`"field":"rectification_deadline"`}},
			{"FutureVisit", map[string]any{"visited_on": dayFromToday(1), "checklist": all}, 422, []string{`"field":"visited_on"`}},
			{"Overdue", map[string]any{"visited_on": dayFromToday(-10), "checklist": failing, "findings": "无消毒记录", "rectification_deadline": dayFromToday(-5)}, 201,
				[]string{`"rectification":"overdue"`, `"days_overdue":5`, `"failed_items":["disinfection_log"]`}},
			{"Open", map[string]any{"visited_on": dayFromToday(-1), "checklist": failing, "findings": "仍无消毒记录", "rectification_deadline": dayFromToday(2)}, 201,
				[]string{`"rectification":"open"`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.do(http.MethodPost, path, sup, tt.body)
				if res.status != tt.want {
					t.Fatalf("got %d %s, want %d", res.status, res.body, tt.want)
				}
				for _, h := range tt.has {
					if !strings.Contains(string(res.body), h) {
						t.Errorf("got %s, want %s", res.body, h)
					}
				}
			})
		}
		t.Run("OverdueList", func(t *testing.T) {
			for user, want := range map[string]string{"supa": `"total":1`, "admina": `"total":1`, "supa2": `"total":0`, "adminb": `"total":0`} {
				res := f.do(http.MethodGet, "/api/v1/inspections?state=overdue", f.token(user), nil)
				if res.status != 200 || !strings.Contains(string(res.body), want) {
					t.Errorf("%s: got %d %s, want %s", user, res.status, res.body, want)
				}
			}
		})
		t.Run("LaterVisitClosesBoth", func(t *testing.T) {
			res := f.do(http.MethodPost, path, sup, map[string]any{"visited_on": dayFromToday(0), "checklist": all, "findings": "已整改"})
			if res.status != 201 || !strings.Contains(string(res.body), `"rectification":"none"`) {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			res = f.do(http.MethodGet, "/api/v1/inspections", sup, nil)
			if !strings.Contains(string(res.body), `"total":0`) {
				t.Errorf("open rectifications: got %s, want none", res.body)
			}
			res = f.do(http.MethodGet, path, f.token("hra1"), nil)
			if strings.Count(string(res.body), `"rectification":"closed"`) != 2 || !strings.Contains(string(res.body), `"total":3`) {
				t.Errorf("got %s, want 3 inspections, 2 of them closed", res.body)
			}
		})
	})
}
