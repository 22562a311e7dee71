// Package notifytest has a local protocol server per group-robot platform: it checks each
// request as the platform would (path and key or token, signature and timestamp window,
// body shape, size and msgtype, rate limit) and answers as the platform does, and it keeps
// what it accepted so that tests, and later the demo's "what the groups received today"
// page, can show what a group would have seen.
//
// Its checks are written from the platforms' documentation and from answers quoted in public
// issues, independently of package notify's sender (the signatures are computed again here),
// so a mistake in one is not mirrored in the other. Answers whose code the sources did not
// show are marked in the code as this server's own.
package notifytest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"fugong/notify"
)

// Clock is a settable clock for the server and the sender, so tests move time instead of
// sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Config says which platform a Server plays and how its robot is set up.
type Config struct {
	Kind notify.Kind
	// Key is the robot's key (WeCom), access_token (DingTalk) or hook ID (Feishu); default
	// "test-key". Unused by the generic webhook.
	Key string
	// Secret is the robot's signing secret. DingTalk and Feishu check signatures only when it
	// is set, as the platforms do for robots without 加签/签名校验; the generic webhook always
	// needs one (default "test-webhook-secret-0123"). WeCom has none.
	Secret string
	// PerMinute is how many messages the robot accepts in any 60 seconds; default 20, the
	// figure WeCom and DingTalk publish (Feishu's custom bots allow 100, and 5 a second).
	PerMinute int
	// Throttle is how long the robot refuses everything after going over PerMinute; default
	// 10 minutes for DingTalk (as it documents), none elsewhere.
	Throttle time.Duration
	// Window is how far a signed timestamp may be from the server's clock; default one hour
	// for DingTalk and Feishu (as they document) and notify.WebhookWindow for the webhook.
	Window time.Duration
	// Now is the server's clock; default time.Now.
	Now func() time.Time
}

// Paths the servers answer on, as the platforms' addresses have them.
const (
	WeComPath    = "/cgi-bin/webhook/send"
	DingTalkPath = "/robot/send"
	FeishuPath   = "/open-apis/bot/v2/hook/"
	WebhookPath  = "/fugong/webhook"
)

// Received is one message a group would have seen.
type Received struct {
	Platform notify.Kind
	At       time.Time
	MsgType  string
	Title    string
	Text     string
	// Mentions are the phones the group sees @-mentioned.
	Mentions []string
	// Key is the generic webhook's X-Fugong-Message-Key.
	Key string
}

// Server is one robot's local protocol server. It is an http.Handler; Start also listens.
type Server struct {
	cfg Config
	url string
	srv *httptest.Server

	mu        sync.Mutex
	accepted  []time.Time // for the rate limit
	throttled time.Time
	received  []Received
	attempts  int
	failNext  int
	keys      map[string]bool
}

// New returns a server for cfg that does not listen, for mounting on another mux.
func New(cfg Config) *Server {
	if cfg.Key == "" {
		cfg.Key = "test-key"
	}
	if cfg.Kind == notify.KindWebhook && cfg.Secret == "" {
		cfg.Secret = "test-webhook-secret-0123"
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = 20
	}
	if cfg.Throttle == 0 && cfg.Kind == notify.KindDingTalk {
		cfg.Throttle = notify.DingTalkThrottle
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Hour
		if cfg.Kind == notify.KindWebhook {
			cfg.Window = notify.WebhookWindow
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, keys: map[string]bool{}}
}

// Start returns a server for cfg listening on a loopback port; Close stops it.
func Start(cfg Config) *Server {
	s := New(cfg)
	s.srv = httptest.NewServer(s)
	s.url = s.srv.URL
	return s
}

// Close stops a started server.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// URL is the base address of a started server.
func (s *Server) URL() string { return s.url }

// Channel is the notify.Channel that reaches this started server's robot.
func (s *Server) Channel() notify.Channel { return s.ChannelAt(s.url) }

// ChannelAt is the notify.Channel that reaches this server's robot mounted at base.
func (s *Server) ChannelAt(base string) notify.Channel {
	ch := notify.Channel{Kind: s.cfg.Kind, Secret: s.cfg.Secret}
	switch s.cfg.Kind {
	case notify.KindWeCom:
		ch.URL = base + WeComPath + "?key=" + url.QueryEscape(s.cfg.Key)
	case notify.KindDingTalk:
		ch.URL = base + DingTalkPath + "?access_token=" + url.QueryEscape(s.cfg.Key)
	case notify.KindFeishu:
		ch.URL = base + FeishuPath + url.PathEscape(s.cfg.Key)
	case notify.KindWebhook:
		ch.URL = base + WebhookPath
	}
	return ch
}

// Received lists the messages the server accepted, oldest first.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received)
}

