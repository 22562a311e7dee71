package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// enrol sets a worker's PIN through the API and returns the answer.
func (f *fixture) enrol(code, phone, id, pin string) response {
	f.t.Helper()
	return f.do(http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{"enterprise_code": code, "phone": phone, "id_number": id, "pin": pin})
}

// pinLogin signs a worker in with a PIN and returns the answer.
func (f *fixture) pinLogin(code, phone, pin string) response {
	f.t.Helper()
	return f.do(http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{"enterprise_code": code, "phone": phone, "pin": pin})
}

// TestWorkerLogin enrols a worker with their whole ID number and a PIN, signs them in with the
// PIN, and checks what that session may do and when it ends.
func TestWorkerLogin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		hr := f.hrA1.Actor()
		id := idNumber(42)
		w, _, err := f.svc.Workers.Create(ctx, hr, f.entA1.ID, domain.WorkerInput{Name: "孙立", IDNumber: id, Phone: "13800000042", OriginRegion: "371681"})
		if err != nil {
			t.Fatal(err)
		}
		if res := f.pinLogin(f.entA1.Code, "13800000042", testPIN); res.status != 401 || !strings.Contains(string(res.body), "设置 PIN") {
			t.Errorf("sign-in before enrolling: got %d %s, want 401 telling to set a PIN first", res.status, res.body)
		}
		if res := f.enrol(" "+f.entA1.Code+" ", "138 0000 0042", strings.ToLower(id), testPIN); res.status != 200 {
			t.Fatalf("enrol: got %d %s", res.status, res.body)
		}
		res := f.pinLogin(" "+f.entA1.Code+" ", "138 0000 0042", testPIN)
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
		f.pinLogin(f.entA1.Code, "13800000042", testPIN).decode(t, &spare)
		t.Run("Me", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/me", tok.AccessToken, nil)
			if res.status != 200 || !strings.Contains(string(res.body), `"name":"孙立"`) || strings.Contains(string(res.body), id) {
				t.Errorf("got %d %s, want the worker's own record, ID masked", res.status, res.body)
			}
			var me struct {
				Age int `json:"age"`
			}
			res.decode(t, &me)
			if want := domain.NewDate(1970, 1, 1).AddDays(42).YearsTo(domain.DateFromTime(time.Now())); me.Age != want {
				t.Errorf("age: got %d, want %d (as of today)", me.Age, want)
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
				"PIN":        f.pinLogin(f.entA1.Code, "13800000042", "864209"),
				"Phone":      f.pinLogin(f.entA1.Code, "13800000043", testPIN),
				"Enterprise": f.pinLogin(f.entA2.Code, "13800000042", testPIN),
				"NoCode":     f.pinLogin("999999x", "13800000042", testPIN),
			} {
				if r.status != 401 {
					t.Errorf("%s: got %d %s, want 401", name, r.status, r.body)
				}
			}
			if res := f.pinLogin("", "", ""); res.status != 422 || !slices.Equal(res.errorFields(t), []string{"enterprise_code", "phone", "pin"}) {
				t.Errorf("empty: got %d %s, want 422 naming the three fields", res.status, res.body)
			}
		})
		t.Run("ErrTooManyRequests", func(t *testing.T) {
			for i := range 4 { // ErrWrong/PIN failed once already for this code, phone and address
				if res := f.pinLogin(f.entA1.Code, "13800000042", fmt.Sprintf("%06d", 864210+i)); res.status != 401 {
					t.Fatalf("failure %d: got %d", i+2, res.status)
				}
			}
			if res := f.pinLogin(f.entA1.Code, "13800000042", testPIN); res.status != 429 {
				t.Errorf("6th attempt, right PIN: got %d, want 429", res.status)
			}
		})
		t.Run("AuditedWithClient", func(t *testing.T) {
			for _, action := range []string{"auth.worker_enrol", "auth.worker_login", "auth.worker_login_failed"} {
				es := f.events(action)
				if len(es) == 0 || !strings.Contains(es[0].Detail, "127.0.0.1") || !strings.Contains(es[0].Detail, "Go-http-client") {
					t.Errorf("%s: got %+v, want events naming the client's address and user agent", action, es)
				}
			}
		})
		t.Run("LeftCannotSignIn", func(t *testing.T) {
			left := domain.WorkerLeft
			if _, _, err := f.svc.Workers.Update(ctx, hr, w.ID, domain.WorkerUpdate{Status: &left}); err != nil {
				t.Fatal(err)
			}
			if res := f.do(http.MethodGet, "/api/v1/me", tok.AccessToken, nil); res.status != 401 {
				t.Errorf("token of a worker who left: got %d, want 401", res.status)
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": spare.RefreshToken}); res.status != 401 {
				t.Errorf("refresh of a worker who left: got %d %s, want 401", res.status, res.body)
			}
			// The check-in route leaves the token's standing to its own write (StandingInWrite).
			before := f.count("checkins")
			res := f.do(http.MethodPost, "/api/v1/checkins", tok.AccessToken, map[string]any{"slot": "pm", "temperature": 36.5})
			if res.status != 422 || !slices.Equal(res.errorFields(t), []string{"worker_id"}) || f.count("checkins") != before {
				t.Errorf("check-in with the token of a worker who left: got %d %s, want 422 naming worker_id and nothing written", res.status, res.body)
			}
			res = f.pinLogin(f.entA1.Code, "13800000042", testPIN)
			if res.status != 401 && res.status != 429 {
				t.Errorf("sign-in after leaving: got %d, want 401 (or 429 while limited)", res.status)
			}
		})
	})
}

