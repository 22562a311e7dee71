package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"

	"fugong/domain"
	"fugong/report/roster"
)

// browser is a headless Chromium tab on a fresh profile, with every console error and CSP
// violation of its pages collected.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

// newBrowser starts Debian's Chromium. Without one the test is skipped, unless
// FUGONG_REQUIRE_BROWSER=1 (as in CI), where it fails.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	return newBrowserWith(t, width, height)
}

// newBrowserWith is newBrowser with more command-line options (a fake camera: a browser's
// flags are fixed when it starts).
func newBrowserWith(t *testing.T, width, height int, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("FUGONG_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium found and FUGONG_REQUIRE_BROWSER=1: apt-get install chromium")
		}
		t.Skip("browser test skipped: no Chromium found (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout (that would end the
	// browser with it), so steps get theirs from b.step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// A window cannot be narrower than Chromium's minimum (500 px); a phone's viewport is
	// emulated instead.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	b := &browser{ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A 4xx answer the page shows the user (a field error) is expected; anything else
			// at error level, an exception, or a CSP violation is a defect.
			expected := m.Source == "network" && strings.Contains(m.Text, "status of 4")
			if !expected && (m.IsException() || m.Type == "error" || strings.Contains(m.Text, "Content Security Policy")) {
				b.mu.Lock()
				b.problems = append(b.problems, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// do runs steps with a time limit, failing the test with what was being done.
func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	// A guard against a step that never ends, not a speed check: CI runs these beside the other
	// packages' tests on two cores, where a first page load has taken over 20 s.
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot(t, "failed")
		if loc, err := chromedp.Run(b.ctx, chromedp.Location()); err == nil {
			t.Logf("page: %s", loc)
		}
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot saves the page, into FUGONG_SCREENSHOT_DIR when set (to look at), else the
// test's temp folder.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("FUGONG_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		path := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".png")
		if err := os.WriteFile(path, png, 0o644); err == nil {
			t.Logf("screenshot: %s", path)
		}
	}
}

// noProblems fails the test if any page logged an error or broke the CSP.
func (b *browser) noProblems(t *testing.T) {
	t.Helper()
	time.Sleep(200 * time.Millisecond) // let the last console events arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("browser console: %s", p)
	}
}

// waitText waits until the element sel contains want.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.innerText.includes(%q); })()`, sel, want))
}

// animationsSettled waits until no finite animation runs (spinners loop for ever): a click
// on a dialog still opening can land where its button is not yet, and be lost.
func animationsSettled() chromedp.Action[chromedp.Void] {
	return poll(`document.getAnimations().every((a) => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)`)
}

// poll waits until the JavaScript expression js is true.
func poll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js)(ctx, t)
		return err
	})
}

// replaceText selects what an input holds and types over it.
func replaceText(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(sel),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(kb.ModifierCtrl)),
		chromedp.SendKeys(sel, text),
	)
}

func login(s *server, username string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(s.url+"/login"),
		chromedp.WaitVisible("#login-username input, input#login-username"),
		chromedp.SendKeys("#login-username input, input#login-username", username),
		chromedp.SendKeys("#login-password input, input#login-password", "demo1234"),
		chromedp.Click("#login-submit"),
	)
}

