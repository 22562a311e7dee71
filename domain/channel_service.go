package domain

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ChannelService keeps the group robots (群机器人) of a township: town admins the township's,
// the zones' and any enterprise's, HR its enterprise's, supervisors their own. It also shows
// the messages sent to the channels one may see, and puts a failed one back in the queue.
type ChannelService struct {
	channels    ChannelStore
	outbox      OutboxStore
	enterprises EnterpriseStore
	townships   TownshipStore
	robots      Robots
	audits      AuditStore
	clock       Clock
}

// ChannelInput is a channel as a form sends it. Empty URL, Key and Secret on an update keep
// the stored ones: the form never shows them again.
type ChannelInput struct {
	Scope              ChannelScope
	ZoneID             int64
	EnterpriseID       int64
	Name               string
	Kind               ChannelKind
	URL, Key, Secret   string
	Muted              []MessageType
	QuietFrom, QuietTo string
	Enabled            *bool // nil: enabled on create, unchanged on update
}

// RateLimit is how many requests a minute Fugong sends one robot: the platforms allow 20, and
// DingTalk throttles a robot over it for ten minutes, so Fugong keeps two in hand for the
// requests of another process that has not written its count yet.
const RateLimit = 18

func (s *ChannelService) audit() audit { return audit{store: s.audits, clock: s.clock} }

// channelStaff may keep channels; others are refused before anything is read.
func channelStaff(a Actor) error {
	if !a.Is(RoleTownAdmin, RoleEnterpriseHR, RoleSupervisor) {
		return Forbidden("只有镇专班、企业人事和驻厂监督员可以设置群消息推送")
	}
	return nil
}

// List returns the channels the actor keeps (a town admin: all of the township's), of one
// scope or all. Secrets are never in the answer: HasSecret says whether one is set.
func (s *ChannelService) List(ctx context.Context, actor Actor, scope ChannelScope) ([]Channel, error) {
	if err := channelStaff(actor); err != nil {
		return nil, err
	}
	f := ChannelFilter{TownshipID: actor.TownshipID, Scope: scope}
	switch actor.Role {
	case RoleEnterpriseHR:
		f.Scope, f.EnterpriseID = ScopeEnterprise, actor.EnterpriseID
		if scope != "" && scope != ScopeEnterprise {
			return []Channel{}, nil
		}
	case RoleSupervisor:
		f.Scope, f.UserID = ScopeSupervisor, actor.UserID
		if scope != "" && scope != ScopeSupervisor {
			return []Channel{}, nil
		}
	}
	cs, err := s.channels.List(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i] = cs[i].forDisplay()
	}
	return cs, nil
}

// forDisplay drops the robot's credentials, keeping whether a secret is set.
func (c Channel) forDisplay() Channel {
	c.HasSecret = c.Secret != ""
	c.URL, c.Key, c.Secret = "", "", ""
	return c
}

// Types are the message types the channel's scope gets, whether muted or not.
func (c Channel) Types() []MessageType { return scopeTypes[c.Scope] }

// Gets reports whether the channel is sent messages of type t: its scope gets them and it has
// not switched them off.
func (c Channel) Gets(t MessageType) bool {
	return c.Enabled && slices.Contains(scopeTypes[c.Scope], t) && !slices.Contains(c.Muted, t)
}

// Get returns one channel the actor keeps, without credentials. ErrNotFound.
func (s *ChannelService) Get(ctx context.Context, actor Actor, id int64) (Channel, error) {
	c, err := s.load(ctx, actor, id)
	return c.forDisplay(), err
}

// load reads a channel the actor may keep, with its credentials; another's is "not found".
func (s *ChannelService) load(ctx context.Context, actor Actor, id int64) (Channel, error) {
	if err := channelStaff(actor); err != nil {
		return Channel{}, err
	}
	c, err := s.channels.Get(ctx, actor.TownshipID, id)
	if err != nil {
		return Channel{}, err
	}
	if !keeps(actor, c) {
		return Channel{}, NotFound("群机器人")
	}
	return c, nil
}

// keeps reports whether the actor may see and change channel c.
func keeps(a Actor, c Channel) bool {
	switch a.Role {
	case RoleTownAdmin:
		return a.TownshipID == c.TownshipID
	case RoleEnterpriseHR:
		return c.Scope == ScopeEnterprise && c.EnterpriseID == a.EnterpriseID
	case RoleSupervisor:
		return c.Scope == ScopeSupervisor && c.UserID == a.UserID
	}
	return false
}

// Create adds a channel in the actor's township. ErrForbidden, ErrInvalid.
func (s *ChannelService) Create(ctx context.Context, actor Actor, in ChannelInput) (Channel, error) {
	if err := channelStaff(actor); err != nil {
		return Channel{}, err
	}
	c := Channel{TownshipID: actor.TownshipID, Enabled: true, CreatedBy: actor.UserID}
	if err := s.apply(ctx, actor, &c, in, true); err != nil {
		return Channel{}, err
	}
	now := s.clock.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.channels.Create(ctx, &c); err != nil {
		return Channel{}, err
	}
	if err := s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "channel.create", "channel", c.ID,
		string(c.Scope)+" "+string(c.Kind)+" "+c.Name); err != nil {
		return Channel{}, err
	}
	return c.forDisplay(), nil
}

