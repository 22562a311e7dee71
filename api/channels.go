package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// channelHandler serves the group robots (群机器人, issue 20): the channels a caller keeps,
// a test message with the platform's answer, the messages sent to them and a failed one's
// retry, and in the demo what its local robots received.
type channelHandler struct {
	svc *domain.ChannelService
	// demoGroups lists what the demo's local robots received; nil outside serve --demo.
	demoGroups func() []DemoGroup
}

var (
	channelRecord = record{"channel", "群机器人"}
	messageRecord = record{"message", "消息"}
)

func (h *channelHandler) register(r *router) {
	r.add(Route{Method: http.MethodGet, Path: "/channels", Roles: tenantStaff,
		Summary: "The group robots the caller keeps: a town admin the township's, the zones' and the enterprises'; " +
			"HR its enterprise's; a supervisor its own. Never the address, key or secret",
		Query:    []Param{{"scope", "string", "township, zone, enterprise or supervisor"}},
		Response: list[channelResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodPost, Path: "/channels", Roles: tenantStaff,
		Summary: "Add a group robot (WeCom, DingTalk, Feishu or a signed webhook); secrets are sealed at rest. Audited",
		Body:    channelRequest{}, Response: channelResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodPatch, Path: "/channels/:id", Roles: tenantStaff,
		Summary: "Change a group robot; an empty address, key or secret keeps the stored one. Audited",
		Body:    channelRequest{}, Response: channelResponse{}, Status: http.StatusOK}, h.update)
	r.add(Route{Method: http.MethodDelete, Path: "/channels/:id", Roles: tenantStaff,
		Summary: "Remove a group robot and its messages. Audited", Status: http.StatusNoContent}, h.remove)
	r.add(Route{Method: http.MethodPost, Path: "/channels/:id/test", Roles: tenantStaff,
		Summary:  "Send a test message now and answer with the platform's answer, whatever it is. Audited",
		Response: testAnswerResponse{}, Status: http.StatusOK}, h.test)
	r.add(Route{Method: http.MethodGet, Path: "/messages", Roles: tenantStaff,
		Summary: "Messages to the group robots the caller keeps, newest first, with the platform's last answer",
		Query: append([]Param{
			{"status", "string", "pending, sent, failed or merged"},
			{"type", "string", "alert, reminder, missed, summary or report"},
			{"channel_id", "integer", "only this robot's"},
			{"since", "string", "YYYY-MM-DD or RFC 3339: created then or later"},
		}, pageParams...),
		Response: list[messageResponse]{}, Status: http.StatusOK}, h.messages)
	r.add(Route{Method: http.MethodPost, Path: "/messages/:id/retry", Roles: tenantStaff,
		Summary:  "Put a failed message back in the queue, due now; 409 when it has not failed. Audited",
		Response: messageResponse{}, Status: http.StatusOK}, h.retry)
	r.add(Route{Method: http.MethodGet, Path: "/demo/group-messages", Roles: tenantStaff,
		Summary:  "What the demo's local group robots received today (serve --demo only; 404 otherwise)",
		Response: demoGroupsResponse{}, Status: http.StatusOK}, h.demo)
}

type channelRequest struct {
	Scope        domain.ChannelScope  `json:"scope,omitempty" jsonschema:"enum=township,enum=zone,enum=enterprise,enum=supervisor"`
	ZoneID       int64                `json:"zone_id,omitempty"`
	EnterpriseID int64                `json:"enterprise_id,omitempty"`
	Name         string               `json:"name"`
	Kind         domain.ChannelKind   `json:"kind" jsonschema:"enum=wecom,enum=dingtalk,enum=feishu,enum=webhook"`
	URL          string               `json:"url,omitempty" jsonschema_description:"the robot's whole webhook address"`
	Key          string               `json:"key,omitempty" jsonschema_description:"or only its key (WeCom), access_token (DingTalk) or hook ID (Feishu)"`
	Secret       string               `json:"secret,omitempty" jsonschema_description:"DingTalk's 加签 or Feishu's 签名校验 secret; the webhook's HMAC key"`
	Muted        []domain.MessageType `json:"muted,omitempty" jsonschema_description:"message types switched off: alert, reminder, missed, summary, report"`
	QuietFrom    string               `json:"quiet_from,omitempty" jsonschema_description:"HH:MM: quiet hours' start (both or neither)"`
	QuietTo      string               `json:"quiet_to,omitempty"`
	Enabled      *bool                `json:"enabled,omitempty"`
}

func (r channelRequest) input() domain.ChannelInput {
	return domain.ChannelInput{Scope: r.Scope, ZoneID: r.ZoneID, EnterpriseID: r.EnterpriseID, Name: r.Name,
		Kind: r.Kind, URL: r.URL, Key: r.Key, Secret: r.Secret, Muted: r.Muted, QuietFrom: r.QuietFrom,
		QuietTo: r.QuietTo, Enabled: r.Enabled}
}

type channelResponse struct {
	ID             int64                `json:"id"`
	Scope          domain.ChannelScope  `json:"scope"`
	ZoneID         *int64               `json:"zone_id"`
	ZoneName       string               `json:"zone_name"`
	EnterpriseID   *int64               `json:"enterprise_id"`
	EnterpriseName string               `json:"enterprise_name"`
	UserID         *int64               `json:"user_id"`
	UserName       string               `json:"user_name"`
	Name           string               `json:"name"`
	Kind           domain.ChannelKind   `json:"kind"`
	Hint           string               `json:"hint" text:"server" jsonschema_description:"the address's host and the key's last characters"`
	Muted          []domain.MessageType `json:"muted"`
	Types          []domain.MessageType `json:"types" jsonschema_description:"the message types this scope's groups get"`
	QuietFrom      string               `json:"quiet_from"`
	QuietTo        string               `json:"quiet_to"`
	Enabled        bool                 `json:"enabled"`
	HasSecret      bool                 `json:"has_secret"`
	CreatedAt      time.Time            `json:"created_at"`
	UpdatedAt      time.Time            `json:"updated_at"`
}

func newChannelResponse(c domain.Channel) channelResponse {
	muted := c.Muted
	if muted == nil {
		muted = []domain.MessageType{}
	}
	return channelResponse{ID: c.ID, Scope: c.Scope, ZoneID: idOrNil(c.ZoneID), ZoneName: c.ZoneName,
		EnterpriseID: idOrNil(c.EnterpriseID), EnterpriseName: c.EnterpriseName, UserID: idOrNil(c.UserID),
		UserName: c.UserName, Name: c.Name, Kind: c.Kind, Hint: c.Hint, Muted: muted, Types: c.Types(),
		QuietFrom: c.QuietFrom, QuietTo: c.QuietTo, Enabled: c.Enabled, HasSecret: c.HasSecret,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (h *channelHandler) list(c echo.Context) error {
	scope := domain.ChannelScope(c.QueryParam("scope"))
	if scope != "" && !scope.Valid() {
		return domain.Invalid("scope", "范围应为 township、zone、enterprise 或 supervisor")
	}
	cs, err := h.svc.List(c.Request().Context(), actorOf(c), scope)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(cs, len(cs), newChannelResponse))
}

func (h *channelHandler) create(c echo.Context) error {
	var req channelRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ch, err := h.svc.Create(c.Request().Context(), actorOf(c), req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newChannelResponse(ch))
}

func (h *channelHandler) update(c echo.Context) error {
	id, err := pathID(c, "id", channelRecord)
	if err != nil {
		return err
	}
	var req channelRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ch, err := h.svc.Update(c.Request().Context(), actorOf(c), id, req.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newChannelResponse(ch))
}

func (h *channelHandler) remove(c echo.Context) error {
	id, err := pathID(c, "id", channelRecord)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type testAnswerResponse struct {
	Outcome     string    `json:"outcome" jsonschema:"enum=ok,enum=retry,enum=permanent"`
	StatusCode  int       `json:"status_code" jsonschema_description:"the HTTP status of the platform's answer; 0 for none"`
	Code        int       `json:"code" jsonschema_description:"the platform's own code (errcode, code)"`
	Message     string    `json:"message" jsonschema_description:"the platform's own message, or what went wrong on the way"`
	MentionNote string    `json:"mention_note"`
	Requests    int       `json:"requests"`
	SentAt      time.Time `json:"sent_at"`
}

func (h *channelHandler) test(c echo.Context) error {
	id, err := pathID(c, "id", channelRecord)
	if err != nil {
		return err
	}
	a, err := h.svc.Test(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, testAnswerResponse{Outcome: a.Outcome, StatusCode: a.StatusCode, Code: a.Code,
		Message: a.Message, MentionNote: a.MentionNote, Requests: a.Requests, SentAt: a.SentAt})
}

type messageResponse struct {
	ID           int64                `json:"id"`
	ChannelID    int64                `json:"channel_id"`
	ChannelName  string               `json:"channel_name"`
	ChannelKind  domain.ChannelKind   `json:"channel_kind"`
	Type         domain.MessageType   `json:"type"`
	Title        string               `json:"title"`
	Markdown     string               `json:"markdown"`
	MentionCount int                  `json:"mention_count"`
	Status       domain.MessageStatus `json:"status" jsonschema:"enum=pending,enum=sent,enum=failed,enum=merged"`
	Attempts     int                  `json:"attempts"`
	NextAt       time.Time            `json:"next_at"`
	GiveUpAt     time.Time            `json:"give_up_at"`
	MergedInto   *int64               `json:"merged_into" jsonschema_description:"the message it went out inside"`
	LastStatus   int                  `json:"last_status"`
	LastCode     int                  `json:"last_code"`
	LastError    string               `json:"last_error" text:"server"`
	CreatedAt    time.Time            `json:"created_at"`
	SentAt       *time.Time           `json:"sent_at"`
}

func newMessageResponse(m domain.Message) messageResponse {
	out := messageResponse{ID: m.ID, ChannelID: m.ChannelID, ChannelName: m.ChannelName, ChannelKind: m.ChannelKind,
		Type: m.Type, Title: m.Title, Markdown: m.Markdown, MentionCount: len(m.MentionPhones), Status: m.Status,
		Attempts: m.Attempts, NextAt: m.NextAt, GiveUpAt: m.GiveUpAt, MergedInto: idOrNil(m.MergedInto),
		LastStatus: m.LastStatus, LastCode: m.LastCode, LastError: m.LastError, CreatedAt: m.CreatedAt}
	if !m.SentAt.IsZero() {
		at := m.SentAt
		out.SentAt = &at
	}
	return out
}

func (h *channelHandler) messages(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	var p domain.Problems
	f := domain.MessageFilter{Status: domain.MessageStatus(c.QueryParam("status")),
		Type: domain.MessageType(c.QueryParam("type")), Page: page}
	switch f.Status {
	case "", domain.MessagePending, domain.MessageSent, domain.MessageFailed, domain.MessageMerged:
	default:
		p.Add("status", "状态应为 pending、sent、failed 或 merged")
	}
	if f.Type != "" && !slices.Contains(domain.MessageTypes, f.Type) {
		p.Add("type", "消息类型应为 alert、reminder、missed、summary 或 report")
	}
	if s := c.QueryParam("channel_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			p.Add("channel_id", "群机器人编号应为正整数")
		}
		f.ChannelIDs = []int64{id}
	}
	if s := c.QueryParam("since"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			f.Since = t
		} else if d, ok := domain.ParseDate(s); ok {
			f.Since = d.Time()
		} else {
			p.Add("since", "应为 YYYY-MM-DD 或 RFC 3339 时间")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	ms, total, err := h.svc.Messages(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(ms, total, newMessageResponse))
}

func (h *channelHandler) retry(c echo.Context) error {
	id, err := pathID(c, "id", messageRecord)
	if err != nil {
		return err
	}
	m, err := h.svc.Retry(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newMessageResponse(m))
}

// DemoGroup is one of the demo's local robots and what its group received today.
type DemoGroup struct {
	Name     string             `json:"name"`
	Kind     domain.ChannelKind `json:"kind"`
	Messages []DemoGroupMessage `json:"messages"`
}

// DemoGroupMessage is one message as the group would have seen it.
type DemoGroupMessage struct {
	At       time.Time `json:"at"`
	Title    string    `json:"title"`
	Text     string    `json:"text"`
	Mentions []string  `json:"mentions"`
}

type demoGroupsResponse struct {
	Groups []DemoGroup `json:"groups"`
}

func (h *channelHandler) demo(c echo.Context) error {
	if !actorOf(c).Is(tenantStaff...) {
		return domain.Forbidden("只有镇专班、企业人事和驻厂监督员可以查看群消息")
	}
	if h.demoGroups == nil {
		return domain.NotFound("演示群消息（只在 serve --demo 中有）")
	}
	return c.JSON(http.StatusOK, demoGroupsResponse{Groups: h.demoGroups()})
}
