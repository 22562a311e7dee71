package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// auditPage is the answer of GET /api/v1/audit.
type auditPage struct {
	Items []struct {
		ID            int64     `json:"id"`
		At            time.Time `json:"at"`
		TownshipID    *int64    `json:"township_id"`
		ActorID       *int64    `json:"actor_id"`
		ActorRole     string    `json:"actor_role"`
		ActorUsername string    `json:"actor_username"`
		Action        string    `json:"action"`
		EntityType    string    `json:"entity_type"`
		EntityID      *int64    `json:"entity_id"`
		EnterpriseID  *int64    `json:"enterprise_id"`
		Enterprise    string    `json:"enterprise_name"`
		Detail        string    `json:"detail"`
	} `json:"items"`
	Total int `json:"total"`
}

func (f *fixture) audit(token, query string) auditPage {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/audit"+query, token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("audit%s: got %d %s", query, res.status, res.body)
	}
	var p auditPage
	res.decode(f.t, &p)
	return p
}

// actions lists the actions of a page, newest first.
func (p auditPage) actions() []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Action)
	}
	return out
}

// TestAuditLog: sign-ins (failed ones too), refused requests and admin changes land in the
// log; a town admin reads their township's, filtered and paged, newest first; a platform admin
// reads all; nobody else reads it; no detail holds an ID number, a phone or a password.
func TestAuditLog(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		hr := f.token("hra1")
		// What a morning at the town office leaves behind.
		if res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "supa", "password": "wrong-password"}); res.status != 401 {
			t.Fatalf("wrong password: got %d", res.status)
		}
		if res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "x-password"}); res.status != 401 {
			t.Fatalf("unknown user: got %d", res.status)
		}
		workerID, _ := f.workerToken(3)
		if res := f.pinLogin(f.entA1.Code, "13900000003", testPIN); res.status != 200 {
			t.Fatalf("worker, PIN: got %d %s", res.status, res.body)
		}
		if res := f.do(http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{"enterprise_code": f.entA1.Code, "phone": "13900000003", "pin": "000000"}); res.status != 401 {
			t.Fatalf("worker, wrong digits: got %d", res.status)
		}
		f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), admin, map[string]any{"fever_threshold": 37.5})
		f.do(http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID), hr, map[string]any{"contact_phone": "13912345678", "headcount": 90})
		f.do(http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", f.supA2.ID), admin, map[string]any{"active": false, "phone": "13712345678"})
		if res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID), hr, map[string]any{"name": "改名"}); res.status != 403 {
			t.Fatalf("HR renames: got %d, want 403", res.status)
		}
		f.do(http.MethodGet, fmt.Sprintf("/api/v1/workers/%d?reveal=true", workerID), hr, nil)
		f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers/export", f.entA1.ID), hr, nil)

		t.Run("Recorded", func(t *testing.T) {
			byAction := map[string]int{}
			for _, it := range f.audit(admin, "?page_size=200").Items {
				byAction[it.Action]++
			}
			for action, want := range map[string]int{
				"township.create": 1, "enterprise.create": 2, "user.create": 3, "enterprise.supervisors": 2,
				"auth.login": 2, "auth.login_failed": 1, "worker.create": 1, "auth.worker_login": 1,
				"auth.worker_enrol": 1, "auth.worker_login_failed": 1, "township.update": 1, "enterprise.update": 1, "user.update": 1,
				"access.denied": 1, "worker.reveal": 1, "roster.export": 1,
			} {
				if byAction[action] != want {
					t.Errorf("%s: got %d events, want %d (all: %v)", action, byAction[action], want, byAction)
				}
			}
		})
		t.Run("Details", func(t *testing.T) {
			want := map[string]string{
				"township.update":          "发热标准 37.3→37.5",
				"enterprise.update":        "修改 联系电话、职工人数",
				"user.update":              "停用账号;修改 电话",
				"auth.login_failed":        "密码错误",
				"auth.worker_login_failed": "手机号或 PIN 不匹配;来自 127.0.0.1",
				"access.denied":            "PATCH /api/v1/enterprises/:id — 企业账号只能修改",
			}
			for _, it := range f.audit(admin, "?page_size=200").Items {
				if w, ok := want[it.Action]; ok && !strings.Contains(it.Detail, w) {
					t.Errorf("%s: got detail %q, want it to contain %q", it.Action, it.Detail, w)
				}
			}
		})
		t.Run("NoPersonalData", func(t *testing.T) {
			pii := regexp.MustCompile(`1[3-9][0-9]{9}|[1-8][0-9]{5}(19|20)[0-9]{9}[0-9Xx]|wrong-password|x-password|` + idNumber(3))
			for _, it := range f.audit(f.token("root"), "?page_size=200").Items {
				if pii.MatchString(it.Detail) {
					t.Errorf("%s: detail %q holds personal data or a password", it.Action, it.Detail)
				}
			}
		})
		t.Run("NewestFirst", func(t *testing.T) {
			p := f.audit(f.token("admina"), "")
			for i := 1; i < len(p.Items); i++ {
				a, b := p.Items[i-1], p.Items[i]
				if a.At.Before(b.At) || (a.At.Equal(b.At) && a.ID < b.ID) {
					t.Fatalf("item %d (%v #%d) comes before an older one (%v #%d)", i, a.At, a.ID, b.At, b.ID)
				}
			}
			if p.Items[0].Action != "auth.login" || p.Items[0].ActorUsername != "admina" {
				t.Errorf("newest: got %s by %s, want admina's sign-in for this read", p.Items[0].Action, p.Items[0].ActorUsername)
			}
		})
		t.Run("Paged", func(t *testing.T) {
			all := f.audit(admin, "?page_size=200")
			p1, p2 := f.audit(admin, "?page=1&page_size=3"), f.audit(admin, "?page=2&page_size=3")
			if len(p1.Items) != 3 || len(p2.Items) != 3 || p1.Total != p2.Total || p1.Total < 10 {
				t.Fatalf("got pages of %d and %d of %d, want 3 and 3 of the same total", len(p1.Items), len(p2.Items), p1.Total)
			}
			// Each read signs nobody in, so the log stands still between the reads.
			if p2.Items[0].ID != all.Items[3].ID || p1.Items[2].ID != all.Items[2].ID {
				t.Errorf("page 2 starts at #%d, want #%d", p2.Items[0].ID, all.Items[3].ID)
			}
		})
		t.Run("Filters", func(t *testing.T) {
			tests := []struct {
				name, query string
				check       func(it auditPage) string
			}{
				{"Family", "?action=auth", func(p auditPage) string {
					for _, a := range p.actions() {
						if !strings.HasPrefix(a, "auth.") {
							return a
						}
					}
					return ""
				}},
				{"Action", "?action=enterprise.update", func(p auditPage) string {
					if p.Total != 1 || p.Items[0].EntityType != "enterprise" || *p.Items[0].EntityID != f.entA1.ID {
						return fmt.Sprint(p.actions())
					}
					return ""
				}},
				{"Actor", fmt.Sprintf("?actor_id=%d", f.hrA1.ID), func(p auditPage) string {
					for _, it := range p.Items {
						if it.ActorUsername != "hra1" {
							return it.ActorUsername
						}
					}
					if p.Total < 4 { // sign-in, update, refusal, reveal, export, worker
						return fmt.Sprint(p.actions())
					}
					return ""
				}},
				{"Enterprise", fmt.Sprintf("?enterprise_id=%d", f.entA1.ID), func(p auditPage) string {
					seen := map[string]bool{}
					for _, it := range p.Items {
						if it.EnterpriseID == nil || *it.EnterpriseID != f.entA1.ID || it.Enterprise != f.entA1.Name {
							return it.Action
						}
						seen[it.Action] = true
					}
					for _, a := range []string{"enterprise.create", "worker.create", "worker.reveal", "roster.export", "access.denied", "auth.worker_login"} {
						if !seen[a] {
							return "missing " + a
						}
					}
					return ""
				}},
				{"Subject", fmt.Sprintf("?entity_type=worker&entity_id=%d", workerID), func(p auditPage) string {
					for _, it := range p.Items {
						if it.EntityType != "worker" || *it.EntityID != workerID {
							return it.Action
						}
					}
					if p.Total != 4 { // created, enrolled, signed in, revealed
						return fmt.Sprint(p.actions())
					}
					return ""
				}},
				{"Today", "?from=" + dayFromToday(0) + "&to=" + dayFromToday(0), func(p auditPage) string {
					if p.Total != f.audit(admin, "").Total {
						return "today's events are not all of them"
					}
					return ""
				}},
				{"Past", "?from=2020-01-01&to=2020-01-31", func(p auditPage) string {
					if p.Total != 0 {
						return fmt.Sprint(p.actions())
					}
					return ""
				}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if bad := tt.check(f.audit(admin, tt.query)); bad != "" {
						t.Errorf("%s: got %s", tt.query, bad)
					}
				})
			}
		})
		t.Run("Scope", func(t *testing.T) {
			for _, it := range f.audit(admin, "?page_size=200").Items {
				if it.TownshipID == nil || *it.TownshipID != f.townA.ID {
					t.Fatalf("town A's admin sees %s of township %v", it.Action, it.TownshipID)
				}
			}
			b := f.audit(f.token("adminb"), "?page_size=200")
			for _, it := range b.Items {
				if it.TownshipID == nil || *it.TownshipID != f.townB.ID {
					t.Fatalf("town B's admin sees %s of township %v", it.Action, it.TownshipID)
				}
			}
			// A town admin's township_id is theirs whatever they ask.
			if p := f.audit(f.token("adminb"), fmt.Sprintf("?township_id=%d&page_size=200", f.townA.ID)); p.Total != b.Total+1 {
				t.Errorf("adminb asking for A: got %d events, want B's %d and the sign-in", p.Total, b.Total+1)
			}
			root := f.token("root")
			all := f.audit(root, "?action=auth.login_failed")
			if all.Total != 2 {
				t.Errorf("platform admin: got %d failed sign-ins, want both (one of no township)", all.Total)
			}
			if p := f.audit(root, fmt.Sprintf("?township_id=%d&action=auth.login_failed", f.townA.ID)); p.Total != 1 {
				t.Errorf("platform admin, township A: got %d failed sign-ins, want 1", p.Total)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			before := len(f.events("access.denied"))
			for _, user := range []string{"supa", "hra1"} {
				if res := f.do(http.MethodGet, "/api/v1/audit", f.token(user), nil); res.status != 403 {
					t.Errorf("%s: got %d, want 403", user, res.status)
				}
			}
			if n := len(f.events("access.denied")) - before; n != 2 {
				t.Errorf("got %d refusals recorded, want 2", n)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for query, field := range map[string]string{
				"?action=DROP%20TABLE": "action", "?actor_id=x": "actor_id", "?enterprise_id=-1": "enterprise_id",
				"?from=2020-02-10&to=2020-02-01": "to", "?from=yesterday": "from", "?page_size=1000": "page_size",
			} {
				res := f.do(http.MethodGet, "/api/v1/audit"+query, admin, nil)
				if res.status != 422 || !strings.Contains(strings.Join(res.errorFields(t), ","), field) {
					t.Errorf("%s: got %d %s, want 422 naming %s", query, res.status, res.body, field)
				}
			}
		})
	})
}

