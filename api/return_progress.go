package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// returnHandler serves an enterprise's staggered return held against its plan (FIGURES.md,
// 错峰返岗); the township's curve is the dashboard's (dashboardHandler.returnCurve).
type returnHandler struct{ svc *domain.ReturnService }

func (h *returnHandler) register(r *router) {
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/return-progress", Roles: tenantStaff,
		Summary: "The enterprise's return against its plan (错峰返岗): per day planned, arrived, early, no-shows and the running total; per batch as of the last day",
		Query: []Param{
			{"from", "string", "YYYY-MM-DD; default 13 days before to"},
			{"to", "string", "YYYY-MM-DD, default today in the township"},
			{"days", "integer", "1 to 366: the days up to to, instead of from"},
		},
		Response: returnProgressResponse{}, Status: http.StatusOK}, h.progress)
}

// returnFiguresDTO are the plan-against-actual figures of a day, under the keys of
// domain.ReturnFigureDefs.
type returnFiguresDTO struct {
	Planned       int `json:"planned" jsonschema_description:"batch headcounts dated the day"`
	PlannedToDate int `json:"planned_to_date" jsonschema_description:"batch headcounts dated on or before the day"`
	Arrived       int `json:"arrived" jsonschema_description:"workers back whose arrival date is the day"`
	ArrivedToDate int `json:"arrived_to_date" jsonschema_description:"workers back by the day (已返岗)"`
	Early         int `json:"early" jsonschema_description:"assigned workers back by the day who arrived before their batch's date"`
	NoShow        int `json:"no_show" jsonschema_description:"assigned workers whose batch's date is before the day, not back by it"`
	Gap           int `json:"gap" jsonschema_description:"arrived_to_date - planned_to_date"`
}

func newReturnFigures(f domain.ReturnFigures) returnFiguresDTO {
	return returnFiguresDTO{Planned: f.Planned, PlannedToDate: f.PlannedToDate, Arrived: f.Arrived,
		ArrivedToDate: f.ArrivedToDate, Early: f.Early, NoShow: f.NoShow, Gap: f.Gap()}
}

type returnDayDTO struct {
	Date string `json:"date"`
	returnFiguresDTO
}

func newReturnDays(days []domain.ReturnDay) []returnDayDTO {
	out := make([]returnDayDTO, 0, len(days))
	for _, d := range days {
		out = append(out, returnDayDTO{Date: d.Date.String(), returnFiguresDTO: newReturnFigures(d.ReturnFigures)})
	}
	return out
}

type batchProgressDTO struct {
	ID          int64    `json:"id"`
	Number      int      `json:"number"`
	Date        string   `json:"date"`
	Planned     int      `json:"planned" jsonschema_description:"the plan's headcount for the batch"`
	Departments []string `json:"departments"`
	Assigned    int      `json:"assigned" jsonschema_description:"its workers on the roster on the day"`
	Arrived     int      `json:"arrived" jsonschema_description:"of them, back by the day"`
	Early       int      `json:"early" jsonschema_description:"of them, back before the batch's date"`
	NoShow      int      `json:"no_show" jsonschema_description:"of them, not back when the batch's date is before the day"`
}

type returnProgressResponse struct {
	EnterpriseID int64              `json:"enterprise_id"`
	From         string             `json:"from"`
	To           string             `json:"to"`
	Days         []returnDayDTO     `json:"days" jsonschema_description:"one per day, oldest first"`
	Batches      []batchProgressDTO `json:"batches" jsonschema_description:"by number, as of the last day"`
}

func newReturnProgress(p domain.ReturnProgress) returnProgressResponse {
	out := returnProgressResponse{EnterpriseID: p.Enterprise.ID, From: p.From.String(), To: p.To.String(),
		Days: newReturnDays(p.Days), Batches: make([]batchProgressDTO, 0, len(p.Batches))}
	for _, b := range p.Batches {
		out.Batches = append(out.Batches, batchProgressDTO{ID: b.Batch.ID, Number: b.Batch.Number, Date: b.Batch.Date.String(),
			Planned: b.Batch.Planned, Departments: append([]string{}, b.Batch.Departments...), Assigned: b.Assigned,
			Arrived: b.Arrived, Early: b.Early, NoShow: b.NoShow})
	}
	return out
}

func (h *returnHandler) progress(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var p domain.Problems
	from := parseDate(&p, "from", c.QueryParam("from"))
	to := parseDate(&p, "to", c.QueryParam("to"))
	var days *int
	if c.QueryParam("days") != "" {
		n := queryInt(c, &p, "days", 0)
		days = &n
	}
	if err := p.Err(); err != nil {
		return err
	}
	got, err := h.svc.Progress(c.Request().Context(), actorOf(c), id, from, to, days)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newReturnProgress(got))
}

// returnCurveResponse is the township's (a supervisor's: their enterprises') plan against the
// actual return, per day.
type returnCurveResponse struct {
	From  string         `json:"from"`
	To    string         `json:"to"`
	Items []returnDayDTO `json:"items"`
}

// returnCurve answers /dashboard/return-curve, kept per view and township version as the
// dashboard's other answers are.
func (h *dashboardHandler) returnCurve(c echo.Context) error {
	v, err := h.trendView(c)
	if err != nil {
		return err
	}
	body, err := h.cache.answer(c.Request().Context(), "return-curve", v, func(ctx context.Context) (any, error) {
		days, err := h.svc.ReturnCurve(ctx, v)
		out := returnCurveResponse{Items: newReturnDays(days)}
		if len(days) > 0 {
			out.From, out.To = days[0].Date.String(), days[len(days)-1].Date.String()
		}
		return out, err
	})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}
