package domain

import (
	"strings"
	"testing"
	"time"
)

func shanghai(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// TestScheduled is the timetable of the groups' scheduled messages: a reminder from 30
// minutes before each cut-off until it, who missed from the cut-off for two hours, the summary
// from its time, the report five minutes after the afternoon cut-off.
func TestScheduled(t *testing.T) {
	town := Township{ID: 7, Timezone: "Asia/Shanghai", Policy: DefaultPolicy}
	keys := func(at string) string {
		var ks []string
		for _, e := range Scheduled(town, shanghai(t, at)) {
			ks = append(ks, e.Key)
		}
		return strings.Join(ks, " ")
	}
	for _, tt := range []struct{ at, want string }{
		{"2026-02-03 08:29", ""},
		{"2026-02-03 08:30", "summary:7:2026-02-03:"},
		{"2026-02-03 09:29", "summary:7:2026-02-03:"},
		{"2026-02-03 09:30", "reminder:7:2026-02-03:am summary:7:2026-02-03:"},
		{"2026-02-03 10:00", "missed:7:2026-02-03:am summary:7:2026-02-03:"},
		{"2026-02-03 10:30", "missed:7:2026-02-03:am"},
		{"2026-02-03 12:00", ""},
		{"2026-02-03 15:45", "reminder:7:2026-02-03:pm"},
		{"2026-02-03 16:04", "missed:7:2026-02-03:pm"},
		{"2026-02-03 16:05", "missed:7:2026-02-03:pm report:7:2026-02-03:"},
		{"2026-02-03 18:04", "report:7:2026-02-03:"},
		{"2026-02-03 18:05", ""},
	} {
		if got := keys(tt.at); got != tt.want {
			t.Errorf("at %s: %q, want %q", tt.at, got, tt.want)
		}
	}
	town.Policy.RemindMinutes, town.Policy.SummaryAt = 0, ""
	if got := keys("2026-02-03 09:45"); got != "" {
		t.Errorf("no reminder and no summary: got %q", got)
	}
	if got := len(DueToday(town, shanghai(t, "2026-02-03 23:00"))); got != 3 {
		t.Errorf("late at night every missed list and the report are due today: %d events", got)
	}
}

// TestQuietHours: a message that falls due inside a channel's quiet hours waits for their end,
// across midnight too.
func TestQuietHours(t *testing.T) {
	town := Township{Timezone: "Asia/Shanghai"}
	for _, tt := range []struct{ from, to, at, want string }{
		{"", "", "2026-02-03 23:00", "2026-02-03 23:00"},
		{"12:00", "14:00", "2026-02-03 11:59", "2026-02-03 11:59"},
		{"12:00", "14:00", "2026-02-03 12:00", "2026-02-03 14:00"},
		{"12:00", "14:00", "2026-02-03 14:00", "2026-02-03 14:00"},
		{"22:00", "07:00", "2026-02-03 21:59", "2026-02-03 21:59"},
		{"22:00", "07:00", "2026-02-03 22:30", "2026-02-04 07:00"},
		{"22:00", "07:00", "2026-02-04 06:59", "2026-02-04 07:00"},
		{"22:00", "07:00", "2026-02-04 07:00", "2026-02-04 07:00"},
	} {
		c := Channel{QuietFrom: tt.from, QuietTo: tt.to}
		if got := c.quietUntil(town, shanghai(t, tt.at)); !got.Equal(shanghai(t, tt.want)) {
			t.Errorf("quiet %s–%s at %s: %s, want %s", tt.from, tt.to, tt.at, got, tt.want)
		}
	}
}

// TestMerge: what queued up for one robot goes in as few sends as fit WeCom's size, each
// message under its title, every mention once; one message goes as it is.
func TestMerge(t *testing.T) {
	one := Message{ID: 1, Key: "alert:1", Title: "【发热预警】甲", Markdown: "体温 38.0", MentionPhones: []string{"13800000001"}}
	if m := merged([]Message{one}); m.Title != one.Title || m.Markdown != one.Markdown || m.Key != "alert:1" {
		t.Errorf("one message is sent as it is: %+v", m)
	}
	two := one
	two.ID, two.Key, two.Title = 2, "alert:2", "【症状预警】乙"
	m := merged([]Message{one, two})
	if !strings.Contains(m.Markdown, "**【发热预警】甲**") || !strings.Contains(m.Markdown, "**【症状预警】乙**") ||
		len(m.MentionPhones) != 1 || m.Key != "alert:1" || !strings.Contains(m.Title, "等 2 条") {
		t.Errorf("merged: %+v", m)
	}
	big := Message{Title: "x", Markdown: strings.Repeat("名", 500)} // 1,500 bytes
	batches := mergeable([]Message{big, big, big, one})
	if len(batches) != 2 || len(batches[0]) != 2 || len(batches[1]) != 2 {
		t.Errorf("sizes of the sends: %d batches", len(batches))
	}
	for _, b := range batches {
		if n := len(merged(b).Markdown); n > mergeBytes {
			t.Errorf("a merged send of %d bytes is over %d", n, mergeBytes)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempts int
		platform time.Duration
		want     time.Duration
	}{
		{0, 0, 15 * time.Second}, {1, 0, 30 * time.Second}, {3, 0, 2 * time.Minute},
		{20, 0, 30 * time.Minute}, {0, 10 * time.Minute, 10 * time.Minute},
	} {
		if got := backoff(tt.attempts, tt.platform); got != tt.want {
			t.Errorf("backoff(%d, %s) = %s, want %s", tt.attempts, tt.platform, got, tt.want)
		}
	}
}

func TestChannelHint(t *testing.T) {
	for _, tt := range []struct {
		c    Channel
		want string
	}{
		{Channel{Kind: KindWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"}, "qyapi.weixin.qq.com …5aaa"},
		{Channel{Kind: KindDingTalk, Key: "abcdef123456"}, "oapi.dingtalk.com …3456"},
		{Channel{Kind: KindFeishu, URL: "https://open.feishu.cn/open-apis/bot/v2/hook/0f2c-99ab"}, "open.feishu.cn …99ab"},
		{Channel{Kind: KindWebhook, URL: "https://sms.example.gov.cn/hook"}, "sms.example.gov.cn"},
	} {
		if got := channelHint(tt.c); got != tt.want {
			t.Errorf("hint of %+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestMissingText: the names are masked and listed, a long list is cut with the count.
func TestMissingText(t *testing.T) {
	town := Township{Name: "长山镇", Timezone: "Asia/Shanghai", Policy: DefaultPolicy}
	d, _ := ParseDate("2026-02-03")
	names := make([]string, 45)
	for i := range names {
		names[i] = "张*"
	}
	txt := MissingText(town, Enterprise{ID: 3, Name: "福源面业"}, d, SlotPM, MsgReminder, names, 50, Links{Base: "https://fg.example.cn"})
	if !strings.Contains(txt.Title, "16:00 截止") || !strings.Contains(txt.Markdown, "**45** 人") ||
		!strings.Contains(txt.Markdown, "等 45 人") || !strings.Contains(txt.Markdown, "https://fg.example.cn/checkins?date=2026-02-03&missing=pm") {
		t.Errorf("reminder: %+v", txt)
	}
}
