package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fugong/notify"
	"fugong/notify/notifytest"
)

var t0 = time.Date(2026, 2, 3, 1, 30, 0, 0, time.UTC)

const secret = "SEC0123456789abcdef0123456789abcdef"

// robot starts a local protocol server for cfg on a clock of its own and returns it with a
// sender on a clock of its own, both at t0.
func robot(t *testing.T, cfg notifytest.Config) (*notifytest.Server, *notifytest.Clock, *notify.Sender, *notifytest.Clock) {
	t.Helper()
	serverClock, senderClock := notifytest.NewClock(t0), notifytest.NewClock(t0)
	cfg.Now = serverClock.Now
	srv := notifytest.Start(cfg)
	t.Cleanup(srv.Close)
	return srv, serverClock, &notify.Sender{Now: senderClock.Now}, senderClock
}

var alert = notify.Message{
	Title:    "发热预警：华兴电子",
	Markdown: "## 详情\n**张*明** 体温 <font color=\"warning\">38.2℃</font>\n[查看预警](https://fugong.example/alerts/17)",
	Key:      "alert-17",
}

func TestSendOK(t *testing.T) {
	tests := []struct {
		name     string
		cfg      notifytest.Config
		wantType string
		wantText string
	}{
		{"WeCom", notifytest.Config{Kind: notify.KindWeCom}, "markdown", "## 详情"},
		{"DingTalkSigned", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret}, "markdown", "### 发热预警"},
		{"DingTalkUnsigned", notifytest.Config{Kind: notify.KindDingTalk}, "markdown", "## 详情"},
		{"FeishuSigned", notifytest.Config{Kind: notify.KindFeishu, Secret: secret}, "interactive", "**详情**"},
		{"FeishuUnsigned", notifytest.Config{Kind: notify.KindFeishu}, "interactive", "**详情**"},
		{"Webhook", notifytest.Config{Kind: notify.KindWebhook, Secret: secret}, "webhook", "## 详情"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, sender, _ := robot(t, tt.cfg)
			res, err := sender.Send(context.Background(), srv.Channel(), alert)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if res.Outcome != notify.OK || res.Requests != 1 || res.Truncated {
				t.Fatalf("got %+v, want OK in one request, not truncated", res)
			}
			got := srv.Received()
			if len(got) != 1 {
				t.Fatalf("got %d messages received, want 1", len(got))
			}
			r := got[0]
			if r.MsgType != tt.wantType || !strings.Contains(r.Title, "发热预警") ||
				!strings.Contains(r.Text, "38.2℃") || !strings.Contains(r.Text, tt.wantText) ||
				!r.At.Equal(t0) {
				t.Errorf("got %+v, want a %s message titled 发热预警 with %q and 38.2℃ at %v", r, tt.wantType, tt.wantText, t0)
			}
		})
	}
}

func TestSendRefused(t *testing.T) {
	tests := []struct {
		name       string
		cfg        notifytest.Config
		edit       func(*notify.Channel)
		wantCode   int
		wantStatus int
	}{
		{"WeComWrongKey", notifytest.Config{Kind: notify.KindWeCom},
			func(c *notify.Channel) { c.URL = strings.Replace(c.URL, "test-key", "other-key", 1) }, 93000, 200},
		{"DingTalkWrongToken", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret},
			func(c *notify.Channel) { c.URL = strings.Replace(c.URL, "test-key", "other", 1) }, 300001, 200},
		{"DingTalkWrongSecret", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret},
			func(c *notify.Channel) { c.Secret = "SECwrong" }, 310000, 200},
		{"DingTalkMissingSignature", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret},
			func(c *notify.Channel) { c.Secret = "" }, 310000, 200},
		{"FeishuWrongHook", notifytest.Config{Kind: notify.KindFeishu, Secret: secret},
			func(c *notify.Channel) { c.URL += "x" }, 19001, 200},
		{"FeishuWrongSecret", notifytest.Config{Kind: notify.KindFeishu, Secret: secret},
			func(c *notify.Channel) { c.Secret = "wrong" }, 19021, 200},
		{"WebhookWrongSecret", notifytest.Config{Kind: notify.KindWebhook, Secret: secret},
			func(c *notify.Channel) { c.Secret = "another-secret-of-length" }, 0, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, sender, _ := robot(t, tt.cfg)
			ch := srv.Channel()
			tt.edit(&ch)
			res, err := sender.Send(context.Background(), ch, alert)
			if !errors.Is(err, notify.ErrPermanent) || errors.Is(err, notify.ErrRetry) {
				t.Fatalf("got err %v, want ErrPermanent", err)
			}
			if res.Outcome != notify.Permanent || res.Code != tt.wantCode || res.StatusCode != tt.wantStatus || res.Message == "" {
				t.Errorf("got %+v, want Permanent, code %d, HTTP %d and the platform's message", res, tt.wantCode, tt.wantStatus)
			}
			if n := len(srv.Received()); n != 0 {
				t.Errorf("got %d messages received, want 0", n)
			}
		})
	}
}