// Attempts counts every request the server answered, accepted or not.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// FailNext makes the next n requests fail with 503, as a platform's bad minute would.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// maxBody bounds what the server reads; every platform's limit is far below it.
const maxBody = 1 << 20

// ServeHTTP answers one request as the configured platform would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.failNext > 0 {
		s.failNext--
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		http.Error(w, "content type must be application/json", http.StatusBadRequest)
		return
	}
	now := s.cfg.Now()
	switch s.cfg.Kind {
	case notify.KindWeCom:
		s.wecom(w, r, body, now)
	case notify.KindDingTalk:
		s.dingtalk(w, r, body, now)
	case notify.KindFeishu:
		s.feishu(w, r, body, now)
	case notify.KindWebhook:
		s.webhook(w, r, body, now)
	default:
		http.NotFound(w, r)
	}
}

// limited reports whether the robot is over its rate and, if so, when it may send again.
func (s *Server) limited(now time.Time) (bool, time.Duration) {
	if now.Before(s.throttled) {
		return true, s.throttled.Sub(now)
	}
	from := now.Add(-time.Minute)
	s.accepted = slices.DeleteFunc(s.accepted, func(t time.Time) bool { return !t.After(from) })
	if len(s.accepted) < s.cfg.PerMinute {
		return false, 0
	}
	if s.cfg.Throttle > 0 {
		s.throttled = now.Add(s.cfg.Throttle)
		return true, s.cfg.Throttle
	}
	return true, s.accepted[0].Add(time.Minute).Sub(now)
}

