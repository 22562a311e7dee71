package repo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestAuthServiceLogin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		_, admin := e.township(t, "371626104", "一区")

		t.Run("OK", func(t *testing.T) {
			s, err := e.auth.Login(ctx, "\u3000ADMIN-371626104 ", password, "10.0.0.1")
			must(t, err)
			if s.User.ID != admin.ID || s.User.Role != domain.RoleTownAdmin || s.User.TownshipID != admin.TownshipID {
				t.Errorf("got user %+v, want %+v", s.User, admin)
			}
			if len(s.RefreshToken) < 40 {
				t.Errorf("got refresh token %q, want a long random one", s.RefreshToken)
			}
			if !s.RefreshExpiresAt.Equal(start.Add(refreshTTL)) {
				t.Errorf("got expiry %v, want %v", s.RefreshExpiresAt, start.Add(refreshTTL))
			}
			tok, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s.RefreshToken))
			must(t, err)
			if tok.UserID != admin.ID || tok.Hash == s.RefreshToken || tok.FamilyID == "" {
				t.Errorf("got stored token %+v, want a hash in a family of user %d", tok, admin.ID)
			}
		})
		t.Run("NewFamilyEachLogin", func(t *testing.T) {
			s1, err := e.auth.Login(ctx, "admin-371626104", password, "10.0.0.1")
			must(t, err)
			s2, err := e.auth.Login(ctx, "admin-371626104", password, "10.0.0.1")
			must(t, err)
			t1, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s1.RefreshToken))
			must(t, err)
			t2, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s2.RefreshToken))
			must(t, err)
			if s1.RefreshToken == s2.RefreshToken || t1.FamilyID == t2.FamilyID {
				t.Errorf("got tokens %q/%q families %q/%q, want both different", s1.RefreshToken, s2.RefreshToken, t1.FamilyID, t2.FamilyID)
			}
		})
		t.Run("ErrUnauthenticatedWrongPassword", func(t *testing.T) {
			_, err := e.auth.Login(ctx, "admin-371626104", password+"x", "10.0.0.2")
			wantErr(t, err, domain.ErrUnauthenticated)
		})
		t.Run("ErrUnauthenticatedUnknownUser", func(t *testing.T) {
			_, err := e.auth.Login(ctx, "nobody", password, "10.0.0.2")
			wantErr(t, err, domain.ErrUnauthenticated)
		})
		t.Run("ErrUnauthenticatedDisabled", func(t *testing.T) {
			sup := e.staff(t, admin.Actor(), domain.RoleSupervisor, "sup-off", 0)
			sup.Active = false
			must(t, e.stores.Users.Update(ctx, sup))
			_, err := e.auth.Login(ctx, "sup-off", password, "10.0.0.2")
			wantErr(t, err, domain.ErrUnauthenticated)
		})
	})
}

func TestAuthServiceLoginLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.township(t, "371626104", "一区")
		const user = "admin-371626104"

		t.Run("SixthAttemptRefused", func(t *testing.T) {
			for range 5 { // failures at +0 s … +4 s
				_, err := e.auth.Login(ctx, user, "wrong-password", "10.0.0.1")
				wantErr(t, err, domain.ErrUnauthenticated)
				e.clock.Advance(time.Second)
			}
			_, err := e.auth.Login(ctx, user, password, "10.0.0.1")
			wantErr(t, err, domain.ErrTooManyRequests)
			// The case of the username does not open a new count.
			_, err = e.auth.Login(ctx, "Admin-371626104", password, "10.0.0.1")
			wantErr(t, err, domain.ErrTooManyRequests)
		})
		t.Run("OtherAddressNotLimited", func(t *testing.T) {
			s, err := e.auth.Login(ctx, user, password, "10.0.0.2")
			must(t, err)
			if s.User.Username != user {
				t.Errorf("got %q, want %q", s.User.Username, user)
			}
		})
		t.Run("StillRefusedWithinWindow", func(t *testing.T) {
			e.clock.Advance(50 * time.Second) // now +55 s: all five failures are within the minute
			_, err := e.auth.Login(ctx, user, password, "10.0.0.1")
			wantErr(t, err, domain.ErrTooManyRequests)
		})
		t.Run("AllowedAfterWindow", func(t *testing.T) {
			e.clock.Advance(10 * time.Second) // now +65 s: every failure has left the window
			_, err := e.auth.Login(ctx, user, password, "10.0.0.1")
			must(t, err)
		})
		t.Run("SuccessClearsFailures", func(t *testing.T) {
			e.clock.Advance(time.Hour)
			for range 4 {
				_, err := e.auth.Login(ctx, user, "wrong-password", "10.0.0.3")
				wantErr(t, err, domain.ErrUnauthenticated)
			}
			_, err := e.auth.Login(ctx, user, password, "10.0.0.3")
			must(t, err)
			for range 4 {
				_, err := e.auth.Login(ctx, user, "wrong-password", "10.0.0.3")
				wantErr(t, err, domain.ErrUnauthenticated)
			}
			_, err = e.auth.Login(ctx, user, password, "10.0.0.3")
			must(t, err)
		})
		t.Run("UnknownUsersCountToo", func(t *testing.T) {
			for range 5 {
				_, err := e.auth.Login(ctx, "ghost", "whatever-pw", "10.0.0.4")
				wantErr(t, err, domain.ErrUnauthenticated)
			}
			_, err := e.auth.Login(ctx, "ghost", "whatever-pw", "10.0.0.4")
			wantErr(t, err, domain.ErrTooManyRequests)
		})
		t.Run("AddressLimitAcrossUsernames", func(t *testing.T) {
			// 20 failures from one address, each of another username: the 21st is refused, a
			// right password too, without a password check; other addresses are not.
			gate := e.gate
			for i := range 20 {
				_, err := e.auth.Login(ctx, fmt.Sprintf("ghost%02d", i), "whatever-pw", "10.0.0.5")
				wantErr(t, err, domain.ErrUnauthenticated)
			}
			checks := gate.Checks()
			_, err := e.auth.Login(ctx, "ghost99", "whatever-pw", "10.0.0.5")
			wantErr(t, err, domain.ErrTooManyRequests)
			_, err = e.auth.Login(ctx, user, password, "10.0.0.5")
			wantErr(t, err, domain.ErrTooManyRequests)
			if got := gate.Checks(); got != checks {
				t.Errorf("got %d password checks while limited, want none", got-checks)
			}
			_, err = e.auth.Login(ctx, user, password, "10.0.0.6")
			must(t, err)
			// A success elsewhere clears nothing of the address's count; the window does.
			e.clock.Advance(time.Minute)
			_, err = e.auth.Login(ctx, user, password, "10.0.0.5")
			must(t, err)
		})
	})
}