func TestSendRateLimited(t *testing.T) {
	tests := []struct {
		name      string
		cfg       notifytest.Config
		wantCode  int
		wantAfter time.Duration
		// stillRefusedAt is a time after the minute at which the robot still refuses
		// (DingTalk's ten-minute throttle); zero when the minute is enough.
		stillRefusedAt time.Duration
		freeAt         time.Duration
	}{
		{"WeCom", notifytest.Config{Kind: notify.KindWeCom, PerMinute: 2}, 45009, notify.DefaultRetryAfter, 0, 61 * time.Second},
		{"DingTalk", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret, PerMinute: 2}, 130101, notify.DingTalkThrottle, 2 * time.Minute, 10*time.Minute + time.Second},
		{"Feishu", notifytest.Config{Kind: notify.KindFeishu, Secret: secret, PerMinute: 2}, 9499, 60 * time.Second, 0, 61 * time.Second},
		{"Webhook", notifytest.Config{Kind: notify.KindWebhook, Secret: secret, PerMinute: 2}, 0, 60 * time.Second, 0, 61 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, serverClock, sender, senderClock := robot(t, tt.cfg)
			ch := srv.Channel()
			send := func(key string) (notify.Result, error) {
				m := alert
				m.Key = key
				return sender.Send(context.Background(), ch, m)
			}
			for i := range 2 {
				if _, err := send("m" + string(rune('a'+i))); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			res, err := send("m3")
			if !errors.Is(err, notify.ErrRetry) {
				t.Fatalf("third message: got err %v, want ErrRetry", err)
			}
			if res.Outcome != notify.Retry || res.Code != tt.wantCode || res.RetryAfter != tt.wantAfter {
				t.Errorf("got %+v, want Retry, code %d, after %v", res, tt.wantCode, tt.wantAfter)
			}
			advance := func(d time.Duration) {
				serverClock.Advance(d)
				senderClock.Advance(d)
			}
			elapsed := time.Duration(0)
			if tt.stillRefusedAt > 0 {
				advance(tt.stillRefusedAt)
				elapsed = tt.stillRefusedAt
				if _, err := send("m3"); !errors.Is(err, notify.ErrRetry) {
					t.Fatalf("at +%v: got err %v, want ErrRetry (still throttled)", tt.stillRefusedAt, err)
				}
			}
			advance(tt.freeAt - elapsed)
			if _, err := send("m3"); err != nil {
				t.Fatalf("at +%v: got err %v, want nil", tt.freeAt, err)
			}
			if n := len(srv.Received()); n != 3 {
				t.Errorf("got %d messages received, want 3", n)
			}
		})
	}
}

func TestSendTimestampWindow(t *testing.T) {
	tests := []struct {
		name     string
		cfg      notifytest.Config
		skew     time.Duration
		wantOK   bool
		wantCode int
	}{
		{"DingTalkInside", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret}, -59 * time.Minute, true, 0},
		{"DingTalkBehind", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret}, -61 * time.Minute, false, 310000},
		{"DingTalkAhead", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret}, 2 * time.Hour, false, 310000},
		{"FeishuInside", notifytest.Config{Kind: notify.KindFeishu, Secret: secret}, 59 * time.Minute, true, 0},
		{"FeishuBehind", notifytest.Config{Kind: notify.KindFeishu, Secret: secret}, -61 * time.Minute, false, 19021},
		{"WebhookInside", notifytest.Config{Kind: notify.KindWebhook, Secret: secret}, -4 * time.Minute, true, 0},
		{"WebhookBehind", notifytest.Config{Kind: notify.KindWebhook, Secret: secret}, -6 * time.Minute, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, sender, senderClock := robot(t, tt.cfg)
			senderClock.Advance(tt.skew)
			res, err := sender.Send(context.Background(), srv.Channel(), alert)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("got err %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, notify.ErrPermanent) || res.Code != tt.wantCode {
				t.Errorf("got %+v (err %v), want Permanent with code %d", res, err, tt.wantCode)
			}
			if n := len(srv.Received()); n != 0 {
				t.Errorf("got %d messages received, want 0", n)
			}
		})
	}
}

