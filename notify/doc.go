// Package notify sends one message to one group robot: a WeCom (企业微信) group robot, a
// DingTalk (钉钉) custom robot, a Feishu (飞书) custom bot, or Fugong's own generic HTTPS
// webhook (for a township's SMS gateway or anything else).
//
// It knows each platform's wire format, signature, size limit and answer codes, and turns
// the answer into an Outcome the caller acts on: OK, Retry (rate limited, network or server
// error, with a RetryAfter) or Permanent (bad key, token, signature or content, with the
// platform's code and message for the failed-messages page). It keeps no state and never
// retries: Sender.Send is one attempt.
//
// Package notify/notifytest has a local server per platform that checks requests as the
// platform would and answers as it documents, for tests and for the demo's local sink.
//
// What comes next (issue 20): an outbox written in the same transaction as the event that
// causes a message, and a dispatcher that claims its rows (FOR UPDATE SKIP LOCKED on
// PostgreSQL), keeps each robot under its rate limit by merging what queues up, calls Send,
// and reschedules on Retry or parks the message on Permanent. The dispatcher alone prevents
// doubles against the group robots, which take no idempotency key.
//
// # Platforms
//
//   - WeCom: markdown (content ≤ 4,096 bytes). Markdown cannot @ by phone, so mentions go in
//     a second, text message with mentioned_mobile_list (≤ 2,048 bytes); if only that second
//     message fails, the Send is still OK and Result.MentionNote says so, because sending the
//     whole message again would show it twice. Not signed: the key in the address is the
//     credential.
//   - DingTalk: markdown with at.atMobiles, and "@phone" at the end of the text (DingTalk
//     highlights only mentions that appear in the text). Signed in the query: timestamp (ms)
//     and sign = base64(HMAC-SHA256(key=secret, msg=timestamp+"\n"+secret)). Text cut at
//     20,000 characters (not confirmed from DingTalk's documentation).
//   - Feishu: an interactive card, the title in its header and the body as lark_md (bold,
//     links; headings become bold lines). Signed in the body: timestamp (s) and
//     sign = base64(HMAC-SHA256(key=timestamp+"\n"+secret, msg="")), key and message the
//     other way round from DingTalk. Whole body ≤ 20,000 bytes. Custom bots cannot @ by
//     phone: mentions are dropped and Result.MentionNote says so.
//   - Webhook: see below.
//
// # The generic webhook
//
// Fugong POSTs a JSON body (WebhookPayload):
//
//	{"key":"…","title":"…","markdown":"…","mention_phones":["138…"],"sent_at":"2026-02-03T01:30:00Z"}
//
// with the headers
//
//	Content-Type: application/json; charset=utf-8
//	X-Fugong-Timestamp: 1770082200                      (Unix seconds)
//	X-Fugong-Signature: sha256=<hex>
//	X-Fugong-Message-Key: <the message's key>
//
// where <hex> is the lower-case hex of HMAC-SHA256 with the channel's secret as the key over
// the bytes of the timestamp header, a full stop, and the raw body exactly as received:
//
//	hex(HMAC-SHA256(secret, X-Fugong-Timestamp + "." + body))
//
// A receiver should (1) refuse a timestamp more than 5 minutes from its clock, (2) compute
// the signature over the raw body before parsing it and compare in constant time, and (3)
// drop a message whose X-Fugong-Message-Key it has already accepted: Fugong sends a message
// again when it did not see the answer. It answers 2xx when it took the message, 429 with
// Retry-After (seconds) to slow Fugong down, 5xx to have it try later; any other status
// parks the message as failed. In Go, VerifyWebhook does steps 1 and 2.
package notify