func TestAuthServiceRefresh(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		_, admin := e.township(t, "371626104", "一区")
		login := func(t *testing.T, username string) domain.Session {
			t.Helper()
			s, err := e.auth.Login(ctx, username, password, "10.0.0.1")
			must(t, err)
			return s
		}

		t.Run("Rotates", func(t *testing.T) {
			s1 := login(t, "admin-371626104")
			e.clock.Advance(10 * time.Minute)
			s2, err := e.auth.Refresh(ctx, s1.RefreshToken)
			must(t, err)
			if s2.RefreshToken == s1.RefreshToken || s2.User.ID != admin.ID {
				t.Fatalf("got %+v, want a new token for user %d", s2, admin.ID)
			}
			if want := start.Add(10 * time.Minute).Add(refreshTTL); !s2.RefreshExpiresAt.Equal(want) {
				t.Errorf("got expiry %v, want %v", s2.RefreshExpiresAt, want)
			}
			old, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s1.RefreshToken))
			must(t, err)
			next, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s2.RefreshToken))
			must(t, err)
			if old.UsedAt == nil || !old.UsedAt.Equal(e.clock.Now()) {
				t.Errorf("got old token used at %v, want %v", old.UsedAt, e.clock.Now())
			}
			if next.FamilyID != old.FamilyID || next.UsedAt != nil || next.RevokedAt != nil {
				t.Errorf("got next %+v, want a fresh token of family %q", next, old.FamilyID)
			}
			s3, err := e.auth.Refresh(ctx, s2.RefreshToken)
			must(t, err)
			if s3.RefreshToken == s2.RefreshToken {
				t.Errorf("got the same token again, want a new one")
			}
		})
		t.Run("ReuseRevokesFamily", func(t *testing.T) {
			bystander := login(t, "admin-371626104")
			s1 := login(t, "admin-371626104")
			s2, err := e.auth.Refresh(ctx, s1.RefreshToken)
			must(t, err)
			// s1 is presented again past the grace: stolen. It fails, and so does the newer s2.
			e.clock.Advance(refreshGrace)
			_, err = e.auth.Refresh(ctx, s1.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			tok, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s2.RefreshToken))
			must(t, err)
			if tok.RevokedAt == nil {
				t.Errorf("got the newer token not revoked, want its family revoked")
			}
			_, err = e.auth.Refresh(ctx, s2.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			if _, err := e.auth.Refresh(ctx, bystander.RefreshToken); err != nil {
				t.Errorf("got %v, want another family of the same user untouched", err)
			}
		})
		t.Run("AgainWithinGrace", func(t *testing.T) {
			// Two tabs refresh with one token at the same moment: the second gets another token
			// of the family, and both go on.
			s1 := login(t, "admin-371626104")
			s2, err := e.auth.Refresh(ctx, s1.RefreshToken)
			must(t, err)
			e.clock.Advance(refreshGrace - time.Second)
			s3, err := e.auth.Refresh(ctx, s1.RefreshToken)
			must(t, err)
			t2, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s2.RefreshToken))
			must(t, err)
			t3, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s3.RefreshToken))
			must(t, err)
			if s3.RefreshToken == s2.RefreshToken || t3.FamilyID != t2.FamilyID || t2.RevokedAt != nil {
				t.Errorf("got %+v and %+v, want two live tokens of one family", t2, t3)
			}
			for _, s := range []domain.Session{s2, s3} {
				if _, err := e.auth.Refresh(ctx, s.RefreshToken); err != nil {
					t.Errorf("got %v, want each successor to refresh", err)
				}
			}
			t.Run("ConcurrentBothWin", func(t *testing.T) {
				s := login(t, "admin-371626104")
				var wg sync.WaitGroup
				errs := make([]error, 8)
				for i := range errs {
					wg.Go(func() { _, errs[i] = e.auth.Refresh(ctx, s.RefreshToken) })
				}
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("refresh %d of 8 at once: got %v, want a session", i+1, err)
					}
				}
			})
		})
		t.Run("ErrUnauthenticatedUnknown", func(t *testing.T) {
			_, err := e.auth.Refresh(ctx, "not-a-token")
			wantErr(t, err, domain.ErrUnauthenticated)
			_, err = e.auth.Refresh(ctx, "")
			wantErr(t, err, domain.ErrUnauthenticated)
		})
		t.Run("ErrUnauthenticatedExpired", func(t *testing.T) {
			s := login(t, "admin-371626104")
			e.clock.Advance(refreshTTL)
			_, err := e.auth.Refresh(ctx, s.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
		})
		t.Run("ErrUnauthenticatedDisabled", func(t *testing.T) {
			sup := e.staff(t, admin.Actor(), domain.RoleSupervisor, "sup-1", 0)
			s := login(t, "sup-1")
			// Disabled behind the service's back, so no session was revoked: Refresh itself
			// must refuse the account.
			sup.Active = false
			must(t, e.stores.Users.Update(ctx, sup))
			_, err := e.auth.Refresh(ctx, s.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
		})
	})
}