func TestSendTruncates(t *testing.T) {
	// Lines of Chinese with quotes and angle brackets, which JSON escaping lengthens.
	long := strings.Repeat("第一车间 <张*明> \"体温\" 38.2℃，请复核。\n", 1500)
	phones := []string{"13800001111", "13900002222"}
	tests := []struct {
		name  string
		cfg   notifytest.Config
		check func(t *testing.T, r notifytest.Received)
	}{
		{"WeCom", notifytest.Config{Kind: notify.KindWeCom}, func(t *testing.T, r notifytest.Received) {
			if n := len("## " + r.Title + "\n" + r.Text); n > notify.WeComMarkdownMaxBytes {
				t.Errorf("got %d bytes, want at most %d", n, notify.WeComMarkdownMaxBytes)
			}
		}},
		{"DingTalk", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret}, func(t *testing.T, r notifytest.Received) {
			if n := utf8.RuneCountInString(r.Text); n > notify.DingTalkMarkdownMaxRunes {
				t.Errorf("got %d characters, want at most %d", n, notify.DingTalkMarkdownMaxRunes)
			}
			if !strings.HasSuffix(r.Text, "@13800001111 @13900002222") || !slices.Equal(r.Mentions, phones) {
				t.Errorf("got text ending %q and mentions %v, want the mention line kept after the cut", tail(r.Text), r.Mentions)
			}
		}},
		{"Feishu", notifytest.Config{Kind: notify.KindFeishu, Secret: secret}, func(t *testing.T, r notifytest.Received) {
			if len(r.Text) < 10000 {
				t.Errorf("got %d bytes of text, want the body filled close to %d", len(r.Text), notify.FeishuMaxBodyBytes)
			}
		}},
		{"Webhook", notifytest.Config{Kind: notify.KindWebhook, Secret: secret}, func(t *testing.T, r notifytest.Received) {
			if n := len(r.Text); n > notify.WebhookMaxMarkdownBytes {
				t.Errorf("got %d bytes, want at most %d", n, notify.WebhookMaxMarkdownBytes)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, sender, _ := robot(t, tt.cfg)
			m := alert
			m.Markdown = long + long
			if tt.cfg.Kind == notify.KindDingTalk {
				m.MentionPhones = phones
			}
			res, err := sender.Send(context.Background(), srv.Channel(), m)
			if err != nil || !res.Truncated {
				t.Fatalf("got %+v, %v; want OK and truncated", res, err)
			}
			got := srv.Received()
			if len(got) != 1 {
				t.Fatalf("got %d messages received, want 1", len(got))
			}
			if !strings.Contains(got[0].Text, strings.TrimSpace(notify.TruncationMark)) || !utf8.ValidString(got[0].Text) {
				t.Errorf("got text ending %q, want valid UTF-8 with the truncation mark", tail(got[0].Text))
			}
			tt.check(t, got[0])
		})
	}
}

func tail(s string) string {
	r := []rune(s)
	return string(r[max(0, len(r)-40):])
}

