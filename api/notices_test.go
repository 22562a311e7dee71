package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// noticeList is the answer of GET /api/v1/notices.
type noticeList struct {
	Items []struct {
		ID    int64  `json:"id"`
		Kind  string `json:"kind"`
		Actor struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"actor"`
		Subject struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
			Name     string `json:"name"`
		} `json:"subject"`
		Reason    string     `json:"reason"`
		CreatedAt time.Time  `json:"created_at"`
		ReadAt    *time.Time `json:"read_at"`
	} `json:"items"`
	Total int `json:"total"`
}

// TestRecoveryVisibleToTownship: over HTTP, the platform admin's new password for a town admin
// needs a reason, lands in the township's own audit log with it, and is a notice to the
// township's town admins, each of whom marks it read (issue 16, item 8).
func TestRecoveryVisibleToTownship(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admina2 := f.staff(f.adminA, "admina2", domain.RoleTownAdmin, 0)
		root, admina, adminb := f.token("root"), f.token("admina"), f.token("adminb")
		_, worker := f.workerToken(1)
		const reason = "原管理员手机丢失,经镇政府书面申请重置"
		reset := fmt.Sprintf("/api/v1/users/%d", admina2.ID)

		t.Run("ErrInvalidNoReason", func(t *testing.T) {
			res := f.do(http.MethodPatch, reset, root, map[string]any{"password": "Recovered-2020"})
			if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || len(got) != 1 || got[0] != "reason" {
				t.Fatalf("got %d %s, want 422 naming reason", res.status, res.body)
			}
		})
		t.Run("OKReset", func(t *testing.T) {
			res := f.do(http.MethodPatch, reset, root, map[string]any{"password": "Recovered-2020", "reason": reason})
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
		})
		t.Run("OKInTownshipAuditLog", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/audit?action=user.password", admina, nil)
			for _, want := range []string{`"actor_username":"root"`, `"actor_role":"platform_admin"`, fmt.Sprintf(`"township_id":%d`, f.townA.ID),
				`"detail":"平台管理员重置密码;理由:` + reason + `"`} {
				if res.status != http.StatusOK || !strings.Contains(string(res.body), want) {
					t.Errorf("got %d %s, want it to contain %s", res.status, res.body, want)
				}
			}
		})
		var id int64
		t.Run("OKNotice", func(t *testing.T) {
			var got noticeList
			res := f.do(http.MethodGet, "/api/v1/notices?unread=true", admina, nil)
			res.decode(t, &got)
			if res.status != http.StatusOK || got.Total != 1 || len(got.Items) != 1 {
				t.Fatalf("got %d %s, want one unread notice", res.status, res.body)
			}
			n := got.Items[0]
			if n.Kind != "town_admin.password_reset" || n.Actor.Username != "root" || n.Subject.ID != admina2.ID ||
				n.Subject.Username != "admina2" || n.Reason != reason || n.ReadAt != nil || n.CreatedAt.IsZero() {
				t.Errorf("got %+v, want root's reset of admina2 with its reason, unread", n)
			}
			id = n.ID
		})
		read := fmt.Sprintf("/api/v1/notices/%d/read", id)
		t.Run("OtherReaders", func(t *testing.T) {
			var got noticeList
			f.do(http.MethodGet, "/api/v1/notices", adminb, nil).decode(t, &got)
			if got.Total != 0 {
				t.Errorf("township B's admin: got %d notices, want none", got.Total)
			}
			for _, tt := range []struct {
				who, token string
				want       int
			}{{"adminb", adminb, 404}, {"root", root, 404}, {"worker", worker, 403}, {"nobody", "", 401}} {
				if res := f.do(http.MethodPost, read, tt.token, nil); res.status != tt.want {
					t.Errorf("%s marking admina's notice: got %d %s, want %d", tt.who, res.status, res.body, tt.want)
				}
			}
		})
		t.Run("ErrInvalidUnread", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/notices?unread=yes", admina, nil)
			if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || len(got) != 1 || got[0] != "unread" {
				t.Errorf("got %d %s, want 422 naming unread", res.status, res.body)
			}
		})
		t.Run("OKMarkRead", func(t *testing.T) {
			res := f.do(http.MethodPost, read, admina, nil)
			if res.status != http.StatusOK || strings.Contains(string(res.body), `"read_at":null`) {
				t.Fatalf("got %d %s, want 200 with read_at set", res.status, res.body)
			}
			var unread, all noticeList
			f.do(http.MethodGet, "/api/v1/notices?unread=true", admina, nil).decode(t, &unread)
			f.do(http.MethodGet, "/api/v1/notices?"+url.Values{"page": {"1"}, "page_size": {"10"}}.Encode(), admina, nil).decode(t, &all)
			if unread.Total != 0 || all.Total != 1 || all.Items[0].ReadAt == nil {
				t.Errorf("got %d unread and %+v in all, want none unread and the one read", unread.Total, all.Items)
			}
		})
	})
}
