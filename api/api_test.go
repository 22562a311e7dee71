package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestEdges checks the promises of the edge: status codes, the error shape, and that refused
// requests change nothing.
func TestEdges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		before := f.count("enterprises")

		t.Run("MalformedJSON", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/enterprises", admin, `{"name": "x",`)
			if res.status != http.StatusBadRequest {
				t.Fatalf("got %d %s, want 400", res.status, res.body)
			}
			if !strings.Contains(string(res.body), `"code":"bad_request"`) {
				t.Errorf("got %s, want code bad_request", res.body)
			}
		})
		t.Run("WrongType", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/enterprises", admin, `{"headcount": "many"}`)
			if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || !slices.Contains(got, "headcount") {
				t.Fatalf("got %d %v, want 422 naming headcount", res.status, got)
			}
		})
		t.Run("ControlCharacter", func(t *testing.T) {
			// PostgreSQL cannot store NUL in text: it must be refused as any bad value is,
			// not fail in the database.
			for _, body := range []string{
				`{"name": "长山\u0000纺织", "credit_code": "x"}`,
				`{"zone": "一区", "address": "工业园\b"}`,
			} {
				res := f.do(http.MethodPost, "/api/v1/enterprises", admin, body)
				if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || len(got) != 1 {
					t.Errorf("%s: got %d %s, want 422 naming the field", body, res.status, res.body)
				}
			}
			// Tab and line breaks are text: only the bad credit code is named.
			body := enterpriseBody("长山六号有限公司", "bad", "一区")
			body["address"] = "工业园\t一路\r\n8 号"
			res := f.do(http.MethodPost, "/api/v1/enterprises", admin, body)
			if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || !slices.Equal(got, []string{"credit_code"}) {
				t.Errorf("tab and line breaks: got %d %s, want 422 naming only credit_code", res.status, res.body)
			}
		})
		t.Run("BadCreditCode", func(t *testing.T) {
			body := enterpriseBody("坏代码有限公司", "91371626MA3C8XXXX0", "一区")
			res := f.do(http.MethodPost, "/api/v1/enterprises", admin, body)
			if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || !slices.Equal(got, []string{"credit_code"}) {
				t.Fatalf("got %d %v, want 422 naming only credit_code", res.status, got)
			}
		})
		t.Run("TooLarge", func(t *testing.T) {
			body := enterpriseBody(strings.Repeat("大", 40_000), codeA1, "一区")
			res := f.do(http.MethodPost, "/api/v1/enterprises", admin, body)
			if res.status != http.StatusRequestEntityTooLarge {
				t.Fatalf("got %d %s, want 413", res.status, res.body)
			}
		})
		t.Run("OtherTownship", func(t *testing.T) {
			for _, m := range []string{http.MethodGet, http.MethodPatch} {
				path := fmt.Sprintf("/api/v1/enterprises/%d", f.entB1.ID)
				res := f.do(m, path, admin, map[string]any{"name": "被改名的企业"})
				if res.status != http.StatusNotFound {
					t.Errorf("%s: got %d %s, want 404", m, res.status, res.body)
				}
			}
			res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", f.entB1.ID), f.token("adminb"), nil)
			if !strings.Contains(string(res.body), "好生食品有限公司") {
				t.Errorf("township B's enterprise changed: %s", res.body)
			}
		})
		t.Run("NothingWritten", func(t *testing.T) {
			if got := f.count("enterprises"); got != before {
				t.Errorf("got %d enterprises, want %d", got, before)
			}
		})
		t.Run("UnknownRoute", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/nothing-here", admin, nil)
			if res.status != http.StatusNotFound || !strings.Contains(string(res.body), `"not_found"`) {
				t.Errorf("got %d %s, want 404 in the error shape", res.status, res.body)
			}
		})
		t.Run("SecurityHeaders", func(t *testing.T) {
			res := f.do(http.MethodGet, "/healthz", "", nil)
			for h, want := range map[string]string{
				"Content-Security-Policy": "script-src 'self'", "X-Content-Type-Options": "nosniff",
				"X-Frame-Options": "DENY", "X-Request-Id": "",
			} {
				if got := res.header.Get(h); got == "" || !strings.Contains(got, want) {
					t.Errorf("%s: got %q, want it to contain %q", h, got, want)
				}
			}
		})
		t.Run("Ready", func(t *testing.T) {
			if res := f.do(http.MethodGet, "/readyz", "", nil); res.status != http.StatusOK {
				t.Errorf("got %d, want 200", res.status)
			}
		})
	})
}

func enterpriseBody(name, code, zone string) map[string]any {
	return map[string]any{
		"name": name, "credit_code": code, "industry": "机械制造", "zone": zone, "address": "长山镇工业园一路 8 号",
		"contact_name": "李明", "contact_phone": "13912345678", "headcount": 80,
	}
}