func TestAuthServiceLogout(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		_, admin := e.township(t, "371626104", "一区")
		sup := e.staff(t, admin.Actor(), domain.RoleSupervisor, "sup-1", 0)
		login := func(t *testing.T, username string) domain.Session {
			t.Helper()
			s, err := e.auth.Login(ctx, username, password, "10.0.0.1")
			must(t, err)
			return s
		}

		t.Run("RevokesFamily", func(t *testing.T) {
			s1 := login(t, "sup-1")
			s2, err := e.auth.Refresh(ctx, s1.RefreshToken)
			must(t, err)
			other := login(t, "sup-1")
			must(t, e.auth.Logout(ctx, sup.Actor(), s2.RefreshToken))
			_, err = e.auth.Refresh(ctx, s2.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			if _, err := e.auth.Refresh(ctx, other.RefreshToken); err != nil {
				t.Errorf("got %v, want the other session kept", err)
			}
		})
		t.Run("SomeoneElsesTokenIgnored", func(t *testing.T) {
			s := login(t, "admin-371626104")
			must(t, e.auth.Logout(ctx, sup.Actor(), s.RefreshToken))
			if _, err := e.auth.Refresh(ctx, s.RefreshToken); err != nil {
				t.Errorf("got %v, want the admin's session untouched", err)
			}
			must(t, e.auth.Logout(ctx, sup.Actor(), "not-a-token"))
		})
		t.Run("NoTokenEndsAllSessions", func(t *testing.T) {
			s1, s2 := login(t, "sup-1"), login(t, "sup-1")
			adminSession := login(t, "admin-371626104")
			must(t, e.auth.Logout(ctx, sup.Actor(), ""))
			for _, s := range []domain.Session{s1, s2} {
				_, err := e.auth.Refresh(ctx, s.RefreshToken)
				wantErr(t, err, domain.ErrUnauthenticated)
			}
			if _, err := e.auth.Refresh(ctx, adminSession.RefreshToken); err != nil {
				t.Errorf("got %v, want the admin's session untouched", err)
			}
		})
	})
}

func TestAuthServiceCheck(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)

		t.Run("OK", func(t *testing.T) {
			got, err := e.auth.Check(ctx, f.supA.Actor())
			must(t, err)
			if got.ID != f.supA.ID || got.Username != "sup-a" {
				t.Errorf("got %+v, want sup-a", got)
			}
		})
		wrongRole := f.supA.Actor()
		wrongRole.Role = domain.RoleTownAdmin
		wrongTownship := f.supA.Actor()
		wrongTownship.TownshipID = f.adminB.TownshipID
		wrongEnterprise := f.hrA.Actor()
		wrongEnterprise.EnterpriseID = f.entA2.ID
		refused := []struct {
			name  string
			actor domain.Actor
		}{
			{name: "RoleChanged", actor: wrongRole},
			{name: "TownshipChanged", actor: wrongTownship},
			{name: "EnterpriseChanged", actor: wrongEnterprise},
			{name: "UnknownUser", actor: domain.Actor{UserID: 4242, Role: domain.RoleSupervisor, TownshipID: f.supA.TownshipID}},
		}
		for _, tt := range refused {
			t.Run("ErrUnauthenticated"+tt.name, func(t *testing.T) {
				_, err := e.auth.Check(ctx, tt.actor)
				wantErr(t, err, domain.ErrUnauthenticated)
			})
		}
		t.Run("ErrUnauthenticatedHRMoved", func(t *testing.T) {
			oldToken := f.hrA.Actor()
			moved, err := e.users.Update(ctx, f.adminA.Actor(), f.hrA.ID, domain.UserUpdate{EnterpriseID: ptr(f.entA2.ID)})
			must(t, err)
			_, err = e.auth.Check(ctx, oldToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			if _, err := e.auth.Check(ctx, moved.Actor()); err != nil {
				t.Errorf("got %v, want the new actor accepted", err)
			}
		})
		t.Run("ErrUnauthenticatedDisabled", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.adminA.Actor(), f.supA.ID, domain.UserUpdate{Active: ptr(false)})
			must(t, err)
			_, err = e.auth.Check(ctx, f.supA.Actor())
			wantErr(t, err, domain.ErrUnauthenticated)
		})
	})
}

