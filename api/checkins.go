package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type checkinHandler struct{ svc *domain.CheckinService }

func (h *checkinHandler) register(r *router) {
	worker := []domain.Role{domain.RoleWorker}
	alertRoles := []domain.Role{domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR}
	r.add(Route{Method: http.MethodPost, Path: "/checkins", Roles: worker,
		Summary: "A worker's daily health check-in; a repeat of the same day and slot replaces it (201 new, 200 replaced)",
		Body:    checkinRequest{}, Response: checkinAnswer{}, Status: http.StatusCreated, StandingInWrite: true}, h.submit)
	r.add(Route{Method: http.MethodGet, Path: "/checkins/me", Roles: worker, Summary: "The worker's own check-ins, newest first",
		Query: pageParams, Response: list[checkinResponse]{}, Status: http.StatusOK}, h.mine)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/checkins", Roles: []domain.Role{domain.RoleEnterpriseHR},
		Summary: "HR reports check-ins for workers without a phone; each item is kept or refused on its own",
		Body:    batchRequest{}, Response: batchResponse{}, Status: http.StatusOK}, h.batch)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/checkins", Roles: tenantStaff,
		Summary: "Who has checked in for each slot of a day and who is missing",
		Query: []Param{{"date", "string", "YYYY-MM-DD, default today in the township"},
			{"missing", "string", "am or pm: only those missing that slot"}},
		Response: dayStatusResponse{}, Status: http.StatusOK}, h.dayStatus)
	r.add(Route{Method: http.MethodGet, Path: "/checkins/:id/readings", Roles: allTenant,
		Summary:  "Every reading of a check-in's slot, oldest first: the worker's own, HR's on their behalf, corrections with their notes",
		Response: readingsResponse{}, Status: http.StatusOK}, h.readings)
	r.add(Route{Method: http.MethodPost, Path: "/checkins/:id/correct", Roles: []domain.Role{domain.RoleEnterpriseHR, domain.RoleSupervisor},
		Summary: "Correct a slot's reading, with a note saying why; the earlier readings stay visible (audited)",
		Body:    correctionRequest{}, Response: checkinResponse{}, Status: http.StatusOK}, h.correct)
	r.add(Route{Method: http.MethodGet, Path: "/alerts", Roles: alertRoles,
		Summary: "Alerts in scope, newest first, with enterprise, zone, worker and the worker's readings of the day. " +
			"Filters narrow the caller's scope: one for an enterprise out of it finds nothing",
		Query: append([]Param{
			{"status", "string", "open, acknowledged or resolved"},
			{"type", "string", "fever, symptoms, missed_checkin, isolation_ending, repeated_fever, key_area_arrival, " +
				"unregistered_arrival, early_arrival, unapproved_work or shift_over_capacity"},
			{"enterprise_id", "integer", "only this enterprise's alerts"},
			{"zone", "string", "only alerts of enterprises of this zone (责任区), by name"},
			{"worker_id", "integer", "only this worker's alerts"},
			{"from", "string", "YYYY-MM-DD, first day of the alert's date"},
			{"to", "string", "YYYY-MM-DD, last day, included"},
		}, pageParams...),
		Response: list[alertResponse]{}, Status: http.StatusOK}, h.alerts)
	r.add(Route{Method: http.MethodPost, Path: "/alerts/acknowledge", Roles: alertRoles,
		Summary: "Take open alerts in hand, 1 to 200 in one transaction; an alert no longer open is reported as a conflict " +
			"and the others move all the same; an ID out of scope is a 404 for the whole request, which then changes nothing",
		Body: bulkNoteRequest{}, Response: bulkAlertResponse{}, Status: http.StatusOK}, h.acknowledgeMany)
	r.add(Route{Method: http.MethodPost, Path: "/alerts/resolve", Roles: alertRoles,
		Summary: "Close alerts with one note, 1 to 200 in one transaction; as /alerts/acknowledge",
		Body:    bulkNoteRequest{}, Response: bulkAlertResponse{}, Status: http.StatusOK}, h.resolveMany)
	r.add(Route{Method: http.MethodPost, Path: "/alerts/:id/acknowledge", Roles: alertRoles,
		Summary: "Take an open alert in hand", Body: noteRequest{}, Response: alertResponse{}, Status: http.StatusOK}, h.acknowledge)
	r.add(Route{Method: http.MethodPost, Path: "/alerts/:id/resolve", Roles: alertRoles,
		Summary: "Close an alert with a note saying how it was handled", Body: noteRequest{}, Response: alertResponse{}, Status: http.StatusOK}, h.resolve)
}

