package repo_test

import (
	"context"
	"fmt"
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
			if got.PasswordHash == password || !(domain.PasswordHasher{}).Matches(got.PasswordHash, password) {
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
			got, err := e.users.Create(ctx, e.platform, domain.NewUser{
				Username: "admin-b2", Password: password, Role: domain.RoleTownAdmin, Name: "周专班", TownshipID: f.adminB.TownshipID,
				Reason: "镇政府来函增设专班管理员",
			})
			must(t, err)
			if got.TownshipID != f.adminB.TownshipID || got.Role != domain.RoleTownAdmin || !got.Active {
				t.Errorf("got %+v, want an active town admin of township B", got)
			}
		})
		// The operator opens a township's way in; its supervisors and HR are the town's to make.
		t.Run("PlatformAdminErrInvalidOtherRoles", func(t *testing.T) {
			for _, in := range []domain.NewUser{
				{Username: "hr-by-root", Password: password, Role: domain.RoleEnterpriseHR, Name: "王芳", TownshipID: f.adminB.TownshipID, EnterpriseID: f.entB.ID, Reason: "代建"},
				{Username: "sup-by-root", Password: password, Role: domain.RoleSupervisor, Name: "李四", TownshipID: f.adminB.TownshipID, Reason: "代建"},
			} {
				_, err := e.users.Create(ctx, e.platform, in)
				wantErr(t, err, domain.ErrInvalid, "role")
				_, err = e.stores.Users.GetByUsername(ctx, in.Username)
				wantErr(t, err, domain.ErrNotFound)
			}
		})
		t.Run("PlatformAdminErrInvalidMissingTownship", func(t *testing.T) {
			_, err := e.users.Create(ctx, e.platform, domain.NewUser{
				Username: "admin-nowhere", Password: password, Role: domain.RoleTownAdmin, Name: "无镇", TownshipID: 4242,
				Reason: "测试",
			})
			wantErr(t, err, domain.ErrInvalid, "township_id")
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
		// The platform admin sees the town admins of every township, and no other account: the
		// supervisors' and HR names and phones are the townships' own.
		t.Run("ListPlatformAdminTownAdmins", func(t *testing.T) {
			got, total, err := e.users.List(ctx, e.platform, domain.UserFilter{})
			must(t, err)
			if g := ids(got, userID); !slices.Equal(g, []int64{f.adminA.ID, f.adminB.ID}) || total != 2 {
				t.Errorf("got %v (total %d), want the town admins [%d %d]", g, total, f.adminA.ID, f.adminB.ID)
			}
			got, total, err = e.users.List(ctx, e.platform, domain.UserFilter{TownshipID: f.adminB.TownshipID})
			must(t, err)
			if g := ids(got, userID); !slices.Equal(g, []int64{f.adminB.ID}) || total != 1 {
				t.Errorf("got %v (total %d), want township B's [%d]", g, total, f.adminB.ID)
			}
			got, _, err = e.users.List(ctx, e.platform, domain.UserFilter{EnterpriseID: f.entA1.ID})
			must(t, err)
			if len(got) != 0 {
				t.Errorf("got %v, want no account of an enterprise", ids(got, userID))
			}
		})
		t.Run("ListPlatformAdminErrInvalidRole", func(t *testing.T) {
			_, _, err := e.users.List(ctx, e.platform, domain.UserFilter{Role: domain.RoleSupervisor})
			wantErr(t, err, domain.ErrInvalid, "role")
		})
		t.Run("PlatformAdminGetsTownAdmin", func(t *testing.T) {
			got, err := e.users.Get(ctx, e.platform, f.adminA.ID)
			must(t, err)
			if got.ID != f.adminA.ID {
				t.Errorf("got %d, want %d", got.ID, f.adminA.ID)
			}
		})
		t.Run("PlatformAdminOtherAccountsErrNotFound", func(t *testing.T) {
			for _, id := range []int64{f.supA.ID, f.hrA.ID, 4242} {
				_, err := e.users.Get(ctx, e.platform, id)
				wantErr(t, err, domain.ErrNotFound)
				_, err = e.users.Update(ctx, e.platform, id, domain.UserUpdate{Active: ptr(false)})
				wantErr(t, err, domain.ErrNotFound)
			}
			got, err := e.stores.Users.Get(ctx, f.supA.ID)
			must(t, err)
			if !got.Active {
				t.Errorf("got disabled, want supervisor A still active")
			}
		})
		t.Run("TownAdminCannotReachPlatformAdmin", func(t *testing.T) {
			_, err := e.users.Get(ctx, f.adminA.Actor(), e.platform.UserID)
			wantErr(t, err, domain.ErrNotFound)
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

// TestUserServiceOwnAccount holds what a user may do to their own account: a new password only
// with the current one (a stolen access token does not know it), and never a new enabled
// state, enterprise, role or township. An admin resetting someone else's password needs no
// current password.
func TestUserServiceOwnAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		f := newScopeFixture(t, e)
		hr := f.hrA.Actor()
		events := func(t *testing.T, u domain.User, action string) []domain.AuditEvent {
			t.Helper()
			got, _, err := e.stores.Audit.List(ctx, domain.AuditFilter{EntityType: "user", EntityID: u.ID, Action: action, Page: domain.Page{Limit: 50}})
			must(t, err)
			return got
		}
		// signsIn reports whether the password opens the account, from an address of its own
		// so that failures here never add up to the sign-in limit.
		n := 0
		signsIn := func(username, pw string) bool {
			n++
			_, err := e.auth.Login(ctx, username, pw, fmt.Sprintf("10.1.0.%d", n))
			return err == nil
		}

		t.Run("PasswordErrInvalidWithoutCurrent", func(t *testing.T) {
			for _, current := range []*string{nil, ptr("")} {
				_, err := e.users.Update(ctx, hr, f.hrA.ID, domain.UserUpdate{Password: ptr("Stolen-Token-1"), CurrentPassword: current})
				wantErr(t, err, domain.ErrInvalid, "current_password")
			}
			if !signsIn("hr-a", password) || signsIn("hr-a", "Stolen-Token-1") {
				t.Errorf("got the password changed, want it kept")
			}
			if got := events(t, f.hrA, "user.password_refused"); len(got) != 2 || got[0].ActorID != f.hrA.ID || got[0].TownshipID != f.hrA.TownshipID {
				t.Errorf("got %+v, want two refusals by hr-a in its township", got)
			}
		})
		t.Run("PasswordErrInvalidWrongCurrent", func(t *testing.T) {
			before := len(events(t, f.supA, "user.password_refused"))
			_, err := e.users.Update(ctx, f.supA.Actor(), f.supA.ID, domain.UserUpdate{Password: ptr("Stolen-Token-1"), CurrentPassword: ptr("guess-0001")})
			wantErr(t, err, domain.ErrInvalid, "current_password")
			if !signsIn("sup-a", password) {
				t.Errorf("got the password changed, want it kept")
			}
			if got := events(t, f.supA, "user.password_refused"); len(got) != before+1 {
				t.Errorf("got %d refusals, want %d", len(got), before+1)
			}
		})
		t.Run("PasswordBothProblemsNamed", func(t *testing.T) {
			_, err := e.users.Update(ctx, hr, f.hrA.ID, domain.UserUpdate{Password: ptr("short"), CurrentPassword: ptr("guess-0002")})
			wantErr(t, err, domain.ErrInvalid, "password", "current_password")
		})
		// Guessing the current password through a stolen token is as slow as at the sign-in
		// page: past five wrong ones a minute, even the right one waits.
		t.Run("PasswordErrTooManyRequests", func(t *testing.T) {
			u := e.staff(t, f.adminA.Actor(), domain.RoleSupervisor, "sup-guessed", 0)
			for i := range 5 {
				_, err := e.users.Update(ctx, u.Actor(), u.ID, domain.UserUpdate{Password: ptr("Stolen-Token-1"), CurrentPassword: ptr(fmt.Sprintf("guess-%04d", i))})
				wantErr(t, err, domain.ErrInvalid, "current_password")
			}
			_, err := e.users.Update(ctx, u.Actor(), u.ID, domain.UserUpdate{Password: ptr("Stolen-Token-1"), CurrentPassword: ptr(password)})
			wantErr(t, err, domain.ErrTooManyRequests)
			e.clock.Advance(time.Minute + time.Second)
			_, err = e.users.Update(ctx, u.Actor(), u.ID, domain.UserUpdate{Password: ptr("Owner-Chose-1"), CurrentPassword: ptr(password)})
			must(t, err)
			if !signsIn("sup-guessed", "Owner-Chose-1") {
				t.Errorf("got the new password refused, want it to open the account")
			}
		})
		t.Run("PasswordOKWithCurrent", func(t *testing.T) {
			s, err := e.auth.Login(ctx, "hr-a", password, "10.2.0.1")
			must(t, err)
			_, err = e.users.Update(ctx, hr, f.hrA.ID, domain.UserUpdate{Password: ptr("New-Passw0rd"), CurrentPassword: ptr(password)})
			must(t, err)
			if signsIn("hr-a", password) || !signsIn("hr-a", "New-Passw0rd") {
				t.Errorf("got the old password working or the new one not, want the new one only")
			}
			_, err = e.auth.Refresh(ctx, s.RefreshToken)
			wantErr(t, err, domain.ErrUnauthenticated)
			if got := events(t, f.hrA, "user.password"); len(got) != 1 || got[0].ActorID != f.hrA.ID || got[0].Detail != "本人修改密码" {
				t.Errorf("got %+v, want one password change by hr-a", got)
			}
		})
		t.Run("AdminResetNeedsNoCurrent", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.adminA.Actor(), f.hrA.ID, domain.UserUpdate{Password: ptr(password)})
			must(t, err)
			if !signsIn("hr-a", password) {
				t.Errorf("got the reset password refused, want it to open the account")
			}
			if got := events(t, f.hrA, "user.password"); len(got) != 2 || got[0].ActorID != f.adminA.ID || got[0].Detail != "管理员重置密码" {
				t.Errorf("got %+v, want the admin's reset on top", got)
			}
		})
		t.Run("PlatformAdminResetsAndDisablesTownAdmin", func(t *testing.T) {
			_, err := e.users.Update(ctx, e.platform, f.adminB.ID, domain.UserUpdate{Password: ptr("Reset-By-Ops1"), Active: ptr(false), Reason: "镇政府申请停用"})
			must(t, err)
			if signsIn("admin-371626105", "Reset-By-Ops1") {
				t.Errorf("got a disabled account signing in")
			}
			got, err := e.users.Update(ctx, e.platform, f.adminB.ID, domain.UserUpdate{Active: ptr(true)})
			must(t, err)
			if !got.Active || !signsIn("admin-371626105", "Reset-By-Ops1") {
				t.Errorf("got %+v, want the town admin back with the reset password", got)
			}
		})

		// Nobody widens their own reach: each change below is refused by the field's name, and
		// the account stays as it was.
		self := []struct {
			name  string
			who   domain.User
			up    domain.UserUpdate
			field string
		}{
			{name: "HRDisablesSelf", who: f.hrA, up: domain.UserUpdate{Active: ptr(false)}, field: "active"},
			{name: "HRMovesSelf", who: f.hrA, up: domain.UserUpdate{EnterpriseID: ptr(f.entA2.ID)}, field: "enterprise_id"},
			{name: "HRPromotesSelf", who: f.hrA, up: domain.UserUpdate{Role: ptr(domain.RoleTownAdmin)}, field: "role"},
			{name: "HRChangesTownship", who: f.hrA, up: domain.UserUpdate{TownshipID: ptr(f.adminB.TownshipID)}, field: "township_id"},
			{name: "SupervisorPromotesSelf", who: f.supA, up: domain.UserUpdate{Role: ptr(domain.RoleTownAdmin)}, field: "role"},
			{name: "SupervisorTakesEnterprise", who: f.supA, up: domain.UserUpdate{EnterpriseID: ptr(f.entA1.ID)}, field: "enterprise_id"},
			{name: "TownAdminBecomesPlatform", who: f.adminA, up: domain.UserUpdate{Role: ptr(domain.RolePlatformAdmin)}, field: "role"},
			{name: "TownAdminMovesTownship", who: f.adminA, up: domain.UserUpdate{TownshipID: ptr(f.adminB.TownshipID)}, field: "township_id"},
			{name: "TownAdminDisablesSelf", who: f.adminA, up: domain.UserUpdate{Active: ptr(false)}, field: "active"},
		}
		for _, tt := range self {
			t.Run("ErrInvalid"+tt.name, func(t *testing.T) {
				_, err := e.users.Update(ctx, tt.who.Actor(), tt.who.ID, tt.up)
				wantErr(t, err, domain.ErrInvalid, tt.field)
				got, err := e.stores.Users.Get(ctx, tt.who.ID)
				must(t, err)
				if scope(got.Actor()) != scope(tt.who.Actor()) || !got.Active {
					t.Errorf("got %+v, want %+v unchanged and active", got.Actor(), tt.who.Actor())
				}
			})
		}
		t.Run("OwnValuesSentBackPass", func(t *testing.T) {
			got, err := e.users.Update(ctx, hr, f.hrA.ID, domain.UserUpdate{Name: ptr("王芳芳"), Role: ptr(domain.RoleEnterpriseHR),
				TownshipID: ptr(f.hrA.TownshipID), EnterpriseID: ptr(f.entA1.ID), Active: ptr(true)})
			must(t, err)
			if got.Name != "王芳芳" || scope(got.Actor()) != scope(f.hrA.Actor()) {
				t.Errorf("got %+v, want renamed and otherwise the same", got)
			}
		})
		t.Run("AdminErrInvalidRoleOfOther", func(t *testing.T) {
			_, err := e.users.Update(ctx, f.adminA.Actor(), f.supA.ID, domain.UserUpdate{Role: ptr(domain.RoleTownAdmin)})
			wantErr(t, err, domain.ErrInvalid, "role")
			got, err := e.stores.Users.Get(ctx, f.supA.ID)
			must(t, err)
			if got.Role != domain.RoleSupervisor {
				t.Errorf("got role %s, want supervisor", got.Role)
			}
		})
	})
}

// scope is an actor's role and reach, without its token generation: what a refused change of
// one's own account must leave as it was (the password changes above moved the generation on).
func scope(a domain.Actor) domain.Actor {
	a.Generation = 0
	return a
}