// TestBrowserCreateEnterprise signs in as the demo town admin, registers an enterprise through
// the form, and finds it in the list — all in a real headless Chromium under the real CSP.
func TestBrowserCreateEnterprise(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "b.db")})
	name := "长山镇测试新材料有限公司"
	b.do(t, "sign in", login(s, "changshan"), waitText("body", "企业管理"))
	b.do(t, "open the enterprise list", chromedp.Navigate(s.url+"/enterprises"),
		chromedp.WaitVisible("#enterprise-table"), waitText("#enterprise-table", "山东长星纺织有限公司"))
	b.do(t, "open the form", chromedp.Click("#enterprise-new"), chromedp.WaitVisible("#enterprise-form"))

	t.Run("FieldErrorShown", func(t *testing.T) {
		b.do(t, "submit a bad credit code",
			chromedp.SendKeys("#enterprise-name input, input#enterprise-name", name),
			chromedp.SendKeys("#enterprise-credit_code input, input#enterprise-credit_code", "91371626MA3C8XXXX0"),
			chromedp.Click("#enterprise-save"),
			waitText("#enterprise-form", "校验位不正确"))
	})
	b.do(t, "fill the form",
		replaceText("#enterprise-credit_code input, input#enterprise-credit_code", "91350100M000100Y43"),
		// The zone select is filterable: type the zone's name and take the match with Enter,
		// as a clerk at a keyboard does.
		chromedp.SendKeys("#enterprise-zone input, input#enterprise-zone", "范公责任区"),
		chromedp.WaitVisible(`[data-test="enterprise-zone-option"][data-value="范公责任区"]`),
		chromedp.SendKeys("#enterprise-zone input, input#enterprise-zone", kb.Enter),
		chromedp.SendKeys("#enterprise-industry input, input#enterprise-industry", "建材"),
		chromedp.SendKeys("#enterprise-address input, input#enterprise-address", "长山镇工业园二路 18 号"),
		chromedp.SendKeys("#enterprise-contact_name input, input#enterprise-contact_name", "李华"),
		chromedp.SendKeys("#enterprise-contact_phone input, input#enterprise-contact_phone", "13905431234"),
		chromedp.SendKeys("#enterprise-headcount input, input#enterprise-headcount", "66"),
	)
	b.do(t, "save and find it in the list", chromedp.Click("#enterprise-save"),
		// The dialog hands focus back when its closing animation ends; type only after that.
		poll(`![...document.querySelectorAll('.el-overlay')].some(e => e.offsetParent !== null)`),
		// Search by the credit code: ASCII keys, as a clerk pastes a code.
		chromedp.SendKeys("#enterprise-search input, input#enterprise-search", "91350100M000100Y43"),
		chromedp.SendKeys("#enterprise-search input, input#enterprise-search", kb.Enter),
		poll(`location.search.includes("q=91350100M000100Y43")`),
		waitText("#enterprise-table", name), waitText("#enterprise-table", "91350100M000100Y43"),
		waitText("#enterprise-table", "范公责任区"))
	b.screenshot(t, "list")
	b.noProblems(t)
}

// TestBrowserRoles signs in as each demo account and checks that each lands on its own home
// with its own menu and sees only its own scope, in Chinese and, after the switch, in English.
func TestBrowserRoles(t *testing.T) {
	b := newBrowser(t, 1280, 800)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "r.db")})
	tests := []struct {
		user, path, menu, sees string
		hidden                 []string
	}{
		{"platform", "/townships", "menu-townships", "长山镇", []string{"menu-enterprises", "menu-users"}},
		{"changshan", "/enterprises", "menu-users", "共 36 条", []string{"menu-townships"}},
		{"supervisor1", "/enterprises", "menu-enterprises", "共 8 条", []string{"menu-users", "menu-township"}},
		{"hr1", "/enterprise", "menu-enterprise", "山东长星纺织有限公司", []string{"menu-enterprises", "menu-users"}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			b.do(t, "sign in", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, tt.user),
				poll(fmt.Sprintf(`location.pathname === %q`, tt.path)),
				chromedp.WaitVisible(fmt.Sprintf(`[data-test=%q]`, tt.menu)), waitText("main, #app", tt.sees))
			for _, h := range tt.hidden {
				b.do(t, "menu without "+h, poll(fmt.Sprintf(`!document.querySelector('[data-test=%q]')`, h)))
			}
		})
	}
	t.Run("English", func(t *testing.T) {
		b.do(t, "switch language", chromedp.Click("#lang-switch"), waitText("#side-menu", "My enterprise"))
		b.do(t, "kept after a reload", chromedp.Reload(), waitText("#side-menu", "My enterprise"))
		b.screenshot(t, "english")
	})
	b.noProblems(t)
}

// TestBrowserPhone checks the worker-facing size: a 360 px wide screen shows the login form
// and, once signed in, the collapsed menu opens from its toggle.
func TestBrowserPhone(t *testing.T) {
	b := newBrowser(t, 360, 740)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "p.db")})
	b.do(t, "sign in on a phone", login(s, "hr1"), waitText("body", "山东长星纺织有限公司"))
	width, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 360 {
		t.Errorf("page is %d px wide (%v), want no horizontal scrolling at 360 px", width, err)
	}
	b.do(t, "open the menu", chromedp.Click("#menu-toggle"), chromedp.WaitVisible(`[data-test="menu-enterprise"]`))
	b.screenshot(t, "menu")
	b.noProblems(t)
}

