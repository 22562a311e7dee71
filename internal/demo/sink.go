package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"fugong/domain"
	"fugong/notify"
	"fugong/notify/notifytest"
)

// Sink is the demo's group robots (issue 20): one local protocol server per demo group
// (notifytest, which checks each request as its platform would), all on one loopback
// listener that serve --demo starts, so that a newcomer sees what each group would have
// received without a real WeCom, DingTalk or Feishu group. Nothing leaves the machine.
type Sink struct {
	groups []sinkGroup
	srv    *http.Server
	base   string
}

// sinkGroup is one demo group: the channel Fugong keeps for it and the robot that plays it.
type sinkGroup struct {
	def   groupDef
	robot *notifytest.Server
}

// groupDef is a demo group: its name, scope, owner and platform.
type groupDef struct {
	name  string
	scope domain.ChannelScope
	kind  domain.ChannelKind
	// enterprise names the enterprise of an enterprise's group, or the enterprise whose zone
	// a zone's group is; supervisor the username of a supervisor's group.
	enterprise, supervisor string
	secret                 string
	muted                  []domain.MessageType
	// removed plays a robot someone removed from its group after it was set up: the platform
	// refuses its key, and its messages show on 消息记录's failed tab with the platform's answer.
	removed bool
}

// demoGroups are the groups of the demo: the town's task force (WeCom) and its SMS gateway
// (the signed webhook, summaries only), the zone of the guard's enterprise (DingTalk, 加签),
// that enterprise's own group (WeCom) and another's (Feishu, 签名校验), supervisor1's
// (DingTalk), and a group whose robot was removed (its messages fail). The secrets are the demo's own, as public as its passwords.
var demoGroups = []groupDef{
	{name: "长山镇复工复产专班群", scope: domain.ScopeTownship, kind: domain.KindWeCom},
	{name: "长山镇短信网关", scope: domain.ScopeTownship, kind: domain.KindWebhook, secret: "demo-sms-gateway-secret-2020",
		muted: []domain.MessageType{domain.MsgReport}},
	{name: "会仙责任区防控群", scope: domain.ScopeZone, kind: domain.KindDingTalk, enterprise: "长山镇福源面业有限公司",
		secret: "SECdemo0zone0robot0secret0changshan"},
	{name: "福源面业复工联络群", scope: domain.ScopeEnterprise, kind: domain.KindWeCom, enterprise: "长山镇福源面业有限公司"},
	{name: "长星纺织防疫工作群", scope: domain.ScopeEnterprise, kind: domain.KindFeishu, enterprise: "山东长星纺织有限公司",
		secret: "demo-feishu-sign-secret"},
	{name: "驻厂监督员1工作群", scope: domain.ScopeSupervisor, kind: domain.KindDingTalk, supervisor: "supervisor1",
		secret: "SECdemo0supervisor0robot0secret01"},
	{name: "长星纺织车间主任群（机器人已移除）", scope: domain.ScopeEnterprise, kind: domain.KindWeCom,
		enterprise: "山东长星纺织有限公司", removed: true},
}

// StartSink starts the demo's robots on a loopback port.
func StartSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo robots: %w", err)
	}
	s := &Sink{base: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	for i, d := range demoGroups {
		robot := notifytest.New(notifytest.Config{Kind: notify.Kind(d.kind), Key: fmt.Sprintf("demo-robot-%d", i+1),
			Secret: d.secret})
		prefix := fmt.Sprintf("/g%d", i+1)
		mux.Handle(prefix+"/", http.StripPrefix(prefix, robot))
		s.groups = append(s.groups, sinkGroup{def: d, robot: robot})
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln) //nolint:errcheck // Serve ends with ErrServerClosed at Close
	return s, nil
}

// Close stops the robots.
func (s *Sink) Close() error { return s.srv.Close() }

// channel is where the demo group's robot listens, as Fugong keeps it; a removed robot's key
// is one the robot no longer accepts.
func (s *Sink) channel(i int) notify.Channel {
	ch := s.groups[i].robot.ChannelAt(fmt.Sprintf("%s/g%d", s.base, i+1))
	if s.groups[i].def.removed {
		ch.URL = strings.Replace(ch.URL, fmt.Sprintf("demo-robot-%d", i+1), "demo-robot-removed", 1)
	}
	return ch
}

// SinkGroup is a demo group and what it received.
type SinkGroup struct {
	Name     string
	Kind     domain.ChannelKind
	Received []notifytest.Received
}

// Received lists each demo group with the messages it received since since.
func (s *Sink) Received(since time.Time) []SinkGroup {
	out := make([]SinkGroup, 0, len(s.groups))
	for _, g := range s.groups {
		var rs []notifytest.Received
		for _, r := range g.robot.Received() {
			if !r.At.Before(since) {
				rs = append(rs, r)
			}
		}
		out = append(out, SinkGroup{Name: g.def.name, Kind: g.def.kind, Received: rs})
	}
	return out
}