// Update changes a channel the actor keeps; empty credentials keep the stored ones.
// ErrNotFound, ErrInvalid.
func (s *ChannelService) Update(ctx context.Context, actor Actor, id int64, in ChannelInput) (Channel, error) {
	c, err := s.load(ctx, actor, id)
	if err != nil {
		return Channel{}, err
	}
	if in.Scope == "" {
		in.Scope, in.ZoneID, in.EnterpriseID = c.Scope, c.ZoneID, c.EnterpriseID
	}
	if err := s.apply(ctx, actor, &c, in, false); err != nil {
		return Channel{}, err
	}
	c.UpdatedAt = s.clock.Now()
	if err := s.channels.Update(ctx, &c); err != nil {
		return Channel{}, err
	}
	if err := s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "channel.update", "channel", c.ID, c.Name); err != nil {
		return Channel{}, err
	}
	return c.forDisplay(), nil
}

// Delete removes a channel the actor keeps, and its messages. ErrNotFound.
func (s *ChannelService) Delete(ctx context.Context, actor Actor, id int64) error {
	c, err := s.load(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := s.channels.Delete(ctx, c.TownshipID, c.ID); err != nil {
		return err
	}
	return s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "channel.delete", "channel", c.ID, c.Name)
}

// apply checks in against the actor's role and writes it into c. On create every field is
// read; on update the credentials given replace the stored ones (a new address or key takes
// both, the secret stays unless a new one is given), as the store does.
func (s *ChannelService) apply(ctx context.Context, actor Actor, c *Channel, in ChannelInput, create bool) error {
	var p Problems
	s.checkScope(ctx, actor, &p, c, in)
	in.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		p.Add("name", "请填写群名称，例如“长山镇复工专班群”")
	case n > 50:
		p.Add("name", "群名称最多 50 个字")
	}
	if !slices.Contains([]ChannelKind{KindWeCom, KindDingTalk, KindFeishu, KindWebhook}, in.Kind) {
		p.Add("kind", "渠道类型必须是 wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）或 webhook 之一")
	}
	for _, t := range in.Muted {
		if !slices.Contains(MessageTypes, t) {
			p.Add("muted", "未知的消息类型："+string(t))
			break
		}
	}
	if (in.QuietFrom == "") != (in.QuietTo == "") {
		p.Add("quiet_to", "免打扰时段的开始和结束要么都填，要么都不填")
	}
	for field, v := range map[string]string{"quiet_from": in.QuietFrom, "quiet_to": in.QuietTo} {
		if v != "" && !clockRe.MatchString(v) {
			p.Add(field, "时间格式应为 HH:MM,例如 22:00")
		}
	}
	c.Name, c.Kind, c.Muted, c.QuietFrom, c.QuietTo = in.Name, in.Kind, in.Muted, in.QuietFrom, in.QuietTo
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if create || in.URL != "" || in.Key != "" {
		c.URL, c.Key = strings.TrimSpace(in.URL), strings.TrimSpace(in.Key)
	}
	if create || in.Secret != "" {
		c.Secret = strings.TrimSpace(in.Secret)
	}
	if !p.Has("kind") {
		if err := s.robots.Check(*c); err != nil {
			var e *Error
			if errors.As(err, &e) {
				p = append(p, e.Fields...)
			} else {
				return err
			}
		}
	}
	c.Hint = channelHint(*c)
	return p.Err()
}

// checkScope writes the channel's scope and owner from in, as the actor's role allows: a town
// admin names the township, a zone or an enterprise; HR its own enterprise; a supervisor
// themselves.
func (s *ChannelService) checkScope(ctx context.Context, actor Actor, p *Problems, c *Channel, in ChannelInput) {
	c.ZoneID, c.EnterpriseID, c.UserID = 0, 0, 0
	switch actor.Role {
	case RoleEnterpriseHR:
		if in.Scope != "" && in.Scope != ScopeEnterprise || in.EnterpriseID != 0 && in.EnterpriseID != actor.EnterpriseID {
			p.Add("scope", "企业人事只能设置本企业的群")
		}
		c.Scope, c.EnterpriseID = ScopeEnterprise, actor.EnterpriseID
		return
	case RoleSupervisor:
		if in.Scope != "" && in.Scope != ScopeSupervisor {
			p.Add("scope", "驻厂监督员只能设置自己的群")
		}
		c.Scope, c.UserID = ScopeSupervisor, actor.UserID
		return
	}
	c.Scope = in.Scope
	switch in.Scope {
	case ScopeTownship:
	case ScopeZone:
		t, err := s.townships.Get(ctx, actor.TownshipID)
		if err != nil || !slices.ContainsFunc(t.Zones, func(z Zone) bool { return z.ID == in.ZoneID }) {
			p.Add("zone_id", "请选择本镇的责任区")
		}
		c.ZoneID = in.ZoneID
	case ScopeEnterprise:
		e, err := s.enterprises.Get(ctx, in.EnterpriseID)
		if err != nil || e.TownshipID != actor.TownshipID {
			p.Add("enterprise_id", "请选择本镇的企业")
		}
		c.EnterpriseID = in.EnterpriseID
	default:
		p.Add("scope", "镇专班可以设置镇级群、责任区群或企业群")
	}
}

