package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"fugong/internal/demo"
)

// TestBrowserNotice: the platform admin sets a new password on the demo's second town admin,
// giving a reason; the town admin, signing in, finds a notice of it on top of their home page,
// with who, when, whose password and why, beside the demo's own recovery two days ago; marks it
// read, and it stays read on the next page load (issue 16, item 8).
func TestBrowserNotice(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "n.db")})
	const reason = "周立新再次遗失手机,经镇政府电话确认后重置"
	_, platform := s.login(t, "platform")
	root := platform["access_token"].(string)
	var admins struct {
		Items []struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/users?q=changshan2", root, nil, &admins)
	if len(admins.Items) != 1 {
		t.Fatalf("got %+v, want changshan2", admins.Items)
	}
	reset := fmt.Sprintf("/api/v1/users/%d", admins.Items[0].ID)
	if status, body := apiCall(t, s, http.MethodPatch, reset, root, map[string]any{"password": "demo1234"}, anyStatus{}); status != http.StatusUnprocessableEntity {
		t.Fatalf("reset without a reason: got %d %s, want 422", status, body)
	}
	apiCall(t, s, http.MethodPatch, reset, root, map[string]any{"password": "demo1234", "reason": reason}, nil)

	newest := `[data-test="notice"]:first-child`
	b.do(t, "sign in", login(s, "changshan"), poll(`location.pathname === "/enterprises"`),
		chromedp.WaitVisible("#notices"),
		poll(`document.querySelectorAll('[data-test="notice"]').length === 2`),
		waitText(newest, "平台管理员 platform 于"),
		waitText(newest, "重置了 周立新（changshan2） 的密码，理由："+reason),
		waitText(`[data-test="notice"]:nth-child(2)`, demo.RecoveryReason))
	b.screenshot(t, "notices")
	b.do(t, "mark the newest read", chromedp.Click(newest+` [data-test="notice-read"]`),
		poll(`document.querySelectorAll('[data-test="notice"]').length === 1`),
		poll(`!document.querySelector('#notices').innerText.includes(`+fmt.Sprintf("%q", reason)+`)`))
	b.do(t, "still read after a reload", chromedp.Navigate(s.url+"/dashboard"), chromedp.WaitVisible("#notices"),
		waitText("#notices", demo.RecoveryReason),
		poll(`document.querySelectorAll('[data-test="notice"]').length === 1`))
	b.do(t, "the last one read, no notices left", chromedp.Click(`[data-test="notice-read"]`),
		poll(`!document.querySelector('#notices')`))
	b.do(t, "the audit log shows the reset with its reason", chromedp.Navigate(s.url+"/audit"), chromedp.WaitVisible("#audit-table"),
		waitText("#audit-table", "平台管理员重置密码;理由:"+reason))
	b.noProblems(t)
}
