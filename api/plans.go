package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type planHandler struct{ svc *domain.PlanService }

func (h *planHandler) register(r *router) {
	hr := []domain.Role{domain.RoleEnterpriseHR}
	sup := []domain.Role{domain.RoleSupervisor}
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/plans", Roles: hr,
		Summary: "Start a new draft version of the enterprise's reopening plan (一企一策)",
		Body:    planRequest{}, Response: planResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/plans", Roles: tenantStaff,
		Summary: "Every version of the enterprise's plan with its reviews, newest first", Query: pageParams,
		Response: list[planResponse]{}, Status: http.StatusOK}, h.listForEnterprise)
	r.add(Route{Method: http.MethodGet, Path: "/plans", Roles: []domain.Role{domain.RoleSupervisor, domain.RoleTownAdmin},
		Summary:  "The review queue: plans in scope with the given statuses, longest waiting first",
		Query:    append([]Param{{"status", "string", "draft, submitted, approved or rejected; several separated by commas"}}, pageParams...),
		Response: list[planResponse]{}, Status: http.StatusOK}, h.queue)
	r.add(Route{Method: http.MethodGet, Path: "/plans/:id", Roles: tenantStaff, Summary: "Read a plan version",
		Response: planResponse{}, Status: http.StatusOK}, h.get)
	r.add(Route{Method: http.MethodPut, Path: "/plans/:id", Roles: hr,
		Summary: "Replace a draft's content (drafts may be incomplete; only forms are checked)",
		Body:    planRequest{}, Response: planResponse{}, Status: http.StatusOK}, h.update)
	r.add(Route{Method: http.MethodPost, Path: "/plans/:id/copy", Roles: hr,
		Summary:  "Start the next draft version as a copy of this one, the latest (amending an approved plan, revising a rejected one)",
		Response: planResponse{}, Status: http.StatusCreated}, h.copy)
	r.add(Route{Method: http.MethodPost, Path: "/plans/:id/submit", Roles: hr,
		Summary:  "Submit a draft for review after checking every rule; the enterprise becomes applied",
		Response: planResponse{}, Status: http.StatusOK}, h.submit)
	r.add(Route{Method: http.MethodPost, Path: "/plans/:id/approve", Roles: sup,
		Summary: "Approve a submitted plan; the enterprise becomes approved",
		Body:    commentRequest{}, Response: planResponse{}, Status: http.StatusOK}, h.approve)
	r.add(Route{Method: http.MethodPost, Path: "/plans/:id/reject", Roles: sup,
		Summary: "Return a submitted plan with a comment; HR revises it as the next version",
		Body:    commentRequest{}, Response: planResponse{}, Status: http.StatusOK}, h.reject)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/reopen", Roles: sup,
		Summary: "Confirm the day an approved enterprise actually reopened; it becomes reopened. Before the first return batch, or with more people on duty than the batches bring back by then, a reason is required",
		Body:    reopenRequest{}, Response: enterpriseResponse{}, Status: http.StatusOK}, h.reopen)
}

type suppliesDTO struct {
	Masks              int     `json:"masks"`
	Thermometers       int     `json:"thermometers"`
	DisinfectantLiters float64 `json:"disinfectant_liters"`
	Gloves             int     `json:"gloves"`
	Goggles            int     `json:"goggles"`
}

type batchDTO struct {
	Date        string   `json:"date" jsonschema_description:"YYYY-MM-DD"`
	Workers     int      `json:"workers"`
	Departments []string `json:"departments" jsonschema_description:"the roster departments that come back in the batch (1-50 characters each, at most 20, no repeats); empty for any"`
}

type planRequest struct {
	PlannedReopenDate string      `json:"planned_reopen_date,omitempty" jsonschema_description:"YYYY-MM-DD"`
	ExpectedWorkers   int         `json:"expected_workers,omitempty"`
	LeadName          string      `json:"lead_name,omitempty"`
	LeadPhone         string      `json:"lead_phone,omitempty"`
	Supplies          suppliesDTO `json:"supplies,omitzero"`
	IsolationRoom     string      `json:"isolation_room,omitempty"`
	Batches           []batchDTO  `json:"batches,omitempty"`
	ShiftSize         int         `json:"shift_size,omitempty"`
	Canteen           string      `json:"canteen,omitempty"`
	Dormitory         string      `json:"dormitory,omitempty"`
	Disinfection      string      `json:"disinfection,omitempty"`
	EmergencyPlan     string      `json:"emergency_plan,omitempty"`
	Pledge            bool        `json:"pledge,omitempty"`
}

