package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Messenger tells the groups (联络群) what happened, through the outbox:
//
//  1. Schedule writes the events that time calls for (a reminder before each cut-off, who
//     missed after it, the morning summary, the daily report) under keys unique per township,
//     day and slot, so that any number of processes write each once; an alert's event is
//     written by the database in the alert's own insert.
//  2. FanOut claims events and turns each into one message per channel that should hear of
//     it, with the text of that moment (the reminder lists who is missing then).
//  3. Dispatch claims due messages, merges what queued up for one robot into one send, keeps
//     each robot under its rate, sends, and records the answer: sent, again later (with a
//     backoff), or failed.
//
// Every step is a claim with a lease, so several processes share the work and a process that
// dies frees what it held when the lease runs out.
//
// No queue library does this here: the ones made for Go either serve PostgreSQL only (river)
// or SQLite only (goqite), and the outbox row of an alert must be written by the alert's own
// insert, on both engines (a trigger), which no library does.
type Messenger struct {
	outbox      OutboxStore
	channels    ChannelStore
	townships   TownshipStore
	enterprises EnterpriseStore
	alerts      AlertStore
	workers     WorkerStore
	checkins    *CheckinService
	dashboard   *DashboardService
	robots      Robots
	clock       Clock
	links       Links
	recorder    Recorder // hears of each send, for the metrics; nil for none
	// written remembers the scheduled events this process wrote or found written, so that it
	// writes each once instead of every step while its window lasts.
	written sync.Map
}

// Links make the addresses the messages link to.
type Links struct {
	// Base is where people open Fugong ("https://fugong.example.gov.cn"); "" leaves links out.
	Base string
}

func (l Links) to(path string) string {
	if l.Base == "" {
		return ""
	}
	return strings.TrimRight(l.Base, "/") + path
}

// SetLinks sets where the messages link to, once the server knows its address; call it before
// the first Step.
func (m *Messenger) SetLinks(l Links) { m.links = l }

// How the dispatcher paces itself.
const (
	// claimLease is how long a claimed event or message is another process's to leave alone:
	// longer than a send's timeout (sendTimeout), so that only a dead process loses its claims.
	claimLease = 2 * time.Minute
	// sendTimeout bounds one send, which finishes even when the process is stopping, so that
	// its answer is recorded.
	sendTimeout = 30 * time.Second
	// scheduleWindow is how late a scheduled message is still sent: a process started at noon
	// does not send the morning's reminder.
	scheduleWindow = 2 * time.Hour
	// reportDelay is how long after the afternoon cut-off the day's report is announced: after
	// the sweep has raised the slot's missed check-ins.
	reportDelay = 5 * time.Minute
	// mergeBytes bounds the text merged into one send, below WeCom's 4,096 bytes, the smallest
	// of the platforms' limits, so that merging never cuts a message.
	mergeBytes = 3500
)

// Step schedules, fans out and dispatches once; the server calls it every second or two.
// It returns how many messages it sent.
func (m *Messenger) Step(ctx context.Context) (int, error) {
	now := m.clock.Now()
	if _, err := m.Schedule(ctx, now); err != nil {
		return 0, fmt.Errorf("schedule: %w", err)
	}
	if _, err := m.FanOut(ctx, now); err != nil {
		return 0, fmt.Errorf("fan out: %w", err)
	}
	n, err := m.Dispatch(ctx, now)
	if err != nil {
		return n, fmt.Errorf("dispatch: %w", err)
	}
	return n, nil
}

// Schedule writes the events due by now in every township; it returns how many it wrote
// (those another process wrote first are not counted).
func (m *Messenger) Schedule(ctx context.Context, now time.Time) (int, error) {
	count := 0
	for page := (Page{Limit: MaxPageSize}); ; page.Offset += MaxPageSize {
		ts, total, err := m.townships.List(ctx, page)
		if err != nil {
			return count, err
		}
		for _, t := range ts {
			for _, e := range Scheduled(t, now) {
				if _, done := m.written.Load(e.Key); done {
					continue
				}
				wrote, err := m.outbox.AddEvent(ctx, e)
				if err != nil {
					return count, err
				}
				m.written.Store(e.Key, true)
				if wrote {
					count++
				}
			}
		}
		if page.Offset+len(ts) >= total || len(ts) == 0 {
			return count, nil
		}
	}
}