// TestWorkerEnrol holds enrolment to its rules: the whole ID number, a PIN nobody who knows the
// worker would guess, once; HR's reset ends the worker's sessions and lets them enrol again.
func TestWorkerEnrol(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		id, phone := idNumber(7301), "13800007301" // born 1990-01-03 (idNumber counts days from 1970)
		w, _, err := f.svc.Workers.Create(ctx, f.hrA1.Actor(), f.entA1.ID, domain.WorkerInput{Name: "于洋", IDNumber: id, Phone: phone, OriginRegion: "371681"})
		if err != nil {
			t.Fatal(err)
		}
		birth := id[6:14]
		t.Run("ErrWeakPIN", func(t *testing.T) {
			for _, pin := range []string{"123456", "000000", "654321", "121212", "123123", "147258",
				birth[2:], birth[:6], birth[6:8] + birth[4:6] + birth[2:4], id[12:], phone[5:], "12345", "abcdef"} {
				res := f.enrol(f.entA1.Code, phone, id, pin)
				if res.status != 422 || !slices.Equal(res.errorFields(t), []string{"pin"}) {
					t.Errorf("PIN %s: got %d %s, want 422 naming pin", pin, res.status, res.body)
				}
			}
			if n := f.count("worker_pins"); n != 0 {
				t.Errorf("got %d PINs kept, want none", n)
			}
		})
		t.Run("ErrWrongID", func(t *testing.T) {
			other := idNumber(7302)
			for name, r := range map[string]response{
				"OtherID":     f.enrol(f.entA1.Code, phone, other, testPIN),
				"Last6Only":   f.enrol(f.entA1.Code, phone, id[12:], testPIN),
				"MaskedID":    f.enrol(f.entA1.Code, phone, domain.IDNumber(id).Masked(), testPIN),
				"OtherPhone":  f.enrol(f.entA1.Code, "13800007302", id, testPIN),
				"OtherEnterp": f.enrol(f.entA2.Code, phone, id, testPIN),
			} {
				if r.status != 401 {
					t.Errorf("%s: got %d %s, want 401", name, r.status, r.body)
				}
			}
		})
		var first struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		f.enrol(f.entA1.Code, phone, id, testPIN).decode(t, &first)
		t.Run("ErrOnce", func(t *testing.T) {
			res := f.enrol(f.entA1.Code, phone, id, "864209")
			if res.status != 409 {
				t.Errorf("second enrolment: got %d %s, want 409", res.status, res.body)
			}
			if res := f.pinLogin(f.entA1.Code, phone, "864209"); res.status != 401 {
				t.Errorf("the second enrolment's PIN: got %d, want 401 (the first PIN stands)", res.status)
			}
		})
		t.Run("Reset", func(t *testing.T) {
			path := fmt.Sprintf("/api/v1/workers/%d/reset-pin", w.ID)
			if res := f.do(http.MethodPost, path, f.token("supa"), nil); res.status != 403 {
				t.Errorf("supervisor: got %d %s, want 403", res.status, res.body)
			}
			if res := f.do(http.MethodPost, path, f.token("admina"), nil); res.status != 403 {
				t.Errorf("town admin: got %d %s, want 403", res.status, res.body)
			}
			if res := f.do(http.MethodPost, path, f.token("hra1"), nil); res.status != 204 {
				t.Fatalf("HR: got %d %s, want 204", res.status, res.body)
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}); res.status != 401 {
				t.Errorf("refresh after the reset: got %d, want 401", res.status)
			}
			if res := f.do(http.MethodGet, "/api/v1/me", first.AccessToken, nil); res.status != 401 {
				t.Errorf("access token after the reset: got %d, want 401 at once", res.status)
			}
			if res := f.pinLogin(f.entA1.Code, phone, testPIN); res.status != 401 {
				t.Errorf("old PIN after the reset: got %d, want 401", res.status)
			}
			if es := f.events("worker.pin_reset"); len(es) != 1 || es[0].EntityID != w.ID || es[0].ActorID != f.hrA1.ID {
				t.Errorf("got %+v, want the reset audited once, by HR", es)
			}
			if res := f.enrol(f.entA1.Code, phone, id, "864209"); res.status != 200 {
				t.Errorf("enrolling again after the reset: got %d %s", res.status, res.body)
			}
		})
	})
}