// toDomain parses the dates; a date that is not YYYY-MM-DD is named in a 422.
func (r planRequest) toDomain() (domain.PlanContent, error) {
	var p domain.Problems
	c := domain.PlanContent{
		PlannedReopenDate: parseDate(&p, "planned_reopen_date", r.PlannedReopenDate),
		ExpectedWorkers:   r.ExpectedWorkers, LeadName: r.LeadName, LeadPhone: r.LeadPhone,
		Supplies:      domain.Supplies(r.Supplies),
		IsolationRoom: r.IsolationRoom, ShiftSize: r.ShiftSize, Canteen: r.Canteen, Dormitory: r.Dormitory,
		Disinfection: r.Disinfection, EmergencyPlan: r.EmergencyPlan, Pledge: r.Pledge,
	}
	for i, b := range r.Batches {
		d := parseDate(&p, "batches["+strconv.Itoa(i)+"].date", b.Date)
		c.Batches = append(c.Batches, domain.Batch{Date: d, Workers: b.Workers, Departments: b.Departments})
	}
	return c, p.Err()
}

// parseDate reads YYYY-MM-DD into a date, adding a problem for field when it is not one.
func parseDate(p *domain.Problems, field, s string) domain.Date {
	d, ok := domain.ParseDate(s)
	if !ok {
		p.Add(field, "日期应为 1900 至 2099 年间的 YYYY-MM-DD,例如 2026-02-17")
	}
	return d
}

type commentRequest struct {
	Comment string `json:"comment"`
}

type reopenRequest struct {
	Date   string `json:"date" jsonschema_description:"YYYY-MM-DD, the day the enterprise actually reopened"`
	Reason string `json:"reason,omitempty" jsonschema_description:"why the enterprise reopens before its first return batch or with more people on duty than its batches bring back by the day; required then (422 naming reason), at most 200 characters"`
}

type supplyDaysDTO struct {
	Masks              float64 `json:"masks"`
	DisinfectantLiters float64 `json:"disinfectant_liters"`
	Gloves             float64 `json:"gloves"`
}

type reviewDTO struct {
	ReviewerID   int64             `json:"reviewer_id"`
	ReviewerName string            `json:"reviewer_name"`
	Decision     domain.PlanStatus `json:"decision" jsonschema:"enum=approved,enum=rejected"`
	Comment      string            `json:"comment"`
	At           time.Time         `json:"at"`
}