// channelHint is what the lists show of a robot's address: its host and the last four
// characters of its key, enough to tell two robots apart and to reveal neither.
func channelHint(c Channel) string {
	host, key := "", c.Key
	if u, err := url.Parse(c.URL); err == nil && c.URL != "" {
		host = u.Host
		key = u.Query().Get("key") + u.Query().Get("access_token")
		if key == "" {
			key = u.Path[strings.LastIndex(u.Path, "/")+1:]
		}
	} else {
		host = map[ChannelKind]string{KindWeCom: "qyapi.weixin.qq.com", KindDingTalk: "oapi.dingtalk.com",
			KindFeishu: "open.feishu.cn"}[c.Kind]
	}
	if r := []rune(key); len(r) > 4 {
		key = "…" + string(r[len(r)-4:])
	} else {
		key = ""
	}
	return strings.TrimSpace(host + " " + key)
}

// TestAnswer is a test message's result: the platform's answer and when it was sent.
type TestAnswer struct {
	RobotAnswer
	SentAt time.Time
}

// Test sends a test message to a channel the actor keeps, now and not through the queue, and
// returns the platform's answer whatever it is (a bad key is what the button is for). It
// counts against the robot's rate like any message. ErrNotFound.
func (s *ChannelService) Test(ctx context.Context, actor Actor, id int64) (TestAnswer, error) {
	c, err := s.load(ctx, actor, id)
	if err != nil {
		return TestAnswer{}, err
	}
	now := s.clock.Now()
	m := RobotMessage{Title: "复工平台测试消息", Key: "test:" + now.Format("20060102T150405.000"),
		Markdown: "### 复工平台测试消息\n这是“" + c.Name + "”的测试消息：群机器人已接通，预警、打卡提醒和每日早报会发到这里。\n\n> 发送时间 " +
			now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")}
	ok, until, err := s.channels.Take(ctx, c.ID, s.robots.Cost(c, m), RateLimit, now)
	if err != nil {
		return TestAnswer{}, err
	}
	if !ok {
		return TestAnswer{RobotAnswer: RobotAnswer{Outcome: "retry", RetryAfter: until.Sub(now),
			Message: "这个群机器人一分钟内的消息已达上限，请稍后再试"}, SentAt: now}, nil
	}
	ans := s.robots.Send(ctx, c, m)
	if err := s.audit().record(ctx, actor, c.TownshipID, c.EnterpriseID, "channel.test", "channel", c.ID, ans.Outcome); err != nil {
		return TestAnswer{}, err
	}
	return TestAnswer{RobotAnswer: ans, SentAt: now}, nil
}

// Messages lists the messages of the channels the actor keeps, newest first.
func (s *ChannelService) Messages(ctx context.Context, actor Actor, f MessageFilter) ([]Message, int, error) {
	if err := channelStaff(actor); err != nil {
		return nil, 0, err
	}
	f.TownshipID = actor.TownshipID
	if !actor.Is(RoleTownAdmin) {
		cs, err := s.List(ctx, actor, "")
		if err != nil {
			return nil, 0, err
		}
		ids := []int64{}
		for _, c := range cs {
			if len(f.ChannelIDs) == 0 || slices.Contains(f.ChannelIDs, c.ID) {
				ids = append(ids, c.ID)
			}
		}
		if len(ids) == 0 {
			return []Message{}, 0, nil
		}
		f.ChannelIDs = ids
	}
	return s.outbox.List(ctx, f)
}

// GiveUpAfter is how long the dispatcher keeps trying a message before it fails it and shows
// it on the failed messages' page.
const GiveUpAfter = 6 * time.Hour

// Retry puts a failed message of a channel the actor keeps back in the queue, due now.
// ErrNotFound, ErrConflict (not failed).
func (s *ChannelService) Retry(ctx context.Context, actor Actor, id int64) (Message, error) {
	if err := channelStaff(actor); err != nil {
		return Message{}, err
	}
	m, err := s.outbox.Get(ctx, actor.TownshipID, id)
	if err != nil {
		return Message{}, err
	}
	if _, err := s.load(ctx, actor, m.ChannelID); err != nil {
		return Message{}, NotFound("消息")
	}
	now := s.clock.Now()
	m, err = s.outbox.Retry(ctx, actor.TownshipID, id, now, now.Add(GiveUpAfter))
	if err != nil {
		return Message{}, err
	}
	err = s.audit().record(ctx, actor, m.TownshipID, m.EnterpriseID, "message.retry", "message", m.ID, m.Title)
	return m, err
}