// clearStorage signs the page out by forgetting its tokens.
func clearStorage() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`localStorage.clear(), true`)(ctx, t)
		return err
	})
}

// in is the selector of the input an Element Plus component with id renders (the id lands on
// the wrapper or on the input itself, depending on the component).
func in(id string) string {
	return "#" + id + " input, input#" + id + ", textarea#" + id + ", #" + id + " textarea"
}

// TestBrowserPlanReview walks the reopening workflow through the real pages: hr1 fills in a
// plan and submits it, supervisor1 finds it in the review queue and approves it, and the
// enterprise becomes approved. The first submit, without the pledge, shows the server's error.
func TestBrowserPlanReview(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "p.db")})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := func(n int) string { return time.Now().In(loc).AddDate(0, 0, n).Format(time.DateOnly) }

	b.do(t, "sign in as hr1", login(s, "hr1"), chromedp.WaitVisible(`[data-test="menu-plan"]`))
	b.do(t, "start a plan", chromedp.Click(`[data-test="menu-plan"]`), chromedp.WaitVisible("#plan-new"),
		chromedp.Click("#plan-new"), chromedp.WaitVisible("#plan-form"))
	b.do(t, "fill it in",
		chromedp.SendKeys(in("plan-planned_reopen_date"), day(3)+kb.Enter),
		replaceText(in("plan-expected_workers"), "120"),
		chromedp.SendKeys(in("plan-lead_name"), "王建国"),
		chromedp.SendKeys(in("plan-lead_phone"), "13800000000"),
		replaceText(in("plan-supplies-masks"), "2000"),
		replaceText(in("plan-supplies-thermometers"), "10"),
		replaceText(in("plan-supplies-disinfectant_liters"), "200"),
		replaceText(in("plan-supplies-gloves"), "500"),
		replaceText(in("plan-supplies-goggles"), "20"),
		chromedp.SendKeys(in("plan-isolation_room"), "东厂区一楼独立房间 2 间"),
		chromedp.Click("#plan-batch-add"),
		chromedp.SendKeys(`[data-test="batch-date-0"]`, day(3)+kb.Enter),
		replaceText(`[data-test="batch-workers-0"]`, "120"),
		replaceText(in("plan-shift_size"), "20"),
		chromedp.SendKeys(in("plan-canteen"), "错峰分餐"),
		chromedp.SendKeys(in("plan-dormitory"), "每间不超过 4 人"),
		chromedp.SendKeys(in("plan-disinfection"), "每日两次"),
		chromedp.SendKeys(in("plan-emergency_plan"), "发热职工立即隔离观察并报告卫生院"),
	)
	t.Run("PledgeMissing", func(t *testing.T) {
		b.do(t, "submit without the pledge", chromedp.Click("#plan-submit"), waitText("#plan-form", "请阅读并勾选企业承诺"))
	})
	b.do(t, "pledge and submit", chromedp.Click("#plan-pledge"), chromedp.Click("#plan-submit"),
		chromedp.WaitVisible(`#plan-state[data-status="submitted"]`))
	b.screenshot(t, "submitted")

	b.do(t, "sign in as supervisor1", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, "supervisor1"),
		chromedp.WaitVisible(`[data-test="menu-reviews"]`))
	b.do(t, "open the queue", chromedp.Click(`[data-test="menu-reviews"]`), waitText("#review-table", "山东长星纺织有限公司"))
	b.do(t, "open the plan", chromedp.Click(`//table//tr[contains(., "山东长星纺织有限公司")]//a[@data-test="review-open"]`),
		chromedp.WaitVisible("#review-approve"))
	b.do(t, "approve", chromedp.SendKeys(in("review-comment"), "方案可行,同意复工"), chromedp.Click("#review-approve"),
		waitText("body", "方案可行,同意复工"), chromedp.WaitVisible("#reopen-confirm"))
	b.screenshot(t, "approved")
	b.noProblems(t)
}

