package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/notify"
	"fugong/notify/notifytest"
	"fugong/repo"
	"fugong/repo/dbtest"
)

type channelDTO struct {
	ID        int64    `json:"id"`
	Scope     string   `json:"scope"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Hint      string   `json:"hint"`
	Muted     []string `json:"muted"`
	Types     []string `json:"types"`
	Enabled   bool     `json:"enabled"`
	HasSecret bool     `json:"has_secret"`
}

type messageDTO struct {
	ID         int64  `json:"id"`
	ChannelID  int64  `json:"channel_id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Markdown   string `json:"markdown"`
	Status     string `json:"status"`
	Attempts   int    `json:"attempts"`
	LastStatus int    `json:"last_status"`
	LastCode   int    `json:"last_code"`
	LastError  string `json:"last_error"`
}

// robotBody is a channel's robot as a form sends it: a notifytest server's address and secret.
func robotBody(s *notifytest.Server, extra map[string]any) map[string]any {
	ch := s.Channel()
	body := map[string]any{"kind": string(ch.Kind), "url": ch.URL, "name": "测试群"}
	if ch.Secret != "" {
		body["secret"] = ch.Secret
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// addChannel makes a channel over HTTP as the caller and returns it.
func (f *fixture) addChannel(token string, body map[string]any) channelDTO {
	f.t.Helper()
	res := f.do(http.MethodPost, "/api/v1/channels", token, body)
	if res.status != http.StatusCreated {
		f.t.Fatalf("POST /channels: got %d %s", res.status, res.body)
	}
	var c channelDTO
	res.decode(f.t, &c)
	return c
}

func (f *fixture) messages(token, query string) []messageDTO {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/messages?"+query, token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("GET /messages: got %d %s", res.status, res.body)
	}
	var l struct {
		Items []messageDTO `json:"items"`
	}
	res.decode(f.t, &l)
	return l.Items
}

// step runs the messenger once, as the server does every second.
func (f *fixture) step() {
	f.t.Helper()
	if _, err := f.svc.Messenger.Step(context.Background()); err != nil {
		f.t.Fatalf("messenger: %v", err)
	}
}

// TestChannels: who keeps which channels, what a list shows of one (never its address, key
// or secret), the fields a bad one names, and the test button's answer from the platform.
func TestChannels(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		hr, sup, town := f.token("hra1"), f.token("supa"), f.token("admina")
		wecom := notifytest.Start(notifytest.Config{Kind: notify.KindWeCom, Key: "wecom-key-0001"})
		defer wecom.Close()
		ding := notifytest.Start(notifytest.Config{Kind: notify.KindDingTalk, Key: "ding-token-0002", Secret: "SECding0secret"})
		defer ding.Close()

		c := f.addChannel(hr, robotBody(wecom, map[string]any{"name": "一号纺织群", "muted": []string{"reminder"}}))
		if c.Scope != "enterprise" || c.Hint == "" || !strings.HasSuffix(c.Hint, "0001") || !slices.Equal(c.Muted, []string{"reminder"}) ||
			!slices.Equal(c.Types, []string{"alert", "reminder", "missed"}) {
			t.Errorf("HR's channel: %+v", c)
		}
		s := f.addChannel(sup, robotBody(ding, map[string]any{"name": "监督员群"}))
		if s.Scope != "supervisor" || !s.HasSecret {
			t.Errorf("supervisor's channel: %+v", s)
		}
		for _, who := range []string{hr, sup, town} {
			res := f.do(http.MethodGet, "/api/v1/channels", who, nil)
			for _, secret := range []string{"wecom-key-0001", "SECding0secret", "ding-token-0002"} {
				if strings.Contains(string(res.body), secret) {
					t.Errorf("a list shows the robot's credential %s: %s", secret, res.body)
				}
			}
		}
		var l struct {
			Items []channelDTO `json:"items"`
		}
		f.do(http.MethodGet, "/api/v1/channels", hr, nil).decode(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != c.ID {
			t.Errorf("HR lists its enterprise's channels only: %+v", l.Items)
		}
		f.do(http.MethodGet, "/api/v1/channels", town, nil).decode(t, &l)
		if len(l.Items) != 2 {
			t.Errorf("the town admin lists every channel of the township: %+v", l.Items)
		}

		// Bad input names its field and changes nothing.
		for _, tt := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"kind": "wecom", "name": "群", "url": "http://example.com/hook"}, "url"},
			{map[string]any{"kind": "dingtalk", "name": "群"}, "key"},
			{map[string]any{"kind": "webhook", "name": "群", "url": "https://sms.example.cn/hook", "secret": "short"}, "secret"},
			{map[string]any{"kind": "qq", "name": "群", "key": "k"}, "kind"},
			{map[string]any{"kind": "wecom", "name": "", "key": "k"}, "name"},
			{map[string]any{"kind": "wecom", "name": "群", "key": "k", "quiet_from": "22:00"}, "quiet_to"},
			{map[string]any{"kind": "wecom", "name": "群", "key": "k", "muted": []string{"weather"}}, "muted"},
		} {
			res := f.do(http.MethodPost, "/api/v1/channels", hr, tt.body)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"`+tt.field+`"`) {
				t.Errorf("%v: got %d %s, want 422 naming %s", tt.body, res.status, res.body, tt.field)
			}
		}
		f.do(http.MethodGet, "/api/v1/channels", town, nil).decode(t, &l)
		if len(l.Items) != 2 {
			t.Errorf("refused channels were kept: %+v", l.Items)
		}

		// The test button: the platform's answer, signed and received; a bad key's answer too.
		var ans struct {
			Outcome    string `json:"outcome"`
			StatusCode int    `json:"status_code"`
			Code       int    `json:"code"`
			Message    string `json:"message"`
		}
		f.do(http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/test", s.ID), sup, nil).decode(t, &ans)
		if ans.Outcome != "ok" || len(ding.Received()) != 1 {
			t.Errorf("test message: %+v, DingTalk received %d", ans, len(ding.Received()))
		}
		bad := wecom.Channel()
		bad.URL = strings.Replace(bad.URL, "wecom-key-0001", "wecom-key-9999", 1)
		res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/channels/%d", c.ID), hr, map[string]any{"url": bad.URL,
			"kind": "wecom", "name": "一号纺织群"})
		if res.status != http.StatusOK {
			t.Fatalf("PATCH: %d %s", res.status, res.body)
		}
		f.do(http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/test", c.ID), hr, nil).decode(t, &ans)
		if ans.Outcome != "permanent" || ans.Code == 0 || ans.Message == "" {
			t.Errorf("a wrong key's test: %+v, want the platform's code and message", ans)
		}
		// Another's channel is not found; a secret is kept when the form sends none.
		if res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/test", c.ID), sup, nil); res.status != http.StatusNotFound {
			t.Errorf("supervisor tests HR's channel: got %d", res.status)
		}
		res = f.do(http.MethodPatch, fmt.Sprintf("/api/v1/channels/%d", s.ID), sup, map[string]any{"kind": "dingtalk", "name": "监督员一群"})
		if res.status != http.StatusOK {
			t.Fatalf("PATCH without secret: %d %s", res.status, res.body)
		}
		f.do(http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/test", s.ID), sup, nil).decode(t, &ans)
		if ans.Outcome != "ok" {
			t.Errorf("after an edit without the secret, the signed test: %+v", ans)
		}
	})
}

// TestFeverReachesGroups is issue 20's first "done when": a fever check-in makes one message
// to the enterprise's group (WeCom, the HR contact @-mentioned) and one to its supervisor's
// (DingTalk, signed), and later steps send nothing again.
func TestFeverReachesGroups(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		wecom := notifytest.Start(notifytest.Config{Kind: notify.KindWeCom, Key: "ent-a1"})
		defer wecom.Close()
		ding := notifytest.Start(notifytest.Config{Kind: notify.KindDingTalk, Key: "sup-a", Secret: "SECsupervisor0a"})
		defer ding.Close()
		other := notifytest.Start(notifytest.Config{Kind: notify.KindFeishu, Key: "sup-a2"})
		defer other.Close()
		f.addChannel(f.token("hra1"), robotBody(wecom, nil))
		f.addChannel(f.token("supa"), robotBody(ding, nil))
		f.addChannel(f.token("supa2"), robotBody(other, nil)) // A2's supervisor: not told of A1

		f.atLocal(8, 30)
		w, tok := f.gateWorker(f.hrA1, f.entA1, 1, "")
		f.checkin(tok, 38.5, "work")
		f.step()
		f.step()

		got := wecom.Received()
		if len(got) != 2 || got[0].MsgType != "markdown" || !strings.Contains(got[0].Title+got[0].Text, "发热") ||
			!strings.Contains(got[0].Text, domain.MaskName(w.Name)) || strings.Contains(got[0].Text, w.Name) ||
			!slices.Equal(got[1].Mentions, []string{f.entA1.ContactPhone}) {
			t.Errorf("the enterprise's group got %+v; want one markdown alert (masked name) and its @HR text", got)
		}
		if got := ding.Received(); len(got) != 1 || !strings.Contains(got[0].Text, "38.5") {
			t.Errorf("the supervisor's group got %+v; want the alert once", got)
		}
		if got := other.Received(); len(got) != 0 {
			t.Errorf("another enterprise's supervisor was told: %+v", got)
		}
		for _, m := range f.messages(f.token("admina"), "") {
			if m.Status != "sent" || m.Type != "alert" || m.Attempts != 1 {
				t.Errorf("message %+v: want sent once", m)
			}
		}
	})
}

// TestTooManyRequests: a robot that answers "too many requests" gets the message later, once.
func TestTooManyRequests(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		clock := notifytest.NewClock(time.Now())
		ding := notifytest.Start(notifytest.Config{Kind: notify.KindDingTalk, Key: "busy", Secret: "SECbusy", PerMinute: 1,
			Throttle: time.Minute, Now: clock.Now})
		defer ding.Close()
		c := f.addChannel(f.token("supa"), robotBody(ding, nil))
		// Somebody else's message took the robot's one a minute: ours is refused.
		f.do(http.MethodPost, fmt.Sprintf("/api/v1/channels/%d/test", c.ID), f.token("supa"), nil)

		f.atLocal(8, 30)
		_, tok := f.gateWorker(f.hrA1, f.entA1, 1, "")
		f.checkin(tok, 38.6, "work")
		f.step()
		ms := f.messages(f.token("supa"), "")
		if len(ms) != 1 || ms[0].Status != "pending" || ms[0].Attempts != 1 || ms[0].LastCode == 0 {
			t.Fatalf("after a refusal: %+v; want pending with the platform's code", ms)
		}
		f.step() // not due yet: nothing is sent
		if n := len(ding.Received()); n != 1 {
			t.Fatalf("the robot received %d messages before the wait was over", n)
		}
		clock.Advance(2 * time.Minute)
		f.ahead.Add(int64(10 * time.Minute))
		f.step()
		f.step()
		got := ding.Received()
		if len(got) != 2 || !strings.Contains(got[1].Text, "38.6") {
			t.Errorf("the robot received %+v; want the test and the alert once", got)
		}
		if ms := f.messages(f.token("supa"), ""); ms[0].Status != "sent" || ms[0].Attempts != 2 {
			t.Errorf("after the wait: %+v", ms)
		}
	})
}

// TestReminderListsTheMissing is issue 20's third "done when": the reminder before the
// afternoon cut-off names exactly the people HR's check-in status page shows as missing then.
func TestReminderListsTheMissing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		wecom := notifytest.Start(notifytest.Config{Kind: notify.KindWeCom, Key: "remind"})
		defer wecom.Close()
		hr := f.token("hra1")
		f.addChannel(hr, robotBody(wecom, nil))
		f.atLocal(15, 0)
		for n, name := range []string{"张三", "李四", "王五", "赵六", "孙七", "周八"} {
			_, tok := f.namedWorker(f.hrA1, f.entA1, n+1, dayFromToday(-3), name)
			if (n+1)%3 == 0 {
				res := f.do(http.MethodPost, "/api/v1/checkins", tok, map[string]any{"slot": "pm", "temperature": 36.5,
					"symptoms": []string{}, "location": "work"})
				f.mustStatus(res, http.StatusCreated)
			}
		}
		f.atLocal(15, 35)
		f.step()
		var status struct {
			Items []struct {
				Name string `json:"name"`
				Due  bool   `json:"due"`
				PM   any    `json:"pm"`
			} `json:"items"`
		}
		f.do(http.MethodGet, "/api/v1/enterprises/"+fmt.Sprint(f.entA1.ID)+"/checkins?missing=pm", hr, nil).decode(t, &status)
		var want []string
		for _, it := range status.Items {
			want = append(want, domain.MaskName(it.Name))
		}
		got := slices.DeleteFunc(wecom.Received(), func(r notifytest.Received) bool { return r.MsgType != "markdown" })
		if len(got) != 1 || len(want) != 4 {
			t.Fatalf("received %+v; status page missing %v", got, want)
		}
		line := got[0].Text[strings.Index(got[0].Text, "：")+len("："):]
		line = strings.TrimSpace(strings.SplitN(strings.TrimSpace(line), "\n", 2)[0])
		names := strings.Split(line, "、")
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) || !strings.Contains(got[0].Text, "**4** 人") {
			t.Errorf("the reminder names %v, the status page %v\n%s", names, want, got[0].Text)
		}
	})
}

// TestScheduledOnceAcrossProcesses: two servers' messengers on one database, stepping at the
// same time around a cut-off, send each scheduled message once.
func TestScheduledOnceAcrossProcesses(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		wecom := notifytest.Start(notifytest.Config{Kind: notify.KindWeCom, Key: "twice", PerMinute: 1000})
		defer wecom.Close()
		f.addChannel(f.token("hra1"), robotBody(wecom, nil))
		f.addChannel(f.token("admina"), robotBody(wecom, map[string]any{"scope": "township", "name": "镇专班群"}))
		f.atLocal(9, 0)
		for n := 1; n <= 3; n++ {
			f.gateWorker(f.hrA1, f.entA1, n, dayFromToday(-3))
		}
		// A second "process": its own services on its own connections to the same database.
		second := dbtest.Reopen(t, db)
		svc2 := domain.NewServices(repo.Stores(second, dbtest.Box()), domain.Options{Robots: f.robots(),
			Clock: func() time.Time { return time.Now().Add(time.Duration(f.ahead.Load())) }})
		for _, at := range [][2]int{{9, 35}, {10, 1}, {16, 6}} {
			f.atLocal(at[0], at[1])
			var wg sync.WaitGroup
			for _, svc := range []domain.Services{f.svc, svc2} {
				for range 3 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := svc.Messenger.Step(context.Background()); err != nil {
							t.Errorf("step: %v", err)
						}
					}()
				}
			}
			wg.Wait()
		}
		// The reminder and the missed list to the enterprise's group; the summary and the
		// report to the town's: each once.
		titles := map[string]int{}
		for _, r := range wecom.Received() {
			if r.MsgType == "markdown" {
				titles[r.Title]++
			}
		}
		if len(titles) != 5 {
			t.Errorf("received %v; want the morning's reminder and summary, both missed lists and the report", titles)
		}
		for title, n := range titles {
			if n != 1 {
				t.Errorf("%q received %d times", title, n)
			}
		}
	})
}

// TestDispatchStopsMidSend: a messenger stopped while its send is under way finishes that
// send and records it; the next one sends the rest and nothing twice.
func TestDispatchStopsMidSend(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		robot := notifytest.New(notifytest.Config{Kind: notify.KindWeCom, Key: "slow", PerMinute: 1000})
		arrived, release := make(chan struct{}, 10), make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-release
			robot.ServeHTTP(w, r)
		}))
		defer srv.Close()
		f.addChannel(f.token("hra1"), map[string]any{"kind": "wecom", "name": "慢群", "url": robot.ChannelAt(srv.URL).URL})
		f.atLocal(8, 30)
		_, tok := f.gateWorker(f.hrA1, f.entA1, 1, "")
		f.checkin(tok, 38.2, "work")

		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := f.svc.Messenger.Step(ctx); done <- err }()
		select {
		case <-arrived:
		case <-time.After(time.Minute):
			t.Fatal("no request reached the robot within a minute")
		}
		stop() // the process is told to stop while its request is under way
		close(release)
		select {
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				t.Fatal(err)
			}
		case <-time.After(time.Minute):
			t.Fatal("the stopped messenger did not return within a minute")
		}
		f.step() // the next process
		f.step()
		if n := len(robot.Received()); n != 2 { // the markdown and its @HR text
			t.Errorf("received %d requests' messages, want the alert's two once: %+v", n, robot.Received())
		}
		for _, m := range f.messages(f.token("hra1"), "") {
			if m.Status != "sent" {
				t.Errorf("message %+v not recorded as sent", m)
			}
		}
	})
}

// localRobot is a WeCom robot on loopback for a test's channels, stopped when the test ends.
func localRobot(tb testing.TB) *notifytest.Server {
	robot := notifytest.Start(notifytest.Config{Kind: notify.KindWeCom, Key: "local-robot", PerMinute: 1000})
	tb.Cleanup(robot.Close)
	return robot
}

// failedMessage writes a message to channel that the robot refused for good, as the
// dispatcher records one, and returns its ID.
func (f *fixture) failedMessage(townshipID, channelID int64) int64 {
	f.t.Helper()
	ctx, st, now := context.Background(), repo.Stores(f.db, dbtest.Box()), time.Now()
	key := fmt.Sprintf("failed-%d-%d", channelID, now.UnixNano())
	day, _ := domain.ParseDate(dayFromToday(0))
	if _, err := st.Outbox.AddEvent(ctx, domain.Event{TownshipID: townshipID, Kind: domain.EventReport, Day: day, Key: key,
		CreatedAt: now}); err != nil {
		f.t.Fatal(err)
	}
	events, err := st.Outbox.ClaimEvents(ctx, 10000, now, time.Minute)
	if err != nil {
		f.t.Fatal(err)
	}
	i := slices.IndexFunc(events, func(e domain.Event) bool { return e.Key == key })
	if i < 0 {
		f.t.Fatalf("the event %s was not claimed", key)
	}
	msg := domain.Message{TownshipID: townshipID, ChannelID: channelID, Type: domain.MsgReport, Key: key, Title: "【日报已生成】测试",
		Markdown: "测试", Status: domain.MessagePending, NextAt: now, GiveUpAt: now.Add(time.Hour), CreatedAt: now}
	if err := st.Outbox.FanOut(ctx, events[i].ID, []domain.Message{msg}, now); err != nil {
		f.t.Fatal(err)
	}
	ms, _, err := st.Outbox.List(ctx, domain.MessageFilter{TownshipID: townshipID, ChannelIDs: []int64{channelID},
		Status: domain.MessagePending, Page: domain.Page{Limit: 1}})
	if err != nil || len(ms) != 1 {
		f.t.Fatalf("the message to fail: %v %v", ms, err)
	}
	if err := st.Outbox.Record(ctx, domain.SendRecord{IDs: []int64{ms[0].ID}, Outcome: "permanent", StatusCode: 200,
		Code: 93000, Message: "invalid webhook url", At: now}); err != nil {
		f.t.Fatal(err)
	}
	return ms[0].ID
}

// TestSummaryFigures: the town's morning summary reads the figures of the day before exactly
// as GET /dashboard/summary answers them for that date (FIGURES.md, 群消息), and the
// day's report those of the day.
func TestSummaryFigures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		robot := localRobot(t)
		town := f.token("admina")
		f.addChannel(town, map[string]any{"scope": "township", "kind": "wecom", "name": "镇专班群", "url": robot.Channel().URL})
		f.atLocal(9, 0)
		for n := 1; n <= 5; n++ {
			_, tok := f.gateWorker(f.hrA1, f.entA1, n, dayFromToday(-3))
			if n <= 2 {
				f.checkin(tok, []float64{36.5, 38.1}[n-1], "work")
			}
		}
		f.atLocal(16, 6) // today's report
		f.step()
		f.atLocalTomorrow(8, 40) // and tomorrow's summary, of today
		f.step()
		var sum struct {
			EnterprisesTotal    int      `json:"enterprises_total"`
			EnterprisesReopened int      `json:"enterprises_reopened"`
			WorkersReturned     int      `json:"workers_returned"`
			WorkersOnDuty       int      `json:"workers_on_duty"`
			WorkersIsolating    int      `json:"workers_isolating"`
			Completion          *float64 `json:"completion"`
			MissingAM           int      `json:"missing_am"`
			MissingPM           int      `json:"missing_pm"`
			Fever               int      `json:"fever"`
			Symptomatic         int      `json:"symptomatic"`
			AlertsOpen          int      `json:"alerts_open"`
		}
		f.do(http.MethodGet, "/api/v1/dashboard/summary?date="+dayFromToday(0), town, nil).decode(t, &sum)
		completion := "—"
		if sum.Completion != nil {
			completion = fmt.Sprintf("%.1f%%", *sum.Completion*100)
		}
		want := []string{
			fmt.Sprintf("已复工企业：**%d** 家（共 %d 家）", sum.EnterprisesReopened, sum.EnterprisesTotal),
			fmt.Sprintf("已返岗：**%d** 人（在岗 %d，隔离观察 %d）", sum.WorkersReturned, sum.WorkersOnDuty, sum.WorkersIsolating),
			fmt.Sprintf("打卡完成率：**%s**（上午未打卡 %d，下午未打卡 %d）", completion, sum.MissingAM, sum.MissingPM),
			fmt.Sprintf("发热：**%d** 人，有症状 %d 人", sum.Fever, sum.Symptomatic),
			fmt.Sprintf("未处理预警：**%d** 条", sum.AlertsOpen),
		}
		got := slices.DeleteFunc(robot.Received(), func(r notifytest.Received) bool { return r.MsgType != "markdown" })
		if len(got) != 2 || !strings.Contains(got[0].Title, "日报已生成") || !strings.Contains(got[1].Title, "每日早报") {
			t.Fatalf("received %+v; want today's report, then tomorrow's summary", got)
		}
		if sum.WorkersReturned != 5 || sum.Fever != 1 {
			t.Errorf("the day's figures: %+v; want 5 returned, 1 fever", sum)
		}
		for _, r := range got {
			for _, line := range want {
				if !strings.Contains(r.Text, line) {
					t.Errorf("%s does not read %q:\n%s", r.Title, line, r.Text)
				}
			}
		}
	})
}