type checkinRequest struct {
	Slot        domain.Slot     `json:"slot" jsonschema:"enum=am,enum=pm"`
	Temperature *float64        `json:"temperature" jsonschema_description:"°C, one decimal, 35.0 to 42.0"`
	Symptoms    []string        `json:"symptoms,omitempty" jsonschema_description:"fever, dry_cough, fatigue, sore_throat, shortness_of_breath, diarrhea, loss_of_taste_smell, other"`
	SymptomNote string          `json:"symptom_note,omitempty"`
	Location    domain.Location `json:"location,omitempty" jsonschema:"enum=work,enum=home,enum=isolation"`
	Date        string          `json:"date,omitempty" jsonschema_description:"YYYY-MM-DD, today (default) or yesterday in the township"`
}

func (r checkinRequest) toDomain(workerID int64) domain.CheckinInput {
	return domain.CheckinInput{WorkerID: workerID, Date: r.Date, Slot: r.Slot, Temperature: r.Temperature,
		Symptoms: r.Symptoms, SymptomNote: r.SymptomNote, Location: r.Location}
}

type batchItem struct {
	WorkerID int64 `json:"worker_id"`
	// Overwrite confirms replacing a report the worker sent themselves; without it such an
	// item is refused with 409 and the worker's reading stays.
	Overwrite bool `json:"overwrite,omitempty"`
	checkinRequest
}

type batchRequest struct {
	Items []batchItem `json:"items"`
}

type itemError struct {
	Message     string            `json:"message"`
	MessageCode string            `json:"message_code"`
	Params      map[string]string `json:"params"`
	Fields      []fieldError      `json:"fields,omitempty"`
}

// newItemError is the error of one item of a batch, in the error shape's words: localized as
// a whole request's error is (Accept-Language).
func newItemError(c echo.Context, err error) (int, *itemError) {
	status, body := describe(err)
	d := localize(c.Request(), body).Error
	return status, &itemError{Message: d.Message, MessageCode: d.MessageCode, Params: d.Params, Fields: d.Fields}
}

type batchResult struct {
	Index    int              `json:"index"`
	WorkerID int64            `json:"worker_id"`
	Status   int              `json:"status" jsonschema_description:"201 new, 200 replaced, 422 refused, 409 the worker reported this slot themselves (send overwrite to replace it)"`
	Checkin  *checkinResponse `json:"checkin,omitempty"`
	Error    *itemError       `json:"error,omitempty"`
}

type batchResponse struct {
	Created  int           `json:"created"`
	Replaced int           `json:"replaced"`
	Failed   int           `json:"failed"`
	Refused  int           `json:"refused" jsonschema_description:"items that would replace a worker's own report, not written"`
	Results  []batchResult `json:"results"`
}