// Scheduled are the township's events due at now: the reminder from RemindMinutes before each
// slot's cut-off until the cut-off, who missed it from the cut-off, the summary from its
// time, the report from reportDelay after the afternoon cut-off; each for scheduleWindow.
func Scheduled(t Township, now time.Time) []Event { return scheduled(t, now, scheduleWindow) }

// DueToday are the township's scheduled events of today whose time has come, however long
// ago (the demo writes them at start, so that its groups show each kind of message); the
// reminder only while its slot is still open.
func DueToday(t Township, now time.Time) []Event { return scheduled(t, now, 24*time.Hour) }

func scheduled(t Township, now time.Time, window time.Duration) []Event {
	today := t.Today(now)
	var out []Event
	add := func(kind EventKind, slot Slot, from, until time.Time) {
		if now.Before(from) || !now.Before(until) {
			return
		}
		out = append(out, Event{TownshipID: t.ID, Kind: kind, Day: today, Slot: slot, CreatedAt: now,
			Key: fmt.Sprintf("%s:%d:%s:%s", kind, t.ID, today, slot)})
	}
	for _, slot := range []Slot{SlotAM, SlotPM} {
		cut := t.Cutoff(today, slot)
		if r := t.Policy.RemindMinutes; r > 0 {
			add(EventReminder, slot, cut.Add(-time.Duration(r)*time.Minute), cut)
		}
		add(EventMissed, slot, cut, cut.Add(window))
	}
	if at, ok := t.clockOn(today, t.Policy.SummaryAt); ok {
		add(EventSummary, "", at, at.Add(window))
	}
	report := t.Cutoff(today, SlotPM).Add(reportDelay)
	add(EventReport, "", report, report.Add(window))
	return out
}

// clockOn is the moment of day d at "HH:MM" in the township's zone; false for "" or a bad one.
func (t Township) clockOn(d Date, hm string) (time.Time, bool) {
	c, err := time.Parse("15:04", hm)
	if err != nil {
		return time.Time{}, false
	}
	day := d.Time()
	return time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), 0, 0, t.location()), true
}

// FanOut turns claimed events into messages, one per channel that should hear of each, and
// returns how many events it handled.
func (m *Messenger) FanOut(ctx context.Context, now time.Time) (int, error) {
	events, err := m.outbox.ClaimEvents(ctx, 20, now, claimLease)
	if err != nil {
		return 0, err
	}
	// A township without robots has nobody to tell: its events are done at once, without
	// reading what they are about (a township of 50,000 without groups raises alerts all day).
	heard := map[int64]bool{}
	for i, e := range events {
		has, ok := heard[e.TownshipID]
		if !ok {
			chs, err := m.channels.List(ctx, ChannelFilter{TownshipID: e.TownshipID, EnabledOnly: true})
			if err != nil {
				return i, err
			}
			has, heard[e.TownshipID] = len(chs) > 0, len(chs) > 0
		}
		var msgs []Message
		if has {
			if msgs, err = m.compose(ctx, e, now); err != nil {
				return i, fmt.Errorf("event %s: %w", e.Key, err)
			}
		}
		if err := m.outbox.FanOut(ctx, e.ID, msgs, now); err != nil {
			return i, err
		}
	}
	return len(events), nil
}

