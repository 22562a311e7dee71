package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
	"fugong/domain/region"
)

type dashboardHandler struct {
	svc   *domain.DashboardService
	auth  *domain.AuthService // an open stream checks its viewer's account again (Live.Recheck)
	live  *Live
	cache *dashboardCache // nil: every answer computed
}

// watchRoles read the dashboard: town admins and supervisors, and a wall screen's account
// (viewer, issue 21), whose answers hold no person's name (domain.DashboardView).
var watchRoles = []domain.Role{domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleViewer}

var filterParams = []Param{
	{"zone", "string", "only enterprises of this zone (责任区)"},
	{"industry", "string", "only enterprises of this industry"},
}

func (h *dashboardHandler) register(r *router) {
	dateParam := Param{"date", "string", "YYYY-MM-DD, default today in the township"}
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/summary", Roles: watchRoles,
		Summary: "Township totals for a day (a supervisor's: their enterprises), by zone and home province",
		Query:   append([]Param{dateParam}, filterParams...), Response: summaryResponse{}, Status: http.StatusOK}, h.summary)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/trend", Roles: watchRoles,
		Summary:  "Totals per day from one date to another (default the last 14 days)",
		Query:    append([]Param{{"from", "string", "YYYY-MM-DD"}, {"to", "string", "YYYY-MM-DD, default today"}}, filterParams...),
		Response: trendResponse{}, Status: http.StatusOK}, h.trend)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/return-curve", Roles: watchRoles,
		Summary:  "Planned against actual arrivals (错峰返岗) per day from one date to another (default the last 14 days): the township's curve",
		Query:    append([]Param{{"from", "string", "YYYY-MM-DD"}, {"to", "string", "YYYY-MM-DD, default today"}}, filterParams...),
		Response: returnCurveResponse{}, Status: http.StatusOK}, h.returnCurve)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/enterprises", Roles: watchRoles,
		Summary: "One row per enterprise for a day, abnormal rows flagged",
		Query:   append([]Param{dateParam}, filterParams...), Response: enterpriseDaysResponse{}, Status: http.StatusOK}, h.enterprises)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/stream", Roles: watchRoles,
		Summary: "Server-Sent Events: an 'update' event with today's summary whenever numbers the viewer can see change; resumes with Last-Event-ID; ends within 15 s of the viewer's account being disabled or signed out",
		Query:   filterParams, Status: http.StatusOK, Produces: "text/event-stream"}, h.stream)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/open-alerts", Roles: watchRoles,
		Summary: "The alerts still open (not taken in hand) dated the day or before, newest first, as a wall screen rolls them: " +
			"type, enterprise, zone, date, slot and when raised; never the worker nor the detail",
		Query:    append([]Param{dateParam, filterParams[0]}, pageParams...),
		Response: list[openAlertDTO]{}, Status: http.StatusOK}, h.openAlerts)
}

// figuresDTO are the figures of a day, under the keys of domain.FigureDefs (FIGURES.md).
type figuresDTO struct {
	WorkersTotal     int      `json:"workers_total"`
	WorkersReturned  int      `json:"workers_returned"`
	WorkersOnDuty    int      `json:"workers_on_duty"`
	WorkersIsolating int      `json:"workers_isolating"`
	WorkersKeyArea   int      `json:"workers_key_area"`
	WorkersDue       int      `json:"workers_due" jsonschema_description:"due to report: back by the day, at work or isolating"`
	CheckinsAM       int      `json:"checkins_am" jsonschema_description:"due people who reported the morning slot"`
	CheckinsPM       int      `json:"checkins_pm" jsonschema_description:"due people who reported the afternoon slot"`
	MissingAM        int      `json:"missing_am"`
	MissingPM        int      `json:"missing_pm"`
	Late             int      `json:"late" jsonschema_description:"due slots reported after the cut-off"`
	Completion       *float64 `json:"completion" jsonschema_description:"share of due reports received, both slots, 0 to 1; null when nobody is due"`
	Fever            int      `json:"fever" jsonschema_description:"people with a fever reading, kept though a later reading is normal"`
	Symptomatic      int      `json:"symptomatic"`
	Unregistered     int      `json:"unregistered" jsonschema_description:"people not marked back who reported: counted apart, HR confirms"`
	AlertsNew        int      `json:"alerts_new" jsonschema_description:"alerts dated the day"`
	AlertsOpen       int      `json:"alerts_open" jsonschema_description:"alerts of the day or before not taken in hand at its end (now, for today)"`
}

