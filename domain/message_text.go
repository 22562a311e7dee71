package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Text is a message as the groups read it: a title, and a body in the platforms' common
// markdown (package notify puts the title on top in each platform's way). Names are masked
// (张*): a chat group is read over shoulders and forwarded.
type Text struct {
	Title    string
	Markdown string
}

// maxNames is how many names a message lists before "等 N 人": a group reads a short list,
// and the link shows the rest.
const maxNames = 40

// AlertText is an alert as the enterprise's and the supervisors' groups read it.
func AlertText(t Township, e Enterprise, w Worker, a Alert, l Links) Text {
	var b strings.Builder
	fmt.Fprintf(&b, "- 企业：%s", e.Name)
	if e.Zone != "" {
		fmt.Fprintf(&b, "（%s）", e.Zone)
	}
	if w.Name != "" {
		fmt.Fprintf(&b, "\n- 职工：%s", MaskName(w.Name))
		if w.ShiftGroup != "" {
			fmt.Fprintf(&b, "（%s）", w.ShiftGroup)
		}
	}
	if a.Detail != "" {
		fmt.Fprintf(&b, "\n- 情况：%s", a.Detail)
	}
	fmt.Fprintf(&b, "\n- 时间：%s", localTime(t, a.CreatedAt))
	b.WriteString("\n\n请企业人事立即核实，按防控要求处置，并在平台上登记处理结果。")
	if link := l.to(fmt.Sprintf("/alerts?status=open&enterprise_id=%d", e.ID)); link != "" {
		fmt.Fprintf(&b, "\n\n[查看预警](%s)", link)
	}
	return Text{Title: "【" + a.Type.Label() + "预警】" + e.Name, Markdown: b.String()}
}

// MissingText is an enterprise's people missing a slot: before the cut-off as a reminder
// (MsgReminder), after it as those who missed it (MsgMissed).
func MissingText(t Township, e Enterprise, d Date, slot Slot, typ MessageType, names []string, due int, l Links) Text {
	cut := t.Cutoff(d, slot).In(t.location()).Format("15:04")
	var b strings.Builder
	title := fmt.Sprintf("【未打卡名单】%s %s%s", e.Name, monthDay(d), slotWord(slot))
	if typ == MsgReminder {
		title = fmt.Sprintf("【打卡提醒】%s %s打卡 %s 截止", e.Name, slotWord(slot), cut)
		fmt.Fprintf(&b, "还有 **%d** 人未完成%s打卡（应打卡 %d 人）：\n\n%s\n\n请提醒本人尽快打卡；没有手机的职工由人事代报。",
			len(names), slotWord(slot), due, nameList(names))
	} else {
		fmt.Fprintf(&b, "截至 %s，**%d** 人未完成%s打卡（应打卡 %d 人）：\n\n%s\n\n请逐一联系核实情况。",
			cut, len(names), slotWord(slot), due, nameList(names))
	}
	if link := l.to("/checkins?date=" + d.String() + "&missing=" + string(slot)); link != "" {
		fmt.Fprintf(&b, "\n\n[查看打卡情况](%s)", link)
	}
	return Text{Title: title, Markdown: b.String()}
}

// ZoneMissedText is who missed a slot in each of a zone's enterprises.
func ZoneMissedText(t Township, zone string, d Date, slot Slot, list []EnterpriseMissing, l Links) Text {
	total := 0
	for _, em := range list {
		total += len(em.Names)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "截至 %s，共 **%d** 人未完成%s打卡，涉及 %d 家企业：\n",
		t.Cutoff(d, slot).In(t.location()).Format("15:04"), total, slotWord(slot), len(list))
	for _, em := range list {
		fmt.Fprintf(&b, "\n- %s %d 人：%s", em.Enterprise.Name, len(em.Names), nameList(em.Names))
	}
	if link := l.to("/dashboard?date=" + d.String() + "&zone=" + zone); link != "" {
		fmt.Fprintf(&b, "\n\n[查看监测大屏](%s)", link)
	}
	return Text{Title: fmt.Sprintf("【未打卡汇总】%s %s%s", zone, monthDay(d), slotWord(slot)), Markdown: b.String()}
}

// SummaryText is the township's morning summary (MsgSummary, of the day before) or the
// announcement of a day's report (MsgReport), with the figures of that day as the dashboard
// shows them (FIGURES.md).
func SummaryText(t Township, s Summary, typ MessageType, l Links) Text {
	f := s.Figures
	var b strings.Builder
	fmt.Fprintf(&b, "- 已复工企业：**%d** 家（共 %d 家）\n", s.Enterprises.Reopened, s.Enterprises.Total)
	fmt.Fprintf(&b, "- 已返岗：**%d** 人（在岗 %d，隔离观察 %d）\n", f.Returned, f.OnDuty, f.Isolating)
	fmt.Fprintf(&b, "- 打卡完成率：**%s**（上午未打卡 %d，下午未打卡 %d）\n", PercentText(f.Completion()), f.MissingAM(), f.MissingPM())
	fmt.Fprintf(&b, "- 发热：**%d** 人，有症状 %d 人\n", f.Fever, f.Symptomatic)
	fmt.Fprintf(&b, "- 未处理预警：**%d** 条", f.AlertsOpen)
	title := fmt.Sprintf("【每日早报】%s %s 复工情况", t.Name, monthDay(s.Date))
	if typ == MsgReport {
		title = fmt.Sprintf("【日报已生成】%s %s", t.Name, monthDay(s.Date))
		b.WriteString("\n\n当日日报（daily.xlsx）已可在监测大屏下载。")
	}
	if link := l.to("/dashboard?date=" + s.Date.String()); link != "" {
		fmt.Fprintf(&b, "\n\n[打开监测大屏](%s)", link)
	}
	return Text{Title: title, Markdown: b.String()}
}

// PercentText is a share as every page shows it: one decimal and a per cent sign, "—" for
// none (FIGURES.md: completion).
func PercentText(share float64, ok bool) string {
	if !ok {
		return NoValue
	}
	return strconv.FormatFloat(share*100, 'f', 1, 64) + "%"
}

func nameList(names []string) string {
	if len(names) <= maxNames {
		return strings.Join(names, "、")
	}
	return strings.Join(names[:maxNames], "、") + fmt.Sprintf(" 等 %d 人", len(names))
}

func slotWord(s Slot) string {
	if s == SlotAM {
		return "上午"
	}
	return "下午"
}

func monthDay(d Date) string {
	return fmt.Sprintf("%d月%d日", d.Time().Month(), d.Time().Day())
}

func localTime(t Township, at time.Time) string {
	return at.In(t.location()).Format("1月2日 15:04")
}