func TestSendMentions(t *testing.T) {
	phones := []string{"13800001111"}
	tests := []struct {
		name         string
		cfg          notifytest.Config
		wantRequests int
		wantReceived int
		wantMention  bool
	}{
		{"WeCom", notifytest.Config{Kind: notify.KindWeCom}, 2, 2, true},
		{"WeComReminderRefused", notifytest.Config{Kind: notify.KindWeCom, PerMinute: 1}, 2, 1, false},
		{"DingTalk", notifytest.Config{Kind: notify.KindDingTalk, Secret: secret}, 1, 1, true},
		{"Feishu", notifytest.Config{Kind: notify.KindFeishu, Secret: secret}, 1, 1, false},
		{"Webhook", notifytest.Config{Kind: notify.KindWebhook, Secret: secret}, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, sender, _ := robot(t, tt.cfg)
			m := alert
			m.MentionPhones = phones
			res, err := sender.Send(context.Background(), srv.Channel(), m)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if res.Requests != tt.wantRequests || res.Mentioned != tt.wantMention || (res.MentionNote == "") == !tt.wantMention {
				t.Errorf("got %+v, want %d requests, mentioned %v, a note exactly when not", res, tt.wantRequests, tt.wantMention)
			}
			got := srv.Received()
			if len(got) != tt.wantReceived {
				t.Fatalf("got %d messages received, want %d", len(got), tt.wantReceived)
			}
			var mentioned []string
			for _, r := range got {
				mentioned = append(mentioned, r.Mentions...)
			}
			if want := map[bool][]string{true: phones}[tt.wantMention]; !slices.Equal(mentioned, want) {
				t.Errorf("got mentions %v, want %v", mentioned, want)
			}
			if tt.name == "WeCom" && (got[0].MsgType != "markdown" || got[1].MsgType != "text" || !strings.Contains(got[1].Text, "发热预警")) {
				t.Errorf("got %+v, want the markdown first and then a text reminder naming it", got)
			}
		})
	}
}

