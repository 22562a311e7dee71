package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// pastRefreshGrace moves the services' clock (not the access tokens') past the grace of a
// spent refresh token, after which presenting it again is taken for a stolen token's.
func (f *fixture) pastRefreshGrace() { f.ahead.Add(int64(time.Minute)) }

// issue signs an access token for a straight from the fixture's key, as a sign-in would: for
// workers, whose way of signing in is not this test's subject.
func (f *fixture) issue(a domain.Actor) string {
	f.t.Helper()
	tok, err := f.tokens.Issue(a)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

// session is the answer to a sign-in or a refresh.
type session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func (f *fixture) refresh(t *testing.T, token string) (session, int) {
	t.Helper()
	res := f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": token})
	var s session
	if res.status == http.StatusOK {
		res.decode(t, &s)
	}
	return s, res.status
}

// wantStatus fails unless a GET of path with token answers want.
func (f *fixture) wantStatus(t *testing.T, what, path, token string, want int) {
	t.Helper()
	if res := f.do(http.MethodGet, path, token, nil); res.status != want {
		t.Errorf("%s: got %d %s, want %d", what, res.status, res.body, want)
	}
}

// TestAccessTokensEndAtOnce: an access token stops working the moment its account's sessions
// end (issue 16, item 7): it lived on for up to 15 minutes after a password change, an admin's
// reset, a logout or a revoked refresh family. Staff and workers alike, the check-in (whose
// route checks a worker's token inside its own write) too.
func TestAccessTokensEndAtOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		users := func(u domain.User) string { return "/api/v1/users/" + itoa(u.ID) }

		t.Run("OwnPasswordChanged", func(t *testing.T) {
			old, _ := f.login("supa")
			res := f.do(http.MethodPatch, users(f.supA), old, map[string]any{"password": "new-secret-2", "current_password": password})
			if res.status != http.StatusOK {
				t.Fatalf("change password: got %d %s", res.status, res.body)
			}
			f.wantStatus(t, "the token that changed it", "/api/v1/me", old, http.StatusUnauthorized)
			res = f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "supa", "password": "new-secret-2"})
			var s session
			res.decode(t, &s)
			f.wantStatus(t, "signed in with the new password", "/api/v1/me", s.AccessToken, http.StatusOK)
		})
		t.Run("AdminReset", func(t *testing.T) {
			victim, _ := f.login("hra1")
			admin := f.token("admina")
			if res := f.do(http.MethodPatch, users(f.hrA1), admin, map[string]any{"password": "reset-pass-3"}); res.status != http.StatusOK {
				t.Fatalf("reset: got %d %s", res.status, res.body)
			}
			f.wantStatus(t, "a token from before the reset", "/api/v1/me", victim, http.StatusUnauthorized)
			f.wantStatus(t, "the admin's own token", "/api/v1/me", admin, http.StatusOK)
		})
		t.Run("Logout", func(t *testing.T) {
			access, r := f.login("supa2")
			_, other := f.login("supa2") // another device
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", access, map[string]string{"refresh_token": r}); res.status != http.StatusNoContent {
				t.Fatalf("logout: got %d %s", res.status, res.body)
			}
			f.wantStatus(t, "the token that signed out", "/api/v1/me", access, http.StatusUnauthorized)
			// The other device's session goes on: its refresh token gets it a working access token.
			s, status := f.refresh(t, other)
			if status != http.StatusOK {
				t.Fatalf("the other device's refresh: got %d, want 200", status)
			}
			f.wantStatus(t, "the other device's new token", "/api/v1/me", s.AccessToken, http.StatusOK)
		})
		t.Run("FamilyRevoked", func(t *testing.T) {
			access, r1 := f.login("admina")
			next, status := f.refresh(t, r1)
			if status != http.StatusOK {
				t.Fatalf("refresh: got %d", status)
			}
			f.pastRefreshGrace() // presented now, it was stolen
			if _, status := f.refresh(t, r1); status != http.StatusUnauthorized {
				t.Fatalf("spent token again: got %d, want 401", status)
			}
			f.wantStatus(t, "the family's first access token", "/api/v1/me", access, http.StatusUnauthorized)
			f.wantStatus(t, "the family's newest access token", "/api/v1/me", next.AccessToken, http.StatusUnauthorized)
		})
		t.Run("Worker", func(t *testing.T) {
			ctx := context.Background()
			w, _, err := f.svc.Workers.Create(ctx, f.hrA1.Actor(), f.entA1.ID, domain.WorkerInput{
				Name: "打卡人", IDNumber: idNumber(41), Phone: "13900000041", OriginRegion: "371681"})
			if err != nil {
				t.Fatal(err)
			}
			checkin := func(token string) int {
				return f.do(http.MethodPost, "/api/v1/checkins", token, map[string]any{"slot": "am", "temperature": 36.5}).status
			}
			phone := f.issue(w.Actor())
			if got := checkin(phone); got != http.StatusCreated {
				t.Fatalf("check-in: got %d, want 201", got)
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", phone, nil); res.status != http.StatusNoContent {
				t.Fatalf("logout: got %d %s", res.status, res.body)
			}
			f.wantStatus(t, "a worker's token after logout", "/api/v1/me", phone, http.StatusUnauthorized)
			if got := checkin(phone); got != http.StatusUnauthorized {
				t.Errorf("check-in with a worker's token after logout: got %d, want 401", got)
			}
			// The hook a PIN reset calls ends the new session the same way.
			if w, err = repo.Stores(f.db, dbtest.Box()).Workers.Get(ctx, w.ID); err != nil {
				t.Fatal(err)
			}
			phone = f.issue(w.Actor())
			if got := checkin(phone); got != http.StatusOK {
				t.Fatalf("check-in again, signed in anew: got %d, want 200", got)
			}
			if err := f.svc.Auth.EndWorkerSessions(ctx, w.ID); err != nil {
				t.Fatal(err)
			}
			f.wantStatus(t, "a worker's token after their sessions were ended", "/api/v1/me", phone, http.StatusUnauthorized)
			if got := checkin(phone); got != http.StatusUnauthorized {
				t.Errorf("check-in after the worker's sessions were ended: got %d, want 401", got)
			}
		})
	})
}

