package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestWorkerLogin signs a worker in with the enterprise code, phone and the last six of the ID
// number, and checks what that session may do and when it ends.
func TestWorkerLogin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		hr := f.hrA1.Actor()
		id := idNumber(42)
		w, err := f.svc.Workers.Create(ctx, hr, f.entA1.ID, domain.WorkerInput{Name: "孙立", IDNumber: id, Phone: "13800000042", OriginRegion: "371681"})
		if err != nil {
			t.Fatal(err)
		}
		login := func(code, phone, last6 string) response {
			return f.do(http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{"enterprise_code": code, "phone": phone, "id_last6": last6})
		}
		res := login(" "+f.entA1.Code+" ", "138 0000 0042", strings.ToLower(id[12:]))
		if res.status != 200 {
			t.Fatalf("got %d %s", res.status, res.body)
		}
		for _, want := range []string{`"role":"worker"`, fmt.Sprintf(`"worker_id":%d`, w.ID), `"refresh_token":"`} {
			if !strings.Contains(string(res.body), want) {
				t.Errorf("got %s, want %s", res.body, want)
			}
		}
		var tok struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		res.decode(t, &tok)
		var spare struct { // a second session, kept for after the worker leaves
			RefreshToken string `json:"refresh_token"`
		}
		login(f.entA1.Code, "13800000042", id[12:]).decode(t, &spare)
		t.Run("Me", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/me", tok.AccessToken, nil)
			if res.status != 200 || !strings.Contains(string(res.body), `"name":"孙立"`) || strings.Contains(string(res.body), id) {
				t.Errorf("got %d %s, want the worker's own record, ID masked", res.status, res.body)
			}
		})
		t.Run("NoStaffRoutes", func(t *testing.T) {
			for _, path := range []string{"/api/v1/enterprises", "/api/v1/users", fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID)} {
				if res := f.do(http.MethodGet, path, tok.AccessToken, nil); res.status != 403 && res.status != 404 {
					t.Errorf("%s: got %d, want 403 or 404", path, res.status)
				}
			}
		})
		t.Run("Refresh", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
			if res.status != 200 || !strings.Contains(string(res.body), `"role":"worker"`) {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			var next struct {
				RefreshToken string `json:"refresh_token"`
			}
			res.decode(t, &next)
			f.pastRefreshGrace()
			if res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken}); res.status != 401 {
				t.Errorf("spent token: got %d, want 401", res.status)
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": next.RefreshToken}); res.status != 401 {
				t.Errorf("newer token of the family the spent one revoked: got %d, want 401", res.status)
			}
		})
		t.Run("ErrWrong", func(t *testing.T) {
			for name, r := range map[string]response{
				"Last6":      login(f.entA1.Code, "13800000042", "000000"),
				"Phone":      login(f.entA1.Code, "13800000043", id[12:]),
				"Enterprise": login(f.entA2.Code, "13800000042", id[12:]),
				"NoCode":     login("999999x", "13800000042", id[12:]),
			} {
				if r.status != 401 {
					t.Errorf("%s: got %d %s, want 401", name, r.status, r.body)
				}
			}
			if res := login("", "", ""); res.status != 422 {
				t.Errorf("empty: got %d, want 422", res.status)
			}
		})
		t.Run("ErrTooManyRequests", func(t *testing.T) {
			for i := range 4 { // ErrWrong/Last6 failed once already for this code, phone and address
				if res := login(f.entA1.Code, "13800000042", fmt.Sprintf("%06d", i)); res.status != 401 {
					t.Fatalf("failure %d: got %d", i+2, res.status)
				}
			}
			if res := login(f.entA1.Code, "13800000042", id[12:]); res.status != 429 {
				t.Errorf("6th attempt: got %d, want 429", res.status)
			}
		})
		t.Run("LeftCannotSignIn", func(t *testing.T) {
			left := domain.WorkerLeft
			if _, err := f.svc.Workers.Update(ctx, hr, w.ID, domain.WorkerUpdate{Status: &left}); err != nil {
				t.Fatal(err)
			}
			if res := f.do(http.MethodGet, "/api/v1/me", tok.AccessToken, nil); res.status != 401 {
				t.Errorf("token of a worker who left: got %d, want 401", res.status)
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": spare.RefreshToken}); res.status != 401 {
				t.Errorf("refresh of a worker who left: got %d %s, want 401", res.status, res.body)
			}
			// The check-in route leaves the token's standing to its own write (SelfChecked).
			before := f.count("checkins")
			res := f.do(http.MethodPost, "/api/v1/checkins", tok.AccessToken, map[string]any{"slot": "pm", "temperature": 36.5})
			if res.status != 422 || !slices.Equal(res.errorFields(t), []string{"worker_id"}) || f.count("checkins") != before {
				t.Errorf("check-in with the token of a worker who left: got %d %s, want 422 naming worker_id and nothing written", res.status, res.body)
			}
			other := "13800000042"
			res = f.do(http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{"enterprise_code": f.entA1.Code, "phone": other, "id_last6": id[12:]})
			if res.status != 401 && res.status != 429 {
				t.Errorf("sign-in after leaving: got %d, want 401 (or 429 while limited)", res.status)
			}
		})
	})
}