func TestSendServerTrouble(t *testing.T) {
	t.Run("ServerError", func(t *testing.T) {
		srv, _, sender, _ := robot(t, notifytest.Config{Kind: notify.KindDingTalk, Secret: secret})
		srv.FailNext(1)
		res, err := sender.Send(context.Background(), srv.Channel(), alert)
		if !errors.Is(err, notify.ErrRetry) || res.StatusCode != 503 || res.RetryAfter != notify.DefaultRetryAfter {
			t.Fatalf("got %+v, %v; want Retry after HTTP 503", res, err)
		}
		if _, err := sender.Send(context.Background(), srv.Channel(), alert); err != nil {
			t.Fatalf("second attempt: %v", err)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		srv, _, sender, _ := robot(t, notifytest.Config{Kind: notify.KindWeCom, Key: "secret-key-42"})
		ch := srv.Channel()
		srv.Close()
		res, err := sender.Send(context.Background(), ch, alert)
		if !errors.Is(err, notify.ErrRetry) || res.StatusCode != 0 {
			t.Fatalf("got %+v, %v; want Retry without an answer", res, err)
		}
		if strings.Contains(res.Message, "secret-key-42") || strings.Contains(err.Error(), "secret-key-42") {
			t.Errorf("got %q, want the robot's key kept out of the message", res.Message)
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		// The handler holds the request until the test has its answer (or the connection
		// goes); it reads the body first, without which the server would not notice the
		// sender giving up.
		release := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer hang.Close()
		defer close(release)
		sender := &notify.Sender{Timeout: 50 * time.Millisecond}
		res, err := sender.Send(context.Background(), notify.Channel{Kind: notify.KindFeishu, URL: hang.URL + "/open-apis/bot/v2/hook/x"}, alert)
		if !errors.Is(err, notify.ErrRetry) || res.Message != "网络错误：请求超时" {
			t.Fatalf("got %+v, %v; want Retry after a timeout", res, err)
		}
	})
	t.Run("DingTalkRedirect", func(t *testing.T) {
		moved := httptest.NewServer(http.RedirectHandler("https://elsewhere.example/", http.StatusFound))
		defer moved.Close()
		res, err := (&notify.Sender{}).Send(context.Background(), notify.Channel{Kind: notify.KindDingTalk, URL: moved.URL + "/robot/send?access_token=t"}, alert)
		if !errors.Is(err, notify.ErrRetry) || res.RetryAfter != notify.DingTalkThrottle {
			t.Fatalf("got %+v, %v; want Retry after the throttle", res, err)
		}
	})
}

func TestSendInvalid(t *testing.T) {
	tests := []struct {
		name      string
		ch        notify.Channel
		m         notify.Message
		wantField string
	}{
		{"NoKind", notify.Channel{Key: "k"}, alert, "kind"},
		{"NoKey", notify.Channel{Kind: notify.KindWeCom}, alert, "key"},
		{"URLInKey", notify.Channel{Kind: notify.KindDingTalk, Key: "https://oapi.dingtalk.com/robot/send?access_token=t"}, alert, "key"},
		{"PlainHTTP", notify.Channel{Kind: notify.KindFeishu, URL: "http://open.feishu.cn/open-apis/bot/v2/hook/x"}, alert, "url"},
		{"WebhookWithoutURL", notify.Channel{Kind: notify.KindWebhook, Secret: secret}, alert, "url"},
		{"WebhookShortSecret", notify.Channel{Kind: notify.KindWebhook, URL: "https://sms.example/in", Secret: "short"}, alert, "secret"},
		{"WeComSecret", notify.Channel{Kind: notify.KindWeCom, Key: "k", Secret: "s"}, alert, "secret"},
		{"EmptyMessage", notify.Channel{Kind: notify.KindWeCom, Key: "k"}, notify.Message{}, "markdown"},
		{"BadPhone", notify.Channel{Kind: notify.KindWeCom, Key: "k"}, notify.Message{Title: "t", MentionPhones: []string{"12345"}}, "mention_phones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := (&notify.Sender{}).Send(context.Background(), tt.ch, tt.m)
			var ie *notify.InvalidError
			if !errors.Is(err, notify.ErrPermanent) || !errors.As(err, &ie) || res.Requests != 0 {
				t.Fatalf("got %+v, %v; want Permanent with an InvalidError and no request", res, err)
			}
			if ie.Problems[0].Field != tt.wantField || ie.Problems[0].Message == "" {
				t.Errorf("got %+v, want a message for field %q", ie.Problems, tt.wantField)
			}
		})
	}
	t.Run("KeyOnlyUsesPublicEndpoint", func(t *testing.T) {
		if err := (notify.Channel{Kind: notify.KindDingTalk, Key: "abc", Secret: secret}).Validate(); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
}

// TestWebhookRecipe checks the generic webhook against the recipe in doc.go, computed here
// by hand with the standard library, and the receiver's duplicate check on the message key.
func TestWebhookRecipe(t *testing.T) {
	type captured struct {
		header http.Header
		body   []byte
	}
	got := make(chan captured, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- captured{r.Header.Clone(), b}
	}))
	defer recv.Close()
	clock := notifytest.NewClock(t0)
	ch := notify.Channel{Kind: notify.KindWebhook, URL: recv.URL + "/in", Secret: secret}
	m := alert
	m.MentionPhones = []string{"13800001111"}
	if _, err := (&notify.Sender{Now: clock.Now}).Send(context.Background(), ch, m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	c := <-got // sent before Send returned
	ts := c.header.Get("X-Fugong-Timestamp")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(c.body)))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); c.header.Get("X-Fugong-Signature") != want || ts != "1770082200" {
		t.Errorf("got timestamp %s signature %s, want 1770082200 and %s", ts, c.header.Get("X-Fugong-Signature"), want)
	}
	if k := c.header.Get("X-Fugong-Message-Key"); k != "alert-17" {
		t.Errorf("got message key %q, want alert-17", k)
	}
	var p notify.WebhookPayload
	if err := json.Unmarshal(c.body, &p); err != nil || p.Key != "alert-17" || p.Title != alert.Title ||
		p.Markdown != alert.Markdown || !slices.Equal(p.MentionPhones, m.MentionPhones) || p.SentAt != "2026-02-03T01:30:00Z" {
		t.Errorf("got payload %+v (%v), want the message as sent", p, err)
	}
	if err := notify.VerifyWebhook(secret, c.header, c.body, t0.Add(4*time.Minute)); err != nil {
		t.Errorf("VerifyWebhook: got %v, want nil", err)
	}
	if err := notify.VerifyWebhook(secret, c.header, append(c.body, ' '), t0); !errors.Is(err, notify.ErrWebhookSignature) {
		t.Errorf("VerifyWebhook of an edited body: got %v, want ErrWebhookSignature", err)
	}
	if err := notify.VerifyWebhook(secret, c.header, c.body, t0.Add(6*time.Minute)); !errors.Is(err, notify.ErrWebhookTimestamp) {
		t.Errorf("VerifyWebhook six minutes on: got %v, want ErrWebhookTimestamp", err)
	}

	t.Run("RepeatedKey", func(t *testing.T) {
		srv, _, sender, _ := robot(t, notifytest.Config{Kind: notify.KindWebhook, Secret: secret})
		for i := range 2 {
			if _, err := sender.Send(context.Background(), srv.Channel(), alert); err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if n := len(srv.Received()); n != 1 {
			t.Errorf("got %d messages received, want 1 (the repeat dropped by its key)", n)
		}
	})
}

