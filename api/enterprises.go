package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type enterpriseHandler struct{ svc *domain.EnterpriseService }

func (h *enterpriseHandler) register(r *router) {
	town := []domain.Role{domain.RoleTownAdmin}
	r.add(Route{Method: http.MethodPost, Path: "/enterprises", Roles: town,
		Summary: "Register an enterprise; it gets a short login code for its workers",
		Body:    enterpriseRequest{}, Response: enterpriseResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises", Roles: tenantStaff,
		Summary: "List the enterprises in the caller's scope",
		Query: append([]Param{
			{"q", "string", "part of the name or credit code, or the login code"},
			{"zone", "string", "zone name"}, {"status", "string", "enterprise status"},
			{"industry", "string", "industry"},
		}, pageParams...),
		Response: list[enterpriseResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id", Roles: tenantStaff,
		Summary: "Read an enterprise in scope", Response: enterpriseResponse{}, Status: http.StatusOK}, h.get)
	r.add(Route{Method: http.MethodPatch, Path: "/enterprises/:id",
		Roles:   []domain.Role{domain.RoleTownAdmin, domain.RoleEnterpriseHR},
		Summary: "Change an enterprise; its HR may change only address, contact and headcount",
		Body:    enterpriseRequest{}, Response: enterpriseResponse{}, Status: http.StatusOK}, h.update)
	r.add(Route{Method: http.MethodPut, Path: "/enterprises/:id/supervisors", Roles: town,
		Summary: "Assign the township's supervisors to an enterprise (replaces the assignment)",
		Body:    supervisorsRequest{}, Response: enterpriseResponse{}, Status: http.StatusOK}, h.setSupervisors)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/suspend", Roles: town,
		Summary: "Suspend an approved or reopened enterprise for rectification (停工整顿), with a reason; 409 names the current status",
		Body:    suspendRequest{}, Response: enterpriseResponse{}, Status: http.StatusOK}, h.suspend)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/resume", Roles: town,
		Summary: "End a suspension: the enterprise goes back to the status it had before it; 409 names the current status",
		Body:    resumeRequest{}, Response: enterpriseResponse{}, Status: http.StatusOK}, h.resume)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/status-history", Roles: tenantStaff,
		Summary:  "The enterprise's status changes, oldest first",
		Response: []statusChangeResponse{}, Status: http.StatusOK}, h.statusHistory)
}

type suspendRequest struct {
	Reason string `json:"reason" jsonschema_description:"why the enterprise must stop (required, at most 200 characters); its HR and supervisors read it"`
	Date   string `json:"date,omitempty" jsonschema_description:"YYYY-MM-DD, the day it takes effect; today when empty, never in the future"`
}

type resumeRequest struct {
	Note string `json:"note,omitempty" jsonschema_description:"optional, at most 200 characters"`
	Date string `json:"date,omitempty" jsonschema_description:"YYYY-MM-DD, the day it takes effect; today when empty, never in the future"`
}

// optionalDate reads an optional YYYY-MM-DD: empty is the zero date (the service's default).
func optionalDate(p *domain.Problems, field, s string) domain.Date {
	if s == "" {
		return domain.Date{}
	}
	return parseDate(p, field, s)
}

type statusChangeResponse struct {
	ID         int64                    `json:"id"`
	From       *domain.EnterpriseStatus `json:"from" jsonschema_description:"null for the registration"`
	To         domain.EnterpriseStatus  `json:"to" jsonschema:"enum=not_applied,enum=applied,enum=approved,enum=reopened,enum=suspended"`
	Date       string                   `json:"date" jsonschema_description:"YYYY-MM-DD, the day it took effect"`
	ByID       *int64                   `json:"by_id" jsonschema_description:"null for the system and what could not be recovered"`
	ByName     string                   `json:"by_name"`
	Reason     string                   `json:"reason" text:"server"`
	RecordedAt time.Time                `json:"recorded_at"`
}

func newStatusChangeResponse(c domain.StatusChange) statusChangeResponse {
	out := statusChangeResponse{ID: c.ID, To: c.To, Date: c.On.String(), ByID: idOrNil(c.ByID), ByName: c.ByName,
		Reason: c.Reason, RecordedAt: c.RecordedAt}
	if c.From != "" {
		from := c.From
		out.From = &from
	}
	return out
}

type enterpriseRequest struct {
	Name         *string `json:"name,omitempty"`
	CreditCode   *string `json:"credit_code,omitempty" jsonschema_description:"unified social credit code, 18 characters (GB 32100)"`
	Industry     *string `json:"industry,omitempty"`
	Zone         *string `json:"zone,omitempty" jsonschema_description:"name of one of the township's zones"`
	Address      *string `json:"address,omitempty"`
	ContactName  *string `json:"contact_name,omitempty"`
	ContactPhone *string `json:"contact_phone,omitempty"`
	Headcount    *int    `json:"headcount,omitempty"`
}

// toDomain converts field for field: the request has exactly the domain's fields.
func (r enterpriseRequest) toDomain() domain.EnterpriseInput { return domain.EnterpriseInput(r) }

