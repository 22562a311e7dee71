package repo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

func TestUserServiceCreate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)
		admin := f.adminA.Actor()
		hr := func(username string, enterpriseID int64) domain.NewUser {
			return domain.NewUser{Username: username, Password: password, Role: domain.RoleEnterpriseHR, Name: "王芳", EnterpriseID: enterpriseID}
		}

		t.Run("HROK", func(t *testing.T) {
			got, err := e.users.Create(ctx, admin, hr(" HR.Jia2 ", f.entA2.ID))
			must(t, err)
			if got.Username != "hr.jia2" || got.Role != domain.RoleEnterpriseHR || got.TownshipID != f.adminA.TownshipID || got.EnterpriseID != f.entA2.ID || got.EnterpriseName != "乙厂" || !got.Active {
				t.Errorf("got %+v, want an active HR of 乙厂 in the admin's township", got)
			}
			if got.PasswordHash == password || !e.users.Passwords.Matches(got.PasswordHash, password) {
				t.Errorf("got hash %q, want a bcrypt hash of the password", got.PasswordHash)
			}
		})
		t.Run("HRErrInvalidNoEnterprise", func(t *testing.T) {
			_, err := e.users.Create(ctx, admin, hr("hr-none", 0))
			wantErr(t, err, domain.ErrInvalid, "enterprise_id")
		})
		t.Run("HRErrInvalidOtherTownshipEnterprise", func(t *testing.T) {
			_, err := e.users.Create(ctx, admin, hr("hr-other", f.entB.ID))
			wantErr(t, err, domain.ErrInvalid, "enterprise_id")
			_, err = e.stores.Users.GetByUsername(ctx, "hr-other")
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("HRErrInvalidMissingEnterprise", func(t *testing.T) {
			_, err := e.users.Create(ctx, admin, hr("hr-missing", 4242))
			wantErr(t, err, domain.ErrInvalid, "enterprise_id")
		})
		t.Run("PlatformAdminNamesTownship", func(t *testing.T) {
			in := hr("hr-by-root", f.entB.ID)
			in.TownshipID = f.adminB.TownshipID
			got, err := e.users.Create(ctx, e.platform, in)
			must(t, err)
			if got.TownshipID != f.adminB.TownshipID || got.EnterpriseID != f.entB.ID {
				t.Errorf("got %+v, want an HR of 丙厂 in township B", got)
			}
		})
		t.Run("TownAdminCannotNameAnotherTownship", func(t *testing.T) {
			got, err := e.users.Create(ctx, admin, domain.NewUser{
				Username: "sup-sneaky", Password: password, Role: domain.RoleSupervisor, Name: "李四", TownshipID: f.adminB.TownshipID,
			})
			must(t, err)
			if got.TownshipID != f.adminA.TownshipID {
				t.Errorf("got township %d, want the admin's own %d", got.TownshipID, f.adminA.TownshipID)
			}
		})
		t.Run("SupervisorHasNoEnterprise", func(t *testing.T) {
			got, err := e.users.Create(ctx, admin, domain.NewUser{
				Username: "sup-ent", Password: password, Role: domain.RoleSupervisor, Name: "李四", EnterpriseID: f.entA1.ID,
			})
			must(t, err)
			if got.EnterpriseID != 0 || got.EnterpriseName != "" {
				t.Errorf("got enterprise %d %q, want none for a supervisor", got.EnterpriseID, got.EnterpriseName)
			}
		})
		t.Run("ErrConflictUsername", func(t *testing.T) {
			_, err := e.users.Create(ctx, admin, domain.NewUser{Username: "SUP-A", Password: password, Role: domain.RoleSupervisor, Name: "重名"})
			wantErr(t, err, domain.ErrConflict, "username")
		})
	})
}

func TestUserServiceScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)

		t.Run("ListOwnTownship", func(t *testing.T) {
			got, total, err := e.users.List(ctx, f.adminB.Actor(), domain.UserFilter{TownshipID: f.adminA.TownshipID})
			must(t, err)
			if g := ids(got, userID); !slices.Equal(g, []int64{f.adminB.ID, f.supB.ID}) || total != 2 {
				t.Errorf("got %v (total %d), want [%d %d]", g, total, f.adminB.ID, f.supB.ID)
			}
		})
		t.Run("ListPlatformAdmin", func(t *testing.T) {
			_, total, err := e.users.List(ctx, e.platform, domain.UserFilter{})
			must(t, err)
			if total != 6 { // root, two town admins, two supervisors, one HR
				t.Errorf("got total %d, want 6", total)
			}
		})
		t.Run("GetOtherTownshipErrNotFound", func(t *testing.T) {
			_, err := e.users.Get(ctx, f.adminB.Actor(), f.supA.ID)
			wantErr(t, err, domain.ErrNotFound)
		})
		t.Run("UpdateOtherTownshipErrNotFound", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.adminB.Actor(), f.supA.ID, domain.UserUpdate{Active: ptr(false)})
			wantErr(t, err, domain.ErrNotFound)
			got, err := e.stores.Users.Get(ctx, f.supA.ID)
			must(t, err)
			if !got.Active {
				t.Errorf("got disabled, want supervisor A still active")
			}
		})
		t.Run("GetSelf", func(t *testing.T) {
			got, err := e.users.Get(ctx, f.supA.Actor(), f.supA.ID)
			must(t, err)
			if got.ID != f.supA.ID {
				t.Errorf("got %d, want %d", got.ID, f.supA.ID)
			}
		})
		t.Run("SupervisorGetOtherErrForbidden", func(t *testing.T) {
			_, err := e.users.Get(ctx, f.supA.Actor(), f.hrA.ID)
			wantErr(t, err, domain.ErrForbidden)
		})
		t.Run("SupervisorUpdatesOwnName", func(t *testing.T) {
			got, err := e.users.Update(ctx, f.supA.Actor(), f.supA.ID, domain.UserUpdate{Name: ptr(" 李明 "), Phone: ptr("+86 139 0000 1111")})
			must(t, err)
			if got.Name != "李明" || got.Phone != "13900001111" {
				t.Errorf("got %q %q, want 李明 13900001111", got.Name, got.Phone)
			}
		})
		t.Run("HRCannotMoveItself", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.hrA.Actor(), f.hrA.ID, domain.UserUpdate{EnterpriseID: ptr(f.entA2.ID)})
			wantErr(t, err, domain.ErrInvalid, "enterprise_id")
		})
		t.Run("HRMovedToOtherTownshipErrInvalid", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.adminA.Actor(), f.hrA.ID, domain.UserUpdate{EnterpriseID: ptr(f.entB.ID)})
			wantErr(t, err, domain.ErrInvalid, "enterprise_id")
			got, err := e.stores.Users.Get(ctx, f.hrA.ID)
			must(t, err)
			if got.EnterpriseID != f.entA1.ID {
				t.Errorf("got enterprise %d, want %d kept", got.EnterpriseID, f.entA1.ID)
			}
		})
		t.Run("HRMovedOK", func(t *testing.T) {
			got, err := e.users.Update(ctx, f.adminA.Actor(), f.hrA.ID, domain.UserUpdate{EnterpriseID: ptr(f.entA2.ID)})
			must(t, err)
			if got.EnterpriseID != f.entA2.ID || got.EnterpriseName != "乙厂" {
				t.Errorf("got %d %q, want 乙厂", got.EnterpriseID, got.EnterpriseName)
			}
		})
		t.Run("ErrInvalidFields", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.adminA.Actor(), f.supA.ID, domain.UserUpdate{Name: ptr(""), Phone: ptr("123"), Password: ptr("short")})
			wantErr(t, err, domain.ErrInvalid, "name", "phone", "password")
		})
	})
}

