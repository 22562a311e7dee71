package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one HTTP request of a Send when the Sender has no Timeout.
const DefaultTimeout = 10 * time.Second

// DefaultRetryAfter is the wait suggested after a network error, a server error or a rate
// limit the platform did not put a figure on.
const DefaultRetryAfter = time.Minute

// Sender sends one message to one group robot per call. It does not retry: the dispatcher
// decides when to try again, from the Result, so that a retry survives a restart. The zero
// value is ready to use.
type Sender struct {
	// Client sends the requests; nil means a fresh http.Client. Redirects are never followed
	// whatever its setting: a robot address that redirects is misconfigured (or, on DingTalk,
	// throttled), and following one would send the body somewhere nobody configured.
	Client *http.Client
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now gives the time the signatures carry; nil means time.Now.
	Now func() time.Time
}

// request is one HTTP request of a Send; mention marks WeCom's second message.
type request struct {
	url     string
	header  http.Header
	body    []byte
	mention bool
}

// answer is a platform's HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// platform builds a platform's requests and reads its answers.
type platform struct {
	build    func(ch Channel, m Message, now time.Time) (reqs []request, truncated bool, err error)
	classify func(a answer) Result
	// mentions says whether MentionPhones become real @-mentions on this platform.
	mentions bool
}

var platforms = map[Kind]platform{
	KindWeCom:    {buildWeCom, classifyWeCom, true},
	KindDingTalk: {buildDingTalk, classifyDingTalk, true},
	KindFeishu:   {buildFeishu, classifyFeishu, false},
	KindWebhook:  {buildWebhook, classifyWebhook, true},
}

// Send sends m to the robot of ch, once. It returns the platform's answer in a Result and,
// when that is not OK, an *Error that matches ErrRetry or ErrPermanent. A channel or message
// that cannot be sent (bad address, empty message) is Permanent without a request.
//
// A network error or a timeout is Retry, although the platform may have received the
// message: none of the robots takes an idempotency key, so the rare double after a lost
// answer is the price of not losing messages.
func (s *Sender) Send(ctx context.Context, ch Channel, m Message) (Result, error) {
	res := Result{Kind: ch.Kind}
	if err := ch.Validate(); err != nil {
		return failed(res, Permanent, "渠道配置有误："+problems(err), err)
	}
	if err := m.validate(); err != nil {
		return failed(res, Permanent, "消息有误："+problems(err), err)
	}
	p := platforms[ch.Kind]
	reqs, truncated, err := p.build(ch, m, s.now())
	res.Truncated = truncated
	if err != nil {
		return failed(res, Permanent, "无法生成消息："+err.Error(), err)
	}
	for _, rq := range reqs {
		res.Requests++
		a, err := s.do(ctx, rq)
		var r Result
		if err != nil {
			r = Result{Outcome: Retry, Message: "网络错误：" + err.Error(), RetryAfter: DefaultRetryAfter}
		} else {
			r = p.classify(a)
		}
		if rq.mention {
			// The message itself went out; a failed reminder is not worth sending the whole
			// message again (it would appear twice), so it is only noted.
			if r.Outcome == OK {
				res.Mentioned = true
			} else {
				res.MentionNote = "@提醒未发出：" + describe(r)
			}
			continue
		}
		res.StatusCode, res.Code, res.Message = r.StatusCode, r.Code, r.Message
		if r.Outcome != OK {
			res.Outcome, res.RetryAfter = r.Outcome, r.RetryAfter
			return res, &Error{Result: res, Err: err}
		}
	}
	res.Outcome = OK
	if len(m.MentionPhones) > 0 {
		switch {
		case p.mentions && ch.Kind != KindWeCom:
			res.Mentioned = true
		case !p.mentions:
			res.MentionNote = "飞书自定义机器人不能按手机号 @ 人，已只发送消息"
		}
	}
	return res, nil
}

func failed(res Result, o Outcome, msg string, err error) (Result, error) {
	res.Outcome, res.Message = o, msg
	return res, &Error{Result: res, Err: err}
}

func problems(err error) string {
	var ie *InvalidError
	if !errors.As(err, &ie) {
		return err.Error()
	}
	parts := make([]string, len(ie.Problems))
	for i, p := range ie.Problems {
		parts[i] = p.Field + "：" + p.Message
	}
	return strings.Join(parts, "；")
}

func describe(r Result) string {
	s := string(r.Outcome)
	if r.Code != 0 {
		s += fmt.Sprintf(" %d", r.Code)
	}
	if r.Message != "" {
		s += " " + r.Message
	}
	return s
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) do(ctx context.Context, rq request) (answer, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rq.url, bytes.NewReader(rq.body))
	if err != nil {
		return answer{}, errors.New("地址无法使用")
	}
	for k, v := range rq.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	var c http.Client
	if s.Client != nil {
		c = *s.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, networkError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return answer{}, networkError(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// networkError drops the request address from err: it holds the robot's key or token, and
// the message ends up on a page and in logs.
func networkError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("请求超时")
	}
	return err
}

// classifyHTTP decides from the HTTP status alone, for answers the platform's code did not
// settle: 429 and 5xx are Retry, a redirect and other 4xx Permanent.
func classifyHTTP(r Result, a answer) Result {
	r.StatusCode = a.status
	switch {
	case a.status == http.StatusTooManyRequests:
		r.Outcome, r.RetryAfter = Retry, retryAfter(a.header, DefaultRetryAfter)
	case a.status >= 500:
		r.Outcome, r.RetryAfter = Retry, retryAfter(a.header, DefaultRetryAfter)
	case a.status >= 300:
		r.Outcome = Permanent
	case r.Code != 0:
		r.Outcome = Permanent // an error code we do not know: someone has to look
	default:
		r.Outcome = OK
	}
	if r.Message == "" && r.Outcome != OK {
		r.Message = http.StatusText(a.status)
	}
	return r
}

// retryAfter reads Retry-After (seconds or an HTTP date) or Feishu's gateway header
// x-ogw-ratelimit-reset (seconds), else def.
func retryAfter(h http.Header, def time.Duration) time.Duration {
	for _, name := range []string{"Retry-After", "X-Ogw-Ratelimit-Reset"} {
		v := strings.TrimSpace(h.Get(name))
		if v == "" {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := time.Until(t); d > 0 {
				return d
			}
			return 0
		}
	}
	return def
}
