package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// gateHandler serves the return-to-work pass (复工码) and the gate (issue 19): the worker's pass
// with its QR token, a scan, a measurement at the gate, the daily sample, revoking a pass, and
// the figures of passes and spot checks.
type gateHandler struct {
	svc    *domain.GateService
	tokens *PassTokens
	// cache keeps the dashboard's answers as it keeps its others: the pass counts read every
	// worker of the township (4 reads and the rule for each), which a wall of screens must not
	// repeat per viewer and update. Colours that turn by the clock alone (a cut-off passing)
	// may show up to the cache's maxAge late.
	cache *dashboardCache
}

var (
	gateRoles      = []domain.Role{domain.RoleSupervisor, domain.RoleGate}
	spotReaders    = []domain.Role{domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR, domain.RoleGate}
	dashboardRoles = watchRoles
)

func (h *gateHandler) register(r *router) {
	r.add(Route{Method: http.MethodGet, Path: "/me/pass", Roles: []domain.Role{domain.RoleWorker},
		Summary: "The worker's pass (复工码) of today: colour, reasons, and a signed token for its QR code that holds " +
			"a few minutes (refresh every refresh_seconds)",
		Response: myPassResponse{}, Status: http.StatusOK}, h.mine)
	r.add(Route{Method: http.MethodPost, Path: "/gate/scan", Roles: gateRoles,
		Summary: "Check a pass at the gate: by the token of its QR code, or by phone number (several workers may match); " +
			"422 names token when it is expired or not valid. Audited",
		Body: scanRequest{}, Response: scanResponse{}, Status: http.StatusOK}, h.scan)
	r.add(Route{Method: http.MethodPost, Path: "/spot-checks", Roles: gateRoles,
		Summary: "Record a measurement at the gate, compared with the slot's self-report and the pass; a discrepancy " +
			"raises an escalated alert with both readings. Audited",
		Body: spotCheckRequest{}, Response: spotCheckResponse{}, Status: http.StatusCreated}, h.record)
	r.add(Route{Method: http.MethodGet, Path: "/spot-checks", Roles: spotReaders,
		Summary: "Spot checks in the caller's scope, newest first",
		Query: append([]Param{
			{"date", "string", "YYYY-MM-DD: only this day"},
			{"enterprise_id", "integer", "only this enterprise"},
		}, pageParams...),
		Response: list[spotCheckResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodGet, Path: "/spot-checks/sample", Roles: gateRoles,
		Summary:  "The caller's spot-check sample of a day (a guard: its enterprise's part), stable for the day",
		Query:    []Param{{"date", "string", "YYYY-MM-DD, default today"}},
		Response: sampleResponse{}, Status: http.StatusOK}, h.sample)
	r.add(Route{Method: http.MethodPost, Path: "/workers/:id/pass/revoke", Roles: tenantStaff,
		Summary: "Revoke a worker's pass, with a reason, until it is restored. Audited",
		Body:    revokeRequest{}, Response: revocationResponse{}, Status: http.StatusOK}, h.revoke)
	r.add(Route{Method: http.MethodPost, Path: "/workers/:id/pass/restore", Roles: tenantStaff,
		Summary: "Restore a revoked pass. Audited", Response: revocationResponse{}, Status: http.StatusOK}, h.restore)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/passes", Roles: dashboardRoles,
		Summary:  "Passes of a day by colour: in all, by zone and by enterprise (FIGURES.md, 复工码)",
		Query:    []Param{{"date", "string", "YYYY-MM-DD, default today"}, {"zone", "string", "only this zone"}},
		Response: passCountsResponse{}, Status: http.StatusOK}, h.passCounts)
	r.add(Route{Method: http.MethodGet, Path: "/dashboard/spot-checks", Roles: dashboardRoles,
		Summary:  "Spot-check figures of a day: in all and by enterprise (FIGURES.md, 抽查核验)",
		Query:    []Param{{"date", "string", "YYYY-MM-DD, default today"}, {"zone", "string", "only this zone"}},
		Response: spotFiguresResponse{}, Status: http.StatusOK}, h.spotFigures)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/spot-checks/figures", Roles: tenantStaff,
		Summary:  "An enterprise's spot-check figures of each of the last days and their sum",
		Query:    []Param{{"days", "integer", "1 to 90, default 7"}},
		Response: enterpriseSpotResponse{}, Status: http.StatusOK}, h.enterpriseFigures)
}

