package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Dispatch claims the messages due by now and sends them, a robot at a time; it returns how
// many messages went out (merged ones included).
func (m *Messenger) Dispatch(ctx context.Context, now time.Time) (int, error) {
	msgs, err := m.outbox.ClaimMessages(ctx, 100, now, claimLease)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	sent := 0
	groups := byChannel(msgs)
	for i, group := range groups {
		if ctx.Err() != nil {
			// Stopping: what is claimed and unsent is given back at once rather than when its
			// lease runs out, so that the next process sends it without waiting.
			return sent, m.release(groups[i:], now)
		}
		n, err := m.deliver(ctx, group, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// byChannel groups claimed messages by robot, in the order they were claimed.
func byChannel(msgs []Message) [][]Message {
	index := map[int64]int{}
	var out [][]Message
	for _, msg := range msgs {
		i, ok := index[msg.ChannelID]
		if !ok {
			i = len(out)
			index[msg.ChannelID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], msg)
	}
	return out
}

func (m *Messenger) release(groups [][]Message, now time.Time) error {
	var ids []int64
	for _, g := range groups {
		ids = append(ids, idsOf(g)...)
	}
	return m.outbox.Delay(ctx0, ids, now)
}

// ctx0 is the context of the bookkeeping that must happen even when the process is stopping:
// a send's answer, claims given back.
var ctx0 = context.Background()

func idsOf(msgs []Message) []int64 {
	ids := make([]int64, len(msgs))
	for i, msg := range msgs {
		ids[i] = msg.ID
	}
	return ids
}

// deliver sends one robot's claimed messages: merged into as few sends as the size allows,
// each within the robot's rate. Over the rate, the rest wait for the next window, where they
// merge with whatever else queued up: a burst of alerts becomes one message, not a flood.
func (m *Messenger) deliver(ctx context.Context, msgs []Message, now time.Time) (int, error) {
	ch, err := m.channels.Get(ctx, msgs[0].TownshipID, msgs[0].ChannelID)
	if err != nil {
		return 0, err
	}
	if !ch.Enabled {
		return 0, m.outbox.Record(ctx0, SendRecord{IDs: idsOf(msgs), Outcome: "permanent",
			Message: "群机器人已停用：重新启用后可在消息记录中重新发送", At: now})
	}
	batches := mergeable(msgs)
	sent := 0
	for i, batch := range batches {
		rm := merged(batch)
		// The rate is taken at the moment of the send, not of the step: the robot counts its
		// minute from when the requests arrive, and a step's sends go one after another.
		ok, until, err := m.channels.Take(ctx, ch.ID, m.robots.Cost(ch, rm), RateLimit, m.clock.Now())
		if err != nil {
			return sent, err
		}
		if !ok || ctx.Err() != nil {
			next := until
			if ctx.Err() != nil {
				next = now
			}
			return sent, m.outbox.Delay(ctx0, idsOf(flatten(batches[i:])), next)
		}
		rec := m.send(ctx, ch, batch, rm, now)
		if err := m.outbox.Record(ctx0, rec); err != nil {
			return sent, err
		}
		if m.recorder != nil {
			m.recorder.GroupSend(ch.Kind, rec.Outcome, len(batch))
		}
		if rec.Outcome != "ok" {
			// The robot is down or refuses: the rest wait as long as this one does.
			if rest := batches[i+1:]; len(rest) > 0 {
				return sent, m.outbox.Delay(ctx0, idsOf(flatten(rest)), rec.NextAt)
			}
			return sent, nil
		}
		sent += len(batch)
	}
	return sent, nil
}

// send makes one attempt and says what to record. The send finishes even when ctx ends (the
// process is stopping), so that its answer is written and the message is neither lost nor
// sent again by the next process.
func (m *Messenger) send(ctx context.Context, ch Channel, batch []Message, rm RobotMessage, now time.Time) SendRecord {
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	ans := m.robots.Send(sendCtx, ch, rm)
	rec := SendRecord{IDs: idsOf(batch), Outcome: ans.Outcome, StatusCode: ans.StatusCode, Code: ans.Code,
		Message: ans.Message, At: now}
	if ans.Outcome == "retry" {
		rec.NextAt = now.Add(backoff(batch[0].Attempts, ans.RetryAfter))
	}
	if ans.Outcome == "ok" && ans.MentionNote != "" {
		rec.Message = ans.MentionNote
	}
	return rec
}

// backoff is the wait before attempt n+1: the platform's own figure when it is longer,
// else 15 s doubling per attempt, at most 30 minutes.
func backoff(attempts int, platform time.Duration) time.Duration {
	d := 15 * time.Second << min(attempts, 7)
	d = min(d, 30*time.Minute)
	return max(d, platform)
}

// mergeable cuts a robot's messages into sends of at most mergeBytes of text each.
func mergeable(msgs []Message) [][]Message {
	var out [][]Message
	var cur []Message
	size := 0
	for _, msg := range msgs {
		n := len(msg.Title) + len(msg.Markdown) + 16
		if len(cur) > 0 && size+n > mergeBytes {
			out, cur, size = append(out, cur), nil, 0
		}
		cur, size = append(cur, msg), size+n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func flatten(batches [][]Message) []Message {
	var out []Message
	for _, b := range batches {
		out = append(out, b...)
	}
	return out
}

// merged is what one send of several messages carries: each under its title, the mentions
// of all, and the first message's key (the others are recorded as merged into it).
func merged(batch []Message) RobotMessage {
	if len(batch) == 1 {
		m := batch[0]
		return RobotMessage{Title: m.Title, Markdown: m.Markdown, MentionPhones: m.MentionPhones, Key: m.Key}
	}
	var b strings.Builder
	var phones []string
	seen := map[string]bool{}
	for i, m := range batch {
		if i > 0 {
			b.WriteString("\n\n---\n\n")
		}
		fmt.Fprintf(&b, "**%s**\n\n%s", m.Title, m.Markdown)
		for _, p := range m.MentionPhones {
			if !seen[p] {
				seen[p] = true
				phones = append(phones, p)
			}
		}
	}
	return RobotMessage{Title: fmt.Sprintf("%s 等 %d 条消息", batch[0].Title, len(batch)), Markdown: b.String(),
		MentionPhones: phones, Key: batch[0].Key}
}
