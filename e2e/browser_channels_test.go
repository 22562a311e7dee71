package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"fugong/notify"
	"fugong/notify/notifytest"
)

// channelRow is the JavaScript of the channel list's row named name (the demo's own channels
// are listed too).
func channelRow(name string) string {
	// A row of the table on a desktop, a card on a phone (issue 21's card lists).
	return fmt.Sprintf(`[...document.querySelectorAll('tr.channel-row, [data-test="card"]')].find((r) => r.innerText.includes(%q))`, name)
}

// closeDialogs waits until no dialog is open and the list has reloaded, so that the next
// click lands on the row: while the list loads, its mask takes the clicks.
func closeDialogs() chromedp.Action[chromedp.Void] {
	return poll(`![...document.querySelectorAll('.el-overlay, #channel-table .el-loading-mask')].some(e => e.offsetParent !== null)`)
}

// TestBrowserChannels walks HR's 群消息推送 page in a real Chromium: a WeCom robot added through
// the form appears in the list, and its test message reaches the robot (a local protocol
// server) with the answer 成功; a wrong key's test shows the platform's own code; an address
// that is no robot's is refused beside the address field. The town admin's messages page
// shows, under 群里收到的（演示）, the demo's six groups and what they received. The list is
// usable on a 360 px phone.
func TestBrowserChannels(t *testing.T) {
	b := newBrowser(t, 1280, 900)
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "ch.db")})
	robot := startRobot(t, notifytest.Config{Kind: notify.KindWeCom, Key: "e2e-browser-robot"})
	const name = "长星纺织复工联络群（测试）"
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's channel requests:\n%s", linesWith(s.out.String(), "/api/v1/channels"))
		}
	})

	b.do(t, "sign in as hr1", login(s, "hr1"), poll(`location.pathname === "/enterprise"`))
	b.do(t, "open the channels", chromedp.Navigate(s.url+"/channels"), chromedp.WaitVisible("#channel-add"),
		waitText("#channel-table", "长星纺织防疫工作群")) // the demo's own
	b.do(t, "add a WeCom robot", chromedp.Click("#channel-add"), chromedp.WaitVisible("#channel-dialog"), animationsSettled(),
		chromedp.SendKeys(in("channel-name"), name),
		chromedp.Click(`[data-test="channel-kind"][data-value="wecom"]`),
		chromedp.SendKeys(in("channel-url"), robot.Channel().URL),
		chromedp.Click("#channel-save"), closeDialogs(),
		poll(fmt.Sprintf(`(() => { const r = %s; return !!r && r.dataset.kind === "wecom" && r.dataset.scope === "enterprise"; })()`, channelRow(name))))
	b.screenshot(t, "added")
	id, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](channelRow(name)+`.dataset.channelId`))
	if err != nil || id == "" {
		t.Fatalf("the new row's channel ID: %q %v", id, err)
	}
	button := func(class string) string { return fmt.Sprintf(`.%s[data-channel-id=%q]`, class, id) }

	b.do(t, "send a test message", chromedp.Click(button("channel-test")), chromedp.WaitVisible("#test-answer"),
		chromedp.WaitVisible(`#test-answer .test-outcome[data-outcome="ok"]`), waitText("#test-answer .test-code", "0"))
	b.screenshot(t, "test-ok")
	if got := robot.Received(); len(got) != 1 || got[0].MsgType != "markdown" {
		t.Errorf("the robot received %s, want the one test message", received(robot))
	}
	b.do(t, "close the answer", chromedp.Click("#test-answer-close"), closeDialogs())

	// Another key, with other last characters, so that the list's hint tells the list has
	// reloaded: a click while it re-renders the row is lost.
	wrong := strings.Replace(robot.Channel().URL, "e2e-browser-robot", "e2e-wrong-key-9999", 1)
	b.do(t, "give it another robot's key", chromedp.Click(button("channel-edit")), chromedp.WaitVisible("#channel-dialog"),
		animationsSettled(), replaceText(in("channel-url"), wrong), chromedp.Click("#channel-save"), closeDialogs(),
		poll(channelRow(name)+`.innerText.includes("9999")`), closeDialogs())
	b.do(t, "its test shows the platform's code", chromedp.Click(button("channel-test")), chromedp.WaitVisible("#test-answer"),
		chromedp.WaitVisible(`#test-answer .test-outcome[data-outcome="permanent"]`), waitText("#test-answer .test-code", "93000"),
		waitText("#test-answer .test-message", "invalid webhook url"))
	b.screenshot(t, "test-wrong-key")
	b.do(t, "close the answer", chromedp.Click("#test-answer-close"), closeDialogs())
	if got := len(robot.Received()); got != 1 {
		t.Errorf("the robot accepted %d messages, want still the one test message; %s", got, received(robot))
	}

	urlError := `(document.querySelector('#channel-url').closest('.el-form-item').querySelector('.el-form-item__error') || {}).innerText || ''`
	b.do(t, "an address that is no robot's", chromedp.Click(button("channel-edit")), chromedp.WaitVisible("#channel-dialog"),
		animationsSettled(), replaceText(in("channel-url"), "http://example.com/x"), chromedp.Click("#channel-save"),
		poll(`(`+urlError+`) !== ''`), animationsSettled())
	b.screenshot(t, "url-error")
	msg, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](urlError))
	if err != nil || !strings.Contains(msg, "https") {
		t.Errorf("the address's error: %q %v, want the server's message (https)", msg, err)
	}

	// The town admin's messages page, the demo's groups: six cards, and a bubble for every
	// message the API says they received (the demo's start sends today's alerts and what is
	// due, so there usually are some).
	admin := accessToken(t, s, "changshan")
	var demo struct {
		Groups []struct {
			Name     string `json:"name"`
			Messages []any  `json:"messages"`
		} `json:"groups"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/demo/group-messages", admin, nil, &demo)
	if len(demo.Groups) != 7 {
		t.Fatalf("GET /demo/group-messages: %d groups, want the demo's seven", len(demo.Groups))
	}
	bubbles := 0
	for _, g := range demo.Groups {
		bubbles += len(g.Messages)
	}
	t.Logf("the demo's groups received %d messages today", bubbles)
	b.do(t, "sign in as changshan", chromedp.Navigate(s.url+"/login"), clearStorage(), login(s, "changshan"),
		poll(`location.pathname === "/enterprises"`))
	b.do(t, "open the demo's groups", chromedp.Navigate(s.url+"/messages"), chromedp.WaitVisible("#tab-demo"),
		chromedp.Click("#tab-demo"), chromedp.WaitVisible("#group-messages"),
		poll(`document.querySelectorAll('#group-messages .group-card').length === 7`),
		poll(fmt.Sprintf(`document.querySelectorAll('#group-messages .group-bubble').length >= %d`, bubbles)))
	for _, g := range demo.Groups {
		b.do(t, "the card of "+g.Name, chromedp.WaitVisible(fmt.Sprintf(`#group-messages .group-card[data-name=%q]`, g.Name)))
	}
	b.screenshot(t, "demo-groups")
	b.noProblems(t)

	phone := newBrowser(t, 360, 740)
	phone.do(t, "the list on a phone", login(s, "hr1"), poll(`location.pathname === "/enterprise"`),
		chromedp.Navigate(s.url+"/channels"), poll(channelRow(name)+` !== undefined`), chromedp.WaitVisible(button("channel-test")))
	width, err := chromedp.Run(phone.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 360 {
		t.Errorf("the channels page is %d px wide (%v), want no horizontal scrolling at 360 px", width, err)
	}
	phone.screenshot(t, "phone")
	// The row's actions are in the table's own scroll; a thumb reaches them (the channel still
	// has the other robot's key).
	phone.do(t, "test from the phone", chromedp.ScrollIntoView(button("channel-test")), chromedp.Click(button("channel-test")),
		chromedp.WaitVisible(`#test-answer .test-outcome[data-outcome="permanent"]`), waitText("#test-answer .test-code", "93000"), animationsSettled())
	phone.screenshot(t, "phone-test")
	phone.noProblems(t)
}

// linesWith are the lines of text that contain sub.
func linesWith(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