// compose writes the messages of one event; an event about something gone by now (an alert
// the retention removed) has none.
func (m *Messenger) compose(ctx context.Context, e Event, now time.Time) ([]Message, error) {
	t, err := m.townships.Get(ctx, e.TownshipID)
	if err != nil {
		return nil, err
	}
	p := post{m: m, t: t, e: e, now: now}
	switch e.Kind {
	case EventAlert:
		err = p.alert(ctx)
	case EventReminder:
		err = p.missing(ctx, MsgReminder)
	case EventMissed:
		err = p.missing(ctx, MsgMissed)
		if err == nil {
			err = p.zonesMissed(ctx)
		}
	case EventSummary, EventReport:
		err = p.township(ctx)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return p.out, err
}

// post collects the messages of one event.
type post struct {
	m   *Messenger
	t   Township
	e   Event
	now time.Time
	out []Message
}

// add writes one message to ch, unless ch does not get its type; what falls in the
// channel's quiet hours waits until they end.
func (p *post) add(ch Channel, typ MessageType, enterpriseID int64, text Text, mention []string) {
	if !ch.Gets(typ) {
		return
	}
	next := ch.quietUntil(p.t, p.now)
	p.out = append(p.out, Message{
		TownshipID: p.t.ID, ChannelID: ch.ID, EventID: p.e.ID, Type: typ, Key: p.e.Key, EnterpriseID: enterpriseID,
		Title: text.Title, Markdown: text.Markdown, MentionPhones: mention, Status: MessagePending,
		NextAt: next, GiveUpAt: next.Add(GiveUpAfter), CreatedAt: p.now,
	})
}

// quietUntil is when a message due at now may go out on c: the end of its quiet hours when now
// is inside them, else now.
func (c Channel) quietUntil(t Township, now time.Time) time.Time {
	if c.QuietFrom == "" || c.QuietTo == "" || c.QuietFrom == c.QuietTo {
		return now
	}
	day := t.Today(now)
	from, ok1 := t.clockOn(day, c.QuietFrom)
	to, ok2 := t.clockOn(day, c.QuietTo)
	if !ok1 || !ok2 {
		return now
	}
	switch {
	case from.Before(to): // 12:00–14:00
		if !now.Before(from) && now.Before(to) {
			return to
		}
	case !now.Before(from): // 22:00–07:00, in the evening
		next, _ := t.clockOn(day.AddDays(1), c.QuietTo)
		return next
	case now.Before(to): // 22:00–07:00, in the small hours
		return to
	}
	return now
}

// alert posts an alert to its enterprise's groups, @-mentioning the HR contact, and to its
// supervisors' groups.
func (p *post) alert(ctx context.Context) error {
	a, err := p.m.alerts.Get(ctx, p.e.AlertID)
	if err != nil {
		return err
	}
	e, err := p.m.enterprises.Get(ctx, a.EnterpriseID)
	if err != nil {
		return err
	}
	w, err := p.m.workers.Get(ctx, a.WorkerID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	text := AlertText(p.t, e, w, a, p.m.links)
	own, err := p.m.channels.List(ctx, ChannelFilter{TownshipID: p.t.ID, Scope: ScopeEnterprise, EnterpriseID: e.ID, EnabledOnly: true})
	if err != nil {
		return err
	}
	for _, ch := range own {
		p.add(ch, MsgAlert, e.ID, text, mentionable(e.ContactPhone))
	}
	sup, err := p.m.channels.List(ctx, ChannelFilter{TownshipID: p.t.ID, Scope: ScopeSupervisor, SupervisorOf: e.ID, EnabledOnly: true})
	if err != nil {
		return err
	}
	for _, ch := range sup {
		p.add(ch, MsgAlert, e.ID, text, nil)
	}
	return nil
}

// mentionable is the phone to @-mention, if it is a mainland mobile number (the robots refuse
// anything else, and the message should not fail for the contact's landline).
func mentionable(phone string) []string {
	if len(phone) != 11 || phone[0] != '1' || strings.Trim(phone, "0123456789") != "" {
		return nil
	}
	return []string{phone}
}

// missing posts, to each enterprise group, who has not reported the event's slot: before the
// cut-off as a reminder, after it as the list of those who missed it. Nobody missing: nothing.
func (p *post) missing(ctx context.Context, typ MessageType) error {
	chs, err := p.m.channels.List(ctx, ChannelFilter{TownshipID: p.t.ID, Scope: ScopeEnterprise, EnabledOnly: true})
	if err != nil {
		return err
	}
	byEnterprise := map[int64][]Channel{}
	var order []int64
	for _, ch := range chs {
		if !ch.Gets(typ) {
			continue
		}
		if _, ok := byEnterprise[ch.EnterpriseID]; !ok {
			order = append(order, ch.EnterpriseID)
		}
		byEnterprise[ch.EnterpriseID] = append(byEnterprise[ch.EnterpriseID], ch)
	}
	for _, id := range order {
		e, err := p.m.enterprises.Get(ctx, id)
		if err != nil {
			return err
		}
		miss, due, err := p.m.checkins.Missing(ctx, e, p.e.Day, p.e.Slot)
		if err != nil {
			return err
		}
		if len(miss) == 0 {
			continue
		}
		text := MissingText(p.t, e, p.e.Day, p.e.Slot, typ, miss, due, p.m.links)
		for _, ch := range byEnterprise[id] {
			p.add(ch, typ, e.ID, text, mentionable(e.ContactPhone))
		}
	}
	return nil
}

// zonesMissed posts, to each zone's groups, who missed the slot in each of the zone's
// enterprises.
func (p *post) zonesMissed(ctx context.Context) error {
	chs, err := p.m.channels.List(ctx, ChannelFilter{TownshipID: p.t.ID, Scope: ScopeZone, EnabledOnly: true})
	if err != nil {
		return err
	}
	lists := map[int64][]EnterpriseMissing{}
	for _, ch := range chs {
		if !ch.Gets(MsgMissed) {
			continue
		}
		zone, ok := p.t.zoneByID(ch.ZoneID)
		if !ok {
			continue
		}
		list, ok := lists[ch.ZoneID]
		if !ok {
			if list, err = p.zoneMissing(ctx, zone.Name); err != nil {
				return err
			}
			lists[ch.ZoneID] = list
		}
		if len(list) == 0 {
			continue
		}
		p.add(ch, MsgMissed, 0, ZoneMissedText(p.t, zone.Name, p.e.Day, p.e.Slot, list, p.m.links), nil)
	}
	return nil
}

// EnterpriseMissing is one enterprise's people missing a slot, for a zone's message.
type EnterpriseMissing struct {
	Enterprise Enterprise
	Names      []string
}

func (p *post) zoneMissing(ctx context.Context, zone string) ([]EnterpriseMissing, error) {
	var out []EnterpriseMissing
	for f := (EnterpriseFilter{TownshipID: p.t.ID, Zone: zone, Page: Page{Limit: MaxPageSize}}); ; f.Offset += MaxPageSize {
		es, total, err := p.m.enterprises.List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			miss, _, err := p.m.checkins.Missing(ctx, e, p.e.Day, p.e.Slot)
			if err != nil {
				return nil, err
			}
			if len(miss) > 0 {
				out = append(out, EnterpriseMissing{Enterprise: e, Names: miss})
			}
		}
		if f.Offset+len(es) >= total || len(es) == 0 {
			return out, nil
		}
	}
}

func (t Township) zoneByID(id int64) (Zone, bool) {
	for _, z := range t.Zones {
		if z.ID == id {
			return z, true
		}
	}
	return Zone{}, false
}

// township posts the morning summary (of yesterday, the last whole day) or the report of the
// day to the township's groups, with the dashboard's figures of that day: the one rule.
func (p *post) township(ctx context.Context) error {
	chs, err := p.m.channels.List(ctx, ChannelFilter{TownshipID: p.t.ID, Scope: ScopeTownship, EnabledOnly: true})
	if err != nil || len(chs) == 0 {
		return err
	}
	typ, day := MsgReport, p.e.Day
	if p.e.Kind == EventSummary {
		typ, day = MsgSummary, p.e.Day.AddDays(-1)
	}
	town := Actor{Role: RoleTownAdmin, TownshipID: p.t.ID}
	v, err := p.m.dashboard.View(ctx, town, DashboardQuery{Date: day})
	if err != nil {
		return err
	}
	sum, err := p.m.dashboard.Summary(ctx, v)
	if err != nil {
		return err
	}
	text := SummaryText(p.t, sum, typ, p.m.links)
	for _, ch := range chs {
		p.add(ch, typ, 0, text, nil)
	}
	return nil
}

// Missing returns the masked names of the people due on day d without a report of slot s, as
// HR's check-in status page lists them (the same read: CheckinService.dayStatus), and how
// many were due.
func (s *CheckinService) Missing(ctx context.Context, e Enterprise, d Date, slot Slot) ([]string, int, error) {
	days, err := s.dayStatus(ctx, e, d)
	if err != nil {
		return nil, 0, err
	}
	var names []string
	due := 0
	for _, wd := range days {
		if !wd.Due {
			continue
		}
		due++
		if (slot == SlotAM && wd.AM == nil) || (slot == SlotPM && wd.PM == nil) {
			names = append(names, MaskName(wd.Worker.Name))
		}
	}
	return names, due, nil
}
