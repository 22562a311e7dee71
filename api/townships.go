package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type townshipHandler struct{ svc *domain.TownshipService }

func (h *townshipHandler) register(r *router) {
	platform := []domain.Role{domain.RolePlatformAdmin}
	admins := []domain.Role{domain.RolePlatformAdmin, domain.RoleTownAdmin}
	r.add(Route{Method: http.MethodPost, Path: "/townships", Roles: platform,
		Summary: "Open a township (tenant) with its zones and first town admin",
		Body:    newTownshipRequest{}, Response: townshipResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodGet, Path: "/townships", Roles: platform, Summary: "List townships",
		Query: pageParams, Response: list[townshipResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodGet, Path: "/townships/:id", Roles: admins,
		Summary:  "Read a township with its policy, key areas and zones",
		Response: townshipResponse{}, Status: http.StatusOK}, h.get)
	r.add(Route{Method: http.MethodPatch, Path: "/townships/:id", Roles: admins,
		Summary: "Change a township's details, policy (retention_days among it), key areas (replaced) and zones (the full list of names)",
		Body:    townshipUpdateRequest{}, Response: townshipResponse{}, Status: http.StatusOK}, h.update)
}

type newTownshipRequest struct {
	Name          string   `json:"name"`
	Code          string   `json:"code" jsonschema_description:"administrative division code: 6, 9 or 12 digits"`
	Population    int      `json:"population"`
	Timezone      string   `json:"timezone,omitempty" jsonschema_description:"IANA time zone, default Asia/Shanghai"`
	Zones         []string `json:"zones,omitempty"`
	AdminUsername string   `json:"admin_username"`
	AdminPassword string   `json:"admin_password"`
	AdminName     string   `json:"admin_name,omitempty"`
}

// toDomain converts field for field: the request has exactly the domain's fields.
func (r newTownshipRequest) toDomain() domain.NewTownship { return domain.NewTownship(r) }

type keyAreaDTO struct {
	RegionCode string           `json:"region_code"`
	RiskLevel  domain.RiskLevel `json:"risk_level" jsonschema:"enum=high,enum=medium,enum=low"`
}

type townshipUpdateRequest struct {
	Name             *string             `json:"name,omitempty"`
	Population       *int                `json:"population,omitempty"`
	Timezone         *string             `json:"timezone,omitempty"`
	FeverThreshold   *float64            `json:"fever_threshold,omitempty"`
	IsolationDays    *int                `json:"isolation_days,omitempty"`
	CutoffAM         *string             `json:"checkin_cutoff_am,omitempty"`
	CutoffPM         *string             `json:"checkin_cutoff_pm,omitempty"`
	IsolationLevels  *[]domain.RiskLevel `json:"isolation_levels,omitempty" jsonschema_description:"risk levels whose workers isolate on arrival"`
	RetentionDays    *int                `json:"retention_days,omitempty" jsonschema_description:"days personal data is kept (30 to 3650): older check-ins and alerts, and workers who left longer ago, are removed by fugong retention run"`
	KeyAreas         *[]keyAreaDTO       `json:"key_areas,omitempty"`
	Zones            *[]string           `json:"zones,omitempty"`
	PassRules        map[string]string   `json:"pass_rules,omitempty" jsonschema_description:"condition → green (ignored), yellow or red, for the conditions to change (pass_conditions lists them)"`
	SpotCheckPercent *int                `json:"spot_check_percent,omitempty" jsonschema_description:"1 to 100: the share of on-duty workers in each supervisor's daily spot-check sample"`
	RemindMinutes    *int                `json:"remind_minutes,omitempty" jsonschema_description:"0 to 180: how long before each cut-off the enterprise groups are told who has not reported (0: never)"`
	SummaryAt        *string             `json:"summary_at,omitempty" jsonschema_description:"HH:MM local: when the township's groups get the morning summary; empty for none"`
	FeverAdvice      *string             `json:"fever_advice,omitempty" jsonschema_description:"1 to 300 characters: what a worker whose check-in is a fever or names symptoms is told at once (stop work, tell the enterprise's contact, go to the nearest fever clinic)"`
}

func (r townshipUpdateRequest) toDomain() domain.TownshipUpdate {
	u := domain.TownshipUpdate{
		Name: r.Name, Population: r.Population, Timezone: r.Timezone, FeverThreshold: r.FeverThreshold,
		IsolationDays: r.IsolationDays, CutoffAM: r.CutoffAM, CutoffPM: r.CutoffPM, Zones: r.Zones,
		IsolationLevels: r.IsolationLevels, RetentionDays: r.RetentionDays,
		PassRules: r.PassRules, SpotCheckPercent: r.SpotCheckPercent, RemindMinutes: r.RemindMinutes,
		SummaryAt: r.SummaryAt, FeverAdvice: r.FeverAdvice,
	}
	if r.KeyAreas != nil {
		areas := make([]domain.KeyArea, 0, len(*r.KeyAreas))
		for _, a := range *r.KeyAreas {
			areas = append(areas, domain.KeyArea{RegionCode: a.RegionCode, RiskLevel: a.RiskLevel})
		}
		u.KeyAreas = &areas
	}
	return u
}

type zoneDTO struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Enterprises int    `json:"enterprises"`
}

