package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestOwnAccount changes one's own account over HTTP: a new password only with the current
// one, so that a stolen access token cannot take the account over for good, and never one's
// own role, township, enterprise or enabled state.
func TestOwnAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		access, refresh := f.login("supa")
		self := fmt.Sprintf("/api/v1/users/%d", f.supA.ID)
		// signsIn reports whether a password opens the account.
		signsIn := func(username, pw string) bool {
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": pw})
			return res.status == http.StatusOK
		}

		refused := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"PasswordWithoutCurrent", map[string]any{"password": "Stolen-Token-1"}, "current_password"},
			{"PasswordEmptyCurrent", map[string]any{"password": "Stolen-Token-1", "current_password": ""}, "current_password"},
			{"PasswordWrongCurrent", map[string]any{"password": "Stolen-Token-1", "current_password": "guess-0001"}, "current_password"},
			{"Role", map[string]any{"role": "town_admin"}, "role"},
			{"Township", map[string]any{"township_id": f.townB.ID}, "township_id"},
			{"Enterprise", map[string]any{"enterprise_id": f.entA1.ID}, "enterprise_id"},
			{"Active", map[string]any{"active": false}, "active"},
		}
		for _, tt := range refused {
			t.Run("ErrInvalid"+tt.name, func(t *testing.T) {
				audit := f.count("audit_events")
				res := f.do(http.MethodPatch, self, access, tt.body)
				if res.status != http.StatusUnprocessableEntity || !slices.Equal(res.errorFields(t), []string{tt.field}) {
					t.Fatalf("got %d %s, want 422 naming %s", res.status, res.body, tt.field)
				}
				// A refused password change is audited; nothing else is written.
				wantAudit := audit
				if tt.field == "current_password" {
					wantAudit++
				}
				if got := f.count("audit_events"); got != wantAudit {
					t.Errorf("got %d audit events, want %d", got, wantAudit)
				}
			})
		}
		t.Run("NothingChanged", func(t *testing.T) {
			u := f.user("supa")
			if u.Actor() != f.supA.Actor() || !u.Active {
				t.Errorf("got %+v, want %+v, active", u.Actor(), f.supA.Actor())
			}
			if !signsIn("supa", password) || signsIn("supa", "Stolen-Token-1") {
				t.Errorf("got the password changed, want it kept")
			}
		})
		t.Run("OwnValuesSentBackOK", func(t *testing.T) {
			res := f.do(http.MethodPatch, self, access, map[string]any{"name": "李明", "role": "supervisor", "township_id": f.townA.ID, "active": true})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"name":"李明"`) {
				t.Fatalf("got %d %s, want 200 renamed", res.status, res.body)
			}
		})
		t.Run("PasswordWithCurrentOK", func(t *testing.T) {
			res := f.do(http.MethodPatch, self, access, map[string]any{"password": "New-Passw0rd", "current_password": password})
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
			if signsIn("supa", password) || !signsIn("supa", "New-Passw0rd") {
				t.Errorf("got the old password working or the new one not, want the new one only")
			}
			// The new password ends the account's sessions.
			if res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}); res.status != http.StatusUnauthorized {
				t.Errorf("refresh: got %d %s, want 401", res.status, res.body)
			}
		})
		// An admin resetting someone's password in their scope needs no current password.
		t.Run("AdminResetOK", func(t *testing.T) {
			res := f.do(http.MethodPatch, self, f.token("admina"), map[string]any{"password": password})
			if res.status != http.StatusOK || !signsIn("supa", password) {
				t.Fatalf("got %d %s, want 200 and the reset password working", res.status, res.body)
			}
		})
		// Guessing the current password through a stolen token is as slow as the sign-in page.
		t.Run("TooManyWrongCurrent", func(t *testing.T) {
			hr := f.token("hra1")
			path := fmt.Sprintf("/api/v1/users/%d", f.hrA1.ID)
			for i := range 5 {
				res := f.do(http.MethodPatch, path, hr, map[string]any{"password": "Stolen-Token-1", "current_password": fmt.Sprintf("guess-%04d", i)})
				if res.status != http.StatusUnprocessableEntity {
					t.Fatalf("guess %d: got %d %s, want 422", i, res.status, res.body)
				}
			}
			res := f.do(http.MethodPatch, path, hr, map[string]any{"password": "Stolen-Token-1", "current_password": password})
			if res.status != http.StatusTooManyRequests {
				t.Fatalf("got %d %s, want 429", res.status, res.body)
			}
			if !signsIn("hra1", password) {
				t.Errorf("got the password changed, want it kept")
			}
		})
	})
}

// TestPlatformAdminAccounts: the platform admin makes, lists, reads, resets and disables town
// admins, making and resetting only with a reason (issue 16, item 8), and reaches no other
// account of a township.
func TestPlatformAdminAccounts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		root := f.token("root")
		tests := []struct {
			name       string
			method     string
			path       string
			body       any
			wantStatus int
			want       []string
		}{
			{"CreateTownAdminNoReason", http.MethodPost, "/api/v1/users", map[string]any{"username": "adminb2", "password": password, "role": "town_admin", "name": "周专班", "township_id": f.townB.ID},
				422, []string{`"field":"reason"`}},
			{"CreateTownAdmin", http.MethodPost, "/api/v1/users", map[string]any{"username": "adminb2", "password": password, "role": "town_admin", "name": "周专班", "township_id": f.townB.ID, "reason": "镇政府来函增设专班管理员"},
				201, []string{`"role":"town_admin"`, fmt.Sprintf(`"township_id":%d`, f.townB.ID)}},
			{"ResetTownAdminBlankReason", http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", f.adminB.ID), map[string]any{"password": "Recovered-2020", "reason": "  "},
				422, []string{`"field":"reason"`}},
			{"ResetTownAdmin", http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", f.adminB.ID), map[string]any{"password": "Recovered-2020", "reason": "原管理员手机丢失"},
				200, []string{`"username":"adminb"`}},
			{"CreateHRErrInvalid", http.MethodPost, "/api/v1/users", map[string]any{"username": "hrx", "password": password, "role": "enterprise_hr", "name": "王芳", "township_id": f.townA.ID, "enterprise_id": f.entA1.ID},
				422, []string{`"field":"role"`}},
			{"CreateInMissingTownship", http.MethodPost, "/api/v1/users", map[string]any{"username": "adminx", "password": password, "role": "town_admin", "name": "无镇", "township_id": 4242, "reason": "测试"},
				422, []string{`"field":"township_id"`}},
			{"ListTownAdmins", http.MethodGet, "/api/v1/users", nil, 200, []string{`"total":3`, `"username":"admina"`, `"username":"adminb"`, `"username":"adminb2"`}},
			{"ListTownshipB", http.MethodGet, fmt.Sprintf("/api/v1/users?township_id=%d", f.townB.ID), nil, 200, []string{`"total":2`}},
			{"ListSupervisorsErrInvalid", http.MethodGet, "/api/v1/users?role=supervisor", nil, 422, []string{`"field":"role"`}},
			{"GetSupervisorNotFound", http.MethodGet, fmt.Sprintf("/api/v1/users/%d", f.supA.ID), nil, 404, nil},
			{"DisableHRNotFound", http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", f.hrA1.ID), map[string]any{"active": false}, 404, nil},
			{"DisableTownAdmin", http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", f.adminB.ID), map[string]any{"active": false}, 200, []string{`"active":false`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.do(tt.method, tt.path, root, tt.body)
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
		t.Run("DisabledTownAdminSignedOut", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "adminb", "password": password})
			if res.status != http.StatusUnauthorized {
				t.Errorf("got %d %s, want 401", res.status, res.body)
			}
			if !f.user("hra1").Active {
				t.Errorf("got hra1 disabled, want untouched")
			}
		})
	})
}