// rosterFile writes a roster workbook from the real template with the given rows of
// (name, ID number, phone, origin).
func rosterFile(t *testing.T, rows [][]string) string {
	t.Helper()
	tpl, err := roster.Template()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := []any{r[0], r[1], r[2], "包装车间", "甲班", r[3], "", "自驾", "否", "否"}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := book.SetSheetRow("花名册", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "花名册.xlsx")
	if err := book.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// testID makes a valid ID number of a person born in Zouping on the given day.
func testID(birth string, seq int) string {
	first17 := "371626" + birth + fmt.Sprintf("%03d", seq)
	return first17 + string(domain.IDCheckChar(first17))
}

// TestBrowserRosterImport uploads a roster through the real page: a file with a bad ID number
// is previewed with its error named by row and column and cannot be imported; the corrected
// file previews clean, imports, and its people appear in the roster.
func TestBrowserRosterImport(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "r.db")})
	good := testID("19880512", 11)
	bad := good[:17] + map[bool]string{true: "0", false: "1"}[good[17] != '0']
	badFile := rosterFile(t, [][]string{{"赵新民", testID("19900101", 12), "13800009901", "湖北省武汉市"}, {"钱小红", bad, "13800009902", "邹平市"}})
	goodFile := rosterFile(t, [][]string{{"赵新民", testID("19900101", 12), "13800009901", "湖北省武汉市"}, {"钱小红", good, "13800009902", "邹平市"}})

	b.do(t, "sign in as hr1", login(s, "hr1"), chromedp.WaitVisible(`[data-test="menu-roster"]`))
	b.do(t, "open the roster", chromedp.Click(`[data-test="menu-roster"]`), chromedp.WaitVisible("#worker-table"),
		chromedp.Click("#worker-import"), chromedp.WaitVisible("#import-dialog"))
	t.Run("PreviewShowsTheBadRow", func(t *testing.T) {
		b.do(t, "preview the bad file", chromedp.SetUploadFiles("#import-file input[type=file]", []string{badFile}),
			chromedp.Click("#import-preview"), waitText("#import-errors", "校验位不正确"), waitText("#import-errors", "4"))
		b.screenshot(t, "errors")
		disabled, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('#import-confirm').disabled`))
		if err != nil || !disabled {
			t.Errorf("import button: disabled=%v (%v), want disabled after a preview with errors", disabled, err)
		}
	})
	b.do(t, "preview the corrected file", chromedp.SetUploadFiles("#import-file input[type=file]", []string{goodFile}),
		chromedp.Click("#import-preview"), waitText("#import-summary", "2"))
	b.do(t, "import", chromedp.Click("#import-confirm"), waitText("#import-result", "2"))
	b.do(t, "find them in the roster", chromedp.Navigate(s.url+"/roster"), chromedp.WaitVisible("#worker-table"),
		chromedp.SendKeys(in("worker-search"), "13800009901"+kb.Enter), waitText("#worker-table", "赵新民"),
		waitText("#worker-table", "高风险"))
	b.screenshot(t, "roster")
	b.noProblems(t)
}

// TestBrowserIsolationPolicy changes which risk levels isolate, and how long personal data is
// kept, on the township settings page and finds the changes kept after a reload.
func TestBrowserIsolationPolicy(t *testing.T) {
	b := newBrowser(t, 1366, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "t.db")})
	checked := `document.querySelector('[data-test="isolation-level-medium"] input').checked`
	b.do(t, "open the settings", login(s, "changshan"), chromedp.WaitVisible(`[data-test="menu-township"]`),
		chromedp.Click(`[data-test="menu-township"]`), chromedp.WaitVisible("#township-settings-isolation_levels"),
		poll(checked))
	b.do(t, "stop isolating medium risk", chromedp.Click(`[data-test="isolation-level-medium"]`),
		chromedp.Click("#township-settings-save"), chromedp.WaitVisible(".el-message--success"),
		chromedp.Reload(), chromedp.WaitVisible("#township-settings-isolation_levels"), poll("!"+checked))
	// How long personal data is kept is policy too.
	retention := `document.querySelector('#township-settings-retention_days input, input#township-settings-retention_days').value`
	b.do(t, "keep personal data a year", poll(retention+` === "180"`),
		replaceText("#township-settings-retention_days input, input#township-settings-retention_days", "365"),
		chromedp.Click("#township-settings-save"), chromedp.WaitVisible(".el-message--success"),
		chromedp.Reload(), chromedp.WaitVisible("#township-settings-retention_days"), poll(retention+` === "365"`))
	b.screenshot(t, "policy")
	b.noProblems(t)
}

// anyStatus, passed to apiCall as out, takes an answer of any status: for a test that expects
// a refusal and checks the status itself.
type anyStatus struct{}

// apiCall sends a JSON request to the server as token and returns the answer's status and
// body. Unless out is anyStatus{}, an answer of 300 or more fails the test, and a non-nil out
// receives the decoded body.
func apiCall(t *testing.T, s *server, method, path, token string, body, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.(anyStatus); ok {
		return res.StatusCode, string(b)
	}
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: got %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode, string(b)
}

// addWorker has the demo's hr1 put a local worker, back yesterday, on its roster through the
// API, and returns the enterprise's login code.
func addWorker(t *testing.T, s *server, name, id, phone string) (code string) {
	t.Helper()
	_, hr := s.login(t, "hr1")
	token := hr["access_token"].(string)
	var me struct {
		EnterpriseID int64 `json:"enterprise_id"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/me", token, nil, &me)
	var ent struct{ Code string }
	apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", me.EnterpriseID), token, nil, &ent)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	apiCall(t, s, http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/workers", me.EnterpriseID), token, map[string]any{
		"name": name, "id_number": id, "phone": phone, "origin_region": "371681",
		"arrived_on": time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly),
	}, nil)
	return ent.Code
}