type passReasonDTO struct {
	Condition string `json:"condition"`
	Label     string `json:"label" text:"server"`
	Color     string `json:"color"`
}

func newPassReasons(rs []domain.PassReason) []passReasonDTO {
	out := make([]passReasonDTO, 0, len(rs))
	for _, r := range rs {
		out = append(out, passReasonDTO{Condition: string(r.Condition), Label: r.Condition.Label(), Color: string(r.Color)})
	}
	return out
}

type selfReportDTO struct {
	Temperature float64    `json:"temperature"`
	Location    string     `json:"location"`
	At          *time.Time `json:"at,omitempty"`
}

func newSelfReport(c *domain.Checkin) *selfReportDTO {
	if c == nil {
		return nil
	}
	d := &selfReportDTO{Temperature: c.Temperature.Celsius(), Location: string(c.Location)}
	if !c.UpdatedAt.IsZero() {
		at := c.UpdatedAt
		d.At = &at
	}
	return d
}

// gatePassDTO is a pass as the gate sees it: the name masked.
type gatePassDTO struct {
	WorkerID       int64           `json:"worker_id"`
	Name           string          `json:"name" jsonschema_description:"masked: 张*"`
	EnterpriseID   int64           `json:"enterprise_id"`
	EnterpriseName string          `json:"enterprise_name"`
	ShiftName      string          `json:"shift_name"`
	Department     string          `json:"department"`
	Color          string          `json:"color" jsonschema_description:"green, yellow or red"`
	ColorLabel     string          `json:"color_label" text:"server"`
	Reasons        []passReasonDTO `json:"reasons" jsonschema_description:"the conditions that hold and colour the pass, worst first"`
	Date           string          `json:"date"`
	Slot           string          `json:"slot"`
	ValidUntil     time.Time       `json:"valid_until"`
	SelfReport     *selfReportDTO  `json:"self_report" jsonschema_description:"the slot's self-report; null for none"`
	Sampled        bool            `json:"sampled" jsonschema_description:"in today's spot-check sample"`
	Checked        bool            `json:"checked" jsonschema_description:"spot-checked today"`
}

func newGatePass(gp domain.GatePass) gatePassDTO {
	return gatePassDTO{
		WorkerID: gp.Worker.ID, Name: domain.MaskName(gp.Worker.Name), EnterpriseID: gp.Worker.EnterpriseID,
		EnterpriseName: gp.EnterpriseName, ShiftName: gp.Worker.ShiftGroup, Department: gp.Worker.Department,
		Color: string(gp.Color), ColorLabel: gp.Color.Label(), Reasons: newPassReasons(gp.Reasons), Date: gp.Date.String(),
		Slot: string(gp.Slot), ValidUntil: gp.ValidUntil, SelfReport: newSelfReport(gp.SelfReport), Sampled: gp.Sampled,
		Checked: gp.Checked,
	}
}

type myPassResponse struct {
	gatePassDTO
	Token           string    `json:"token" jsonschema_description:"what the QR code holds: signed, the worker's ID and township only"`
	TokenExpiresAt  time.Time `json:"token_expires_at"`
	TokenTTLSeconds int       `json:"token_ttl_seconds"`
	RefreshSeconds  int       `json:"refresh_seconds"`
}

func (h *gateHandler) mine(c echo.Context) error {
	a := actorOf(c)
	gp, err := h.svc.MyPass(c.Request().Context(), a)
	if err != nil {
		return err
	}
	token, exp, err := h.tokens.Issue(a.WorkerID, a.TownshipID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, myPassResponse{gatePassDTO: newGatePass(gp), Token: token, TokenExpiresAt: exp,
		TokenTTLSeconds: int(PassTokenTTL.Seconds()), RefreshSeconds: int(passRefresh.Seconds())})
}

type scanRequest struct {
	Token string `json:"token,omitempty" jsonschema_description:"the QR code's text"`
	Phone string `json:"phone,omitempty" jsonschema_description:"instead of token: the worker's mobile number"`
}

type scanResponse struct {
	Passes []gatePassDTO `json:"passes"`
}