func (s *Server) accept(now time.Time, rc Received) {
	s.accepted = append(s.accepted, now)
	rc.Platform, rc.At = s.cfg.Kind, now
	s.received = append(s.received, rc)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func seconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

func inWindow(now, t time.Time, window time.Duration) bool {
	d := now.Sub(t)
	return d <= window && d >= -window
}

// ---- WeCom ----

// wecom plays a WeCom group robot: 200 with {"errcode","errmsg"} to everything.
func (s *Server) wecom(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	answer := func(code int, msg string) {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": code, "errmsg": msg})
	}
	if r.URL.Path != WeComPath || r.URL.Query().Get("key") != s.cfg.Key {
		answer(93000, "invalid webhook url")
		return
	}
	if over, _ := s.limited(now); over {
		answer(45009, "api freq out of limit")
		return
	}
	var m struct {
		MsgType string `json:"msgtype"`
		Text    *struct {
			Content             string   `json:"content"`
			MentionedMobileList []string `json:"mentioned_mobile_list"`
		} `json:"text"`
		Markdown *struct {
			Content string `json:"content"`
		} `json:"markdown"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		answer(40058, "invalid Request Parameter") // this server's own choice of code
		return
	}
	switch {
	case m.MsgType == "markdown" && m.Markdown != nil:
		c := m.Markdown.Content
		if c == "" {
			answer(40058, "markdown.content is empty")
			return
		}
		if len(c) > notify.WeComMarkdownMaxBytes {
			answer(40058, "markdown.content exceed max length 4096. invalid Request Parameter")
			return
		}
		title, text := splitHeading(c)
		s.accept(now, Received{MsgType: "markdown", Title: title, Text: text})
	case m.MsgType == "text" && m.Text != nil:
		c := m.Text.Content
		if c == "" {
			answer(40058, "text.content is empty")
			return
		}
		if len(c) > notify.WeComTextMaxBytes {
			answer(40058, "text.content exceed max length 2048. invalid Request Parameter")
			return
		}
		s.accept(now, Received{MsgType: "text", Text: c, Mentions: m.Text.MentionedMobileList})
	default:
		answer(40008, "invalid message type") // this server's own choice of code
		return
	}
	answer(0, "ok")
}

// splitHeading takes a leading markdown heading off as the title.
func splitHeading(md string) (string, string) {
	first, rest, _ := strings.Cut(md, "\n")
	if t, ok := strings.CutPrefix(first, "#"); ok {
		return strings.TrimSpace(strings.TrimLeft(t, "#")), strings.TrimLeft(rest, "\n")
	}
	return "", md
}

// ---- DingTalk ----

// dingtalk plays a DingTalk custom robot: 200 with {"errcode","errmsg"} to everything.
func (s *Server) dingtalk(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	answer := func(code int, msg string) {
		writeJSON(w, http.StatusOK, map[string]any{"errcode": code, "errmsg": msg})
	}
	q := r.URL.Query()
	if r.URL.Path != DingTalkPath || q.Get("access_token") != s.cfg.Key {
		answer(300001, "token is not exist")
		return
	}
	if s.cfg.Secret != "" {
		ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || !inWindow(now, time.UnixMilli(ts), s.cfg.Window) {
			// DingTalk's message for a stale timestamp was not seen; its code is the
			// security-check code 310000, as for a bad signature.
			answer(310000, "invalid timestamp")
			return
		}
		// q.Get has already URL-decoded sign, as DingTalk does.
		mac := hmac.New(sha256.New, []byte(s.cfg.Secret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + s.cfg.Secret))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(q.Get("sign")), []byte(want)) {
			answer(310000, "sign not match")
			return
		}
	}
	if over, _ := s.limited(now); over {
		answer(130101, "send too fast, exceed 20 times per minute")
		return
	}
	var m struct {
		MsgType  string `json:"msgtype"`
		Markdown *struct {
			Title string `json:"title"`
			Text  string `json:"text"`
		} `json:"markdown"`
		Text *struct {
			Content string `json:"content"`
		} `json:"text"`
		At struct {
			AtMobiles []string `json:"atMobiles"`
		} `json:"at"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		answer(300004, "body is not json") // this server's own choice of code
		return
	}
	var rc Received
	switch {
	case m.MsgType == "markdown" && m.Markdown != nil:
		if m.Markdown.Title == "" || m.Markdown.Text == "" {
			answer(300004, "markdown.title and markdown.text are required") // own code
			return
		}
		rc = Received{MsgType: "markdown", Title: m.Markdown.Title, Text: m.Markdown.Text}
	case m.MsgType == "text" && m.Text != nil && m.Text.Content != "":
		rc = Received{MsgType: "text", Text: m.Text.Content}
	default:
		answer(300004, "invalid msgtype") // own code
		return
	}
	if utf8.RuneCountInString(rc.Text) > notify.DingTalkMarkdownMaxRunes {
		answer(460101, "message too long") // own code; DingTalk's limit is not confirmed either
		return
	}
	// DingTalk highlights a mention only when "@phone" is also in the text.
	for _, p := range m.At.AtMobiles {
		if strings.Contains(rc.Text, "@"+p) {
			rc.Mentions = append(rc.Mentions, p)
		}
	}
	s.accept(now, rc)
	answer(0, "ok")
}

// ---- Feishu ----

// feishu plays a Feishu custom bot: {"code","msg","data"}; over the rate limit, its API
// gateway's HTTP 429 with x-ogw-ratelimit-reset.
func (s *Server) feishu(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	answer := func(status, code int, msg string) {
		writeJSON(w, status, map[string]any{"code": code, "msg": msg, "data": map[string]any{}})
	}
	id, ok := strings.CutPrefix(r.URL.Path, FeishuPath)
	if !ok || id != s.cfg.Key {
		// Code and message as remembered from Feishu; not confirmed by the sources searched.
		answer(http.StatusOK, 19001, "param invalid: incoming webhook access token invalid")
		return
	}
	if len(body) > notify.FeishuMaxBodyBytes {
		answer(http.StatusBadRequest, 9499, "Bad Request") // own: the limit is not confirmed
		return
	}
	var m struct {
		Timestamp json.RawMessage `json:"timestamp"`
		Sign      string          `json:"sign"`
		MsgType   string          `json:"msg_type"`
		Content   *struct {
			Text string `json:"text"`
			Post map[string]struct {
				Title   string `json:"title"`
				Content [][]struct {
					Tag  string `json:"tag"`
					Text string `json:"text"`
				} `json:"content"`
			} `json:"post"`
		} `json:"content"`
		Card *struct {
			Header *struct {
				Title struct {
					Content string `json:"content"`
				} `json:"title"`
			} `json:"header"`
			Elements []struct {
				Tag  string `json:"tag"`
				Text *struct {
					Tag     string `json:"tag"`
					Content string `json:"content"`
				} `json:"text"`
			} `json:"elements"`
		} `json:"card"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		answer(http.StatusBadRequest, 9499, "Bad Request")
		return
	}
	if s.cfg.Secret != "" {
		// Feishu shows the timestamp as a string; a number is taken too.
		raw := strings.Trim(string(m.Timestamp), `"`)
		ts, err := strconv.ParseInt(raw, 10, 64)
		mac := hmac.New(sha256.New, []byte(raw+"\n"+s.cfg.Secret))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if err != nil || !inWindow(now, time.Unix(ts, 0), s.cfg.Window) || !hmac.Equal([]byte(m.Sign), []byte(want)) {
			answer(http.StatusOK, 19021, "sign match fail or timestamp is not within one hour from current time")
			return
		}
	}
	if over, wait := s.limited(now); over {
		w.Header().Set("X-Ogw-Ratelimit-Limit", strconv.Itoa(s.cfg.PerMinute))
		w.Header().Set("X-Ogw-Ratelimit-Reset", seconds(wait))
		answer(http.StatusTooManyRequests, 9499, "too many request")
		return
	}
	var rc Received
	switch {
	case m.MsgType == "text" && m.Content != nil && m.Content.Text != "":
		rc = Received{MsgType: "text", Text: m.Content.Text}
	case m.MsgType == "post" && m.Content != nil && len(m.Content.Post["zh_cn"].Content) > 0:
		p := m.Content.Post["zh_cn"]
		var lines []string
		for _, line := range p.Content {
			var b strings.Builder
			for _, el := range line {
				b.WriteString(el.Text)
			}
			lines = append(lines, b.String())
		}
		rc = Received{MsgType: "post", Title: p.Title, Text: strings.Join(lines, "\n")}
	case m.MsgType == "interactive" && m.Card != nil && len(m.Card.Elements) > 0:
		rc = Received{MsgType: "interactive"}
		if m.Card.Header != nil {
			rc.Title = m.Card.Header.Title.Content
		}
		var parts []string
		for _, el := range m.Card.Elements {
			if el.Text == nil || (el.Text.Tag != "lark_md" && el.Text.Tag != "plain_text") {
				answer(http.StatusBadRequest, 9499, "Bad Request")
				return
			}
			parts = append(parts, el.Text.Content)
		}
		rc.Text = strings.Join(parts, "\n")
	default:
		answer(http.StatusBadRequest, 9499, "Bad Request")
		return
	}
	s.accept(now, rc)
	writeJSON(w, http.StatusOK, map[string]any{
		"StatusCode": 0, "StatusMessage": "success", "code": 0, "msg": "success", "data": map[string]any{},
	})
}

// ---- the generic webhook ----

// webhook plays a receiver of Fugong's generic webhook that follows the recipe of package
// notify's documentation, including dropping a repeated message key.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	if r.URL.Path != WebhookPath {
		http.NotFound(w, r)
		return
	}
	if err := verifyWebhook(s.cfg.Secret, r.Header, body, now, s.cfg.Window); err != "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": err})
		return
	}
	key := r.Header.Get(notify.WebhookMessageKeyHeader)
	if key != "" && s.keys[key] {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "duplicate": true})
		return
	}
	if over, wait := s.limited(now); over {
		w.Header().Set("Retry-After", seconds(wait))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many requests"})
		return
	}
	var p notify.WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil || p.Key != key {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body is not a Fugong message"})
		return
	}
	if key != "" {
		s.keys[key] = true
	}
	s.accept(now, Received{MsgType: "webhook", Title: p.Title, Text: p.Markdown, Mentions: p.MentionPhones, Key: key})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// verifyWebhook follows the recipe of package notify's documentation by hand, rather than
// calling notify.VerifyWebhook, so that the recipe itself is what is tested.
func verifyWebhook(secret string, h http.Header, body []byte, now time.Time, window time.Duration) string {
	tsHeader := h.Get(notify.WebhookTimestampHeader)
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil || !inWindow(now, time.Unix(ts, 0), window) {
		return "timestamp outside the window"
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(tsHeader + "." + string(body)))
	want := "sha256=" + fmt.Sprintf("%x", mac.Sum(nil))
	if !hmac.Equal([]byte(h.Get(notify.WebhookSignatureHeader)), []byte(want)) {
		return "bad signature"
	}
	return ""
}