// TestSignInFlood: made-up usernames from one address are limited together (issue 16, item 3:
// 300 sign-ins with made-up usernames from one address all got 401, each a bcrypt check, and
// /healthz went from 13 ms to 1.9 s).
func TestSignInFlood(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		t.Run("MadeUpUsernames", func(t *testing.T) {
			gate := f.gate
			before := gate.Checks()
			counts := map[int]int{}
			for i := range 300 {
				res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("ghost%03d", i), "password": "guess-1234"})
				counts[res.status]++
				if i >= 20 && res.status != http.StatusTooManyRequests {
					t.Fatalf("sign-in %d: got %d %s, want 429", i+1, res.status, res.body)
				}
			}
			if counts[http.StatusUnauthorized] != 20 || counts[http.StatusTooManyRequests] != 280 {
				t.Errorf("got %v, want 20 × 401 then 280 × 429", counts)
			}
			if got := gate.Checks() - before; got != 20 {
				t.Errorf("got %d password checks, want 20: a refused sign-in costs none", got)
			}
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admina", "password": password})
			if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
				t.Errorf("a right password from the address: got %d (Retry-After %q), want 429 with Retry-After", res.status, res.header.Get("Retry-After"))
			}
		})
	})
}

// TestPasswordChecksBounded: password checks run a few at a time, and a sign-in that finds no
// turn within a short wait is answered 503 at once rather than queued (issue 16, item 3).
func TestPasswordChecksBounded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		gate := domain.NewPasswordGate(2, 100*time.Millisecond)
		f := newFixture(t, db, func(o *domain.Options) { o.Passwords.Gate = gate })
		// Busy first: the flood below uses up the address's failures.
		t.Run("BusyAnswers503", func(t *testing.T) {
			var held []func()
			for range 2 {
				release, err := gate.Acquire(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, release)
			}
			checks := gate.Checks()
			right := map[string]string{"username": "supa", "password": password}
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", right)
			if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
				t.Errorf("while every check's turn is taken: got %d %s (Retry-After %q), want 503 with Retry-After", res.status, res.body, res.header.Get("Retry-After"))
			}
			if gate.Checks() != checks {
				t.Errorf("got a password check without a turn")
			}
			for _, release := range held {
				release()
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/login", "", right); res.status != http.StatusOK {
				t.Errorf("with turns free again: got %d %s, want 200", res.status, res.body)
			}
		})
		t.Run("ChecksBounded", func(t *testing.T) {
			before := gate.Checks()
			var wg sync.WaitGroup
			statuses := make(chan int, 40)
			for i := range 40 {
				wg.Go(func() {
					res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("ghost%03d", i), "password": "guess-1234"})
					statuses <- res.status
				})
			}
			wg.Wait()
			close(statuses)
			counts := map[int]int{}
			for s := range statuses {
				counts[s]++
			}
			if n := counts[http.StatusUnauthorized] + counts[http.StatusTooManyRequests] + counts[http.StatusServiceUnavailable]; n != 40 {
				t.Errorf("got %v, want every answer 401, 429 or 503", counts)
			}
			if checks := gate.Checks() - before; gate.Peak() > 2 || checks != int64(counts[http.StatusUnauthorized]) {
				t.Errorf("got %d checks, at most %d at once, want one per 401 (%d), at most 2 at once", checks, gate.Peak(), counts[http.StatusUnauthorized])
			}
		})
	})
}

// TestSimultaneousRefreshes: two refreshes with one token at the same moment both go on, and
// the family stays valid (issue 16, item 10: the second was taken for a stolen token's reuse
// and signed the user out); after the grace, a spent token presented again still ends the
// family.
func TestSimultaneousRefreshes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		t.Run("BothGoOn", func(t *testing.T) {
			_, r := f.login("supa")
			var wg sync.WaitGroup
			got := make([]session, 2)
			statuses := make([]int, 2)
			start := make(chan struct{})
			for i := range 2 {
				wg.Go(func() {
					<-start
					got[i], statuses[i] = f.refresh(t, r)
				})
			}
			close(start)
			wg.Wait()
			for i := range 2 {
				if statuses[i] != http.StatusOK {
					t.Fatalf("refresh %d: got %d, want 200", i+1, statuses[i])
				}
				f.wantStatus(t, fmt.Sprintf("refresh %d's access token", i+1), "/api/v1/me", got[i].AccessToken, http.StatusOK)
			}
			for i := range 2 {
				if _, status := f.refresh(t, got[i].RefreshToken); status != http.StatusOK {
					t.Errorf("refresh %d's refresh token: got %d, want 200 (the family kept)", i+1, status)
				}
			}
		})
		t.Run("ReuseAfterGraceRevokes", func(t *testing.T) {
			_, r := f.login("supa")
			next, status := f.refresh(t, r)
			if status != http.StatusOK {
				t.Fatalf("refresh: got %d", status)
			}
			f.pastRefreshGrace()
			if _, status := f.refresh(t, r); status != http.StatusUnauthorized {
				t.Fatalf("the spent token a minute later: got %d, want 401", status)
			}
			if _, status := f.refresh(t, next.RefreshToken); status != http.StatusUnauthorized {
				t.Errorf("its successor: got %d, want 401 (the family revoked)", status)
			}
		})
	})
}