func (h *gateHandler) scan(c echo.Context) error {
	var req scanRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actorOf(c)
	var passes []domain.GatePass
	var err error
	switch {
	case req.Token != "":
		var workerID, townshipID int64
		if workerID, townshipID, err = h.tokens.Verify(req.Token); err != nil {
			return h.svc.RefusedScan(ctx, a, err) // audited, as every scan
		}
		passes, err = h.svc.ScanWorker(ctx, a, townshipID, workerID)
	case req.Phone != "":
		passes, err = h.svc.ScanPhone(ctx, a, req.Phone)
	default:
		return domain.Invalid("token", "请扫描复工码或输入手机号")
	}
	if err != nil {
		return err
	}
	out := scanResponse{Passes: make([]gatePassDTO, 0, len(passes))}
	for _, gp := range passes {
		out.Passes = append(out.Passes, newGatePass(gp))
	}
	return c.JSON(http.StatusOK, out)
}

type spotCheckRequest struct {
	WorkerID    int64    `json:"worker_id"`
	Present     bool     `json:"present" jsonschema_description:"false: the person was not there"`
	Temperature *float64 `json:"temperature" jsonschema_description:"°C measured, 35.0 to 42.0; required when present, omitted when not"`
	Note        string   `json:"note,omitempty"`
}

type spotCheckResponse struct {
	ID             int64          `json:"id"`
	WorkerID       int64          `json:"worker_id"`
	Name           string         `json:"name" jsonschema_description:"masked"`
	EnterpriseID   int64          `json:"enterprise_id"`
	EnterpriseName string         `json:"enterprise_name"`
	Zone           string         `json:"zone"`
	Date           string         `json:"date"`
	Slot           string         `json:"slot"`
	CheckedAt      time.Time      `json:"checked_at"`
	CheckerName    string         `json:"checker_name"`
	Temperature    *float64       `json:"temperature"`
	Fever          bool           `json:"fever"`
	Present        bool           `json:"present"`
	Color          string         `json:"color" jsonschema_description:"the pass when checked"`
	SelfReport     *selfReportDTO `json:"self_report"`
	Discrepancy    string         `json:"discrepancy" text:"server" jsonschema_description:"what did not hold; empty when all did"`
	AlertID        *int64         `json:"alert_id"`
	Note           string         `json:"note"`
}

func newSpotCheckResponse(sc domain.SpotCheck) spotCheckResponse {
	r := spotCheckResponse{
		ID: sc.ID, WorkerID: sc.WorkerID, Name: domain.MaskName(sc.WorkerName), EnterpriseID: sc.EnterpriseID,
		EnterpriseName: sc.EnterpriseName, Zone: sc.Zone, Date: sc.Date.String(), Slot: string(sc.Slot), CheckedAt: sc.CheckedAt,
		CheckerName: sc.CheckerName, Fever: sc.Fever, Present: sc.Present, Color: string(sc.Color),
		SelfReport: newSelfReport(sc.SelfReport), Discrepancy: sc.Discrepancy, Note: sc.Note,
	}
	if sc.Present {
		t := sc.Temperature.Celsius()
		r.Temperature = &t
	}
	if sc.AlertID != 0 {
		id := sc.AlertID
		r.AlertID = &id
	}
	return r
}

func (h *gateHandler) record(c echo.Context) error {
	var req spotCheckRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sc, err := h.svc.Record(c.Request().Context(), actorOf(c), domain.SpotCheckInput{
		WorkerID: req.WorkerID, Present: req.Present, Temperature: req.Temperature, Note: req.Note})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newSpotCheckResponse(sc))
}

func (h *gateHandler) list(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	var p domain.Problems
	f := domain.SpotCheckFilter{Date: parseDate(&p, "date", c.QueryParam("date")), Page: page}
	if s := c.QueryParam("enterprise_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			p.Add("enterprise_id", "企业编号应为正整数")
		}
		f.EnterpriseIDs = []int64{id}
	}
	if err := p.Err(); err != nil {
		return err
	}
	scs, total, err := h.svc.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(scs, total, newSpotCheckResponse))
}

type sampleItemDTO struct {
	WorkerID       int64  `json:"worker_id"`
	Name           string `json:"name" jsonschema_description:"masked"`
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	ShiftName      string `json:"shift_name"`
	Department     string `json:"department"`
	Risk           string `json:"risk"`
	WeightReason   string `json:"weight_reason" text:"server" jsonschema_description:"why the draw favoured them; empty for none"`
	Checked        bool   `json:"checked"`
	SpotCheckID    *int64 `json:"spot_check_id"`
}

