package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestEnterpriseSuspendResume drives suspension, resumption and the status history through
// the API: A1's plan is approved and its reopening confirmed; then the calls of the table run
// in order, each against the state the previous ones left.
func TestEnterpriseSuspendResume(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin, adminB, sup, hr := f.token("admina"), f.token("adminb"), f.token("supa"), f.token("hra1")
		ent := fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID)
		w := &authzWorld{fixture: f, tokens: map[string]string{"hrA1": hr, "supA1": sup}}
		w.use(t)
		planAt("approved")(w)
		if res := f.do(http.MethodPost, ent+"/reopen", sup, map[string]any{"date": dayFromToday(0), "reason": "订单急需,首批人员已到岗"}); res.status != http.StatusOK {
			t.Fatalf("reopen: got %d %s", res.status, res.body)
		}
		long := strings.Repeat("停", 201)
		tests := []struct {
			name       string
			method     string
			path       string
			token      string
			body       any
			wantStatus int
			want       []string
		}{
			{"SuspendErrForbiddenHR", http.MethodPost, ent + "/suspend", hr, map[string]any{"reason": "自行停工"}, 403, nil},
			{"SuspendErrForbiddenSupervisor", http.MethodPost, ent + "/suspend", sup, map[string]any{"reason": "自行停工"}, 403, nil},
			{"SuspendErrNotFoundOtherTownship", http.MethodPost, ent + "/suspend", adminB, map[string]any{"reason": "食堂未落实分餐"}, 404, nil},
			{"SuspendErrInvalidNoReason", http.MethodPost, ent + "/suspend", admin, map[string]any{"reason": "  "}, 422, []string{`"field":"reason"`}},
			{"SuspendErrInvalidLongReason", http.MethodPost, ent + "/suspend", admin, map[string]any{"reason": long}, 422, []string{`"field":"reason"`, "最多 200 个字"}},
			{"SuspendErrInvalidFuture", http.MethodPost, ent + "/suspend", admin, map[string]any{"reason": "食堂未落实分餐", "date": dayFromToday(1)}, 422, []string{`"field":"date"`}},
			{"SuspendErrInvalidDate", http.MethodPost, ent + "/suspend", admin, map[string]any{"reason": "食堂未落实分餐", "date": "昨天"}, 422, []string{`"field":"date"`}},
			{"ResumeErrConflictNotSuspended", http.MethodPost, ent + "/resume", admin, map[string]any{}, 409, []string{`"field":"status"`, `"message":"reopened"`, "已复工"}},
			{"Suspend", http.MethodPost, ent + "/suspend", admin, map[string]any{"reason": "食堂未落实分餐,停工整顿"}, 200,
				[]string{`"status":"suspended"`, `"suspension_reason":"食堂未落实分餐,停工整顿"`, `"suspended_on":"` + dayFromToday(0) + `"`, `"reopened_on":"` + dayFromToday(0) + `"`}},
			{"SuspendErrConflictTwice", http.MethodPost, ent + "/suspend", admin, map[string]any{"reason": "再停一次"}, 409, []string{`"message":"suspended"`, "已停工"}},
			{"HRSeesWhy", http.MethodGet, ent, hr, nil, 200, []string{`"status":"suspended"`, `"suspension_reason":"食堂未落实分餐,停工整顿"`}},
			{"SupervisorSeesWhy", http.MethodGet, ent, sup, nil, 200, []string{`"suspension_reason":"食堂未落实分餐,停工整顿"`}},
			{"ResumeErrForbiddenHR", http.MethodPost, ent + "/resume", hr, map[string]any{}, 403, nil},
			{"ResumeErrNotFoundOtherTownship", http.MethodPost, ent + "/resume", adminB, map[string]any{}, 404, nil},
			{"ResumeErrInvalidNote", http.MethodPost, ent + "/resume", admin, map[string]any{"note": long}, 422, []string{`"field":"note"`}},
			{"Resume", http.MethodPost, ent + "/resume", admin, map[string]any{"note": "已整改,复查合格"}, 200,
				[]string{`"status":"reopened"`, `"suspension_reason":null`, `"suspended_on":null`}},
			{"History", http.MethodGet, ent + "/status-history", hr, nil, 200, []string{
				`"from":null,"to":"not_applied"`, `"from":"not_applied","to":"applied"`, `"from":"applied","to":"approved"`,
				`"from":"approved","to":"reopened"`, `"from":"reopened","to":"suspended"`, `"reason":"食堂未落实分餐,停工整顿"`,
				`"from":"suspended","to":"reopened"`, `"reason":"已整改,复查合格"`, `"by_name":"`}},
			{"HistoryErrNotFoundOtherTownship", http.MethodGet, ent + "/status-history", adminB, nil, 404, nil},
			{"HistoryErrNotFoundMissing", http.MethodGet, "/api/v1/enterprises/987654/status-history", admin, nil, 404, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.do(tt.method, tt.path, tt.token, tt.body)
				if res.status != tt.wantStatus {
					t.Fatalf("got %d %s, want %d", res.status, res.body, tt.wantStatus)
				}
				for _, w := range tt.want {
					if !strings.Contains(string(res.body), w) {
						t.Errorf("got %s, want it to contain %s", res.body, w)
					}
				}
			})
		}
		t.Run("Audited", func(t *testing.T) {
			for _, action := range []string{"enterprise.suspend", "enterprise.resume"} {
				evs := f.events(action)
				if len(evs) != 1 || evs[0].EnterpriseID != f.entA1.ID || evs[0].ActorID != f.adminA.ID {
					t.Errorf("%s: got %+v, want one event of A1 by its town admin", action, evs)
				}
			}
		})
	})
}