type supervisorsRequest struct {
	UserIDs []int64 `json:"user_ids"`
}

type userRefDTO struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

type enterpriseResponse struct {
	ID           int64                   `json:"id"`
	TownshipID   int64                   `json:"township_id"`
	Code         string                  `json:"code" jsonschema_description:"the short code its workers sign in with"`
	Name         string                  `json:"name"`
	CreditCode   string                  `json:"credit_code"`
	Industry     string                  `json:"industry"`
	Zone         string                  `json:"zone"`
	ZoneID       int64                   `json:"zone_id"`
	Address      string                  `json:"address"`
	ContactName  string                  `json:"contact_name"`
	ContactPhone string                  `json:"contact_phone"`
	Headcount    int                     `json:"headcount"`
	Status       domain.EnterpriseStatus `json:"status" jsonschema:"enum=not_applied,enum=applied,enum=approved,enum=reopened,enum=suspended"`
	ReopenedOn   *string                 `json:"reopened_on" jsonschema_description:"YYYY-MM-DD"`
	// SuspensionReason and SuspendedOn say why and since when a suspended enterprise is
	// stopped; null unless it is suspended.
	SuspensionReason *string      `json:"suspension_reason"`
	SuspendedOn      *string      `json:"suspended_on" jsonschema_description:"YYYY-MM-DD"`
	Supervisors      []userRefDTO `json:"supervisors"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
}

func newEnterpriseResponse(e domain.Enterprise) enterpriseResponse {
	out := enterpriseResponse{
		ID: e.ID, TownshipID: e.TownshipID, Code: e.Code, Name: e.Name, CreditCode: string(e.CreditCode),
		Industry: e.Industry, Zone: e.Zone, ZoneID: e.ZoneID, Address: e.Address,
		ContactName: e.ContactName, ContactPhone: e.ContactPhone, Headcount: e.Headcount,
		Status: e.Status, Supervisors: []userRefDTO{}, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
	out.ReopenedOn = dateOrNil(e.ReopenedOn)
	if e.Status == domain.StatusSuspended {
		reason := e.SuspensionReason
		out.SuspensionReason, out.SuspendedOn = &reason, dateOrNil(e.SuspendedOn)
	}
	for _, s := range e.Supervisors {
		out.Supervisors = append(out.Supervisors, userRefDTO(s))
	}
	return out
}

func (h *enterpriseHandler) create(c echo.Context) error {
	var req enterpriseRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := h.svc.Create(c.Request().Context(), actorOf(c), req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newEnterpriseResponse(e))
}

func (h *enterpriseHandler) list(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	f := domain.EnterpriseFilter{
		Query: c.QueryParam("q"), Status: domain.EnterpriseStatus(c.QueryParam("status")),
		Industry: c.QueryParam("industry"), Zone: c.QueryParam("zone"), Page: page,
	}
	if f.Status != "" && !f.Status.Valid() {
		return domain.Invalid("status", "未知的企业状态")
	}
	es, total, err := h.svc.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(es, total, newEnterpriseResponse))
}

func (h *enterpriseHandler) get(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	e, err := h.svc.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newEnterpriseResponse(e))
}

func (h *enterpriseHandler) update(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req enterpriseRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := h.svc.Update(c.Request().Context(), actorOf(c), id, req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newEnterpriseResponse(e))
}

func (h *enterpriseHandler) setSupervisors(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req supervisorsRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	e, err := h.svc.SetSupervisors(c.Request().Context(), actorOf(c), id, req.UserIDs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newEnterpriseResponse(e))
}

func (h *enterpriseHandler) suspend(c echo.Context) error {
	var req suspendRequest
	return h.moveStatus(c, &req, func(ctx context.Context, a domain.Actor, id int64, on domain.Date) (domain.Enterprise, error) {
		return h.svc.Suspend(ctx, a, id, req.Reason, on)
	}, &req.Date)
}

func (h *enterpriseHandler) resume(c echo.Context) error {
	var req resumeRequest
	return h.moveStatus(c, &req, func(ctx context.Context, a domain.Actor, id int64, on domain.Date) (domain.Enterprise, error) {
		return h.svc.Resume(ctx, a, id, req.Note, on)
	}, &req.Date)
}

// moveStatus is suspend and resume: the enterprise, the body into req, its optional date
// (read once bound), then the move.
func (h *enterpriseHandler) moveStatus(c echo.Context, req any, move func(context.Context, domain.Actor, int64, domain.Date) (domain.Enterprise, error), date *string) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	if err := bindJSON(c, req); err != nil {
		return err
	}
	var p domain.Problems
	on := optionalDate(&p, "date", *date)
	if err := p.Err(); err != nil {
		return err
	}
	e, err := move(c.Request().Context(), actorOf(c), id, on)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newEnterpriseResponse(e))
}

func (h *enterpriseHandler) statusHistory(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	cs, err := h.svc.StatusHistory(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	out := make([]statusChangeResponse, 0, len(cs))
	for _, ch := range cs {
		out = append(out, newStatusChangeResponse(ch))
	}
	return c.JSON(http.StatusOK, out)
}
