package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// dayFromToday is a date n days from today in the fixture townships' zone.
func dayFromToday(n int) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return time.Now().In(loc).AddDate(0, 0, n).Format(time.DateOnly)
}

// fullPlan is the example plan of API.md, dated from today.
func fullPlan() map[string]any {
	return map[string]any{
		"planned_reopen_date": dayFromToday(3), "expected_workers": 120,
		"lead_name": "王强", "lead_phone": "13800000000",
		"supplies":       map[string]any{"masks": 2000, "thermometers": 10, "disinfectant_liters": 200, "gloves": 500, "goggles": 20},
		"isolation_room": "东厂区一楼 2 间",
		"batches": []map[string]any{{"date": dayFromToday(3), "workers": 60, "departments": []string{"织造车间", "整理车间"}},
			{"date": dayFromToday(6), "workers": 60}},
		"shift_size": 20, "canteen": "错峰分餐", "dormitory": "每间不超过 4 人", "disinfection": "每日两次",
		"emergency_plan": "发热职工立即隔离观察并报告卫生院", "pledge": true,
	}
}

// planID reads the id of a plan answer.
func planID(t testing.TB, res response) int64 {
	t.Helper()
	var p struct{ ID int64 }
	res.decode(t, &p)
	if p.ID == 0 {
		t.Fatalf("no plan id in %s", res.body)
	}
	return p.ID
}