type sampleResponse struct {
	Date    string          `json:"date"`
	Percent int             `json:"percent"`
	Items   []sampleItemDTO `json:"items"`
}

func (h *gateHandler) sample(c echo.Context) error {
	var p domain.Problems
	d := parseDate(&p, "date", c.QueryParam("date"))
	if err := p.Err(); err != nil {
		return err
	}
	items, percent, d, err := h.svc.Sample(c.Request().Context(), actorOf(c), d)
	if err != nil {
		return err
	}
	out := sampleResponse{Date: d.String(), Percent: percent, Items: make([]sampleItemDTO, 0, len(items))}
	for _, it := range items {
		dto := sampleItemDTO{WorkerID: it.Worker.ID, Name: domain.MaskName(it.Worker.Name), EnterpriseID: it.Worker.EnterpriseID,
			EnterpriseName: it.EnterpriseName, ShiftName: it.Worker.ShiftGroup, Department: it.Worker.Department,
			Risk: string(it.Worker.RiskLevel), WeightReason: it.WeightReason, Checked: it.SpotCheckID != 0}
		if it.SpotCheckID != 0 {
			id := it.SpotCheckID
			dto.SpotCheckID = &id
		}
		out.Items = append(out.Items, dto)
	}
	return c.JSON(http.StatusOK, out)
}

type revokeRequest struct {
	Reason string `json:"reason" jsonschema_description:"why, 2 to 200 characters"`
}