// TestBrowserWorkerCheckin is the worker's morning on a cheap phone: the first time, set a PIN
// with the whole ID number (an easy PIN is refused, naming it), report a temperature, see the
// confirmation; the next time, sign in with the PIN alone. HR finds the worker no longer missing
// on the day's status page, and resets the PIN from the roster, which the roster then shows.
func TestBrowserWorkerCheckin(t *testing.T) {
	b := newBrowser(t, 360, 740)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "c.db")})
	id := testID("19850704", 77)
	code := addWorker(t, s, "周卫东", id, "13800007777")

	b.do(t, "open the enrolment", chromedp.Navigate(s.url+"/checkin/login"), chromedp.WaitVisible("#worker-mode-toggle"),
		chromedp.Click("#worker-mode-toggle"), chromedp.WaitVisible(in("worker-id-number")))
	b.do(t, "an easy PIN is refused", chromedp.SendKeys(in("worker-code"), code), chromedp.SendKeys(in("worker-phone"), "13800007777"),
		chromedp.SendKeys(in("worker-id-number"), id), chromedp.SendKeys(in("worker-pin"), "850704"),
		chromedp.SendKeys(in("worker-pin-again"), "850704"), chromedp.Click("#worker-login-submit"),
		waitText("#worker-login-form", "出生日期"))
	b.screenshot(t, "weak-pin")
	b.do(t, "a good PIN enrols and signs in", replaceText(in("worker-pin"), testPIN), replaceText(in("worker-pin-again"), testPIN),
		chromedp.Click("#worker-login-submit"), chromedp.WaitVisible("#checkin-submit"))
	// The typed temperature turns red at the township's threshold (the demo's 37.3), from /me.
	typedFever := `document.querySelector(".temp")?.classList.contains("fever")`
	b.do(t, "a fever typed shows red", replaceText(in("checkin-temperature"), "37.4"), poll(typedFever),
		replaceText(in("checkin-temperature"), "37.2"), poll("!"+typedFever))
	b.do(t, "check in", replaceText(in("checkin-temperature"), "36.6"), chromedp.Click("#checkin-submit"),
		chromedp.WaitVisible("#checkin-done"), waitText("#checkin-done", "✓"))
	width, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 360 {
		t.Errorf("page is %d px wide (%v), want no horizontal scrolling at 360 px", width, err)
	}
	b.screenshot(t, "done")
	b.do(t, "the next day: the PIN alone signs in", clearStorage(), chromedp.Navigate(s.url+"/checkin/login"),
		chromedp.WaitVisible(in("worker-pin")), chromedp.SendKeys(in("worker-code"), code),
		chromedp.SendKeys(in("worker-phone"), "13800007777"), chromedp.SendKeys(in("worker-pin"), testPIN),
		chromedp.Click("#worker-login-submit"), chromedp.WaitVisible("#checkin-submit"))

	b.do(t, "HR sees the report", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, "hr1"),
		poll(`location.pathname === "/enterprise"`), chromedp.Navigate(s.url+"/checkins"),
		chromedp.WaitVisible("#status-table"), waitText("#status-table", "周卫东"), waitText("#status-table", "36.6"))
	b.screenshot(t, "status")
	b.do(t, "HR resets the PIN", chromedp.Navigate(s.url+"/roster"), chromedp.WaitVisible(in("worker-search")),
		chromedp.SendKeys(in("worker-search"), "周卫东"), chromedp.Click("#worker-search-submit"),
		poll(`document.querySelectorAll('#worker-table [data-test="worker-name"]').length >= 1 && [...document.querySelectorAll('#worker-table [data-test="worker-name"]')].every(e => e.textContent.includes("周卫东"))`),
		pick(`#worker-table [data-test="worker-reset-pin"]`), chromedp.WaitVisible(".reset-pin-box"),
		pick(".reset-pin-box .reset-pin-confirm"), waitText("#worker-table", "未设置 PIN"))
	b.noProblems(t)
}

