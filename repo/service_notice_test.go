package repo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestTownAdminRecovery: the platform admin keeps the way to make a town admin or give one a
// new password (account recovery), but only with a reason, which the township's audit log and
// a notice to its town admins show (issue 16, item 8: the operator could make or reset a town
// admin in any township, unseen, and read its rosters).
func TestTownAdminRecovery(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		townA, adminA := e.township(t, "371626104", "一区")
		_, adminB := e.township(t, "371626105", "一区")
		adminA2 := e.staff(t, adminA.Actor(), domain.RoleTownAdmin, "admin-a2", 0)
		gone := e.staff(t, adminA.Actor(), domain.RoleTownAdmin, "admin-gone", 0)
		_, err := e.users.Update(ctx, adminA.Actor(), gone.ID, domain.UserUpdate{Active: ptr(false)})
		must(t, err)
		sup := e.staff(t, adminA.Actor(), domain.RoleSupervisor, "sup-a", 0)
		const reason = "原管理员手机丢失,经镇政府书面申请重置"
		notices := func(t *testing.T, u domain.User, unread bool) []domain.Notice {
			t.Helper()
			ns, total, err := e.notices.List(ctx, u.Actor(), domain.NoticeFilter{Unread: unread})
			must(t, err)
			if total != len(ns) {
				t.Fatalf("got total %d for %d notices", total, len(ns))
			}
			return ns
		}
		count := func(t *testing.T, table string) int {
			t.Helper()
			n, err := dbtest.CountRows(ctx, db, table)
			must(t, err)
			return n
		}

		for _, tt := range []struct {
			name, reason string
		}{
			{"ErrInvalidNoReason", ""},
			{"ErrInvalidBlankReason", " \u3000\t"},
			{"ErrInvalidLongReason", strings.Repeat("因", domain.MaxReason+1)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				events, sent := count(t, "audit_events"), count(t, "notices")
				_, err := e.users.Update(ctx, e.platform, adminA2.ID, domain.UserUpdate{Password: ptr("Recovered-2020"), Reason: tt.reason})
				wantErr(t, err, domain.ErrInvalid, "reason")
				_, err = e.users.Create(ctx, e.platform, domain.NewUser{Username: "admin-a9", Password: password,
					Role: domain.RoleTownAdmin, Name: "新专班", TownshipID: townA.ID, Reason: tt.reason})
				wantErr(t, err, domain.ErrInvalid, "reason")
				if got, _ := e.stores.Users.Get(ctx, adminA2.ID); !(domain.PasswordHasher{}).Matches(got.PasswordHash, password) {
					t.Errorf("got the password changed, want it kept")
				}
				if a, n := count(t, "audit_events"), count(t, "notices"); a != events || n != sent {
					t.Errorf("got %d audit events and %d notices, want %d and %d: a refused request writes nothing", a, n, events, sent)
				}
			})
		}

		e.clock.Set(start.Add(time.Hour))
		t.Run("PasswordResetOK", func(t *testing.T) {
			_, err := e.users.Update(ctx, e.platform, adminA2.ID, domain.UserUpdate{Password: ptr("Recovered-2020"), Reason: "  " + reason})
			must(t, err)
			// The township's own audit log shows it, with the reason, as the platform admin's.
			events, _, err := e.audit.List(ctx, adminA.Actor(), domain.AuditQuery{Action: "user.password"})
			must(t, err)
			if len(events) != 1 || events[0].ActorID != e.platform.UserID || events[0].TownshipID != townA.ID ||
				events[0].EntityID != adminA2.ID || events[0].Detail != "平台管理员重置密码;理由:"+reason {
				t.Fatalf("got events %+v, want the platform admin's reset of admin-a2 with its reason in township A's log", events)
			}
			// Every active town admin of the township is told, the one reset too; nobody else.
			for _, u := range []domain.User{adminA, adminA2} {
				ns := notices(t, u, true)
				if len(ns) != 1 {
					t.Fatalf("%s: got %d unread notices, want 1", u.Username, len(ns))
				}
				n := ns[0]
				if n.Kind != domain.NoticeTownAdminPasswordReset || n.ActorUsername != "root" || n.ActorName != "平台管理员" ||
					n.SubjectID != adminA2.ID || n.SubjectUsername != "admin-a2" || n.SubjectName != "员工admin-a2" ||
					n.Reason != reason || !n.CreatedAt.Equal(start.Add(time.Hour)) || !n.Unread() || n.TownshipID != townA.ID {
					t.Errorf("%s: got %+v, want the reset of admin-a2 by root with its reason, unread", u.Username, n)
				}
			}
			for _, u := range []domain.User{gone, sup, adminB} {
				if ns := notices(t, u, false); len(ns) != 0 {
					t.Errorf("%s: got %d notices, want none", u.Username, len(ns))
				}
			}
			if ns, _, err := e.notices.List(ctx, e.platform, domain.NoticeFilter{}); err != nil || len(ns) != 0 {
				t.Errorf("platform admin: got %v, %v, want no notices", ns, err)
			}
		})
		t.Run("CreateOK", func(t *testing.T) {
			u, err := e.users.Create(ctx, e.platform, domain.NewUser{Username: "admin-a3", Password: password,
				Role: domain.RoleTownAdmin, Name: "新专班", TownshipID: townA.ID, Reason: "镇政府来函增设专班管理员"})
			must(t, err)
			events, _, err := e.audit.List(ctx, adminA.Actor(), domain.AuditQuery{Action: "user.create", EntityType: "user", EntityID: u.ID})
			must(t, err)
			if len(events) != 1 || events[0].Detail != "创建镇专班管理员账号 admin-a3;理由:镇政府来函增设专班管理员" {
				t.Fatalf("got events %+v, want the creation with its reason in township A's log", events)
			}
			for _, r := range []domain.User{adminA, adminA2} {
				ns := notices(t, r, true)
				if len(ns) != 2 || ns[0].Kind != domain.NoticeTownAdminCreated || ns[0].SubjectID != u.ID || ns[0].Reason != "镇政府来函增设专班管理员" {
					t.Errorf("%s: got %+v, want the creation newest, before the reset", r.Username, ns)
				}
			}
			if ns := notices(t, u, false); len(ns) != 0 {
				t.Errorf("got %d notices for the new account, want none: it knows", len(ns))
			}
		})
		t.Run("TownAdminResetNoNotice", func(t *testing.T) {
			sent := count(t, "notices")
			_, err := e.users.Update(ctx, adminA.Actor(), adminA2.ID, domain.UserUpdate{Password: ptr("Colleague-2020")})
			must(t, err)
			if n := count(t, "notices"); n != sent {
				t.Errorf("got %d notices, want %d: a town admin's own business tells nobody", n, sent)
			}
		})
		t.Run("MarkRead", func(t *testing.T) {
			n := notices(t, adminA, true)[1] // the reset
			for _, a := range []domain.Actor{adminB.Actor(), adminA2.Actor(), sup.Actor(), e.platform} {
				_, err := e.notices.MarkRead(ctx, a, n.ID)
				wantErr(t, err, domain.ErrNotFound)
			}
			_, err := e.notices.MarkRead(ctx, domain.Actor{Role: domain.RoleWorker, WorkerID: 1, TownshipID: townA.ID}, n.ID)
			wantErr(t, err, domain.ErrForbidden)
			_, err = e.notices.MarkRead(ctx, adminA.Actor(), 987654321)
			wantErr(t, err, domain.ErrNotFound)

			e.clock.Set(start.Add(2 * time.Hour))
			got, err := e.notices.MarkRead(ctx, adminA.Actor(), n.ID)
			must(t, err)
			if got.Unread() || !got.ReadAt.Equal(start.Add(2*time.Hour)) || got.Reason != reason {
				t.Errorf("got %+v, want it read at the clock's time", got)
			}
			e.clock.Set(start.Add(3 * time.Hour))
			got, err = e.notices.MarkRead(ctx, adminA.Actor(), n.ID)
			must(t, err)
			if !got.ReadAt.Equal(start.Add(2 * time.Hour)) {
				t.Errorf("got read at %v, want the first time kept", got.ReadAt)
			}
			if ns := notices(t, adminA, true); len(ns) != 1 || ns[0].ID == n.ID {
				t.Errorf("got unread %+v, want only the creation", ns)
			}
			if ns := notices(t, adminA2, true); len(ns) != 2 {
				t.Errorf("got %d unread for admin-a2, want 2: each reader marks their own", len(ns))
			}
			if ns := notices(t, adminA, false); len(ns) != 2 {
				t.Errorf("got %d notices in all, want 2: a read one stays listed", len(ns))
			}
		})
	})
}
