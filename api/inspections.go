package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type inspectionHandler struct{ svc *domain.InspectionService }

func (h *inspectionHandler) register(r *router) {
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/inspections", Roles: []domain.Role{domain.RoleSupervisor},
		Summary: "Record an on-site inspection; failed items need findings and a rectification deadline, and earlier rectifications it finds fixed are closed",
		Body:    inspectionRequest{}, Response: inspectionResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/inspections", Roles: tenantStaff,
		Summary: "The enterprise's inspections, newest first", Query: pageParams,
		Response: list[inspectionResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodGet, Path: "/inspections", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleTownAdmin},
		Summary:  "Open rectifications in scope (state=overdue: only those past their deadline)",
		Query:    append([]Param{{"state", "string", "open (default) or overdue"}}, pageParams...),
		Response: list[inspectionResponse]{}, Status: http.StatusOK}, h.open)
}

type checklistDTO struct {
	TemperatureCheck   bool `json:"temperature_check"`
	MasksWorn          bool `json:"masks_worn"`
	DisinfectionLog    bool `json:"disinfection_log"`
	IsolationRoomReady bool `json:"isolation_room_ready"`
	RosterUpToDate     bool `json:"roster_up_to_date"`
	CanteenStaggered   bool `json:"canteen_staggered"`
}

type inspectionRequest struct {
	VisitedOn             string       `json:"visited_on" jsonschema_description:"YYYY-MM-DD"`
	Checklist             checklistDTO `json:"checklist"`
	Findings              string       `json:"findings,omitempty"`
	RectificationDeadline string       `json:"rectification_deadline,omitempty" jsonschema_description:"YYYY-MM-DD; required when an item failed"`
}

func (r inspectionRequest) toDomain() (domain.NewInspection, error) {
	var p domain.Problems
	in := domain.NewInspection{
		VisitedOn: parseDate(&p, "visited_on", r.VisitedOn), Checklist: domain.Checklist(r.Checklist),
		Findings: r.Findings, RectificationDeadline: parseDate(&p, "rectification_deadline", r.RectificationDeadline),
	}
	return in, p.Err()
}

type inspectionResponse struct {
	ID                    int64                `json:"id"`
	EnterpriseID          int64                `json:"enterprise_id"`
	EnterpriseName        string               `json:"enterprise_name"`
	InspectorID           int64                `json:"inspector_id"`
	InspectorName         string               `json:"inspector_name"`
	VisitedOn             string               `json:"visited_on"`
	Checklist             checklistDTO         `json:"checklist"`
	FailedItems           []string             `json:"failed_items"`
	Findings              string               `json:"findings"`
	RectificationDeadline *string              `json:"rectification_deadline"`
	Rectification         domain.Rectification `json:"rectification" jsonschema:"enum=none,enum=open,enum=overdue,enum=closed"`
	DaysOverdue           int                  `json:"days_overdue"`
	ClosedOn              *string              `json:"closed_on"`
	CreatedAt             time.Time            `json:"created_at"`
}

// inspectionResponder renders inspections as of the township's today, which decides overdue.
func inspectionResponder(today domain.Date) func(domain.Inspection) inspectionResponse {
	return func(i domain.Inspection) inspectionResponse {
		out := inspectionResponse{
			ID: i.ID, EnterpriseID: i.EnterpriseID, EnterpriseName: i.EnterpriseName, InspectorID: i.InspectorID,
			InspectorName: i.InspectorName, VisitedOn: i.VisitedOn.String(), Checklist: checklistDTO(i.Checklist),
			FailedItems: append([]string{}, i.Checklist.Failed()...), Findings: i.Findings,
			RectificationDeadline: dateOrNil(i.RectificationDeadline), Rectification: i.Rectification(today),
			ClosedOn: dateOrNil(i.ClosedOn), CreatedAt: i.CreatedAt,
		}
		if out.Rectification == domain.RectificationOverdue {
			out.DaysOverdue = i.RectificationDeadline.DaysUntil(today)
		}
		return out
	}
}

func (h *inspectionHandler) create(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req inspectionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	in, err := req.toDomain()
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	i, today, err := h.svc.Create(ctx, actor, id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, inspectionResponder(today)(i))
}

func (h *inspectionHandler) list(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	items, total, today, err := h.svc.List(c.Request().Context(), actorOf(c), id, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, total, inspectionResponder(today)))
}

func (h *inspectionHandler) open(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	state := c.QueryParam("state")
	if state != "" && state != "open" && state != "overdue" {
		return domain.Invalid("state", "state 应为 open 或 overdue")
	}
	items, total, today, err := h.svc.Open(c.Request().Context(), actorOf(c), state == "overdue", page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, total, inspectionResponder(today)))
}
