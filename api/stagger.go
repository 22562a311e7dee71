package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// staggerHandler serves an enterprise's return batches and shifts (issue 18).
type staggerHandler struct{ svc *domain.StaggerService }

// shiftKeepers may keep an enterprise's shifts (the service holds each to their enterprise).
var shiftKeepers = []domain.Role{domain.RoleEnterpriseHR, domain.RoleSupervisor}

func (h *staggerHandler) register(r *router) {
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/batches", Roles: tenantStaff,
		Summary:  "The enterprise's return batches (错峰返岗), as its approved plan set them, with the workers assigned to each",
		Response: list[returnBatchResponse]{}, Status: http.StatusOK}, h.batches)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/shifts", Roles: tenantStaff,
		Summary: "The enterprise's shifts (小班制 班组) by name, with their hours, meal time, capacity, the workers assigned " +
			"and the people on duty of a day (morning check-ins at work) against the capacity",
		Query:    []Param{{"date", "string", "YYYY-MM-DD: the day of on_duty; default the township's today"}},
		Response: shiftListResponse{}, Status: http.StatusOK}, h.shifts)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/shifts", Roles: shiftKeepers,
		Summary: "Add a shift: its HR or one of its supervisors", Body: shiftRequest{}, Response: shiftResponse{},
		Status: http.StatusCreated}, h.createShift)
	r.add(Route{Method: http.MethodPut, Path: "/shifts/:id", Roles: shiftKeepers,
		Summary: "Change a shift; a capacity below its workers leaves it over capacity, taking nobody more",
		Body:    shiftRequest{}, Response: shiftResponse{}, Status: http.StatusOK}, h.updateShift)
	r.add(Route{Method: http.MethodDelete, Path: "/shifts/:id", Roles: shiftKeepers,
		Summary: "Remove a shift nobody is assigned to (409 otherwise)", Status: http.StatusNoContent}, h.deleteShift)
}

type returnBatchResponse struct {
	ID          int64    `json:"id"`
	Number      int      `json:"number" jsonschema_description:"1, 2, … in date order"`
	Date        string   `json:"date" jsonschema_description:"YYYY-MM-DD: the day the batch comes back"`
	Planned     int      `json:"planned" jsonschema_description:"the plan's headcount for the batch"`
	Departments []string `json:"departments" jsonschema_description:"the departments it brings back; empty for any"`
	Assigned    int      `json:"assigned" jsonschema_description:"workers assigned to it who have not left"`
	PlanID      int64    `json:"plan_id" jsonschema_description:"the approved plan version that set it"`
}

func newReturnBatchResponse(b domain.ReturnBatch) returnBatchResponse {
	return returnBatchResponse{
		ID: b.ID, Number: b.Number, Date: b.Date.String(), Planned: b.Planned, Departments: append([]string{}, b.Departments...),
		Assigned: b.Assigned, PlanID: b.PlanID,
	}
}

type shiftRequest struct {
	Name      string `json:"name"`
	Workshop  string `json:"workshop,omitempty"`
	Start     string `json:"start,omitempty" jsonschema_description:"HH:MM, with end"`
	End       string `json:"end,omitempty" jsonschema_description:"HH:MM; before start: the shift runs past midnight"`
	MealStart string `json:"meal_start,omitempty" jsonschema_description:"HH:MM: the shift's own staggered meal time, with meal_end"`
	MealEnd   string `json:"meal_end,omitempty" jsonschema_description:"HH:MM"`
	Capacity  int    `json:"capacity" jsonschema_description:"1 to 10,000: the most workers it may have"`
}

func (r shiftRequest) toDomain() domain.ShiftInput {
	return domain.ShiftInput{Name: r.Name, Workshop: r.Workshop, Start: r.Start, End: r.End, MealStart: r.MealStart,
		MealEnd: r.MealEnd, Capacity: r.Capacity}
}

type shiftResponse struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Workshop  string    `json:"workshop"`
	Start     string    `json:"start"`
	End       string    `json:"end"`
	MealStart string    `json:"meal_start"`
	MealEnd   string    `json:"meal_end"`
	Capacity  int       `json:"capacity"`
	Assigned  int       `json:"assigned" jsonschema_description:"workers assigned to it who have not left"`
	UpdatedAt time.Time `json:"updated_at"`
}

// shiftDutyResponse is a shift with its people on duty of the list's day.
type shiftDutyResponse struct {
	shiftResponse
	OnDuty       int  `json:"on_duty" jsonschema_description:"its workers whose morning check-in of the day was at work (FIGURES.md, Shifts)"`
	OverCapacity bool `json:"over_capacity" jsonschema_description:"on_duty > capacity"`
}

// shiftListResponse is an enterprise's shifts on one day.
type shiftListResponse struct {
	Date  string              `json:"date" jsonschema_description:"YYYY-MM-DD: the day of on_duty"`
	Items []shiftDutyResponse `json:"items"`
	Total int                 `json:"total"`
}

func newShiftDutyResponse(d domain.ShiftDuty) shiftDutyResponse {
	return shiftDutyResponse{shiftResponse: newShiftResponse(d.Shift), OnDuty: d.OnDuty, OverCapacity: d.OverCapacity()}
}

func newShiftResponse(s domain.Shift) shiftResponse {
	return shiftResponse{
		ID: s.ID, Name: s.Name, Workshop: s.Workshop, Start: s.Start, End: s.End, MealStart: s.MealStart,
		MealEnd: s.MealEnd, Capacity: s.Capacity, Assigned: s.Assigned, UpdatedAt: s.UpdatedAt,
	}
}

func (h *staggerHandler) batches(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	bs, err := h.svc.Batches(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(bs, len(bs), newReturnBatchResponse))
}

func (h *staggerHandler) shifts(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var p domain.Problems
	d := parseDate(&p, "date", c.QueryParam("date"))
	if err := p.Err(); err != nil {
		return err
	}
	ss, d, err := h.svc.ShiftsOn(c.Request().Context(), actorOf(c), id, d)
	if err != nil {
		return err
	}
	l := newList(ss, len(ss), newShiftDutyResponse)
	return c.JSON(http.StatusOK, shiftListResponse{Date: d.String(), Items: l.Items, Total: l.Total})
}

func (h *staggerHandler) createShift(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req shiftRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sh, err := h.svc.CreateShift(c.Request().Context(), actorOf(c), id, req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newShiftResponse(sh))
}

func (h *staggerHandler) updateShift(c echo.Context) error {
	id, err := pathID(c, "id", shiftRecord)
	if err != nil {
		return err
	}
	var req shiftRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sh, err := h.svc.UpdateShift(c.Request().Context(), actorOf(c), id, req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newShiftResponse(sh))
}

func (h *staggerHandler) deleteShift(c echo.Context) error {
	id, err := pathID(c, "id", shiftRecord)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteShift(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