type checkinResponse struct {
	ID          int64                `json:"id"`
	WorkerID    int64                `json:"worker_id"`
	Date        string               `json:"date"`
	Slot        domain.Slot          `json:"slot"`
	Temperature float64              `json:"temperature"`
	Symptoms    []domain.Symptom     `json:"symptoms"`
	SymptomNote string               `json:"symptom_note"`
	Location    domain.Location      `json:"location"`
	SubmittedBy *int64               `json:"submitted_by" jsonschema_description:"the staff user who reported on the worker's behalf; null when the worker did"`
	Fever       bool                 `json:"fever" jsonschema_description:"this reading is a fever under the township's threshold when it was taken"`
	Source      domain.ReadingSource `json:"source" jsonschema:"enum=worker,enum=on_behalf,enum=correction" jsonschema_description:"who sent the latest reading: the worker, HR on their behalf (人事代报), or a correction"`
	HadFever    bool                 `json:"had_fever" jsonschema_description:"some reading of the slot was a fever: the slot counts as one until a correction says otherwise"`
	HadSymptoms bool                 `json:"had_symptoms"`
	Due         bool                 `json:"due" jsonschema_description:"the worker was due to report; false: an unregistered arrival"`
	Late        bool                 `json:"late" jsonschema_description:"first reported after the slot's cut-off"`
	Correction  string               `json:"correction_note,omitempty" jsonschema_description:"why the latest reading was corrected"`
	CreatedAt   time.Time            `json:"created_at"`
	UpdatedAt   time.Time            `json:"updated_at"`
}