// TestDeniedNamesItsRecord: a refused request is audited against the record its handler read
// from the path, whatever the URL's first segment (a check-in's correction was recorded with
// no record when the audit guessed from /checkins/…), and against none when the path names none.
func TestDeniedNamesItsRecord(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, worker := f.workerToken(1)
		res := f.do(http.MethodPost, "/api/v1/checkins", worker, map[string]any{"slot": "am", "temperature": 36.5})
		var checkin struct {
			ID int64 `json:"id"`
		}
		res.decode(t, &checkin)
		if res.status != http.StatusCreated || checkin.ID == 0 {
			t.Fatalf("check in: got %d %s", res.status, res.body)
		}
		tests := []struct {
			name, method, path, user string
			body                     any
			wantType                 string
			wantID                   int64
		}{
			{"Checkin", http.MethodPost, fmt.Sprintf("/api/v1/checkins/%d/correct", checkin.ID), "admina",
				map[string]any{"temperature": 36.6, "note": "复测"}, "checkin", checkin.ID},
			{"Enterprise", http.MethodPatch, fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID), "hra1",
				map[string]any{"name": "改名"}, "enterprise", f.entA1.ID},
			{"Township", http.MethodGet, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), "supa", nil, "township", f.townA.ID},
			{"NoRecord", http.MethodGet, "/api/v1/audit", "supa", nil, "", 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if res := f.do(tt.method, tt.path, f.token(tt.user), tt.body); res.status != http.StatusForbidden {
					t.Fatalf("got %d %s, want 403", res.status, res.body)
				}
				e := f.events("access.denied")[0] // newest first
				if e.EntityType != tt.wantType || e.EntityID != tt.wantID {
					t.Errorf("got %q #%d, want %q #%d (%s)", e.EntityType, e.EntityID, tt.wantType, tt.wantID, e.Detail)
				}
			})
		}
	})
}
