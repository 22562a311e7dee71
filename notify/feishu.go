package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FeishuMaxBodyBytes bounds the whole JSON body sent to a Feishu custom bot. Feishu's custom
// bot guide limits the request body ("请求体大小不能超过 20 K" as remembered); the sources
// searched did not show the figure, so it is NOT confirmed. 20,000 bytes is the safe side
// of both that and the ~30 KB Fugong's brief mentions.
const FeishuMaxBodyBytes = 20000

// Feishu's answer codes (code). Confirmed: 19021 "sign match fail or timestamp is not within
// one hour from current time" (quoted in public issues); 11232, the rate-limit code Feishu's
// own frequency-control page names for custom bots (100 a minute, 5 a second per bot), and
// HTTP 429 with x-ogw-ratelimit-reset (seconds) and code 99991400 from its API gateway (same
// page). 9499 is NOT confirmed as a rate limit: it is named so in Fugong's brief, and seen
// elsewhere as "Bad Request"; it is Retry only when its message says "too many".
const (
	feishuBadSign     = 19021
	feishuRateLimited = 11232
	feishuGateway     = 99991400
	feishu9499        = 9499
)

// FeishuSign is Feishu's 签名校验: base64(HMAC-SHA256(key=timestamp+"\n"+secret, msg="")),
// timestamp in seconds. Note the reversal against DingTalk: the string is the key and the
// message is empty. It is sent in the body beside "timestamp".
func FeishuSign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

var mdHeading = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)

// LarkMD turns the common markdown into what a Feishu card's lark_md renders: lark_md has
// **bold**, *italic*, links and line breaks but no headings, so a heading line becomes a
// bold line (bold inside it dropped: nested ** would show as asterisks).
func LarkMD(md string) string {
	return mdHeading.ReplaceAllStringFunc(md, func(line string) string {
		inner := mdHeading.FindStringSubmatch(line)[1]
		return "**" + strings.ReplaceAll(inner, "**", "") + "**"
	})
}

type feishuBody struct {
	Timestamp string     `json:"timestamp,omitempty"`
	Sign      string     `json:"sign,omitempty"`
	MsgType   string     `json:"msg_type"`
	Card      feishuCard `json:"card"`
}

type feishuCard struct {
	Config   map[string]bool `json:"config"`
	Header   *feishuHeader   `json:"header,omitempty"`
	Elements []feishuDiv     `json:"elements"`
}

type feishuHeader struct {
	Title    feishuText `json:"title"`
	Template string     `json:"template"`
}

type feishuDiv struct {
	Tag  string     `json:"tag"`
	Text feishuText `json:"text"`
}

type feishuText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

// buildFeishu sends an interactive card: its header carries the title and one lark_md
// block the body, which renders bold and links (a "post" renders neither from markdown,
// and "text" is plain). Custom bots cannot @ by phone (only by open_id/user_id, or email in
// a card), so mentions are left out and the Result says so.
func buildFeishu(ch Channel, m Message, now time.Time) ([]request, bool, error) {
	b := feishuBody{MsgType: "interactive"}
	if ch.Secret != "" {
		ts := now.Unix()
		b.Timestamp = strconv.FormatInt(ts, 10)
		b.Sign = FeishuSign(ch.Secret, ts)
	}
	b.Card.Config = map[string]bool{"wide_screen_mode": true}
	if m.Title != "" {
		b.Card.Header = &feishuHeader{Title: feishuText{"plain_text", m.Title}, Template: "blue"}
	}
	body, truncated, err := fitBody(LarkMD(m.Markdown), FeishuMaxBodyBytes, func(content string) ([]byte, error) {
		b.Card.Elements = []feishuDiv{{Tag: "div", Text: feishuText{"lark_md", content}}}
		return marshal(b)
	})
	if err != nil {
		return nil, false, err
	}
	return []request{{url: ch.endpoint(), body: body}}, truncated, nil
}

// marshal is json.Marshal without escaping <, > and &, which would make bodies longer than
// they need to be (and the size limit counts bytes).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// feishuAnswer is Feishu's answer: {"code":0,"msg":"success"}, or in the older form
// {"StatusCode":0,"StatusMessage":"success"}.
type feishuAnswer struct {
	Code          *int   `json:"code"`
	Msg           string `json:"msg"`
	StatusCode    *int   `json:"StatusCode"`
	StatusMessage string `json:"StatusMessage"`
}

func classifyFeishu(a answer) Result {
	var f feishuAnswer
	parsed := json.Unmarshal(a.body, &f) == nil && (f.Code != nil || f.StatusCode != nil)
	r := Result{StatusCode: a.status, Message: f.Msg}
	switch {
	case f.Code != nil:
		r.Code = *f.Code
	case f.StatusCode != nil:
		r.Code, r.Message = *f.StatusCode, f.StatusMessage
	}
	switch {
	case r.Code == feishuRateLimited || r.Code == feishuGateway ||
		r.Code == feishu9499 && strings.Contains(strings.ToLower(r.Message), "too many"):
		r.Outcome, r.RetryAfter = Retry, retryAfter(a.header, DefaultRetryAfter)
		return r
	case !parsed && a.status == 200:
		r.Outcome, r.RetryAfter, r.Message = Retry, DefaultRetryAfter, "飞书的应答无法解析"
		return r
	}
	return classifyHTTP(r, a)
}
