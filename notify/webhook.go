package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of the generic webhook (see doc.go).
const (
	WebhookTimestampHeader  = "X-Fugong-Timestamp"
	WebhookSignatureHeader  = "X-Fugong-Signature"
	WebhookMessageKeyHeader = "X-Fugong-Message-Key"
)

// WebhookMaxMarkdownBytes bounds the markdown of a generic webhook message; it is Fugong's
// own choice (an SMS gateway will cut far shorter anyway).
const WebhookMaxMarkdownBytes = 64 << 10

// WebhookWindow is how far a receiver should accept a timestamp from its own clock: short
// enough that a captured request cannot be replayed for long.
const WebhookWindow = 5 * time.Minute

// WebhookPayload is the JSON body of the generic webhook.
type WebhookPayload struct {
	Key           string   `json:"key"`
	Title         string   `json:"title"`
	Markdown      string   `json:"markdown"`
	MentionPhones []string `json:"mention_phones"`
	SentAt        string   `json:"sent_at"` // RFC 3339, UTC
}

// SignWebhook is the generic webhook's signature:
// hex(HMAC-SHA256(key=secret, msg=timestamp + "." + body)), timestamp in Unix seconds as
// sent in X-Fugong-Timestamp, body the raw bytes as sent. The header carries it as
// "sha256=<hex>".
func SignWebhook(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Errors of VerifyWebhook.
var (
	ErrWebhookSignature = errors.New("notify: webhook signature does not match")
	ErrWebhookTimestamp = errors.New("notify: webhook timestamp missing or outside the window")
)

// VerifyWebhook checks a generic webhook request as a receiver written in Go would: the
// timestamp within WebhookWindow of now, and the signature over timestamp and raw body.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(h.Get(WebhookTimestampHeader), 10, 64)
	if err != nil {
		return ErrWebhookTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > WebhookWindow || d < -WebhookWindow {
		return ErrWebhookTimestamp
	}
	got, ok := strings.CutPrefix(h.Get(WebhookSignatureHeader), "sha256=")
	if !ok {
		return ErrWebhookSignature
	}
	want := SignWebhook(secret, ts, body)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return ErrWebhookSignature
	}
	return nil
}

func buildWebhook(ch Channel, m Message, now time.Time) ([]request, bool, error) {
	md, truncated := truncateBytes(m.Markdown, WebhookMaxMarkdownBytes)
	phones := m.MentionPhones
	if phones == nil {
		phones = []string{}
	}
	body, err := marshal(WebhookPayload{
		Key: m.Key, Title: m.Title, Markdown: md, MentionPhones: phones,
		SentAt: now.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, false, err
	}
	ts := now.Unix()
	h := http.Header{}
	h.Set(WebhookTimestampHeader, strconv.FormatInt(ts, 10))
	h.Set(WebhookSignatureHeader, "sha256="+SignWebhook(ch.Secret, ts, body))
	if m.Key != "" {
		h.Set(WebhookMessageKeyHeader, m.Key)
	}
	return []request{{url: ch.endpoint(), header: h, body: body}}, truncated, nil
}

// classifyWebhook reads only the HTTP status: any 2xx is OK. A receiver may answer
// {"error":"…"}, which becomes the Result's message.
func classifyWebhook(a answer) Result {
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(a.body, &e)
	return classifyHTTP(Result{Message: e.Error}, a)
}