func newCheckinResponse(c domain.Checkin) checkinResponse {
	syms := append([]domain.Symptom{}, c.Symptoms...)
	return checkinResponse{
		ID: c.ID, WorkerID: c.WorkerID, Date: c.Date.String(), Slot: c.Slot, Temperature: c.Temperature.Celsius(),
		Symptoms: syms, SymptomNote: c.SymptomNote, Location: c.Location, SubmittedBy: idOrNil(c.SubmittedBy),
		Fever: c.Fever, Source: c.Source(), HadFever: c.HadFever || c.Fever, HadSymptoms: c.HadSymptoms || len(c.Symptoms) > 0, Due: c.Due, Late: c.Late,
		Correction: c.CorrectionNote, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

type workerDayDTO struct {
	WorkerID   int64               `json:"worker_id"`
	Name       string              `json:"name"`
	Phone      string              `json:"phone"`
	Department string              `json:"department"`
	Status     domain.WorkerStatus `json:"status"`
	AM         *checkinResponse    `json:"am"`
	PM         *checkinResponse    `json:"pm"`
}

type dayStatusResponse struct {
	Date      string `json:"date"`
	Expected  int    `json:"expected" jsonschema_description:"workers due to report (the figure workers_due)"`
	CheckedAM int    `json:"checked_in_am" jsonschema_description:"due workers who reported the morning (checkins_am)"`
	CheckedPM int    `json:"checked_in_pm"`
	MissingAM int    `json:"missing_am"`
	MissingPM int    `json:"missing_pm"`
	Late      int    `json:"late" jsonschema_description:"due slots reported after the cut-off"`
	// Unregistered are those who reported though not marked back: counted apart, never as
	// reports; HR confirms their arrival.
	Unregistered []workerDayDTO `json:"unregistered"`
	Items        []workerDayDTO `json:"items"`
}

// allTenant are the roles of a township's own people: staff and workers.
var allTenant = append(append([]domain.Role{}, tenantStaff...), domain.RoleWorker)

type readingDTO struct {
	ID              int64                `json:"id"`
	Temperature     float64              `json:"temperature"`
	Fever           bool                 `json:"fever"`
	Symptoms        []domain.Symptom     `json:"symptoms"`
	SymptomNote     string               `json:"symptom_note"`
	Location        domain.Location      `json:"location"`
	Source          domain.ReadingSource `json:"source" jsonschema:"enum=worker,enum=on_behalf,enum=correction"`
	SubmittedBy     *int64               `json:"submitted_by"`
	SubmittedByName string               `json:"submitted_by_name,omitempty"`
	CorrectionNote  string               `json:"correction_note,omitempty"`
	At              time.Time            `json:"at"`
}

type readingsResponse struct {
	Checkin  checkinResponse `json:"checkin"`
	Readings []readingDTO    `json:"readings"`
}

type correctionRequest struct {
	Temperature *float64 `json:"temperature" jsonschema_description:"°C, one decimal"`
	Symptoms    []string `json:"symptoms,omitempty"`
	SymptomNote string   `json:"symptom_note,omitempty"`
	Note        string   `json:"note" jsonschema_description:"why the reading is corrected (required)"`
}

func (h *checkinHandler) readings(c echo.Context) error {
	id, err := pathID(c, "id", checkinRecord)
	if err != nil {
		return err
	}
	ck, rs, err := h.svc.Readings(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	out := readingsResponse{Checkin: newCheckinResponse(ck), Readings: make([]readingDTO, 0, len(rs))}
	for _, r := range rs {
		out.Readings = append(out.Readings, readingDTO{ID: r.ID, Temperature: r.Temperature.Celsius(), Fever: r.Fever,
			Symptoms: r.Symptoms, SymptomNote: r.SymptomNote, Location: r.Location, Source: r.Source(),
			SubmittedBy: idOrNil(r.SubmittedBy), SubmittedByName: r.SubmittedByName, CorrectionNote: r.CorrectionNote, At: r.At})
	}
	return c.JSON(http.StatusOK, out)
}

func (h *checkinHandler) correct(c echo.Context) error {
	id, err := pathID(c, "id", checkinRecord)
	if err != nil {
		return err
	}
	var req correctionRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ck, err := h.svc.Correct(c.Request().Context(), actorOf(c), id, domain.CorrectionInput{
		Temperature: req.Temperature, Symptoms: req.Symptoms, SymptomNote: req.SymptomNote, Note: req.Note})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newCheckinResponse(ck))
}

type noteRequest struct {
	Note string `json:"note"`
}

type bulkNoteRequest struct {
	IDs  []int64 `json:"ids" jsonschema_description:"1 to 200 alert IDs"`
	Note string  `json:"note" jsonschema_description:"at most 500 characters; required to resolve"`
}

type bulkAlertResult struct {
	ID     int64              `json:"id"`
	Result string             `json:"result" jsonschema:"enum=ok,enum=conflict"`
	Status domain.AlertStatus `json:"status" jsonschema_description:"the alert's status now: the new one, or the one that refused the move"`
}

type bulkAlertResponse struct {
	OK       int               `json:"ok"`
	Conflict int               `json:"conflict"`
	Results  []bulkAlertResult `json:"results" jsonschema_description:"one per ID, in the order sent (repeats dropped)"`
}

func newBulkAlertResponse(rs []domain.AlertResult) bulkAlertResponse {
	out := bulkAlertResponse{Results: make([]bulkAlertResult, 0, len(rs))}
	for _, r := range rs {
		res := "ok"
		if r.Moved {
			out.OK++
		} else {
			res = "conflict"
			out.Conflict++
		}
		out.Results = append(out.Results, bulkAlertResult{ID: r.ID, Result: res, Status: r.Status})
	}
	return out
}

type alertReadingDTO struct {
	Temperature float64 `json:"temperature"`
	Fever       bool    `json:"fever" jsonschema_description:"at or above the township's threshold when it was taken"`
}

func newAlertReading(r *domain.AlertReading) *alertReadingDTO {
	if r == nil {
		return nil
	}
	return &alertReadingDTO{Temperature: r.Temperature.Celsius(), Fever: r.Fever}
}

type alertResponse struct {
	ID           int64              `json:"id"`
	Type         domain.AlertType   `json:"type"`
	Status       domain.AlertStatus `json:"status"`
	WorkerID     int64              `json:"worker_id"`
	EnterpriseID int64              `json:"enterprise_id"`
	Date         string             `json:"date"`
	Slot         domain.Slot        `json:"slot,omitempty"`
	Escalated    bool               `json:"escalated"`
	Detail       string             `json:"detail" text:"server"`
	Note         string             `json:"note" text:"server"` // typed, or the trigger's auto-close note
	HandledBy    *int64             `json:"handled_by"`
	HandledAt    *time.Time         `json:"handled_at"`
	CreatedAt    time.Time          `json:"created_at"`
	// Who and where, and the readings, for the people working the alerts (after the fields
	// the answer has always had, in their order).
	WorkerName     string           `json:"worker_name"`
	EnterpriseName string           `json:"enterprise_name"`
	Zone           string           `json:"zone" jsonschema_description:"the enterprise's zone (责任区)"`
	AM             *alertReadingDTO `json:"am" jsonschema_description:"the worker's morning reading of the alert's day; null without one"`
	PM             *alertReadingDTO `json:"pm" jsonschema_description:"the afternoon's"`
	// The shift of a shift_over_capacity alert (issue 18); null and "" for the other types.
	ShiftID   *int64 `json:"shift_id" jsonschema_description:"the shift over capacity, for shift_over_capacity; null otherwise"`
	ShiftName string `json:"shift_name"`
}

func newAlertResponse(a domain.Alert) alertResponse {
	return alertResponse{
		ID: a.ID, Type: a.Type, Status: a.Status, WorkerID: a.WorkerID, WorkerName: a.WorkerName,
		EnterpriseID: a.EnterpriseID, EnterpriseName: a.EnterpriseName, Zone: a.Zone,
		Date: a.Date.String(), Slot: a.Slot, AM: newAlertReading(a.AM), PM: newAlertReading(a.PM),
		Escalated: a.Escalated, Detail: a.Detail, Note: a.Note,
		HandledBy: idOrNil(a.HandledBy), HandledAt: a.HandledAt, CreatedAt: a.CreatedAt,
		ShiftID: idOrNil(a.ShiftID), ShiftName: a.ShiftName,
	}
}

// checkinAnswer is the answer to a worker's own check-in: the check-in, and for a fever or
// symptoms what to do now, which the phone shows in red instead of "submitted".
type checkinAnswer struct {
	checkinResponse
	Advice       string `json:"advice" jsonschema_description:"for a fever or symptoms, the township's instruction (stop work, tell the enterprise's contact, go to the nearest fever clinic); empty for a normal reading"`
	ContactName  string `json:"contact_name" jsonschema_description:"for a fever or symptoms, the enterprise's contact to tell; empty otherwise"`
	ContactPhone string `json:"contact_phone" jsonschema_description:"the contact's phone, with contact_name"`
}

func (h *checkinHandler) submit(c echo.Context) error {
	var req checkinRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), actorOf(c)
	ck, created, err := h.svc.Submit(ctx, actor, req.toDomain(0))
	if err != nil {
		return err
	}
	adv, err := h.svc.Advice(ctx, actor, ck)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, checkinAnswer{checkinResponse: newCheckinResponse(ck), Advice: adv.Text,
		ContactName: adv.ContactName, ContactPhone: adv.ContactPhone})
}