type townshipResponse struct {
	ID               int64              `json:"id"`
	Name             string             `json:"name"`
	Code             string             `json:"code"`
	Population       int                `json:"population"`
	Timezone         string             `json:"timezone"`
	FeverThreshold   float64            `json:"fever_threshold"`
	IsolationDays    int                `json:"isolation_days"`
	CutoffAM         string             `json:"checkin_cutoff_am"`
	CutoffPM         string             `json:"checkin_cutoff_pm"`
	IsolationLevels  []domain.RiskLevel `json:"isolation_levels"`
	RetentionDays    int                `json:"retention_days"`
	PurgedBefore     *string            `json:"purged_before" jsonschema_description:"YYYY-MM-DD before which the retention removed check-ins and alerts; null if it never did"`
	KeyAreas         []keyAreaDTO       `json:"key_areas"`
	Zones            []zoneDTO          `json:"zones"`
	PassRules        map[string]string  `json:"pass_rules" jsonschema_description:"every pass condition's colour"`
	PassConditions   []passConditionDTO `json:"pass_conditions" jsonschema_description:"the pass conditions in order, with their labels and default colours"`
	SpotCheckPercent int                `json:"spot_check_percent"`
	RemindMinutes    int                `json:"remind_minutes"`
	SummaryAt        string             `json:"summary_at"`
	FeverAdvice      string             `json:"fever_advice" jsonschema_description:"what a worker whose check-in is a fever or names symptoms is told at once"`
	CreatedAt        time.Time          `json:"created_at"`
	UpdatedAt        time.Time          `json:"updated_at"`
}

func newTownshipResponse(t domain.Township) townshipResponse {
	out := townshipResponse{
		ID: t.ID, Name: t.Name, Code: t.Code, Population: t.Population, Timezone: t.Timezone,
		FeverThreshold: t.Policy.FeverThreshold, IsolationDays: t.Policy.IsolationDays,
		CutoffAM: t.Policy.CutoffAM, CutoffPM: t.Policy.CutoffPM,
		IsolationLevels: append([]domain.RiskLevel{}, t.Policy.IsolationLevels...), RetentionDays: t.Policy.RetentionDays,
		PurgedBefore: dateOrNil(t.PurgedBefore), KeyAreas: []keyAreaDTO{}, Zones: []zoneDTO{}, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
	for _, a := range t.KeyAreas {
		out.KeyAreas = append(out.KeyAreas, keyAreaDTO{RegionCode: a.RegionCode, RiskLevel: a.RiskLevel})
	}
	out.PassRules, out.SpotCheckPercent = map[string]string{}, t.Policy.SpotCheckPercent
	out.RemindMinutes, out.SummaryAt = t.Policy.RemindMinutes, t.Policy.SummaryAt
	out.FeverAdvice = t.Policy.FeverAdvice
	for _, c := range domain.PassConditions {
		out.PassRules[string(c)] = string(t.Policy.PassRules.Color(c))
		out.PassConditions = append(out.PassConditions, passConditionDTO{Condition: string(c), Label: c.Label(),
			Default: string(domain.DefaultPassRules[c])})
	}
	for _, z := range t.Zones {
		out.Zones = append(out.Zones, zoneDTO{ID: z.ID, Name: z.Name, Enterprises: z.Enterprises})
	}
	return out
}

func (h *townshipHandler) create(c echo.Context) error {
	var req newTownshipRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := h.svc.Create(c.Request().Context(), actorOf(c), req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newTownshipResponse(t))
}

func (h *townshipHandler) list(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	ts, total, err := h.svc.List(c.Request().Context(), actorOf(c), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(ts, total, newTownshipResponse))
}

func (h *townshipHandler) get(c echo.Context) error {
	id, err := pathID(c, "id", townshipRecord)
	if err != nil {
		return err
	}
	t, err := h.svc.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newTownshipResponse(t))
}

func (h *townshipHandler) update(c echo.Context) error {
	id, err := pathID(c, "id", townshipRecord)
	if err != nil {
		return err
	}
	var req townshipUpdateRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := h.svc.Update(c.Request().Context(), actorOf(c), id, req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newTownshipResponse(t))
}

// passConditionDTO is a pass condition as the settings form lists it.
type passConditionDTO struct {
	Condition string `json:"condition"`
	Label     string `json:"label" text:"server"`
	Default   string `json:"default" jsonschema_description:"its colour unless the township sets another"`
}