type revocationResponse struct {
	Revoked   bool       `json:"revoked"`
	Reason    string     `json:"reason,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func (h *gateHandler) revoke(c echo.Context) error {
	id, err := pathID(c, "id", workerRecord)
	if err != nil {
		return err
	}
	var req revokeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := h.svc.Revoke(c.Request().Context(), actorOf(c), id, req.Reason)
	if err != nil {
		return err
	}
	at := r.RevokedAt
	return c.JSON(http.StatusOK, revocationResponse{Revoked: true, Reason: r.Reason, RevokedAt: &at})
}

func (h *gateHandler) restore(c echo.Context) error {
	id, err := pathID(c, "id", workerRecord)
	if err != nil {
		return err
	}
	if err := h.svc.Restore(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, revocationResponse{Revoked: false})
}

// passCountsDTO are the passes of a day by colour (FIGURES.md, 复工码).
type passCountsDTO struct {
	Green  int `json:"green"`
	Yellow int `json:"yellow"`
	Red    int `json:"red"`
}

func newPassCounts(p domain.PassCounts) passCountsDTO {
	return passCountsDTO{Green: p.Green, Yellow: p.Yellow, Red: p.Red}
}

type zonePassDTO struct {
	Zone string `json:"zone"`
	passCountsDTO
}

type enterprisePassDTO struct {
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	Zone           string `json:"zone"`
	passCountsDTO
}

type passCountsResponse struct {
	Date         string              `json:"date"`
	Total        passCountsDTO       `json:"total"`
	ByZone       []zonePassDTO       `json:"by_zone"`
	ByEnterprise []enterprisePassDTO `json:"by_enterprise"`
}

func dateAndZone(c echo.Context) (domain.Date, string, error) {
	var p domain.Problems
	d := parseDate(&p, "date", c.QueryParam("date"))
	return d, domain.Clean(c.QueryParam("zone")), p.Err()
}

func (h *gateHandler) passCounts(c echo.Context) error {
	d, zone, err := dateAndZone(c)
	if err != nil {
		return err
	}
	body, err := h.cached(c, "passes", d, zone, func(ctx context.Context) (any, error) {
		v, err := h.svc.PassCountsOn(ctx, actorOf(c), d, zone)
		if err != nil {
			return nil, err
		}
		out := passCountsResponse{Date: v.Date.String(), Total: newPassCounts(v.Total), ByZone: []zonePassDTO{}, ByEnterprise: []enterprisePassDTO{}}
		for _, z := range v.ByZone {
			out.ByZone = append(out.ByZone, zonePassDTO{Zone: z.Zone, passCountsDTO: newPassCounts(z.PassCounts)})
		}
		for _, e := range v.ByEnterprise {
			out.ByEnterprise = append(out.ByEnterprise, enterprisePassDTO{EnterpriseID: e.EnterpriseID, EnterpriseName: e.EnterpriseName,
				Zone: e.Zone, passCountsDTO: newPassCounts(e.PassCounts)})
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

// cached answers a dashboard question through the cache, under a key of the viewer's scope
// (the town admins of a township share one, and its wall screens: these counts name nobody;
// a supervisor sees their own enterprises).
func (h *gateHandler) cached(c echo.Context, what string, d domain.Date, zone string, compute func(context.Context) (any, error)) ([]byte, error) {
	ctx, a := c.Request().Context(), actorOf(c)
	if h.cache == nil || !a.Is(dashboardRoles...) {
		return encode(ctx, compute)
	}
	viewer := "town"
	if a.Is(domain.RoleSupervisor) {
		viewer = "sup" + strconv.FormatInt(a.UserID, 10)
	}
	key := what + "|" + strconv.FormatInt(a.TownshipID, 10) + "|" + viewer + "|" + d.String() + "|" + zone
	return h.cache.get(ctx, key, a.TownshipID, compute)
}

// spotFiguresDTO are the spot-check figures (FIGURES.md, 抽查核验).
type spotFiguresDTO struct {
	Checks          int     `json:"checks" jsonschema_description:"spot checks recorded"`
	Checked         int     `json:"checked" jsonschema_description:"distinct workers checked"`
	OnDuty          int     `json:"on_duty" jsonschema_description:"distinct workers with a check-in at work"`
	Coverage        float64 `json:"coverage" jsonschema_description:"checked / on_duty, 0 to 1 (0 without anyone on duty)"`
	Discrepancies   int     `json:"discrepancies" jsonschema_description:"checks that found a discrepancy"`
	DiscrepancyRate float64 `json:"discrepancy_rate" jsonschema_description:"discrepancies / checks, 0 to 1"`
}

func newSpotFigures(f domain.SpotFigures) spotFiguresDTO {
	return spotFiguresDTO{Checks: f.Checks, Checked: f.Checked, OnDuty: f.OnDuty, Coverage: f.Coverage(),
		Discrepancies: f.Discrepancies, DiscrepancyRate: f.DiscrepancyRate()}
}

type enterpriseSpotDTO struct {
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	Zone           string `json:"zone"`
	spotFiguresDTO
}

type spotFiguresResponse struct {
	Date         string              `json:"date"`
	Total        spotFiguresDTO      `json:"total"`
	ByEnterprise []enterpriseSpotDTO `json:"by_enterprise"`
}

func (h *gateHandler) spotFigures(c echo.Context) error {
	d, zone, err := dateAndZone(c)
	if err != nil {
		return err
	}
	body, err := h.cached(c, "spot-checks", d, zone, func(ctx context.Context) (any, error) {
		v, err := h.svc.SpotFiguresOn(ctx, actorOf(c), d, zone)
		if err != nil {
			return nil, err
		}
		out := spotFiguresResponse{Date: v.Date.String(), Total: newSpotFigures(v.Total), ByEnterprise: []enterpriseSpotDTO{}}
		for _, e := range v.ByEnterprise {
			out.ByEnterprise = append(out.ByEnterprise, enterpriseSpotDTO{EnterpriseID: e.EnterpriseID, EnterpriseName: e.EnterpriseName,
				Zone: e.Zone, spotFiguresDTO: newSpotFigures(e.SpotFigures)})
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

type spotDayDTO struct {
	Date string `json:"date"`
	spotFiguresDTO
}

type enterpriseSpotResponse struct {
	Days  []spotDayDTO   `json:"days"`
	Total spotFiguresDTO `json:"total"`
}

func (h *gateHandler) enterpriseFigures(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var p domain.Problems
	days := queryInt(c, &p, "days", 7)
	if err := p.Err(); err != nil {
		return err
	}
	ds, total, err := h.svc.EnterpriseSpotFigures(c.Request().Context(), actorOf(c), id, days)
	if err != nil {
		return err
	}
	out := enterpriseSpotResponse{Days: make([]spotDayDTO, 0, len(ds)), Total: newSpotFigures(total)}
	for _, d := range ds {
		out.Days = append(out.Days, spotDayDTO{Date: d.Date.String(), spotFiguresDTO: newSpotFigures(d.SpotFigures)})
	}
	return c.JSON(http.StatusOK, out)
}
