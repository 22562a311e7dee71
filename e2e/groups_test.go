package e2e

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/notify"
	"fugong/notify/notifytest"
	"fugong/repo/dbtest"
)

// Issue 20 end to end: the real program's messenger, stepping every second, against local
// protocol servers of the platforms (notifytest), which check every request as the platform
// would (a DingTalk robot with 加签 refuses an unsigned or badly signed one).

// groupWait bounds every wait on the messenger: it steps every second, so a minute is a
// guard against a hang on a busy two-core machine, not a speed check.
const groupWait = time.Minute

// startRobot starts a platform's local protocol server for the test's length.
func startRobot(t *testing.T, cfg notifytest.Config) *notifytest.Server {
	t.Helper()
	r := notifytest.Start(cfg)
	t.Cleanup(r.Close)
	return r
}

// groupChannel is a channel as GET /channels and POST /channels answer it.
type groupChannel struct {
	ID        int64  `json:"id"`
	Scope     string `json:"scope"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	HasSecret bool   `json:"has_secret"`
}

// addGroupChannel makes a channel as token reaching robot r, with the form's extra fields.
func addGroupChannel(t *testing.T, s *server, token string, r *notifytest.Server, name string, extra map[string]any) groupChannel {
	t.Helper()
	target := r.Channel()
	body := map[string]any{"name": name, "kind": string(target.Kind), "url": target.URL}
	if target.Secret != "" {
		body["secret"] = target.Secret
	}
	for k, v := range extra {
		body[k] = v
	}
	var c groupChannel
	apiCall(t, s, http.MethodPost, "/api/v1/channels", token, body, &c)
	return c
}

// groupMessage is one row of GET /messages.
type groupMessage struct {
	ID        int64  `json:"id"`
	ChannelID int64  `json:"channel_id"`
	Type      string `json:"type"`
	Title     string `json:"title"`
	Markdown  string `json:"markdown"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastCode  int    `json:"last_code"`
	LastError string `json:"last_error"`
	// MergedInto is the message whose send carried this one (status merged).
	MergedInto int64 `json:"merged_into"`
}