func TestLarkMD(t *testing.T) {
	in := "# 早报\n## 完成率 **96%**\n正文 #不是标题\n- 一项"
	want := "**早报**\n**完成率 96%**\n正文 #不是标题\n- 一项"
	if got := notify.LarkMD(in); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestClassify covers answers the local servers do not give: codes from the platforms'
// documentation or from issues, the gateway's headers, and answers nobody documents.
func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		kind      notify.Kind
		status    int
		header    map[string]string
		body      string
		want      notify.Outcome
		wantCode  int
		wantAfter time.Duration
	}{
		{"WeComOK", notify.KindWeCom, 200, nil, `{"errcode":0,"errmsg":"ok"}`, notify.OK, 0, 0},
		{"WeComBusy", notify.KindWeCom, 200, nil, `{"errcode":-1,"errmsg":"system busy"}`, notify.Retry, -1, notify.DefaultRetryAfter},
		{"WeComTooLong", notify.KindWeCom, 200, nil, `{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}`, notify.Permanent, 40058, 0},
		{"WeComUnknownCode", notify.KindWeCom, 200, nil, `{"errcode":12345,"errmsg":"?"}`, notify.Permanent, 12345, 0},
		{"WeComGarbled", notify.KindWeCom, 200, nil, `<html>`, notify.Retry, 0, notify.DefaultRetryAfter},
		{"DingTalk410100", notify.KindDingTalk, 200, nil, `{"errcode":410100,"errmsg":"send too fast"}`, notify.Retry, 410100, notify.DingTalkThrottle},
		{"DingTalkKeyword", notify.KindDingTalk, 200, nil, `{"errcode":310000,"errmsg":"keywords not in content"}`, notify.Permanent, 310000, 0},
		{"FeishuTenantLimit", notify.KindFeishu, 200, nil, `{"code":11232,"msg":"frequency limited"}`, notify.Retry, 11232, notify.DefaultRetryAfter},
		{"FeishuGateway", notify.KindFeishu, 429, map[string]string{"X-Ogw-Ratelimit-Reset": "52"}, `{"code":99991400,"msg":"request trigger frequency limit"}`, notify.Retry, 99991400, 52 * time.Second},
		{"FeishuBadRequest", notify.KindFeishu, 400, nil, `{"code":9499,"msg":"Bad Request","data":{}}`, notify.Permanent, 9499, 0},
		{"FeishuOldOK", notify.KindFeishu, 200, nil, `{"Extra":null,"StatusCode":0,"StatusMessage":"success"}`, notify.OK, 0, 0},
		{"WebhookAccepted", notify.KindWebhook, 202, nil, ``, notify.OK, 0, 0},
		{"WebhookSlowDown", notify.KindWebhook, 429, map[string]string{"Retry-After": "30"}, ``, notify.Retry, 0, 30 * time.Second},
		{"WebhookGone", notify.KindWebhook, 410, nil, `{"error":"no such gateway"}`, notify.Permanent, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			canned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer canned.Close()
			ch := notify.Channel{Kind: tt.kind, URL: canned.URL + "/robot", Secret: secret}
			if tt.kind == notify.KindWeCom {
				ch.Secret = ""
			}
			res, err := (&notify.Sender{}).Send(context.Background(), ch, alert)
			if res.Outcome != tt.want || res.Code != tt.wantCode || res.RetryAfter != tt.wantAfter || (err == nil) != (tt.want == notify.OK) {
				t.Errorf("got %+v (err %v), want %s, code %d, retry after %v", res, err, tt.want, tt.wantCode, tt.wantAfter)
			}
		})
	}
}