// TestRequests is the table of calls and the answers they must get.
func TestRequests(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		tok := map[string]string{}
		for _, u := range []string{"root", "admina", "adminb", "supa", "supa2", "hra1"} {
			tok[u] = f.token(u)
		}
		a1 := fmt.Sprintf("/api/v1/enterprises/%d", f.entA1.ID)
		a2 := fmt.Sprintf("/api/v1/enterprises/%d", f.entA2.ID)
		tA := fmt.Sprintf("/api/v1/townships/%d", f.townA.ID)
		tB := fmt.Sprintf("/api/v1/townships/%d", f.townB.ID)
		tests := []struct {
			name       string
			method     string
			path       string
			user       string
			body       any
			wantStatus int
			want       []string // substrings of the answer
		}{
			{"NoToken", http.MethodGet, "/api/v1/enterprises", "", nil, 401, []string{`"unauthenticated"`}},
			{"Me", http.MethodGet, "/api/v1/me", "hra1", nil, 200, []string{`"enterprise_name":"长山一号纺织有限公司"`, `"township_name":"长山镇"`}},
			{"CreateEnterprise", http.MethodPost, "/api/v1/enterprises", "admina", enterpriseBody("长山三号建材有限公司", validCode("91371626MA3C8A03"), "二区"), 201, []string{`"status":"not_applied"`, `"zone":"二区"`}},
			{"CreateEnterpriseUnknownZone", http.MethodPost, "/api/v1/enterprises", "admina", enterpriseBody("长山四号有限公司", validCode("91371626MA3C8A04"), "北区"), 422, []string{`"field":"zone"`}},
			{"CreateEnterpriseDuplicateCode", http.MethodPost, "/api/v1/enterprises", "admina", enterpriseBody("重复有限公司", codeA1, "一区"), 409, []string{`"field":"credit_code"`}},
			{"CreateEnterpriseSameCodeOtherTownship", http.MethodPost, "/api/v1/enterprises", "adminb", enterpriseBody("跨镇同码有限公司", codeA2, "北区"), 201, nil},
			{"CreateEnterpriseByHR", http.MethodPost, "/api/v1/enterprises", "hra1", enterpriseBody("越权有限公司", validCode("91371626MA3C8A05"), "一区"), 403, nil},
			{"ListEnterprisesTown", http.MethodGet, "/api/v1/enterprises?q=长山", "admina", nil, 200, []string{`"total":3`}},
			{"ListEnterprisesSupervisor", http.MethodGet, "/api/v1/enterprises", "supa", nil, 200, []string{`"total":1`, "长山一号纺织有限公司"}},
			{"ListEnterprisesHR", http.MethodGet, "/api/v1/enterprises", "hra1", nil, 200, []string{`"total":1`, "长山一号纺织有限公司"}},
			{"ListEnterprisesBadPage", http.MethodGet, "/api/v1/enterprises?page=x", "admina", nil, 422, []string{`"field":"page"`}},
			{"ListEnterprisesBadStatus", http.MethodGet, "/api/v1/enterprises?status=open", "admina", nil, 422, []string{`"field":"status"`}},
			{"GetEnterpriseUnassignedSupervisor", http.MethodGet, a1, "supa2", nil, 404, nil},
			{"GetEnterpriseOtherHR", http.MethodGet, a2, "hra1", nil, 404, nil},
			{"GetEnterpriseNotAnID", http.MethodGet, "/api/v1/enterprises/abc", "admina", nil, 404, nil},
			{"PatchEnterpriseHRContact", http.MethodPatch, a1, "hra1", map[string]any{"contact_phone": "0543-4321234", "headcount": 120}, 200, []string{`"contact_phone":"0543-4321234"`, `"headcount":120`}},
			{"PatchEnterpriseHRCreditCode", http.MethodPatch, a1, "hra1", map[string]any{"credit_code": codeA2}, 403, []string{`"field":"credit_code"`}},
			{"PatchEnterpriseSupervisor", http.MethodPatch, a1, "supa", map[string]any{"address": "x"}, 403, nil},
			{"PatchEnterpriseBadPhone", http.MethodPatch, a1, "admina", map[string]any{"contact_phone": "123"}, 422, []string{`"field":"contact_phone"`}},
			{"SetSupervisors", http.MethodPut, a2 + "/supervisors", "admina", map[string]any{"user_ids": []int64{f.supA.ID, f.supA2.ID}}, 200, []string{`"username":"supa"`, `"username":"supa2"`}},
			{"SetSupervisorsNotSupervisor", http.MethodPut, a2 + "/supervisors", "admina", map[string]any{"user_ids": []int64{f.hrA1.ID}}, 422, []string{`"field":"user_ids[0]"`}},
			{"SetSupervisorsOtherTownship", http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/supervisors", f.entB1.ID), "admina", map[string]any{"user_ids": []int64{f.supA.ID}}, 404, nil},
			{"CreateUserHRWithoutEnterprise", http.MethodPost, "/api/v1/users", "admina", map[string]any{"username": "hrx", "password": "password1", "role": "enterprise_hr", "name": "张三"}, 422, []string{`"field":"enterprise_id"`}},
			{"CreateUserHROtherTownshipEnterprise", http.MethodPost, "/api/v1/users", "admina", map[string]any{"username": "hry", "password": "password1", "role": "enterprise_hr", "name": "张三", "enterprise_id": f.entB1.ID}, 422, []string{`"field":"enterprise_id"`}},
			{"CreateUserBadFields", http.MethodPost, "/api/v1/users", "admina", map[string]any{"username": "X", "password": "short", "role": "worker", "name": "", "phone": "12"}, 422, []string{`"field":"username"`, `"field":"password"`, `"field":"role"`, `"field":"name"`, `"field":"phone"`}},
			{"CreateUserDuplicate", http.MethodPost, "/api/v1/users", "admina", map[string]any{"username": "supa", "password": "password1", "role": "supervisor", "name": "重名"}, 409, []string{`"field":"username"`}},
			{"CreateSupervisor", http.MethodPost, "/api/v1/users", "admina", map[string]any{"username": "supnew", "password": "password1", "role": "supervisor", "name": "新监督员", "phone": "+86 139-0543-1001"}, 201, []string{`"phone":"13905431001"`, `"township_id":` + fmt.Sprint(f.townA.ID)}},
			{"ListUsersTown", http.MethodGet, "/api/v1/users?role=supervisor", "admina", nil, 200, []string{`"total":3`, "supnew"}},
			{"ListUsersBySupervisor", http.MethodGet, "/api/v1/users", "supa", nil, 403, nil},
			{"GetUserOtherTownship", http.MethodGet, fmt.Sprintf("/api/v1/users/%d", f.supA.ID), "adminb", nil, 404, nil},
			{"DisableSelf", http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", f.adminA.ID), "admina", map[string]any{"active": false}, 422, []string{`"field":"active"`}},
			{"GetTownshipOwn", http.MethodGet, tA, "admina", nil, 200, []string{`"fever_threshold":37.3`, `"isolation_days":14`, `"retention_days":180`, `"purged_before":null`, `"name":"一区"`}},
			{"GetTownshipOther", http.MethodGet, tB, "admina", nil, 404, nil},
			{"GetTownshipSupervisor", http.MethodGet, tA, "supa", nil, 403, nil},
			{"PatchTownshipPolicy", http.MethodPatch, tA, "admina", map[string]any{"fever_threshold": 37.5, "isolation_days": 7, "retention_days": 365, "key_areas": []map[string]string{{"region_code": "420100", "risk_level": "high"}}, "zones": []string{"一区", "二区", "三区"}}, 200, []string{`"fever_threshold":37.5`, `"retention_days":365`, `"region_code":"420100"`, `"name":"三区"`}},
			{"PatchTownshipInvalid", http.MethodPatch, tA, "admina", map[string]any{"fever_threshold": 40, "checkin_cutoff_am": "25:00", "retention_days": 7, "key_areas": []map[string]string{{"region_code": "42", "risk_level": "extreme"}}}, 422, []string{`"field":"fever_threshold"`, `"field":"checkin_cutoff_am"`, `"field":"retention_days"`, `"field":"key_areas[0].region_code"`, `"field":"key_areas[0].risk_level"`}},
			{"PatchTownshipRemoveUsedZone", http.MethodPatch, tA, "admina", map[string]any{"zones": []string{"二区"}}, 409, []string{`"field":"zones"`}},
			{"CreateTownship", http.MethodPost, "/api/v1/townships", "root", map[string]any{"name": "青阳镇", "code": "371626104", "population": 40000, "zones": []string{"东区", "西区"}, "admin_username": "qingyang", "admin_password": "password1"}, 201, []string{`"name":"东区"`}},
			{"CreateTownshipDuplicateAdmin", http.MethodPost, "/api/v1/townships", "root", map[string]any{"name": "临池镇", "code": "371626105", "population": 1, "admin_username": "admina", "admin_password": "password1"}, 409, []string{`"field":"admin_username"`}},
			{"CreateTownshipByTownAdmin", http.MethodPost, "/api/v1/townships", "admina", map[string]any{"name": "越权镇", "code": "371626106", "admin_username": "yq", "admin_password": "password1"}, 403, nil},
			{"ListTownships", http.MethodGet, "/api/v1/townships", "root", nil, 200, []string{"长山镇", "好生街道", `"name":"北区"`, `"region_code":"420100"`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.do(tt.method, tt.path, tok[tt.user], tt.body)
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
		t.Run("FailedCreateTownshipLeftNothing", func(t *testing.T) {
			if got := f.count("townships"); got != 3 {
				t.Errorf("got %d townships, want 3", got)
			}
		})
	})
}

// TestChunkedBodyLimit sends an oversized body without a Content-Length, so that the limit
// must be enforced while reading.
func TestChunkedBodyLimit(t *testing.T) {
	db := dbtest.Engines(t)[0].Open(t)
	f := newFixture(t, db)
	admin := f.token("admina")
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(`{"name": "`))
		_, _ = pw.Write(bytes.Repeat([]byte("大"), 40_000))
		_, _ = pw.Write([]byte(`"}`))
		_ = pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/enterprises", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+admin)
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", res.StatusCode)
	}
}