func (h *checkinHandler) mine(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	cs, total, err := h.svc.Mine(c.Request().Context(), actorOf(c), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(cs, total, newCheckinResponse))
}

func (h *checkinHandler) batch(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req batchRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	items := make([]domain.CheckinInput, 0, len(req.Items))
	for _, it := range req.Items {
		in := it.toDomain(it.WorkerID)
		in.Overwrite = it.Overwrite
		items = append(items, in)
	}
	results, err := h.svc.SubmitForWorkers(c.Request().Context(), actorOf(c), id, items)
	if err != nil {
		return err
	}
	out := batchResponse{Results: make([]batchResult, 0, len(results))}
	for _, r := range results {
		br := batchResult{Index: r.Index, WorkerID: req.Items[r.Index].WorkerID}
		var de *domain.Error
		switch {
		case r.Err == nil:
			ck := newCheckinResponse(r.Checkin)
			br.Checkin, br.Status = &ck, http.StatusOK
			if r.Created {
				br.Status = http.StatusCreated
				out.Created++
			} else {
				out.Replaced++
			}
		case errors.As(r.Err, &de) && errors.Is(de, domain.ErrInvalid):
			br.Status, br.Error = newItemError(c, r.Err)
			out.Failed++
		case errors.As(r.Err, &de) && errors.Is(de, domain.ErrConflict):
			br.Status, br.Error = newItemError(c, r.Err)
			out.Refused++
		default:
			return r.Err // the database failed: nothing about the batch can be promised
		}
		out.Results = append(out.Results, br)
	}
	return c.JSON(http.StatusOK, out)
}