// TestPlanWorkflow is the whole story through the API alone: HR drafts, fills and
// submits; the supervisor rejects with a comment; HR revises and resubmits; the supervisor
// approves and confirms reopening; both versions stay listed with their reviews.
func TestPlanWorkflow(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr, sup := f.token("hra1"), f.token("supa")
		changes := f.changes() // the fixture's own: townships, enterprises, accounts
		ent := fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID)
		step := func(name, method, path, token string, body any, want int, contains ...string) response {
			t.Helper()
			res := f.do(method, path, token, body)
			if res.status != want {
				t.Fatalf("%s: got %d %s, want %d", name, res.status, res.body, want)
			}
			for _, c := range contains {
				if !strings.Contains(string(res.body), c) {
					t.Errorf("%s: got %s, want it to contain %s", name, res.body, c)
				}
			}
			return res
		}
		v1 := planID(t, step("create", http.MethodPost, ent+"/plans", hr, map[string]any{"expected_workers": 120}, 201, `"version":1`, `"status":"draft"`))
		p1 := fmt.Sprintf("/api/v1/plans/%d", v1)
		step("submit incomplete", http.MethodPost, p1+"/submit", hr, nil, 422, `"field":"planned_reopen_date"`, `"field":"batches"`, `"field":"pledge"`)
		step("still draft", http.MethodGet, p1, hr, nil, 200, `"status":"draft"`)
		step("fill", http.MethodPut, p1, hr, fullPlan(), 200, `"supply_days":{"masks":8.3`)
		step("submit", http.MethodPost, p1+"/submit", hr, nil, 200, `"status":"submitted"`, `"submitted_at":"`)
		step("enterprise applied", http.MethodGet, ent, hr, nil, 200, `"status":"applied"`)
		step("submit twice", http.MethodPost, p1+"/submit", hr, nil, 409, "待审核", `"message":"submitted"`)
		step("edit submitted", http.MethodPut, p1, hr, fullPlan(), 409)
		step("queue", http.MethodGet, "/api/v1/plans?status=submitted", sup, nil, 200, `"total":1`, `"enterprise_name":"长山一号纺织有限公司"`)
		step("reject without comment", http.MethodPost, p1+"/reject", sup, map[string]string{}, 422, `"field":"comment"`)
		step("reject", http.MethodPost, p1+"/reject", sup, map[string]string{"comment": "隔离室需独立设置"}, 200, `"status":"rejected"`, `"decision":"rejected"`, "隔离室需独立设置")
		step("approve rejected", http.MethodPost, p1+"/approve", sup, nil, 409, "已退回")
		v2 := planID(t, step("revise", http.MethodPost, ent+"/plans", hr, fullPlan(), 201, `"version":2`))
		step("second draft", http.MethodPost, ent+"/plans", hr, fullPlan(), 409)
		p2 := fmt.Sprintf("/api/v1/plans/%d", v2)
		step("resubmit", http.MethodPost, p2+"/submit", hr, nil, 200, `"status":"submitted"`)
		step("reopen before approval", http.MethodPost, ent+"/reopen", sup, map[string]string{"date": dayFromToday(0)}, 409)
		step("approve", http.MethodPost, p2+"/approve", sup, map[string]string{"comment": "同意"}, 200, `"status":"approved"`, `"reviewer_name":"supa"`)
		step("enterprise approved", http.MethodGet, ent, hr, nil, 200, `"status":"approved"`)
		step("reopen tomorrow", http.MethodPost, ent+"/reopen", sup, map[string]string{"date": dayFromToday(1)}, 422, `"field":"date"`)
		step("reopen before the first batch", http.MethodPost, ent+"/reopen", sup, map[string]string{"date": dayFromToday(0)}, 422,
			`"field":"reason"`, "确认复工日期早于首批返岗日期 "+dayFromToday(3))
		step("enterprise still approved", http.MethodGet, ent, hr, nil, 200, `"status":"approved"`)
		step("reopen with a reason", http.MethodPost, ent+"/reopen", sup, map[string]string{"date": dayFromToday(0), "reason": "订单急需,首批人员已到岗"}, 200,
			`"status":"reopened"`, `"reopened_on":"`+dayFromToday(0)+`"`)
		step("reason on the timeline", http.MethodGet, ent+"/status-history", hr, nil, 200, "理由:订单急需,首批人员已到岗", "确认复工日期早于首批返岗日期")

		// An amendment (修改方案): a copy of the latest version, one more batch, reviewed while the
		// enterprise stays reopened.
		step("copy an earlier version", http.MethodPost, p1+"/copy", hr, nil, 409, `"field":"version"`)
		step("copy by the supervisor", http.MethodPost, p2+"/copy", sup, nil, 403)
		v3 := planID(t, step("copy", http.MethodPost, p2+"/copy", hr, nil, 201, `"version":3`, `"status":"draft"`,
			`"departments":["织造车间","整理车间"]`, `"expected_workers":120`, `"pledge":false`))
		step("copy twice", http.MethodPost, p2+"/copy", hr, nil, 409)
		p3 := fmt.Sprintf("/api/v1/plans/%d", v3)
		amended := fullPlan()
		amended["expected_workers"] = 150
		amended["batches"] = append(amended["batches"].([]map[string]any), map[string]any{"date": dayFromToday(9), "workers": 30, "departments": []string{"包装车间"}})
		step("bad departments", http.MethodPut, p3, hr, map[string]any{"batches": []map[string]any{{"date": dayFromToday(3), "workers": 1, "departments": []string{"织造", "织造"}}}},
			422, `"field":"batches[0].departments"`)
		step("amend", http.MethodPut, p3, hr, amended, 200, `"departments":["包装车间"]`)
		step("submit the amendment", http.MethodPost, p3+"/submit", hr, nil, 200, `"status":"submitted"`)
		step("enterprise still reopened", http.MethodGet, ent, hr, nil, 200, `"status":"reopened"`)
		step("approve the amendment", http.MethodPost, p3+"/approve", sup, map[string]string{"comment": "同意增加第三批"}, 200, `"in_force":true`)
		step("reopened after the amendment", http.MethodGet, ent, hr, nil, 200, `"status":"reopened"`)
		step("three batches", http.MethodGet, ent+"/batches", hr, nil, 200, `"number":3`, "包装车间")
		res := step("versions", http.MethodGet, ent+"/plans", f.token("admina"), nil, 200, `"total":3`)
		var versions struct {
			Items []struct {
				Version int
				Status  string
				InForce bool `json:"in_force"`
				Reviews []struct{ Decision, Comment string }
			}
		}
		res.decode(t, &versions)
		got := fmt.Sprint(versions.Items)
		want := "[{3 approved true [{approved 同意增加第三批}]} {2 approved false [{approved 同意}]} {1 rejected false [{rejected 隔离室需独立设置}]}]"
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if n := f.changes() - changes; n != 10 {
			t.Errorf("got %d audit events, want 10: 3 creates, 3 submits, reject, 2 approvals, reopen, and none for a refused step", n)
		}
		approval := f.events("plan.approved")
		if len(approval) == 0 || !strings.Contains(approval[0].Detail, "返岗批次 2 批→3 批:新增 1 批,取消 0 批,变更 0 批,0 名员工") {
			t.Errorf("got approval events %+v, want the newest to say what became of the batches", approval)
		}
	})
}

