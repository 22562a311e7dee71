package notify

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Kind names a group-robot platform.
type Kind string

// The platforms a Channel can be.
const (
	// KindWeCom is a WeCom (企业微信) group robot: POST …/cgi-bin/webhook/send?key=KEY.
	KindWeCom Kind = "wecom"
	// KindDingTalk is a DingTalk (钉钉) custom robot: POST …/robot/send?access_token=T, signed
	// in the query when the robot has a secret (加签).
	KindDingTalk Kind = "dingtalk"
	// KindFeishu is a Feishu (飞书) custom bot: POST …/open-apis/bot/v2/hook/ID, signed in the
	// body when the bot has a secret (签名校验).
	KindFeishu Kind = "feishu"
	// KindWebhook is Fugong's own generic HTTPS webhook: a JSON body signed with HMAC-SHA256
	// (see doc.go for the recipe a receiver follows).
	KindWebhook Kind = "webhook"
)

// Kinds lists every platform, in the order a form offers them.
var Kinds = []Kind{KindWeCom, KindDingTalk, KindFeishu, KindWebhook}

// The public endpoints a Channel given only its Key is sent to.
const (
	WeComEndpoint    = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
	DingTalkEndpoint = "https://oapi.dingtalk.com/robot/send"
	FeishuEndpoint   = "https://open.feishu.cn/open-apis/bot/v2/hook/"
)

// Channel is one group robot: where a message goes and how it is signed.
//
// People paste either the whole webhook address the platform shows (URL) or only its key
// (Key: the WeCom key, the DingTalk access_token, the Feishu hook ID); the most common
// configuration mistake on all three platforms is pasting one where the other was expected,
// so both are accepted and URL wins when both are given.
type Channel struct {
	Kind Kind
	// URL is the robot's full webhook address. Required for KindWebhook.
	URL string
	// Key is the platform's robot key or token, used with the public endpoint when URL is empty.
	Key string
	// Secret is the signing secret: DingTalk's 加签 secret (SEC…), Feishu's 签名校验 secret, the
	// generic webhook's HMAC key (required there). WeCom robots are not signed.
	Secret string
}

// Problem names one invalid field of a Channel or Message and says, in Chinese, what is wrong.
type Problem struct {
	Field   string
	Message string
}

// InvalidError reports a Channel or Message that cannot be sent as it is; sending it again
// will not help. The channel service turns it into its own invalid-input error.
type InvalidError struct {
	Problems []Problem
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "notify: invalid " + strings.Join(parts, "; ")
}

// Validate checks the channel's kind, address and secret without sending anything.
// It returns nil or an *InvalidError naming every bad field.
func (c Channel) Validate() error {
	var ps []Problem
	add := func(field, msg string) { ps = append(ps, Problem{field, msg}) }
	switch c.Kind {
	case KindWeCom, KindDingTalk, KindFeishu, KindWebhook:
	default:
		add("kind", "渠道类型必须是 wecom、dingtalk、feishu 或 webhook 之一")
	}
	switch {
	case c.URL != "":
		if msg := checkURL(c.URL); msg != "" {
			add("url", msg)
		}
	case c.Kind == KindWebhook:
		add("url", "通用 Webhook 必须填写地址")
	case strings.TrimSpace(c.Key) == "":
		add("key", "请填写机器人的 Webhook 地址或其中的 key/access_token")
	case strings.ContainsAny(c.Key, "/?&=# ") || strings.HasPrefix(c.Key, "http"):
		add("key", "这里只填 key/access_token 本身；整段地址请填到 Webhook 地址一栏")
	}
	if c.Kind == KindWebhook && len(c.Secret) < 16 {
		add("secret", "通用 Webhook 必须设置至少 16 个字符的签名密钥")
	}
	if c.Kind == KindWeCom && c.Secret != "" {
		add("secret", "企业微信群机器人没有签名密钥，请留空")
	}
	if len(ps) > 0 {
		return &InvalidError{Problems: ps}
	}
	return nil
}

// checkURL accepts https addresses, and plain http only on the loopback interface (the
// local protocol servers of the tests and of the demo); it returns a Chinese reason or "".
func checkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "Webhook 地址格式不正确"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return ""
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return ""
		}
		return "Webhook 地址必须以 https:// 开头"
	default:
		return "Webhook 地址必须以 https:// 开头"
	}
}

// endpoint is the address requests go to, before any signing query is added.
func (c Channel) endpoint() string {
	if c.URL != "" {
		return c.URL
	}
	switch c.Kind {
	case KindWeCom:
		return WeComEndpoint + "?key=" + url.QueryEscape(c.Key)
	case KindDingTalk:
		return DingTalkEndpoint + "?access_token=" + url.QueryEscape(c.Key)
	case KindFeishu:
		return FeishuEndpoint + url.PathEscape(c.Key)
	}
	return ""
}

