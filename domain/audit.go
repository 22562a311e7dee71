package domain

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AuditEvent records who did what to which record, and when. Events are written in the same
// transaction as the change they describe, so there is never a change without its event.
// Detail is short words for people and never holds personal data (no ID number, no phone):
// what changed is named, not its value.
type AuditEvent struct {
	ID           int64
	TownshipID   int64 // zero for what belongs to no township (a platform admin's, an unknown sign-in)
	EnterpriseID int64 // the enterprise the record belongs to, zero for none
	ActorID      int64 // the staff user; zero for a worker, a failed sign-in, the command line
	ActorRole    Role
	Action       string // e.g. "plan.submit", "enterprise.reopen", "auth.login_failed"
	EntityType   string // e.g. "plan", "enterprise", "inspection"
	EntityID     int64
	Detail       string
	At           time.Time

	ActorUsername  string // filled on reads, for display
	ActorName      string // filled on reads
	EnterpriseName string // filled on reads
}

// AuditFilter selects audit events; zero fields do not filter.
type AuditFilter struct {
	TownshipID   int64
	EnterpriseID int64
	ActorID      int64
	EntityType   string
	EntityID     int64
	Action       string // one action, "plan.submit"
	ActionFamily string // every action of a family, "plan" for plan.*
	From, To     time.Time
	Page
}

// AuditStore keeps audit events.
type AuditStore interface {
	// Record inserts an event.
	Record(ctx context.Context, e AuditEvent) error
	// List returns the newest events first (by time, then ID), with the actor's and the
	// enterprise's names, and how many match in all.
	List(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
}

// audit is what services use to record events: the actor and the clock fill in who and when.
type audit struct {
	store AuditStore
	clock Clock
}

func (a audit) record(ctx context.Context, actor Actor, townshipID, enterpriseID int64, action, entityType string, entityID int64, detail string) error {
	return a.store.Record(ctx, AuditEvent{
		TownshipID: townshipID, EnterpriseID: enterpriseID, ActorID: actor.UserID, ActorRole: actor.Role,
		Action: action, EntityType: entityType, EntityID: entityID, Detail: detail, At: a.clock.Now(),
	})
}

// AuditService shows the audit log to those who answer for a township, and records refused
// requests, which no service records itself.
type AuditService struct {
	audits    AuditStore
	townships TownshipStore
	clock     Clock
}

// AuditQuery is what a reader of the audit log asks for; zero fields do not filter.
type AuditQuery struct {
	TownshipID   int64  // platform admins only: one township's events (town admins get theirs)
	Action       string // an action ("plan.submit") or a family ("plan")
	ActorID      int64
	EnterpriseID int64
	EntityType   string
	EntityID     int64
	From, To     Date // days in the township's time zone, both included
	Page
}

var actionRe = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)?$`)

// List returns the audit events a town admin may read (their township's) or, to a platform
// admin, every township's and the platform's own, or one township's. Newest first.
// ErrForbidden, ErrInvalid, ErrNotFound (a township that does not exist).
func (s *AuditService) List(ctx context.Context, actor Actor, q AuditQuery) ([]AuditEvent, int, error) {
	switch actor.Role {
	case RoleTownAdmin:
		q.TownshipID = actor.TownshipID
	case RolePlatformAdmin:
	default:
		return nil, 0, Forbidden("只有镇专班管理员可以查看审计日志")
	}
	f := AuditFilter{
		TownshipID: q.TownshipID, EnterpriseID: q.EnterpriseID, ActorID: q.ActorID,
		EntityType: Clean(q.EntityType), EntityID: q.EntityID, Page: q.Page.Normalize(),
	}
	var p Problems
	switch action := Clean(q.Action); {
	case action == "":
	case !actionRe.MatchString(action):
		p.Add("action", "操作类型应为如 plan 或 plan.submit 的形式")
	case strings.Contains(action, "."):
		f.Action = action
	default:
		f.ActionFamily = action
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		p.Add("to", "结束日期不能早于开始日期")
	}
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	loc, err := s.zone(ctx, f.TownshipID)
	if err != nil {
		return nil, 0, err
	}
	if !q.From.IsZero() {
		f.From = startOf(q.From, loc)
	}
	if !q.To.IsZero() {
		f.To = startOf(q.To.AddDays(1), loc)
	}
	return s.audits.List(ctx, f)
}

// zone is the time zone the days of a query are in: the township's, or China's for a platform
// admin's query across townships.
func (s *AuditService) zone(ctx context.Context, townshipID int64) (*time.Location, error) {
	if townshipID == 0 {
		return Township{Timezone: "Asia/Shanghai"}.location(), nil
	}
	t, err := s.townships.Get(ctx, townshipID)
	if err != nil {
		return nil, err
	}
	return t.location(), nil
}

// startOf is the instant day d begins in loc.
func startOf(d Date, loc *time.Location) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// Denied records a request refused for lack of authority (a 403): who, which route and which
// record, so that a township sees who tried what they may not. Scope misses answer "not
// found" and are not recorded: they are what every list and link meets. what is the route
// ("PATCH /api/v1/enterprises/:id"), reason the refusal shown to the user.
func (s *AuditService) Denied(ctx context.Context, actor Actor, what, entityType string, entityID int64, reason string) error {
	detail := what
	if actor.Is(RoleWorker) {
		detail = "职工 #" + strconv.FormatInt(actor.WorkerID, 10) + " " + detail
	}
	if reason != "" {
		detail += " — " + reason
	}
	var enterpriseID int64
	if entityType == "enterprise" {
		enterpriseID = entityID
	}
	return audit{store: s.audits, clock: s.clock}.record(ctx, actor, actor.TownshipID, enterpriseID,
		"access.denied", entityType, entityID, truncate(detail, 200))
}

// truncate keeps at most n characters of s.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// fields lists the labels of what changed, "修改 联系人、人数", or "" when none is set.
func fields(labels ...string) string {
	var set []string
	for _, l := range labels {
		if l != "" {
			set = append(set, l)
		}
	}
	if len(set) == 0 {
		return ""
	}
	return "修改 " + strings.Join(set, "、")
}

// sentences joins the parts of an event's detail that are set; "未作修改" when none is.
func sentences(parts ...string) string {
	var set []string
	for _, p := range parts {
		if p != "" {
			set = append(set, p)
		}
	}
	if len(set) == 0 {
		return "未作修改"
	}
	return strings.Join(set, ";")
}

// labelIf returns label when set is true, for fields.
func labelIf(set bool, label string) string {
	if set {
		return label
	}
	return ""
}

// fromTo shows a setting's change of value, "发热标准 37.3→37.5", or "" when it did not change.
func fromTo[T comparable](label string, old, new T, show func(T) string) string {
	if old == new {
		return ""
	}
	return label + " " + show(old) + "→" + show(new)
}