// refreshGrace is how long a spent refresh token still refreshes (NewServices' default).
const refreshGrace = 20 * time.Second

// TestAuthServiceGeneration: every way an account's sessions end moves its token generation on,
// and Check refuses an actor of an earlier one at once (issue 16, item 7), staff and workers.
func TestAuthServiceGeneration(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)
		signIn := func(t *testing.T, username string) domain.Session {
			t.Helper()
			s, err := e.auth.Login(ctx, username, password, "10.0.0.1")
			must(t, err)
			return s
		}
		stillChecks := func(t *testing.T, a domain.Actor, want bool) {
			t.Helper()
			_, err := e.auth.Check(ctx, a)
			switch {
			case want && err != nil:
				t.Errorf("got %v, want the actor accepted", err)
			case !want:
				wantErr(t, err, domain.ErrUnauthenticated)
			}
		}
		sup := f.supA
		ends := []struct {
			name string
			end  func(t *testing.T, s domain.Session)
		}{
			{"Logout", func(t *testing.T, s domain.Session) { must(t, e.auth.Logout(ctx, s.Actor(), s.RefreshToken)) }},
			{"LogoutEverywhere", func(t *testing.T, s domain.Session) { must(t, e.auth.Logout(ctx, s.Actor(), "")) }},
			{"OwnPassword", func(t *testing.T, s domain.Session) {
				_, err := e.users.Update(ctx, s.Actor(), sup.ID, domain.UserUpdate{Password: ptr(password), CurrentPassword: ptr(password)})
				must(t, err)
			}},
			{"AdminReset", func(t *testing.T, s domain.Session) {
				_, err := e.users.Update(ctx, f.adminA.Actor(), sup.ID, domain.UserUpdate{Password: ptr(password)})
				must(t, err)
			}},
			{"StolenRefreshToken", func(t *testing.T, s domain.Session) {
				_, err := e.auth.Refresh(ctx, s.RefreshToken)
				must(t, err)
				e.clock.Advance(refreshGrace)
				_, err = e.auth.Refresh(ctx, s.RefreshToken)
				wantErr(t, err, domain.ErrUnauthenticated)
			}},
		}
		for _, tt := range ends {
			t.Run(tt.name, func(t *testing.T) {
				s := signIn(t, "sup-a")
				other := signIn(t, "admin-371626105") // another account
				stillChecks(t, s.Actor(), true)
				tt.end(t, s)
				stillChecks(t, s.Actor(), false)
				stillChecks(t, other.Actor(), true)
				again := signIn(t, "sup-a")
				stillChecks(t, again.Actor(), true)
			})
		}
		t.Run("Worker", func(t *testing.T) {
			w, _, err := e.workers.Create(ctx, f.hrA.Actor(), f.entA1.ID, domain.WorkerInput{
				Name: "职工甲", IDNumber: string(personID(1)), Phone: phoneOf(1)})
			must(t, err)
			phone := w.Actor()
			stillChecks(t, phone, true)
			must(t, e.auth.EndWorkerSessions(ctx, w.ID))
			stillChecks(t, phone, false)
			// The check-in route checks a worker's token in its own write: refused there too.
			temp := 36.5
			_, _, err = e.checkins.Submit(ctx, phone, domain.CheckinInput{Slot: domain.SlotAM, Temperature: &temp})
			wantErr(t, err, domain.ErrUnauthenticated)
			w, err = e.stores.Workers.Get(ctx, w.ID)
			must(t, err)
			stillChecks(t, w.Actor(), true)
			_, _, err = e.checkins.Submit(ctx, w.Actor(), domain.CheckinInput{Slot: domain.SlotAM, Temperature: &temp})
			must(t, err)
			must(t, e.auth.Logout(ctx, w.Actor(), ""))
			stillChecks(t, w.Actor(), false)
		})
	})
}