// Message is one notification: a title, a body in the platforms' common markdown subset
// (headings, **bold**, links, lists, > quotes), the phone numbers to @-mention and the
// message's idempotency key.
type Message struct {
	Title    string
	Markdown string
	// MentionPhones are mainland mobile numbers to @-mention where the platform can (WeCom,
	// DingTalk; passed on by the generic webhook; Feishu's custom bots cannot, see Result).
	MentionPhones []string
	// Key identifies the message across retries; the generic webhook sends it as
	// X-Fugong-Message-Key so that a receiver can drop a repeat. The group robots have no such
	// field: against them only the dispatcher's bookkeeping prevents doubles.
	Key string
}

func (m Message) validate() error {
	var ps []Problem
	if strings.TrimSpace(m.Title) == "" && strings.TrimSpace(m.Markdown) == "" {
		ps = append(ps, Problem{"markdown", "消息标题和正文不能都为空"})
	}
	for _, p := range m.MentionPhones {
		if !isPhone(p) {
			ps = append(ps, Problem{"mention_phones", fmt.Sprintf("%q 不是有效的手机号（11 位数字，以 1 开头）", p)})
			break
		}
	}
	if len(ps) > 0 {
		return &InvalidError{Problems: ps}
	}
	return nil
}

func isPhone(s string) bool {
	if len(s) != 11 || s[0] != '1' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Outcome is what the dispatcher should do with a message after one Send.
type Outcome string

// The outcomes of a Send.
const (
	// OK: the platform accepted the message.
	OK Outcome = "ok"
	// Retry: rate limited, a network error or a server error; send again after RetryAfter.
	Retry Outcome = "retry"
	// Permanent: bad key, token, signature or content; sending it again will not help until
	// someone changes the channel. Shown on the failed-messages page with the platform's answer.
	Permanent Outcome = "permanent"
)

// Result is the platform's answer to one Send, kept for the failed-messages page.
type Result struct {
	Kind    Kind
	Outcome Outcome
	// StatusCode is the HTTP status of the last answer; 0 when none came.
	StatusCode int
	// Code and Message are the platform's own (WeCom errcode/errmsg, DingTalk errcode/errmsg,
	// Feishu code/msg); for a network error Message describes it and Code is 0.
	Code    int
	Message string
	// RetryAfter is how long to wait before the next attempt when Outcome is Retry: the
	// platform's own figure when it gives one, else a default for that platform.
	RetryAfter time.Duration
	// Truncated reports that the body was cut to the platform's limit.
	Truncated bool
	// Requests is how many HTTP requests were sent: 2 for a WeCom message with mentions,
	// which counts twice against that robot's 20 a minute.
	Requests int
	// Mentioned reports that the phones were @-mentioned; MentionNote says why not when
	// there were phones to mention and they were not.
	Mentioned   bool
	MentionNote string
}

// ErrRetry and ErrPermanent are what a failed Send's error matches with errors.Is.
var (
	ErrRetry     = errors.New("notify: retry later")
	ErrPermanent = errors.New("notify: permanent failure")
)

// Error is the error of a Send that was not OK; it carries the Result and, for a network
// error or a bad channel, the cause.
type Error struct {
	Result Result
	Err    error
}

func (e *Error) Error() string {
	r := e.Result
	s := fmt.Sprintf("notify %s: %s", r.Kind, r.Outcome)
	if r.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", r.StatusCode)
	}
	if r.Code != 0 {
		s += fmt.Sprintf(" code %d", r.Code)
	}
	if r.Message != "" {
		s += ": " + r.Message
	}
	if r.Outcome == Retry {
		s += fmt.Sprintf("; retry after %s", r.RetryAfter)
	}
	return s
}

// Is makes errors.Is(err, ErrRetry) and errors.Is(err, ErrPermanent) follow the outcome.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrRetry:
		return e.Result.Outcome == Retry
	case ErrPermanent:
		return e.Result.Outcome == Permanent
	}
	return false
}

// Unwrap gives the cause: a network error, or an *InvalidError for a bad channel or message.
func (e *Error) Unwrap() error { return e.Err }

// Cost is how many requests Send makes for m on ch's platform: two for a WeCom message with
// mentions (its markdown cannot @, so a text message follows), else one. Each counts against
// the robot's 20 a minute.
func Cost(ch Channel, m Message) int {
	if ch.Kind == KindWeCom && len(m.MentionPhones) > 0 {
		return 2
	}
	return 1
}
