package notify

import (
	"encoding/json"
	"time"
)

// WeCom's limits, from its 群机器人配置说明 (developer.work.weixin.qq.com/document/path/91770):
// a text message's content is at most 2,048 bytes (the page says so); a markdown message's
// content at most 4,096 bytes (the page says so, and the robot answers errcode 40058
// "markdown.content exceed max length 4096" past it). Both count UTF-8 bytes: about 1,360
// Chinese characters of markdown.
const (
	WeComMarkdownMaxBytes = 4096
	WeComTextMaxBytes     = 2048
)

// WeCom's answer codes (errcode). Confirmed from robots' answers quoted in public issues:
// 93000 "invalid webhook url" (a wrong or deleted key), 40058 for a content over the limit
// (an invalid parameter: fix the message, not the channel), 45009 "api freq out of limit"
// (WeCom's usual rate-limit code). -1 "system busy" is WeCom's documented global code for a
// transient failure; not seen from a robot in the sources searched.
const (
	weComInvalidKey  = 93000
	weComInvalidArg  = 40058
	weComRateLimited = 45009
	weComBusy        = -1
)

// buildWeCom sends the message as markdown and, when there are phones to mention, a second
// text message with mentioned_mobile_list: WeCom's markdown can only mention by user ID
// (<@userid>), which Fugong does not know, while text can mention by phone.
func buildWeCom(ch Channel, m Message, _ time.Time) ([]request, bool, error) {
	content := m.Markdown
	if m.Title != "" {
		content = "## " + m.Title + "\n" + content
	}
	content, truncated := truncateBytes(content, WeComMarkdownMaxBytes)
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": content},
	})
	if err != nil {
		return nil, false, err
	}
	reqs := []request{{url: ch.endpoint(), body: body}}
	if len(m.MentionPhones) > 0 {
		text := "请及时查看上一条消息"
		if m.Title != "" {
			text = "请及时查看：" + m.Title
		}
		text, _ = truncateBytes(text, WeComTextMaxBytes)
		body, err := json.Marshal(map[string]any{
			"msgtype": "text",
			"text":    map[string]any{"content": text, "mentioned_mobile_list": m.MentionPhones},
		})
		if err != nil {
			return nil, false, err
		}
		reqs = append(reqs, request{url: ch.endpoint(), body: body, mention: true})
	}
	return reqs, truncated, nil
}

// errAnswer is the {"errcode":…,"errmsg":…} answer of WeCom and DingTalk.
type errAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func classifyWeCom(a answer) Result {
	var e errAnswer
	parsed := json.Unmarshal(a.body, &e) == nil
	r := Result{Code: e.ErrCode, Message: e.ErrMsg, StatusCode: a.status}
	switch {
	case !parsed && a.status == 200:
		r.Outcome, r.RetryAfter, r.Message = Retry, DefaultRetryAfter, "企业微信的应答无法解析"
		return r
	case e.ErrCode == weComRateLimited || e.ErrCode == weComBusy:
		r.Outcome, r.RetryAfter = Retry, retryAfter(a.header, DefaultRetryAfter)
		return r
	}
	return classifyHTTP(r, a)
}
