package domain

import (
	"context"
	"time"
)

// A channel is a chat group's robot (群机器人) Fugong posts to: a WeCom, DingTalk or Feishu
// group, or a township's own signed webhook (an SMS gateway, say). Township admins keep the
// township's and each zone's channels, HR its enterprise's, supervisors their own.

// ChannelScope is whose group a channel reaches, which decides the messages it gets.
type ChannelScope string

// The channel scopes.
const (
	ScopeTownship   ChannelScope = "township"   // the town's group: morning summary, daily report
	ScopeZone       ChannelScope = "zone"       // a zone's (责任区) group: who missed, per enterprise
	ScopeEnterprise ChannelScope = "enterprise" // an enterprise's group: alerts, reminders, who missed
	ScopeSupervisor ChannelScope = "supervisor" // a supervisor's own group: alerts of their enterprises
)

// ChannelScopes lists the scopes in the order a form offers them.
var ChannelScopes = []ChannelScope{ScopeTownship, ScopeZone, ScopeEnterprise, ScopeSupervisor}

// Valid reports whether s is a channel scope.
func (s ChannelScope) Valid() bool {
	switch s {
	case ScopeTownship, ScopeZone, ScopeEnterprise, ScopeSupervisor:
		return true
	}
	return false
}

// ChannelKind is a channel's platform; the names are package notify's Kind values.
type ChannelKind string

// The platforms.
const (
	KindWeCom    ChannelKind = "wecom"
	KindDingTalk ChannelKind = "dingtalk"
	KindFeishu   ChannelKind = "feishu"
	KindWebhook  ChannelKind = "webhook"
)

// MessageType is a kind of message a channel can get; each can be switched off per channel.
type MessageType string

// The message types.
const (
	// MsgAlert: a fever, symptoms, repeated fever, early arrival or discrepancy alert, at once,
	// to the enterprise's groups and its supervisors'.
	MsgAlert MessageType = "alert"
	// MsgReminder: some minutes before a slot's cut-off, who has not reported yet, to each
	// enterprise group.
	MsgReminder MessageType = "reminder"
	// MsgMissed: after a slot's cut-off, who missed it, to the enterprise's groups and the zone's.
	MsgMissed MessageType = "missed"
	// MsgSummary: the town's morning summary, to the township's groups.
	MsgSummary MessageType = "summary"
	// MsgReport: the day's report is ready, to the township's groups.
	MsgReport MessageType = "report"
	// MsgTest: the settings page's "send a test message"; never queued.
	MsgTest MessageType = "test"
)

// MessageTypes are the types a channel can switch off, in the order the form shows them.
var MessageTypes = []MessageType{MsgAlert, MsgReminder, MsgMissed, MsgSummary, MsgReport}

// scopeTypes are the message types each scope's groups get.
var scopeTypes = map[ChannelScope][]MessageType{
	ScopeTownship:   {MsgSummary, MsgReport},
	ScopeZone:       {MsgMissed},
	ScopeEnterprise: {MsgAlert, MsgReminder, MsgMissed},
	ScopeSupervisor: {MsgAlert},
}

// Channel is one group robot and what it is sent.
type Channel struct {
	ID         int64
	TownshipID int64
	Scope      ChannelScope
	// The owner of the scope: ZoneID for a zone's channel, EnterpriseID for an enterprise's,
	// UserID (the supervisor) for a supervisor's; 0 otherwise.
	ZoneID       int64
	EnterpriseID int64
	UserID       int64
	Name         string // what the group is called, for the lists
	Kind         ChannelKind
	// URL, Key and Secret are the robot's address (or only its key or token) and signing
	// secret. They are sealed at rest and never shown again: reads fill them for sending
	// only, and Hint is what a page shows.
	URL, Key, Secret string
	Hint             string // "qyapi.weixin.qq.com …a1b2": the host and the key's last characters
	// Muted are the message types switched off on this channel.
	Muted []MessageType
	// QuietFrom and QuietTo ("HH:MM", local; both empty for none) hold messages back: what
	// falls due inside them is sent when they end. QuietFrom after QuietTo spans midnight.
	QuietFrom, QuietTo string
	Enabled            bool
	HasSecret          bool // filled by the service for the pages, which never see the secret
	CreatedBy          int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// Filled on reads, for the lists.
	ZoneName, EnterpriseName, UserName string
}

// ChannelFilter selects channels; zero fields do not filter.
type ChannelFilter struct {
	TownshipID   int64
	Scope        ChannelScope
	ZoneIDs      []int64
	EnterpriseID int64
	// SupervisorOf: the channels of supervisors of this enterprise (alerts go to them).
	SupervisorOf int64
	UserID       int64
	EnabledOnly  bool
}

// ChannelStore keeps the channels; it seals URL, Key and Secret on writes and opens them on
// reads.
type ChannelStore interface {
	Create(ctx context.Context, c *Channel) error
	// Update writes every field; empty URL, Key and Secret keep the sealed ones (a form that
	// never shows a secret sends none back).
	Update(ctx context.Context, c *Channel) error
	Delete(ctx context.Context, townshipID, id int64) error
	Get(ctx context.Context, townshipID, id int64) (Channel, error)
	List(ctx context.Context, f ChannelFilter) ([]Channel, error)
	// Take reserves n requests of the robot's rate (limit per minute, a fixed window shared by
	// every process) and reports whether it could; if not, when the window ends.
	Take(ctx context.Context, id int64, n, limit int, now time.Time) (bool, time.Time, error)
}