type planResponse struct {
	ID                int64             `json:"id"`
	EnterpriseID      int64             `json:"enterprise_id"`
	EnterpriseName    string            `json:"enterprise_name"`
	Version           int               `json:"version"`
	Status            domain.PlanStatus `json:"status" jsonschema:"enum=draft,enum=submitted,enum=approved,enum=rejected"`
	InForce           bool              `json:"in_force" jsonschema_description:"the newest approved version: the one the enterprise runs"`
	PlannedReopenDate *string           `json:"planned_reopen_date"`
	ExpectedWorkers   int               `json:"expected_workers"`
	LeadName          string            `json:"lead_name"`
	LeadPhone         string            `json:"lead_phone"`
	Supplies          suppliesDTO       `json:"supplies"`
	SupplyDays        supplyDaysDTO     `json:"supply_days" jsonschema_description:"days of use the stock covers for the expected workers"`
	IsolationRoom     string            `json:"isolation_room"`
	Batches           []batchDTO        `json:"batches"`
	ShiftSize         int               `json:"shift_size"`
	Canteen           string            `json:"canteen"`
	Dormitory         string            `json:"dormitory"`
	Disinfection      string            `json:"disinfection"`
	EmergencyPlan     string            `json:"emergency_plan"`
	Pledge            bool              `json:"pledge"`
	Reviews           []reviewDTO       `json:"reviews"`
	SubmittedAt       *time.Time        `json:"submitted_at"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

func newPlanResponse(p domain.Plan) planResponse {
	days := p.SupplyDays()
	out := planResponse{
		ID: p.ID, EnterpriseID: p.EnterpriseID, EnterpriseName: p.EnterpriseName, Version: p.Version,
		Status: p.Status, InForce: p.InForce, PlannedReopenDate: dateOrNil(p.PlannedReopenDate), ExpectedWorkers: p.ExpectedWorkers,
		LeadName: p.LeadName, LeadPhone: p.LeadPhone, Supplies: suppliesDTO(p.Supplies),
		SupplyDays:    supplyDaysDTO{Masks: round1(days.Masks), DisinfectantLiters: round1(days.DisinfectantLiters), Gloves: round1(days.Gloves)},
		IsolationRoom: p.IsolationRoom, Batches: []batchDTO{}, ShiftSize: p.ShiftSize, Canteen: p.Canteen,
		Dormitory: p.Dormitory, Disinfection: p.Disinfection, EmergencyPlan: p.EmergencyPlan, Pledge: p.Pledge,
		Reviews: []reviewDTO{}, SubmittedAt: p.SubmittedAt, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	for _, b := range p.Batches {
		out.Batches = append(out.Batches, batchDTO{Date: b.Date.String(), Workers: b.Workers, Departments: append([]string{}, b.Departments...)})
	}
	for _, r := range p.Reviews {
		out.Reviews = append(out.Reviews, reviewDTO(r))
	}
	return out
}

// round1 rounds down to one decimal, so that 2.96 days never shows as a reassuring 3.0.
func round1(f float64) float64 { return math.Floor(f*10) / 10 }

func (h *planHandler) create(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req planRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	content, err := req.toDomain()
	if err != nil {
		return err
	}
	p, err := h.svc.Create(c.Request().Context(), actorOf(c), id, content)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newPlanResponse(p))
}

func (h *planHandler) listForEnterprise(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	ps, total, err := h.svc.ListForEnterprise(c.Request().Context(), actorOf(c), id, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(ps, total, newPlanResponse))
}

func (h *planHandler) queue(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	var statuses []domain.PlanStatus
	for _, s := range strings.FieldsFunc(c.QueryParam("status"), func(r rune) bool { return r == ',' }) {
		st := domain.PlanStatus(strings.TrimSpace(s))
		if !st.Valid() {
			return domain.Invalid("status", "未知的方案状态 "+s)
		}
		statuses = append(statuses, st)
	}
	ps, total, err := h.svc.Queue(c.Request().Context(), actorOf(c), statuses, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(ps, total, newPlanResponse))
}

func (h *planHandler) get(c echo.Context) error {
	id, err := pathID(c, "id", planRecord)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newPlanResponse(p))
}

func (h *planHandler) update(c echo.Context) error {
	id, err := pathID(c, "id", planRecord)
	if err != nil {
		return err
	}
	var req planRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	content, err := req.toDomain()
	if err != nil {
		return err
	}
	p, err := h.svc.Update(c.Request().Context(), actorOf(c), id, content)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newPlanResponse(p))
}

func (h *planHandler) copy(c echo.Context) error {
	id, err := pathID(c, "id", planRecord)
	if err != nil {
		return err
	}
	p, err := h.svc.Copy(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newPlanResponse(p))
}

func (h *planHandler) submit(c echo.Context) error {
	id, err := pathID(c, "id", planRecord)
	if err != nil {
		return err
	}
	p, err := h.svc.Submit(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newPlanResponse(p))
}

func (h *planHandler) approve(c echo.Context) error { return h.decide(c, h.svc.Approve) }

func (h *planHandler) reject(c echo.Context) error { return h.decide(c, h.svc.Reject) }

func (h *planHandler) decide(c echo.Context, decide func(ctx context.Context, a domain.Actor, id int64, comment string) (domain.Plan, error)) error {
	id, err := pathID(c, "id", planRecord)
	if err != nil {
		return err
	}
	var req commentRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	p, err := decide(c.Request().Context(), actorOf(c), id, req.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newPlanResponse(p))
}

func (h *planHandler) reopen(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req reopenRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var p domain.Problems
	on := parseDate(&p, "date", req.Date)
	if err := p.Err(); err != nil {
		return err
	}
	e, err := h.svc.ConfirmReopening(c.Request().Context(), actorOf(c), id, on, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newEnterpriseResponse(e))
}