// TestBrowserPlatformPages walks the platform admin's pages: the townships and one township's
// settings with its zone chart. The platform admin reads no township's business any more; its
// pages must not call for any, so none shows an error.
func TestBrowserPlatformPages(t *testing.T) {
	b := newBrowser(t, 1280, 800)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "p.db")})
	b.do(t, "sign in", login(s, "platform"), poll(`location.pathname === "/townships"`),
		waitText("#township-table", "长山镇"))
	b.do(t, "open the township", chromedp.Click(`[data-test="township-edit"]`),
		poll(`location.pathname.startsWith("/townships/")`), chromedp.WaitVisible("#township-settings-form"),
		chromedp.WaitVisible("#zone-chart canvas"))
	b.do(t, "no error shown", poll(`!document.querySelector('.el-alert--error')`))
	b.screenshot(t, "township")
	b.noProblems(t)
}

// TestBrowserOwnPassword: the town admin changes their own password from the accounts page. The
// dialog asks for the current one, shows the server's message beside it when it is missing,
// and after the change signs out, since the new password ends every session of the account.
func TestBrowserOwnPassword(t *testing.T) {
	b := newBrowser(t, 1280, 800)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "o.db")})
	b.do(t, "sign in", login(s, "changshan"), poll(`location.pathname === "/enterprises"`))
	b.do(t, "find one's own account", chromedp.Navigate(s.url+"/users"), waitText("#user-table", "changshan"),
		// By name: the username would find changshan2 too.
		chromedp.SendKeys(in("user-search"), "长山镇复工专班"), chromedp.SendKeys(in("user-search"), kb.Enter),
		poll(`document.querySelectorAll('#user-table [data-test="user-edit"]').length === 1`))
	b.do(t, "open it", chromedp.Click(`#user-table [data-test="user-edit"]`), chromedp.WaitVisible("#user-form"),
		poll(`!document.querySelector('#user-current_password')`))
	b.do(t, "a new password asks for the current one", chromedp.SendKeys(in("user-password"), "Changshan-2020"),
		chromedp.WaitVisible(in("user-current_password")))
	b.do(t, "saving without it names the field", chromedp.Click("#user-save"),
		waitText("#user-form", "修改自己的密码须先输入当前密码"))
	b.do(t, "with it, saved and signed out", chromedp.SendKeys(in("user-current_password"), "demo1234"),
		chromedp.Click("#user-save"), poll(`location.pathname === "/login"`))
	b.do(t, "the new password signs in", chromedp.WaitVisible(in("login-username")),
		chromedp.SendKeys(in("login-username"), "changshan"), chromedp.SendKeys(in("login-password"), "Changshan-2020"),
		chromedp.Click("#login-submit"), poll(`location.pathname === "/enterprises"`))
	b.noProblems(t)
}