func (h *checkinHandler) dayStatus(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var p domain.Problems
	d := parseDate(&p, "date", c.QueryParam("date"))
	missing := domain.Slot(c.QueryParam("missing"))
	if missing != "" && !missing.Valid() {
		p.Add("missing", "应为 am 或 pm")
	}
	if err := p.Err(); err != nil {
		return err
	}
	days, d, err := h.svc.DayStatus(c.Request().Context(), actorOf(c), id, d)
	if err != nil {
		return err
	}
	out := dayStatusResponse{Date: d.String(), Items: []workerDayDTO{}, Unregistered: []workerDayDTO{}}
	for _, wd := range days {
		item := workerDayDTO{WorkerID: wd.Worker.ID, Name: wd.Worker.Name, Phone: wd.Worker.Phone,
			Department: wd.Worker.Department, Status: wd.Worker.Status}
		for _, r := range []struct {
			c   *domain.Checkin
			dst **checkinResponse
			n   *int
		}{{wd.AM, &item.AM, &out.CheckedAM}, {wd.PM, &item.PM, &out.CheckedPM}} {
			if r.c == nil {
				continue
			}
			ck := newCheckinResponse(*r.c)
			*r.dst = &ck
			if wd.Due {
				*r.n++
				if r.c.Late {
					out.Late++
				}
			}
		}
		if !wd.Due {
			out.Unregistered = append(out.Unregistered, item)
			continue
		}
		out.Expected++
		if (missing == domain.SlotAM && item.AM != nil) || (missing == domain.SlotPM && item.PM != nil) {
			continue
		}
		out.Items = append(out.Items, item)
	}
	out.MissingAM, out.MissingPM = out.Expected-out.CheckedAM, out.Expected-out.CheckedPM
	return c.JSON(http.StatusOK, out)
}

func (h *checkinHandler) alerts(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	var p domain.Problems
	f := domain.AlertFilter{
		Status: domain.AlertStatus(c.QueryParam("status")), Type: domain.AlertType(c.QueryParam("type")), Zone: c.QueryParam("zone"),
		EnterpriseID: queryID(c, &p, "enterprise_id"), WorkerID: queryID(c, &p, "worker_id"),
		From: parseDate(&p, "from", c.QueryParam("from")), To: parseDate(&p, "to", c.QueryParam("to")), Page: page,
	}
	if err := p.Err(); err != nil {
		return err
	}
	as, total, err := h.svc.ListAlerts(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(as, total, newAlertResponse))
}

func (h *checkinHandler) acknowledgeMany(c echo.Context) error {
	return h.handleMany(c, h.svc.AcknowledgeMany)
}

func (h *checkinHandler) resolveMany(c echo.Context) error { return h.handleMany(c, h.svc.ResolveMany) }

func (h *checkinHandler) handleMany(c echo.Context, act func(ctx context.Context, a domain.Actor, ids []int64, note string) ([]domain.AlertResult, error)) error {
	var req bulkNoteRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	results, err := act(c.Request().Context(), actorOf(c), req.IDs, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newBulkAlertResponse(results))
}

func (h *checkinHandler) acknowledge(c echo.Context) error { return h.handle(c, h.svc.Acknowledge) }

func (h *checkinHandler) resolve(c echo.Context) error { return h.handle(c, h.svc.Resolve) }

func (h *checkinHandler) handle(c echo.Context, act func(ctx context.Context, a domain.Actor, id int64, note string) (domain.Alert, error)) error {
	id, err := pathID(c, "id", alertRecord)
	if err != nil {
		return err
	}
	var req noteRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	a, err := act(c.Request().Context(), actorOf(c), id, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newAlertResponse(a))
}