// Connect points the demo township's channels at the sink's robots, making them on the first
// start (and then holding back the history's alerts, which the groups would not have been sent:
// they had no robots then) and moving them to the sink's new port on every later one.
func (s *Sink) Connect(ctx context.Context, stores domain.Stores, now time.Time) error {
	t, err := demoTownship(ctx, stores)
	if err != nil {
		return err
	}
	existing, err := stores.Channels.List(ctx, domain.ChannelFilter{TownshipID: t.ID})
	if err != nil {
		return err
	}
	created := false
	for i, d := range s.groups {
		ch, err := s.channelFor(ctx, stores, t, d.def)
		if err != nil {
			return err
		}
		target := s.channel(i)
		ch.URL, ch.Secret, ch.UpdatedAt = target.URL, target.Secret, now
		if old, ok := findChannel(existing, d.def.name); ok {
			ch.ID, ch.CreatedAt, ch.Enabled, ch.Muted = old.ID, old.CreatedAt, old.Enabled, old.Muted
			ch.QuietFrom, ch.QuietTo = old.QuietFrom, old.QuietTo
			if err := stores.Channels.Update(ctx, &ch); err != nil {
				return err
			}
			continue
		}
		ch.CreatedAt, created = now, true
		if err := stores.Channels.Create(ctx, &ch); err != nil {
			return err
		}
	}
	if !created {
		return nil
	}
	return holdHistory(ctx, stores, t, now)
}

func findChannel(cs []domain.Channel, name string) (domain.Channel, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return domain.Channel{}, false
}

func demoTownship(ctx context.Context, stores domain.Stores) (domain.Township, error) {
	ts, _, err := stores.Townships.List(ctx, domain.Page{Limit: domain.MaxPageSize})
	if err != nil {
		return domain.Township{}, err
	}
	for _, t := range ts {
		if t.Name == "长山镇" {
			return t, nil
		}
	}
	return domain.Township{}, errors.New("demo robots: no township 长山镇 (is this the demo database?)")
}

// channelFor is the channel a demo group is, with its owner looked up by name.
func (s *Sink) channelFor(ctx context.Context, stores domain.Stores, t domain.Township, d groupDef) (domain.Channel, error) {
	ch := domain.Channel{TownshipID: t.ID, Scope: d.scope, Name: d.name, Kind: d.kind, Muted: d.muted, Enabled: true,
		Hint: "本机演示机器人"}
	if d.enterprise != "" {
		es, _, err := stores.Enterprises.List(ctx, domain.EnterpriseFilter{TownshipID: t.ID, Query: d.enterprise,
			Page: domain.Page{Limit: 1}})
		if err != nil || len(es) == 0 {
			return ch, fmt.Errorf("demo robots: enterprise %s: %v", d.enterprise, err)
		}
		if d.scope == domain.ScopeZone {
			ch.ZoneID = es[0].ZoneID
		} else {
			ch.EnterpriseID = es[0].ID
		}
	}
	if d.supervisor != "" {
		u, err := stores.Users.GetByUsername(ctx, d.supervisor)
		if err != nil {
			return ch, fmt.Errorf("demo robots: %s: %w", d.supervisor, err)
		}
		ch.UserID = u.ID
	}
	return ch, nil
}

// holdHistory marks the outbox events of the days before today as handled without messages:
// the demo's history raised its alerts before the groups had robots. Today's stay, so that
// the groups receive today's alerts at start, and the day's scheduled messages that are
// already due (the summary, who missed a slot whose cut-off has passed, the report) are
// written, so that a newcomer sees every kind of message whatever the hour.
func holdHistory(ctx context.Context, stores domain.Stores, t domain.Township, now time.Time) error {
	events, err := stores.Outbox.ClaimEvents(ctx, 100000, now, 0)
	if err != nil {
		return err
	}
	today := t.Today(now)
	for _, e := range events {
		if e.Day.Before(today) {
			if err := stores.Outbox.FanOut(ctx, e.ID, nil, now); err != nil {
				return err
			}
		}
	}
	for _, e := range domain.DueToday(t, now) {
		if _, err := stores.Outbox.AddEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// GroupsText is printed at start in demo mode.
func (s *Sink) GroupsText() string {
	names := make([]string, len(s.groups))
	for i, g := range s.groups {
		names[i] = g.def.name
	}
	return "Demo group robots (local, " + s.base + "): " + strings.Join(names, "、") +
		"\n  what they received today: 消息记录 → 群里收到的（演示）"
}
