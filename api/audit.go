package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type auditHandler struct{ svc *domain.AuditService }

func (h *auditHandler) register(r *router) {
	r.add(Route{Method: http.MethodGet, Path: "/audit", Roles: []domain.Role{domain.RoleTownAdmin, domain.RolePlatformAdmin},
		Summary: "The audit log, newest first: who did what to which record — sign-ins (failed ones too), " +
			"refused requests (403), views and exports of personal data, and every change. A town admin " +
			"reads their township's; a platform admin every township's and the platform's own, or one " +
			"township's with township_id. Details never hold ID numbers or phones.",
		Query: append([]Param{
			{"action", "string", "an action (plan.submit) or a family of them (plan, auth, access, roster, …)"},
			{"actor_id", "integer", "the staff user who acted"},
			{"enterprise_id", "integer", "events about this enterprise, its plans, workers and inspections"},
			{"entity_type", "string", "the kind of record: enterprise, plan, worker, user, township, inspection, alert, checkin"},
			{"entity_id", "integer", "the record's ID (with entity_type)"},
			{"township_id", "integer", "platform admins: one township's events"},
			{"from", "string", "YYYY-MM-DD, first day (in the township's time zone)"},
			{"to", "string", "YYYY-MM-DD, last day, included"},
		}, pageParams...),
		Response: list[auditEventResponse]{}, Status: http.StatusOK}, h.list)
}

type auditEventResponse struct {
	ID             int64       `json:"id"`
	At             time.Time   `json:"at"`
	TownshipID     *int64      `json:"township_id"`
	ActorID        *int64      `json:"actor_id" jsonschema_description:"null for a worker, a failed sign-in or the command line"`
	ActorRole      domain.Role `json:"actor_role" jsonschema_description:"empty when nobody signed in acted"`
	ActorUsername  string      `json:"actor_username"`
	ActorName      string      `json:"actor_name"`
	Action         string      `json:"action"`
	EntityType     string      `json:"entity_type"`
	EntityID       *int64      `json:"entity_id"`
	EnterpriseID   *int64      `json:"enterprise_id"`
	EnterpriseName string      `json:"enterprise_name"`
	Detail         string      `json:"detail" text:"server"`
}

func newAuditEventResponse(e domain.AuditEvent) auditEventResponse {
	return auditEventResponse{
		ID: e.ID, At: e.At.UTC(), TownshipID: idOrNil(e.TownshipID), ActorID: idOrNil(e.ActorID), ActorRole: e.ActorRole,
		ActorUsername: e.ActorUsername, ActorName: e.ActorName, Action: e.Action, EntityType: e.EntityType,
		EntityID: idOrNil(e.EntityID), EnterpriseID: idOrNil(e.EnterpriseID), EnterpriseName: e.EnterpriseName, Detail: e.Detail,
	}
}

func (h *auditHandler) list(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	var p domain.Problems
	q := domain.AuditQuery{
		Action: c.QueryParam("action"), EntityType: c.QueryParam("entity_type"), Page: page,
		ActorID: queryID(c, &p, "actor_id"), EnterpriseID: queryID(c, &p, "enterprise_id"),
		EntityID: queryID(c, &p, "entity_id"), TownshipID: queryID(c, &p, "township_id"),
		From: parseDate(&p, "from", c.QueryParam("from")), To: parseDate(&p, "to", c.QueryParam("to")),
	}
	if err := p.Err(); err != nil {
		return err
	}
	events, total, err := h.svc.List(c.Request().Context(), actorOf(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(events, total, newAuditEventResponse))
}

// queryID reads an optional positive ID from the query.
func queryID(c echo.Context, p *domain.Problems, name string) int64 {
	s := c.QueryParam(name)
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		p.Add(name, "应为正整数")
	}
	return id
}

// denied records a refused request in the audit log: who (the actor), which route, and which
// record, as the handler named it when it read the path (pathID). It is one insert; a failure
// to record is logged and does not change the answer.
func denied(svc *domain.AuditService, c echo.Context, reason string) error {
	t, _ := c.Get(targetKey).(target)
	return svc.Denied(c.Request().Context(), actorOf(c), c.Request().Method+" "+c.Path(), t.kind, t.id, reason)
}