// TestPlanAccess calls each plan route as each role on a submitted plan and checks who may.
func TestPlanAccess(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr := f.token("hra1")
		id := planID(t, f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID), hr, fullPlan()))
		if res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/plans/%d/submit", id), hr, nil); res.status != 200 {
			t.Fatalf("submit: got %d %s", res.status, res.body)
		}
		plan := fmt.Sprintf("/api/v1/plans/%d", id)
		f.staff(f.adminB, "hrb1", "enterprise_hr", f.entB1.ID)
		f.staff(f.adminB, "supb", "supervisor", 0)
		before := f.changes()
		deniedBefore := len(f.events("access.denied"))
		tests := []struct {
			user, method, path string
			want               int
		}{
			{"admina", http.MethodGet, plan, 200}, {"supa", http.MethodGet, plan, 200}, {"hra1", http.MethodGet, plan, 200},
			{"root", http.MethodGet, plan, 403}, {"supa2", http.MethodGet, plan, 404}, {"adminb", http.MethodGet, plan, 404},
			{"hrb1", http.MethodGet, plan, 404}, {"supb", http.MethodGet, plan, 404}, {"", http.MethodGet, plan, 401},
			{"admina", http.MethodPost, plan + "/approve", 403}, {"hra1", http.MethodPost, plan + "/approve", 403},
			{"supa2", http.MethodPost, plan + "/approve", 404}, {"adminb", http.MethodPost, plan + "/approve", 404},
			{"supb", http.MethodPost, plan + "/reject", 404}, {"admina", http.MethodPost, plan + "/reject", 403},
			{"supa", http.MethodPost, plan + "/submit", 403}, {"admina", http.MethodPut, plan, 403},
			{"adminb", http.MethodPut, plan, 404}, {"supa", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID), 403},
			{"hra1", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA2.ID), 404},
			{"hrb1", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID), 404},
			{"hra1", http.MethodGet, "/api/v1/plans?status=submitted", 403},
			{"supa2", http.MethodGet, "/api/v1/plans?status=submitted", 200},
			{"supb", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/reopen", f.entA1.ID), 404},
			{"admina", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/reopen", f.entA1.ID), 403},
			{"supa", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/inspections", f.entA2.ID), 404},
			{"admina", http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/inspections", f.entA1.ID), 403},
			{"hrb1", http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/inspections", f.entA1.ID), 404},
			{"hra1", http.MethodGet, "/api/v1/inspections", 403},
		}
		for _, tt := range tests {
			t.Run(tt.user+" "+tt.method+" "+tt.path, func(t *testing.T) {
				token := ""
				if tt.user != "" {
					token = f.token(tt.user)
				}
				// Each route's own body: a field of another's is refused before the role is.
				var body any = map[string]any{}
				switch {
				case tt.method == http.MethodPut:
					body = fullPlan()
				case strings.HasSuffix(tt.path, "/approve"), strings.HasSuffix(tt.path, "/reject"):
					body = map[string]any{"comment": "意见"}
				case strings.HasSuffix(tt.path, "/reopen"):
					body = map[string]any{"date": dayFromToday(0)}
				case strings.HasSuffix(tt.path, "/inspections") && tt.method == http.MethodPost:
					body = map[string]any{"visited_on": dayFromToday(0), "checklist": map[string]bool{}}
				case tt.method == http.MethodGet:
					body = nil
				}
				if res := f.do(tt.method, tt.path, token, body); res.status != tt.want {
					t.Errorf("got %d %s, want %d", res.status, res.body, tt.want)
				}
			})
		}
		t.Run("NothingChanged", func(t *testing.T) {
			res := f.do(http.MethodGet, plan, hr, nil)
			if !strings.Contains(string(res.body), `"status":"submitted"`) || !strings.Contains(string(res.body), `"reviews":[]`) {
				t.Errorf("got %s, want the plan still submitted without reviews", res.body)
			}
			if got := f.changes(); got != before {
				t.Errorf("got %d audit events of changes, want %d", got, before)
			}
		})
		t.Run("RefusalsAudited", func(t *testing.T) {
			var want []string
			for _, tt := range tests {
				if tt.want == http.StatusForbidden {
					want = append(want, tt.user)
				}
			}
			got := f.events("access.denied")
			if len(got)-deniedBefore != len(want) {
				t.Fatalf("got %d refusals in the audit log, want %d (one per 403)", len(got)-deniedBefore, len(want))
			}
			// Who, which route and which record: admina's POST of an inspection on A1.
			found := false
			for _, e := range got[:len(want)] {
				found = found || (e.ActorID == f.user("admina").ID && e.EntityType == "enterprise" && e.EntityID == f.entA1.ID &&
					e.EnterpriseID == f.entA1.ID && strings.Contains(e.Detail, "POST /api/v1/enterprises/:id/inspections"))
			}
			if !found {
				t.Errorf("got %+v, want among them admina's refused POST on enterprise A1's inspections", got[:len(want)])
			}
		})
		t.Run("QueueScope", func(t *testing.T) {
			if res := f.do(http.MethodGet, "/api/v1/plans?status=submitted", f.token("supa2"), nil); !strings.Contains(string(res.body), `"total":0`) {
				t.Errorf("an unassigned supervisor's queue: got %s, want empty", res.body)
			}
			if res := f.do(http.MethodGet, "/api/v1/plans?status=submitted", f.token("adminb"), nil); !strings.Contains(string(res.body), `"total":0`) {
				t.Errorf("another township's queue: got %s, want empty", res.body)
			}
		})
	})
}

// TestPlanRules checks that submit names each broken rule and writes nothing.
func TestPlanRules(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		tests := []struct {
			name  string
			edit  func(p map[string]any)
			field string
		}{
			{"BatchesDoNotAddUp", func(p map[string]any) {
				p["batches"] = []map[string]any{{"date": dayFromToday(3), "workers": 60}, {"date": dayFromToday(6), "workers": 50}}
			}, "batches"},
			{"DateInThePast", func(p map[string]any) { p["planned_reopen_date"] = dayFromToday(-1) }, "planned_reopen_date"},
			{"TooFewMasks", func(p map[string]any) {
				p["supplies"] = map[string]any{"masks": 700, "thermometers": 10, "disinfectant_liters": 200, "gloves": 500, "goggles": 20}
			}, "supplies.masks"},
			{"NoLead", func(p map[string]any) { p["lead_name"] = "  " }, "lead_name"},
			{"NoIsolationRoom", func(p map[string]any) { delete(p, "isolation_room") }, "isolation_room"},
			{"BadBatchDate", func(p map[string]any) {
				p["batches"] = []map[string]any{{"date": "2026-13-01", "workers": 120}}
			}, "batches[0].date"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Each case on an enterprise of its own: an enterprise has one open plan at a time.
				e := f.enterprise(f.adminA, fmt.Sprintf("规则测试%d号有限公司", i), validCode(fmt.Sprintf("91371626MA3C9R%02d", i)), "一区")
				username := fmt.Sprintf("hrrule%d", i)
				f.staff(f.adminA, username, "enterprise_hr", e.ID)
				hr := f.token(username)
				body := fullPlan()
				tt.edit(body)
				res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", e.ID), hr, body)
				if res.status == http.StatusUnprocessableEntity {
					if got := res.errorFields(t); len(got) != 1 || got[0] != tt.field {
						t.Fatalf("create: got %v, want [%s]", got, tt.field)
					}
					return // a malformed date is refused even in a draft
				}
				id := planID(t, res)
				res = f.do(http.MethodPost, fmt.Sprintf("/api/v1/plans/%d/submit", id), hr, nil)
				if got := res.errorFields(t); res.status != 422 || len(got) != 1 || got[0] != tt.field {
					t.Fatalf("got %d %v, want 422 [%s]", res.status, got, tt.field)
				}
				if res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/plans/%d", id), hr, nil); !strings.Contains(string(res.body), `"status":"draft"`) {
					t.Errorf("got %s, want still a draft", res.body)
				}
				if res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", e.ID), hr, nil); !strings.Contains(string(res.body), `"status":"not_applied"`) {
					t.Errorf("got %s, want the enterprise still not applied", res.body)
				}
			})
		}
	})
}