// EventKind is what happened that groups should hear of: an outbox event.
type EventKind string

// The event kinds; an alert's event is written by the database in the alert's own insert
// (a trigger), so no alert is raised without it.
const (
	EventAlert    EventKind = "alert"
	EventReminder EventKind = "reminder"
	EventMissed   EventKind = "missed"
	EventSummary  EventKind = "summary"
	EventReport   EventKind = "report"
)

// Event is one row of the outbox: something that happened, waiting to be turned into a
// message per channel that should hear of it.
type Event struct {
	ID         int64
	TownshipID int64
	Kind       EventKind
	AlertID    int64 // EventAlert
	Day        Date  // the local day it is about
	Slot       Slot  // EventReminder and EventMissed
	// Key is unique: a scheduled event's key (reminder:<township>:<day>:<slot>) is what keeps
	// several processes from writing it twice.
	Key       string
	CreatedAt time.Time
}

// MessageStatus is where a message's delivery stands.
type MessageStatus string

// The message statuses: pending → sent, or failed (a permanent answer, or given up); merged
// messages went out inside another (MergedInto).
const (
	MessagePending MessageStatus = "pending"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"
	MessageMerged  MessageStatus = "merged"
)

// Message is one message to one channel.
type Message struct {
	ID            int64
	TownshipID    int64
	ChannelID     int64
	EventID       int64
	Type          MessageType
	Key           string // unique per channel: the event's key
	EnterpriseID  int64  // the enterprise it is about, 0 for a township's or zone's
	Title         string
	Markdown      string
	MentionPhones []string
	Status        MessageStatus
	Attempts      int
	NextAt        time.Time // when it may be sent (after a retry's wait, or quiet hours)
	GiveUpAt      time.Time // a message not sent by then fails
	MergedInto    int64
	// The last answer: HTTP status, the platform's code and message.
	LastStatus int
	LastCode   int
	LastError  string
	CreatedAt  time.Time
	SentAt     time.Time
	// Filled on reads.
	ChannelName string
	ChannelKind ChannelKind
}

// MessageFilter selects messages for the messages page; zero fields do not filter.
type MessageFilter struct {
	TownshipID int64
	ChannelIDs []int64 // nil: every channel of the township
	Status     MessageStatus
	Type       MessageType
	Since      time.Time
	Page
}

// Outcome of one attempt to send, as the dispatcher records it.
type SendRecord struct {
	IDs        []int64 // the messages that went out together (the first carries the send)
	Outcome    string  // "ok", "retry", "permanent"
	StatusCode int
	Code       int
	Message    string
	NextAt     time.Time // for a retry
	At         time.Time
}

// OutboxStore keeps the outbox: events, and the messages made of them.
type OutboxStore interface {
	// AddEvent writes a scheduled event unless one with its key exists; it reports whether it
	// wrote it.
	AddEvent(ctx context.Context, e Event) (bool, error)
	// ClaimEvents takes up to n events not yet fanned out, for lease (another process skips
	// them until then; FOR UPDATE SKIP LOCKED on PostgreSQL).
	ClaimEvents(ctx context.Context, n int, now time.Time, lease time.Duration) ([]Event, error)
	// FanOut writes the event's messages (unless a message with its channel and key exists)
	// and marks the event done, in one transaction.
	FanOut(ctx context.Context, eventID int64, msgs []Message, now time.Time) error
	// ClaimMessages takes up to n pending messages due by now, oldest first, for lease.
	ClaimMessages(ctx context.Context, n int, now time.Time, lease time.Duration) ([]Message, error)
	// Record writes the outcome of one send of r.IDs and releases their claim: ok → sent (the
	// others merged into the first), retry → pending again from NextAt (attempts + 1), permanent
	// → failed; a retry past a message's GiveUpAt fails it.
	Record(ctx context.Context, r SendRecord) error
	// Delay moves pending messages to next (a robot over its rate, quiet hours) and releases
	// their claim, without counting an attempt.
	Delay(ctx context.Context, ids []int64, next time.Time) error
	// Retry puts a failed message back in the queue, due now, with a fresh give-up time.
	Retry(ctx context.Context, townshipID, id int64, now, giveUpAt time.Time) (Message, error)
	List(ctx context.Context, f MessageFilter) ([]Message, int, error)
	Get(ctx context.Context, townshipID, id int64) (Message, error)
}

// RobotMessage is what one send carries to a robot.
type RobotMessage struct {
	Title         string
	Markdown      string
	MentionPhones []string
	Key           string
}

// RobotAnswer is a platform's answer to one send (package notify's Result, in the domain's
// words): Outcome "ok", "retry" (after RetryAfter) or "permanent".
type RobotAnswer struct {
	Outcome     string
	StatusCode  int
	Code        int
	Message     string
	RetryAfter  time.Duration
	Requests    int
	MentionNote string
}

// Robots reach the group robots: internal/app gives the services one built on package notify.
type Robots interface {
	// Check validates a channel's kind, address and secret without sending; it returns nil or
	// an ErrInvalid error (Problems) naming each bad field.
	Check(ch Channel) error
	// Send makes one attempt.
	Send(ctx context.Context, ch Channel, m RobotMessage) RobotAnswer
	// Cost is how many requests m takes on ch's platform (2 for WeCom with mentions).
	Cost(ch Channel, m RobotMessage) int
}