func newFigures(f domain.Figures) figuresDTO {
	var completion *float64
	if share, ok := f.Completion(); ok {
		c := round3(share)
		completion = &c
	}
	return figuresDTO{
		WorkersTotal: f.Roster, WorkersReturned: f.Returned, WorkersOnDuty: f.OnDuty, WorkersIsolating: f.Isolating,
		WorkersKeyArea: f.KeyArea, WorkersDue: f.Due, CheckinsAM: f.CheckinsAM, CheckinsPM: f.CheckinsPM,
		MissingAM: f.MissingAM(), MissingPM: f.MissingPM(), Late: f.Late, Completion: completion,
		Fever: f.Fever, Symptomatic: f.Symptomatic, Unregistered: f.Unregistered, AlertsNew: f.Alerts, AlertsOpen: f.AlertsOpen,
	}
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// enterpriseCountsDTO counts enterprises by status.
type enterpriseCountsDTO struct {
	EnterprisesTotal      int `json:"enterprises_total"`
	EnterprisesNotApplied int `json:"enterprises_not_applied"`
	EnterprisesApplied    int `json:"enterprises_applied"`
	EnterprisesApproved   int `json:"enterprises_approved"`
	EnterprisesReopened   int `json:"enterprises_reopened"`
	EnterprisesSuspended  int `json:"enterprises_suspended"`
}

func newEnterpriseCounts(c domain.EnterpriseCounts) enterpriseCountsDTO {
	return enterpriseCountsDTO{c.Total, c.NotApplied, c.Applied, c.Approved, c.Reopened, c.Suspended}
}

type zoneFiguresDTO struct {
	Zone string `json:"zone"`
	enterpriseCountsDTO
	figuresDTO
}

type originDTO struct {
	Province string `json:"province" jsonschema_description:"GB/T 2260 code"`
	Name     string `json:"name"`
	Workers  int    `json:"workers"`
}

type summaryResponse struct {
	Date string `json:"date"`
	enterpriseCountsDTO
	figuresDTO
	Zones          []zoneFiguresDTO `json:"zones"`
	Origins        []originDTO      `json:"origins" jsonschema_description:"returned workers by home province, most first"`
	FeverThreshold float64          `json:"fever_threshold" jsonschema_description:"°C: the township's fever threshold as set now; a reading at or above the threshold of its time counts in fever"`
}

func newSummary(s domain.Summary) summaryResponse {
	out := summaryResponse{Date: s.Date.String(), enterpriseCountsDTO: newEnterpriseCounts(s.Enterprises),
		figuresDTO: newFigures(s.Figures), Zones: []zoneFiguresDTO{}, Origins: []originDTO{}, FeverThreshold: s.FeverThreshold}
	for _, z := range s.Zones {
		out.Zones = append(out.Zones, zoneFiguresDTO{Zone: z.Zone, enterpriseCountsDTO: newEnterpriseCounts(z.Enterprises), figuresDTO: newFigures(z.Figures)})
	}
	for _, o := range s.Origins {
		out.Origins = append(out.Origins, originDTO{Province: o.Province, Name: regionName(o.Province), Workers: o.Workers})
	}
	return out
}

type trendPointDTO struct {
	Date                string `json:"date"`
	EnterprisesReopened int    `json:"enterprises_reopened" jsonschema_description:"reopened by that day"`
	figuresDTO
}

type trendResponse struct {
	From  string          `json:"from"`
	To    string          `json:"to"`
	Items []trendPointDTO `json:"items"`
}

type enterpriseDayDTO struct {
	EnterpriseID int64    `json:"enterprise_id"`
	Name         string   `json:"name"`
	CreditCode   string   `json:"credit_code"`
	Zone         string   `json:"zone"`
	Industry     string   `json:"industry"`
	Status       string   `json:"status"`
	ReopenedOn   *string  `json:"reopened_on"`
	Supervisors  []string `json:"supervisors"`
	Abnormal     bool     `json:"abnormal" jsonschema_description:"a fever, symptoms or an open alert on the day"`
	figuresDTO
}

type enterpriseDaysResponse struct {
	Date  string             `json:"date"`
	Items []enterpriseDayDTO `json:"items"`
	Total int                `json:"total"`
}

func newEnterpriseDay(d domain.EnterpriseDay) enterpriseDayDTO {
	e := d.Enterprise
	out := enterpriseDayDTO{EnterpriseID: e.ID, Name: e.Name, CreditCode: string(e.CreditCode), Zone: e.Zone,
		Industry: e.Industry, Status: string(e.Status), ReopenedOn: dateOrNil(e.ReopenedOn), Supervisors: []string{},
		Abnormal: d.Abnormal(), figuresDTO: newFigures(d.Figures)}
	for _, s := range e.Supervisors {
		out.Supervisors = append(out.Supervisors, s.Name)
	}
	return out
}

// query reads the filters every dashboard route takes, and the date when withDate.
func dashboardQuery(c echo.Context, p *domain.Problems, withDate bool) domain.DashboardQuery {
	q := domain.DashboardQuery{Zone: c.QueryParam("zone"), Industry: c.QueryParam("industry")}
	if withDate {
		q.Date = parseDate(p, "date", c.QueryParam("date"))
	}
	return q
}

func (h *dashboardHandler) summary(c echo.Context) error {
	var p domain.Problems
	q := dashboardQuery(c, &p, true)
	if err := p.Err(); err != nil {
		return err
	}
	v, err := h.svc.View(c.Request().Context(), actorOf(c), q)
	if err != nil {
		return err
	}
	body, err := h.summaryJSON(c, v)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

// summaryJSON is the summary of a view as /dashboard/summary and the stream send it.
func (h *dashboardHandler) summaryJSON(c echo.Context, v domain.DashboardView) ([]byte, error) {
	return h.cache.answer(c.Request().Context(), "summary", v, func(ctx context.Context) (any, error) {
		s, err := h.svc.Summary(ctx, v)
		return newSummary(s), err
	})
}

// trendView reads the view of a request for days (the trend, the return curve): the
// dashboard's filters and from/to.
func (h *dashboardHandler) trendView(c echo.Context) (domain.DashboardView, error) {
	var p domain.Problems
	q := dashboardQuery(c, &p, false)
	from := parseDate(&p, "from", c.QueryParam("from"))
	to := parseDate(&p, "to", c.QueryParam("to"))
	if err := p.Err(); err != nil {
		return domain.DashboardView{}, err
	}
	return h.svc.TrendView(c.Request().Context(), actorOf(c), q, from, to)
}

func (h *dashboardHandler) trend(c echo.Context) error {
	v, err := h.trendView(c)
	if err != nil {
		return err
	}
	body, err := h.cache.answer(c.Request().Context(), "trend", v, func(ctx context.Context) (any, error) {
		points, err := h.svc.Trend(ctx, v)
		return newTrend(points), err
	})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

func newTrend(points []domain.TrendPoint) trendResponse {
	out := trendResponse{Items: make([]trendPointDTO, 0, len(points))}
	for _, pt := range points {
		out.Items = append(out.Items, trendPointDTO{Date: pt.Date.String(), EnterprisesReopened: pt.Reopened, figuresDTO: newFigures(pt.Figures)})
	}
	if len(points) > 0 {
		out.From, out.To = points[0].Date.String(), points[len(points)-1].Date.String()
	}
	return out
}

func (h *dashboardHandler) enterprises(c echo.Context) error {
	var p domain.Problems
	q := dashboardQuery(c, &p, true)
	if err := p.Err(); err != nil {
		return err
	}
	v, err := h.svc.View(c.Request().Context(), actorOf(c), q)
	if err != nil {
		return err
	}
	body, err := h.cache.answer(c.Request().Context(), "enterprises", v, func(ctx context.Context) (any, error) {
		days, err := h.svc.EnterpriseDays(ctx, v)
		return newEnterpriseDays(days, v.Date()), err
	})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

func newEnterpriseDays(days []domain.EnterpriseDay, d domain.Date) enterpriseDaysResponse {
	out := enterpriseDaysResponse{Date: d.String(), Items: make([]enterpriseDayDTO, 0, len(days)), Total: len(days)}
	for _, ed := range days {
		out.Items = append(out.Items, newEnterpriseDay(ed))
	}
	return out
}

// regionName is a region's name, or its code when the code is unknown.
func regionName(code string) string {
	if n, ok := region.Name(code); ok {
		return n
	}
	return code
}

// openAlertDTO is an open alert on a wall screen: nothing in it names a person.
type openAlertDTO struct {
	ID             int64     `json:"id"`
	Type           string    `json:"type"`
	Label          string    `json:"label" text:"server" jsonschema_description:"the type as the township calls it"`
	Date           string    `json:"date"`
	Slot           string    `json:"slot,omitempty" jsonschema_description:"am or pm: the slot of a missed check-in"`
	Escalated      bool      `json:"escalated"`
	EnterpriseID   int64     `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	Zone           string    `json:"zone"`
	RaisedAt       time.Time `json:"raised_at"`
}

func newOpenAlert(a domain.WallAlert) openAlertDTO {
	return openAlertDTO{ID: a.ID, Type: string(a.Type), Label: a.Type.Label(), Date: a.Date.String(), Slot: string(a.Slot),
		Escalated: a.Escalated, EnterpriseID: a.EnterpriseID, EnterpriseName: a.EnterpriseName, Zone: a.Zone, RaisedAt: a.CreatedAt}
}

// openAlerts answers /dashboard/open-alerts, kept per view, page and township version as the
// dashboard's other answers are: every wall screen asks it after every update.
func (h *dashboardHandler) openAlerts(c echo.Context) error {
	var p domain.Problems
	q := dashboardQuery(c, &p, true)
	if err := p.Err(); err != nil {
		return err
	}
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	v, err := h.svc.View(c.Request().Context(), actorOf(c), q)
	if err != nil {
		return err
	}
	// The answer holds labels (labels.go), so it is kept per language as well.
	english := prefersEnglish(c.Request())
	what := fmt.Sprintf("open-alerts|%d|%d|%t", page.Offset, page.Limit, english)
	body, err := h.cache.answer(c.Request().Context(), what, v, func(ctx context.Context) (any, error) {
		found, total, err := h.svc.OpenAlerts(ctx, v, page)
		if english {
			return inEnglish(newList(found, total, newOpenAlert)), err
		}
		return newList(found, total, newOpenAlert), err
	})
	if err != nil {
		return err
	}
	c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
	return c.JSONBlob(http.StatusOK, body)
}