func groupMessages(t *testing.T, s *server, token, query string) []groupMessage {
	t.Helper()
	var l struct {
		Items []groupMessage `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/messages?"+query, token, nil, &l)
	return l.Items
}

// waitUntil polls cond every 50 ms until it holds, failing the test with what it waited for
// and state() after d.
func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s; %s", d, what, state())
		}
		<-tick.C
	}
}

func accessToken(t *testing.T, s *server, username string) string {
	t.Helper()
	status, out := s.login(t, username)
	if status != http.StatusOK {
		t.Fatalf("login %s: got %d %v", username, status, out)
	}
	return out["access_token"].(string)
}

// groupEnterprise is the enterprise whose groups the tests watch.
type groupEnterprise struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	ContactPhone string `json:"contact_phone"`
	hrToken      string
}

// supervisedEnterprise is the enterprise of the first of the HR accounts whose enterprise
// supervisor1 supervises (as GET /enterprises answers supervisor1), so that one alert reaches
// the enterprise's group and the supervisor's.
func supervisedEnterprise(t *testing.T, s *server, supToken string, hrUsers ...string) groupEnterprise {
	t.Helper()
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises?page_size=100", supToken, nil, &list)
	for _, u := range hrUsers {
		hr := accessToken(t, s, u)
		var me struct {
			EnterpriseID int64 `json:"enterprise_id"`
		}
		apiCall(t, s, http.MethodGet, "/api/v1/me", hr, nil, &me)
		if !slices.ContainsFunc(list.Items, func(e struct {
			ID int64 `json:"id"`
		}) bool {
			return e.ID == me.EnterpriseID
		}) {
			t.Logf("supervisor1 does not supervise %s's enterprise %d", u, me.EnterpriseID)
			continue
		}
		e := groupEnterprise{hrToken: hr}
		apiCall(t, s, http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", me.EnterpriseID), hr, nil, &e)
		return e
	}
	t.Fatalf("supervisor1 supervises none of the enterprises of %v", hrUsers)
	return groupEnterprise{}
}

// feverWorker puts a worker, back yesterday, on the enterprise's roster and has them report
// a fever for the slot of now; it returns the masked name the groups are told.
func feverWorker(t *testing.T, s *server, e groupEnterprise, name string, seq int) string {
	t.Helper()
	_, tok := readingsWorker(t, s, e.hrToken, e.ID, e.Code, name, testID("19860412", seq), fmt.Sprintf("139002%05d", seq), false)
	apiCall(t, s, http.MethodPost, "/api/v1/checkins", tok, map[string]any{"slot": slotNow(), "temperature": 38.6}, nil)
	return domain.MaskName(name)
}

// slotNow is the check-in slot of now in the demo township's zone.
func slotNow() string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if time.Now().In(loc).Hour() < 12 {
		return "am"
	}
	return "pm"
}

// markdownAbout returns the robot's markdown messages that carry an alert about the worker
// masked (alertAbout).
func markdownAbout(r *notifytest.Server, masked string) []notifytest.Received {
	s := alertAbout(masked)
	var out []notifytest.Received
	for _, m := range r.Received() {
		if m.MsgType == "markdown" && strings.Contains(m.Text, s) {
			out = append(out, m)
		}
	}
	return out
}

// alertAbout is what an alert's text says of its worker (masked): "职工：" and the masked name
// (a shift may follow). The name alone is not enough: the missed-check-in list names people
// too, and in the evening a new worker without a morning report is on it, so the list merged
// into a send with another alert counted as the worker's alert sent twice.
func alertAbout(masked string) string { return "职工：" + masked }

// received describes what a robot received, for a failure's message.
func received(r *notifytest.Server) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests, accepted:", r.Attempts())
	for _, m := range r.Received() {
		fmt.Fprintf(&b, "\n  %s %s %q %.80q %v", m.At.Format("15:04:05.000"), m.MsgType, m.Title, m.Text, m.Mentions)
	}
	return b.String()
}

// markersUntil raises a fever alert in e (the markers' names are other surnames than the
// demo's) and waits until every robot has its markdown, again and again, until quiet has
// passed since from. A marker received is a messenger step that ran after the one that sent
// what the test checks: so what a later step would send twice has had its chance, and a
// condition, not a sleep, says so. It returns how many markers it took.
func markersUntil(t *testing.T, s *server, e groupEnterprise, from time.Time, quiet time.Duration, seq int, robots ...*notifytest.Server) int {
	t.Helper()
	names := []string{"蔺建平", "阙小梅", "隗志强", "亓秀兰", "禚国庆", "蒯红霞", "厍德明", "晁丽娟"}
	n := 0
	for ; n == 0 || time.Since(from) < quiet; n++ {
		if n == len(names) {
			t.Fatalf("%d markers in %v: the messenger is slower than a step a second", n, time.Since(from))
		}
		masked := feverWorker(t, s, e, names[n], seq+n)
		for _, r := range robots {
			waitUntil(t, "the marker alert of "+masked, groupWait,
				func() bool { return len(markdownAbout(r, masked)) > 0 }, func() string { return received(r) })
		}
	}
	return n
}

// TestGroupsWithinSeconds is issue 20's promise, on the real program: a fever check-in reaches
// the enterprise's WeCom group (the alert, then a text @-mentioning the HR contact) and its
// supervisor's DingTalk group (signed) within seconds, once.
func TestGroupsWithinSeconds(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "g.db")})
	sup := accessToken(t, s, "supervisor1")
	// hr21 (长山镇福源面业有限公司) is also supervisor1's, should the demo move hr1's enterprise.
	e := supervisedEnterprise(t, s, sup, "hr1", "hr21")
	if len(e.ContactPhone) != 11 || e.ContactPhone[0] != '1' {
		t.Fatalf("%s's contact phone %q is no mobile number: nobody to @-mention", e.Name, e.ContactPhone)
	}
	wecom := startRobot(t, notifytest.Config{Kind: notify.KindWeCom, Key: "e2e-enterprise-robot"})
	ding := startRobot(t, notifytest.Config{Kind: notify.KindDingTalk, Key: "e2e-supervisor-robot", Secret: "SECe2e0supervisor0robot0secret"})
	entCh := addGroupChannel(t, s, e.hrToken, wecom, "复工联络群（测试）", nil)
	supCh := addGroupChannel(t, s, sup, ding, "监督员工作群（测试）", nil)
	if entCh.Scope != "enterprise" || supCh.Scope != "supervisor" || !supCh.HasSecret {
		t.Fatalf("channels: %+v %+v, want the enterprise's and the supervisor's, signed", entCh, supCh)
	}

	masked := feverWorker(t, s, e, "濮文亮", 1)
	answered := time.Now()
	// The enterprise's group: the markdown alert, then the text that @-mentions HR (WeCom's
	// markdown cannot mention by phone).
	var entAt, supAt time.Time
	waitUntil(t, "the enterprise's WeCom robot to get the alert and its @HR text", groupWait, func() bool {
		got := wecom.Received()
		for i, m := range got {
			if m.MsgType == "markdown" && strings.Contains(m.Text, alertAbout(masked)) && i+1 < len(got) &&
				got[i+1].MsgType == "text" && slices.Equal(got[i+1].Mentions, []string{e.ContactPhone}) {
				entAt = got[i+1].At
				return true
			}
		}
		return false
	}, func() string { return received(wecom) })
	waitUntil(t, "the supervisor's DingTalk robot to get the alert", groupWait, func() bool {
		if got := markdownAbout(ding, masked); len(got) > 0 {
			supAt = got[0].At
			return true
		}
		return false
	}, func() string { return received(ding) })
	both := later(entAt, supAt)
	t.Logf("from the check-in's answer: the enterprise's group had the alert and the @HR text after %v, "+
		"the supervisor's group after %v; both after %v", entAt.Sub(answered).Round(time.Millisecond),
		supAt.Sub(answered).Round(time.Millisecond), both.Sub(answered).Round(time.Millisecond))

	var sent []groupMessage
	for _, m := range groupMessages(t, s, e.hrToken, fmt.Sprintf("type=alert&channel_id=%d", entCh.ID)) {
		if strings.Contains(m.Markdown, alertAbout(masked)) {
			sent = append(sent, m)
		}
	}
	// Sent at the first attempt, alone or with another message queued for the group at the
	// same moment (under load, say, the morning's missed-check-in list): then the alert is
	// recorded merged into that one's send, which must have gone at its first attempt.
	if len(sent) == 1 && sent[0].Status == "merged" {
		for _, m := range groupMessages(t, s, e.hrToken, fmt.Sprintf("channel_id=%d", entCh.ID)) {
			if m.ID == sent[0].MergedInto {
				t.Logf("the alert went out merged into message %d (%s, %s)", m.ID, m.Type, m.Title)
				sent[0].Status, sent[0].Attempts = m.Status, m.Attempts
			}
		}
	}
	if len(sent) != 1 || sent[0].Status != "sent" || sent[0].Attempts != 1 {
		t.Errorf("HR's messages of the alert: got %+v, want one, sent at the first attempt (alone or merged into a send that was)", sent)
	}

	n := markersUntil(t, s, e, both, 3*time.Second, 11, wecom, ding)
	t.Logf("%d marker alerts later, %v after the alert was received", n, time.Since(both).Round(time.Millisecond))
	if got := markdownAbout(wecom, masked); len(got) != 1 {
		t.Errorf("the enterprise's group got the alert %d times, want once; %s", len(got), received(wecom))
	}
	if got := markdownAbout(ding, masked); len(got) != 1 {
		t.Errorf("the supervisor's group got the alert %d times, want once; %s", len(got), received(ding))
	} else if link := "](" + s.url + "/alerts?status=open&enterprise_id="; !strings.Contains(got[0].Text, link) {
		t.Errorf("the alert's link: want one to this server's alerts (%s…), got %q", link, got[0].Text)
	}
	// Every alert's markdown came with its @HR text, and nothing else.
	var md, text int
	for _, m := range wecom.Received() {
		switch {
		case m.MsgType == "markdown":
			md++
		case m.MsgType == "text" && slices.Equal(m.Mentions, []string{e.ContactPhone}):
			text++
		}
	}
	if md != text || md != len(wecom.Received())-text {
		t.Errorf("the enterprise's group: %d markdown messages and %d @HR texts, want one text after each; %s", md, text, received(wecom))
	}
	// DingTalk answered every request it was sent with acceptance: every one was signed right.
	if ding.Attempts() != len(ding.Received()) {
		t.Errorf("the supervisor's robot refused %d of %d requests; %s", ding.Attempts()-len(ding.Received()), ding.Attempts(), received(ding))
	}
}

// pick is a scheduled event of today that a township setting makes fall due now, the setting,
// and the message type and channel that hear it.
type schedulePick struct {
	key   string         // the event's key
	patch map[string]any // PATCH /townships/:id
	typ   string         // the message type
	town  bool           // heard by the township's channel, else by the enterprise's
}

// townPolicy is what of a township's settings decides when its scheduled events fall due.
type townPolicy struct {
	ID            int64  `json:"id"`
	CutoffAM      string `json:"checkin_cutoff_am"`
	CutoffPM      string `json:"checkin_cutoff_pm"`
	RemindMinutes int    `json:"remind_minutes"`
	SummaryAt     string `json:"summary_at"`
}

// pickScheduled chooses an event of today whose key is not written yet (written says) and the
// setting that makes it due at now, local: a scheduled event's key is written once a day, and
// the demo's first start writes the ones already due then (the summary after 08:30, who missed
// a slot after its cut-off), so which one is free depends on the hour:
//   - the morning summary, before its time has come: summary_at set to this minute;
//   - else a slot's reminder (written only while its slot's reminder window is open): the
//     slot's cut-off set 20 minutes on (at most 23:59, and at least 2 minutes on), 30 minutes
//     of reminder; the afternoon's when that is after the morning's cut-off, else the
//     morning's, with the afternoon's cut-off moved to 23:59 when it would come before;
//   - else who missed a slot, before the slot's cut-off passed: its cut-off set to this
//     minute (09:30–09:40 with the demo's 10:00 and 16:00, when the summary and the morning's
//     reminder are written and the afternoon's cut-off cannot come 20 minutes on).
//
// The last three minutes of the day have none: the caller starts after midnight then.
func pickScheduled(now time.Time, pol townPolicy, written func(key string) bool) (schedulePick, bool) {
	day := now.Format(time.DateOnly)
	key := func(kind, slot string) string { return fmt.Sprintf("%s:%d:%s:%s", kind, pol.ID, day, slot) }
	hm := func(t time.Time) string { return t.Format("15:04") }
	minute := now.Truncate(time.Minute)
	if k := key("summary", ""); !written(k) {
		return schedulePick{key: k, patch: map[string]any{"summary_at": hm(minute)}, typ: "summary", town: true}, true
	}
	cut := minute.Add(20 * time.Minute)
	if cut.Day() != now.Day() {
		cut = time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 0, 0, now.Location())
	}
	if cut.Sub(now) >= 2*time.Minute {
		if k := key("reminder", "pm"); !written(k) && hm(cut) > pol.CutoffAM {
			return schedulePick{key: k, patch: map[string]any{"checkin_cutoff_pm": hm(cut), "remind_minutes": 30}, typ: "reminder"}, true
		}
		if k := key("reminder", "am"); !written(k) && hm(cut) < "23:59" {
			patch := map[string]any{"checkin_cutoff_am": hm(cut), "remind_minutes": 30}
			if hm(cut) >= pol.CutoffPM {
				patch["checkin_cutoff_pm"] = "23:59" // after the morning's; its events are written by then
			}
			return schedulePick{key: k, patch: patch, typ: "reminder"}, true
		}
	}
	if k := key("missed", "am"); !written(k) && hm(minute) < pol.CutoffPM {
		return schedulePick{key: k, patch: map[string]any{"checkin_cutoff_am": hm(minute)}, typ: "missed"}, true
	}
	if k := key("missed", "pm"); !written(k) && hm(minute) > pol.CutoffAM {
		return schedulePick{key: k, patch: map[string]any{"checkin_cutoff_pm": hm(minute)}, typ: "missed"}, true
	}
	return schedulePick{}, false
}

// TestPickScheduled checks the choice at every minute of the day, against the demo's first
// start (which writes what is due then) and the default schedule of the minutes since.
func TestPickScheduled(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	pol := townPolicy{ID: 1, CutoffAM: "10:00", CutoffPM: "16:00", RemindMinutes: 30, SummaryAt: "08:30"}
	town := domain.Township{ID: 1, Timezone: "Asia/Shanghai", Policy: domain.Policy{CutoffAM: "10:00", CutoffPM: "16:00",
		RemindMinutes: 30, SummaryAt: "08:30"}}
	midnight := time.Date(2020, 2, 10, 0, 0, 0, 0, loc)
	for m := 0; m < 24*60; m++ {
		now := midnight.Add(time.Duration(m)*time.Minute + 30*time.Second)
		written := map[string]bool{}
		for _, e := range domain.DueToday(town, now.Add(-time.Minute)) { // the first start, a minute ago
			written[e.Key] = true
		}
		for _, e := range domain.Scheduled(town, now) {
			written[e.Key] = true
		}
		p, ok := pickScheduled(now, pol, func(k string) bool { return written[k] })
		if !ok {
			if m < 23*60+57 {
				t.Errorf("%s: no event to pick", now.Format("15:04:05"))
			}
			continue
		}
		// The patched township has the event due now, and due for a while.
		patched := town
		for k, v := range p.patch {
			switch k {
			case "summary_at":
				patched.Policy.SummaryAt = v.(string)
			case "checkin_cutoff_am":
				patched.Policy.CutoffAM = v.(string)
			case "checkin_cutoff_pm":
				patched.Policy.CutoffPM = v.(string)
			case "remind_minutes":
				patched.Policy.RemindMinutes = v.(int)
			}
		}
		if patched.Policy.CutoffAM >= patched.Policy.CutoffPM {
			t.Errorf("%s: %v makes the morning's cut-off %s no earlier than the afternoon's %s", now.Format("15:04"), p.patch,
				patched.Policy.CutoffAM, patched.Policy.CutoffPM)
		}
		for _, at := range []time.Time{now, now.Add(90 * time.Second)} {
			if !slices.ContainsFunc(domain.Scheduled(patched, at), func(e domain.Event) bool { return e.Key == p.key }) {
				t.Errorf("%s: %s with %v is not due at %s", now.Format("15:04:05"), p.key, p.patch, at.Format("15:04:05"))
			}
		}
	}
}

// TestScheduledOnceTwoProcesses: two real servers on one PostgreSQL database, both running the
// messenger every second, send a scheduled message once. The event falls due by a township
// setting rather than by moving the clock (see pickScheduled for which one, at which hour).
func TestScheduledOnceTwoProcesses(t *testing.T) {
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("two processes on one database need PostgreSQL: %s is not set", dbtest.PostgresURLEnv)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	// In the day's last minutes no event can be made due for long enough: start in the next day.
	if now := time.Now().In(loc); now.Hour() == 23 && now.Minute() >= 57 {
		t.Logf("%s: waiting for the day to turn", now.Format("15:04:05"))
		waitUntil(t, "midnight", 4*time.Minute, func() bool { return time.Now().In(loc).Hour() == 0 }, func() string { return "" })
	}
	dbURL := dbtest.EmptyPostgres(t)
	dir := t.TempDir() // one data directory: both processes read the secrets the first made
	env := func() map[string]string {
		return map[string]string{"FUGONG_DATABASE_URL": dbURL, "FUGONG_DATA_DIR": dir}
	}
	// startServer starts `serve --demo`: the first seeds the demo; the second finds it made and
	// only points the demo's own channels at its local robots.
	first := startServer(t, env())
	second := startServer(t, env())

	admin := accessToken(t, first, "changshan")
	var me struct {
		TownshipID int64 `json:"township_id"`
	}
	apiCall(t, first, http.MethodGet, "/api/v1/me", admin, nil, &me)
	var pol townPolicy
	apiCall(t, first, http.MethodGet, fmt.Sprintf("/api/v1/townships/%d", me.TownshipID), admin, nil, &pol)

	// A township channel and an enterprise channel, each at its own robot; someone due today
	// who has not reported, so that the enterprise's reminder and list of the missing have a name.
	e := supervisedEnterprise(t, first, accessToken(t, first, "supervisor1"), "hr1", "hr21")
	townRobot := startRobot(t, notifytest.Config{Kind: notify.KindWeCom, Key: "e2e-town-robot", PerMinute: 1000})
	entRobot := startRobot(t, notifytest.Config{Kind: notify.KindWeCom, Key: "e2e-enterprise-robot", PerMinute: 1000})
	townCh := addGroupChannel(t, first, admin, townRobot, "镇专班群（测试）", map[string]any{"scope": "township"})
	entCh := addGroupChannel(t, second, e.hrToken, entRobot, "复工联络群（测试）", nil)
	readingsWorker(t, second, e.hrToken, e.ID, e.Code, "濮文亮", testID("19860412", 2), "13900200002", false)

	// Only now, with both channels there, which events are written: one written from here on
	// is fanned out to both.
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	written := func(key string) bool {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM outbox_events WHERE key = $1`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	now := time.Now().In(loc)
	p, ok := pickScheduled(now, pol, written)
	if !ok {
		t.Fatalf("%s: no scheduled event of today is free to make due (policy %+v)", now.Format("15:04:05"), pol)
	}
	ch, robot := entCh, entRobot
	if p.town {
		ch, robot = townCh, townRobot
	}
	t.Logf("%s: making %s due now with %v, for %s", now.Format("15:04:05"), p.key, p.patch, ch.Name)
	apiCall(t, second, http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", me.TownshipID), admin, p.patch, nil)

	var msg groupMessage
	waitUntil(t, "the "+p.typ+" message to be sent", groupWait, func() bool {
		ms := groupMessages(t, first, admin, fmt.Sprintf("type=%s&channel_id=%d", p.typ, ch.ID))
		if len(ms) > 0 && ms[0].Status == "sent" {
			msg = ms[0]
			return true
		}
		return false
	}, func() string { return received(robot) })
	if !written(p.key) {
		t.Fatalf("the %s message was sent without the event %s", p.typ, p.key)
	}
	var got []notifytest.Received
	waitUntil(t, "the robot to have the "+p.typ+" message", groupWait, func() bool {
		got = slices.DeleteFunc(robot.Received(), func(r notifytest.Received) bool { return r.MsgType != "markdown" || r.Title != msg.Title })
		return len(got) > 0
	}, func() string { return received(robot) })

	// Both messengers step every second; markers sent by either since the message arrived mean
	// later steps ran and sent nothing of it again.
	n := markersUntil(t, second, e, got[0].At, 3*time.Second, 21, entRobot)
	t.Logf("%d marker alerts later, %v after the %s message arrived", n, time.Since(got[0].At).Round(time.Millisecond), p.typ)
	got = slices.DeleteFunc(robot.Received(), func(r notifytest.Received) bool { return r.MsgType != "markdown" || r.Title != msg.Title })
	if len(got) != 1 {
		t.Errorf("the robot received the %s message %d times, want once; %s", p.typ, len(got), received(robot))
	}
	for _, s := range []*server{first, second} {
		ms := groupMessages(t, s, admin, fmt.Sprintf("type=%s&channel_id=%d", p.typ, ch.ID))
		if len(ms) != 1 || ms[0].Status != "sent" || ms[0].Attempts != 1 {
			t.Errorf("%s's messages of %s: got %+v, want one, sent at the first attempt", s.url, p.key, ms)
		}
		if log := s.out.String(); strings.Contains(log, `"msg":"group messages"`) {
			t.Errorf("%s's messenger failed a step: %s", s.url, errorLines(log))
		}
	}
}

// errorLines are the messenger's error lines of a log.
func errorLines(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `"msg":"group messages"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// later is the later of two moments.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