// TestSupervisorCannotBeTheWorker is issue 16's attack: a supervisor who reads everything the
// API shows them about a worker, and knows their birth date, home region and phone besides,
// tries to sign in as the worker. Before PINs, the last six of the ID number did it.
func TestSupervisorCannotBeTheWorker(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		id, phone := idNumber(9001), "13800009001"
		w, _, err := f.svc.Workers.Create(ctx, f.hrA1.Actor(), f.entA1.ID, domain.WorkerInput{Name: "郭敏", IDNumber: id, Phone: phone, OriginRegion: "371681"})
		if err != nil {
			t.Fatal(err)
		}
		if res := f.enrol(f.entA1.Code, phone, id, testPIN); res.status != 200 {
			t.Fatalf("enrol: got %d %s", res.status, res.body)
		}
		sup := f.token("supa")
		var seen struct {
			IDNumber  string  `json:"id_number"`
			BirthDate *string `json:"birth_date"`
			Age       int     `json:"age"`
			Household string  `json:"household_region"`
		}
		f.do(http.MethodGet, fmt.Sprintf("/api/v1/workers/%d", w.ID), sup, nil).decode(t, &seen)
		if seen.IDNumber != id[:2]+strings.Repeat("*", 15)+id[17:] || seen.BirthDate != nil || seen.Age == 0 || seen.Household != "山东省" {
			t.Errorf("supervisor's view: got %+v, want the number masked to province and check character, no birth date, an age, the province", seen)
		}
		list := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID), sup, nil)
		if strings.Contains(string(list.body), id[6:14]) || strings.Contains(string(list.body), `"birth_date":"`) {
			t.Errorf("supervisor's list shows the birth date or the sequence number: %s", list.body)
		}
		sessions := f.count("refresh_tokens")
		// What the supervisor knows, and every secret it suggests.
		birth := id[6:14]
		guesses := []string{id[12:], id[11:17], birth[2:], birth[:6], birth[6:8] + birth[4:6] + birth[2:4], birth[4:8] + id[14:16], phone[5:]}
		for _, pin := range guesses {
			if res := f.pinLogin(f.entA1.Code, phone, pin); res.status == 200 {
				t.Fatalf("signed in as the worker with %q", pin)
			}
		}
		// The whole number rebuilt from region, birth date and a guessed sequence: enrolment is
		// once, and the worker's is done.
		if res := f.enrol(f.entA1.Code, phone, id, "864209"); res.status == 200 {
			t.Fatal("enrolled over the worker's PIN")
		}
		if n := f.count("refresh_tokens"); n != sessions {
			t.Errorf("got %d sessions, want %d: the supervisor's tries opened one", n, sessions)
		}
	})
}

// TestWorkerSignInLimits is issue 16's guessing from one address: failures count per address
// across phones, and per enterprise code across addresses.
func TestWorkerSignInLimits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		refused := 0
		for i := range domain.WorkerFailuresPerAddress + 5 {
			phone := fmt.Sprintf("138%08d", i) // a different phone each time: the per-phone limit never bites
			res := f.pinLogin(f.entA1.Code, phone, "864209")
			switch {
			case res.status == 429:
				refused++
			case res.status != 401:
				t.Fatalf("guess %d: got %d %s", i, res.status, res.body)
			case i >= domain.WorkerFailuresPerAddress:
				t.Fatalf("guess %d from one address: got 401, want 429 after %d failures", i, domain.WorkerFailuresPerAddress)
			}
		}
		if refused != 5 {
			t.Errorf("got %d refused, want the 5 past the limit", refused)
		}
		if n := len(f.events("auth.worker_login_failed")); n != domain.WorkerFailuresPerAddress {
			t.Errorf("got %d failures audited, want %d (a refusal by the limit checks nothing)", n, domain.WorkerFailuresPerAddress)
		}
	})
}