func TestUserServiceSessions(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)
		admin := f.adminA.Actor()
		login := func(t *testing.T, username, pw string) domain.Session {
			t.Helper()
			s, err := e.auth.Login(ctx, username, pw, "10.0.0.1")
			must(t, err)
			return s
		}

		t.Run("TownAdminCannotDisableSelf", func(t *testing.T) {
			s := login(t, "admin-371626104", password)
			_, err := e.users.Update(ctx, admin, f.adminA.ID, domain.UserUpdate{Active: ptr(false)})
			wantErr(t, err, domain.ErrInvalid, "active")
			got, err := e.stores.Users.Get(ctx, f.adminA.ID)
			must(t, err)
			if !got.Active {
				t.Fatalf("got disabled, want the town admin still active")
			}
			if _, err := e.auth.Refresh(ctx, s.RefreshToken); err != nil {
				t.Errorf("got %v, want the admin's session to live on", err)
			}
		})
		t.Run("AnotherTownAdminMayDisable", func(t *testing.T) {
			second := e.staff(t, admin, domain.RoleTownAdmin, "admin-2", 0)
			got, err := e.users.Update(ctx, second.Actor(), f.adminA.ID, domain.UserUpdate{Active: ptr(false)})
			must(t, err)
			if got.Active {
				t.Errorf("got active, want disabled")
			}
			_, err = e.users.Update(ctx, second.Actor(), f.adminA.ID, domain.UserUpdate{Active: ptr(true)})
			must(t, err)
		})
		t.Run("DisablingEndsSessions", func(t *testing.T) {
			s1 := login(t, "sup-a", password)
			s2 := login(t, "sup-a", password)
			other := login(t, "hr-a", password)
			e.clock.Advance(time.Minute)
			got, err := e.users.Update(ctx, admin, f.supA.ID, domain.UserUpdate{Active: ptr(false)})
			must(t, err)
			if got.Active {
				t.Fatalf("got active, want disabled")
			}
			for _, s := range []domain.Session{s1, s2} {
				_, err := e.auth.Refresh(ctx, s.RefreshToken)
				wantErr(t, err, domain.ErrUnauthenticated)
				tok, err := e.stores.RefreshTokens.GetByHash(ctx, domain.HashToken(s.RefreshToken))
				must(t, err)
				if tok.RevokedAt == nil || !tok.RevokedAt.Equal(e.clock.Now()) {
					t.Errorf("got revoked at %v, want %v", tok.RevokedAt, e.clock.Now())
				}
			}
			if _, err := e.auth.Refresh(ctx, other.RefreshToken); err != nil {
				t.Errorf("got %v, want another user's session untouched", err)
			}
			_, err = e.auth.Login(ctx, "sup-a", password, "10.0.0.1")
			wantErr(t, err, domain.ErrUnauthenticated)

			_, err = e.users.Update(ctx, admin, f.supA.ID, domain.UserUpdate{Active: ptr(true)})
			must(t, err)
			_, err = e.auth.Refresh(ctx, s1.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			login(t, "sup-a", password)
		})
		t.Run("PasswordChangeEndsSessions", func(t *testing.T) {
			s := login(t, "hr-a", password)
			_, err := e.users.Update(ctx, admin, f.hrA.ID, domain.UserUpdate{Password: ptr("New-Passw0rd")})
			must(t, err)
			_, err = e.auth.Refresh(ctx, s.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			_, err = e.auth.Login(ctx, "hr-a", password, "10.0.0.3")
			wantErr(t, err, domain.ErrUnauthenticated)
			login(t, "hr-a", "New-Passw0rd")
		})
		t.Run("RenameKeepsSessions", func(t *testing.T) {
			s := login(t, "sup-b", password)
			_, err := e.users.Update(ctx, f.adminB.Actor(), f.supB.ID, domain.UserUpdate{Name: ptr("周明")})
			must(t, err)
			if _, err := e.auth.Refresh(ctx, s.RefreshToken); err != nil {
				t.Errorf("got %v, want the session kept", err)
			}
		})
	})
}
