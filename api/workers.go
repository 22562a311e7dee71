package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"fugong/domain"
	"fugong/domain/region"
	"fugong/report/roster"
)

type workerHandler struct {
	svc  *domain.WorkerService
	gate *domain.GateService // today's passes, for the roster's column
}

// MaxUpload is the largest roster workbook accepted: 50,000 rows fit in a few MB.
const MaxUpload = 20 << 20

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (h *workerHandler) register(r *router) {
	hr := []domain.Role{domain.RoleEnterpriseHR}
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/workers", Roles: hr,
		Summary: "Add a worker to the roster; risk, isolation and status are derived",
		Body:    workerRequest{}, Response: workerResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/workers", Roles: tenantStaff,
		Summary: "The roster in scope, ID numbers masked",
		Query: append([]Param{{"status", "string", "worker status"}, {"risk", "string", "high, medium or low"},
			{"q", "string", "part of the name, phone or department, or a whole ID number"}}, pageParams...),
		Response: list[workerResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodGet, Path: "/workers/:id", Roles: tenantStaff,
		Summary:  "Read a worker; ?reveal=true gives the enterprise's own HR the whole ID number (audited)",
		Query:    []Param{{"reveal", "boolean", "show the whole ID number (enterprise HR only)"}},
		Response: workerResponse{}, Status: http.StatusOK}, h.get)
	r.add(Route{Method: http.MethodPatch, Path: "/workers/:id", Roles: hr,
		Summary: "Change a worker: details, status (on duty only after isolation), isolation",
		Body:    workerUpdateRequest{}, Response: workerResponse{}, Status: http.StatusOK}, h.update)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/workers/import", Roles: hr,
		Summary: "Import a roster workbook (multipart field file). Every row is validated first; any error writes nothing. " +
			"?dry_run=true validates only. With Accept: " + xlsxType + " and errors, the answer is the workbook with an error column. " +
			"One import per enterprise and a few per server run at once (429 beyond); one that outruns its time budget stops, writing nothing (503).",
		Query: []Param{{"dry_run", "boolean", "validate only; the answer lists the isolation warnings to confirm"},
			{"confirm_isolation", "boolean", "HR confirms the isolation warnings; without it an import with warnings writes nothing (409)"}},
		Response: importResponse{}, Status: http.StatusOK}, h.importRoster, middleware.BodyLimit(fmt.Sprint(MaxUpload)))
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/workers/import-template", Roles: hr,
		Summary: "The enterprise's roster template workbook, its return batches and shifts offered in drop-down lists",
		Status:  http.StatusOK, Produces: xlsxType}, h.template)
	r.add(Route{Method: http.MethodPost, Path: "/enterprises/:id/workers/assign", Roles: hr,
		Summary: "Put workers in a return batch and/or a shift (0 takes them out), all or nothing (audited): " +
			"422 when the shift has too few places (with the count); 409 with field confirm_isolation when someone's isolation outlasts the batch's date, until confirmed",
		Body: assignRequest{}, Response: assignResponse{}, Status: http.StatusOK}, h.assign)
	r.add(Route{Method: http.MethodGet, Path: "/enterprises/:id/workers/export", Roles: tenantStaff,
		Summary: "The roster as a workbook in the template's layout, filtered like the list; ID numbers masked but for the enterprise's HR (audited)",
		Query:   []Param{{"status", "string", "worker status"}, {"risk", "string", "risk level"}, {"q", "string", "search"}},
		Status:  http.StatusOK, Produces: xlsxType}, h.export)
	r.add(Route{Method: http.MethodGet, Path: "/regions", Roles: tenantStaff,
		Summary:  "Search administrative divisions (GB/T 2260) by name or code, for origin fields",
		Query:    []Param{{"q", "string", "part of a name or a code prefix"}},
		Response: []regionDTO{}, Status: http.StatusOK}, h.regions)
}

// isImport tells the global body limit to leave roster uploads to their own, larger limit.
func isImport(c echo.Context) bool { return strings.HasSuffix(c.Path(), "/workers/import") }

type workerRequest struct {
	Name            string `json:"name"`
	IDNumber        string `json:"id_number" jsonschema_description:"18 characters (GB 11643)"`
	Phone           string `json:"phone"`
	Department      string `json:"department,omitempty"`
	ShiftGroup      string `json:"shift_group,omitempty" jsonschema_description:"the name of one of the enterprise's shifts; empty for none"`
	Batch           string `json:"batch,omitempty" jsonschema_description:"the return batch: its number (1, 第1批) or its date; empty for none"`
	OriginRegion    string `json:"origin_region,omitempty" jsonschema_description:"a GB/T 2260 code (province, city or county) or its full name"`
	ArrivedOn       string `json:"arrived_on,omitempty" jsonschema_description:"YYYY-MM-DD; empty while not back"`
	Transport       string `json:"transport,omitempty"`
	KeyAreaExposure bool   `json:"key_area_exposure,omitempty"`
	ContactHistory  bool   `json:"contact_history,omitempty"`
	IsolationPlace  string `json:"isolation_place,omitempty"`
	// ConfirmIsolation confirms the warning of a 409 on this field.
	ConfirmIsolation bool `json:"confirm_isolation,omitempty" jsonschema_description:"HR confirms placing a worker at risk in a batch their isolation outlasts (after a 409 naming it)"`
}

func (r workerRequest) toDomain() domain.WorkerInput {
	return domain.WorkerInput{
		Name: r.Name, IDNumber: r.IDNumber, Phone: r.Phone, Department: r.Department, ShiftGroup: r.ShiftGroup,
		Batch: r.Batch, OriginRegion: r.OriginRegion, ArrivedOn: r.ArrivedOn, Transport: r.Transport,
		IsolationPlace: r.IsolationPlace, KeyAreaExposure: r.KeyAreaExposure, ContactHistory: r.ContactHistory,
		ConfirmIsolation: r.ConfirmIsolation,
	}
}

type workerUpdateRequest struct {
	Name            *string `json:"name,omitempty"`
	Phone           *string `json:"phone,omitempty"`
	Department      *string `json:"department,omitempty"`
	ShiftGroup      *string `json:"shift_group,omitempty" jsonschema_description:"one of the enterprise's shifts by name; empty for none"`
	Batch           *string `json:"batch,omitempty" jsonschema_description:"the return batch by number or date; empty for none"`
	OriginRegion    *string `json:"origin_region,omitempty"`
	ArrivedOn       *string `json:"arrived_on,omitempty"`
	Transport       *string `json:"transport,omitempty"`
	KeyAreaExposure *bool   `json:"key_area_exposure,omitempty"`
	ContactHistory  *bool   `json:"contact_history,omitempty"`
	Status          *string `json:"status,omitempty" jsonschema:"enum=expected,enum=isolating,enum=on_duty,enum=left,enum=in_hospital"`
	IsolationPlace  *string `json:"isolation_place,omitempty"`
	IsolationUntil  *string `json:"isolation_until,omitempty" jsonschema_description:"YYYY-MM-DD, with status isolating"`
	// ConfirmIsolation confirms the warning of a 409 on this field.
	ConfirmIsolation bool `json:"confirm_isolation,omitempty" jsonschema_description:"HR confirms placing a worker at risk in a batch their isolation outlasts (after a 409 naming it)"`
}

func (r workerUpdateRequest) toDomain() (domain.WorkerUpdate, error) {
	u := domain.WorkerUpdate{
		Name: r.Name, Phone: r.Phone, Department: r.Department, ShiftGroup: r.ShiftGroup, Batch: r.Batch,
		OriginRegion: r.OriginRegion, ArrivedOn: r.ArrivedOn, Transport: r.Transport,
		KeyAreaExposure: r.KeyAreaExposure, ContactHistory: r.ContactHistory, IsolationPlace: r.IsolationPlace,
		ConfirmIsolation: r.ConfirmIsolation,
	}
	var p domain.Problems
	if r.Status != nil {
		st := domain.WorkerStatus(*r.Status)
		if !st.Valid() {
			p.Add("status", "状态应为 expected、isolating、on_duty、left 或 in_hospital")
		}
		u.Status = &st
	}
	if r.IsolationUntil != nil {
		d := parseDate(&p, "isolation_until", *r.IsolationUntil)
		u.IsolationUntil = &d
	}
	return u, p.Err()
}

type workerResponse struct {
	ID                int64            `json:"id"`
	EnterpriseID      int64            `json:"enterprise_id"`
	EnterpriseName    string           `json:"enterprise_name"`
	Name              string           `json:"name"`
	IDNumber          string           `json:"id_number" jsonschema_description:"masked (37***************X: province and check character) unless revealed"`
	BirthDate         *string          `json:"birth_date" jsonschema_description:"YYYY-MM-DD, only with the whole ID number; null when masked"`
	Age               int              `json:"age" jsonschema_description:"whole years today"`
	Sex               domain.Sex       `json:"sex"`
	HouseholdRegion   string           `json:"household_region" jsonschema_description:"the county of the ID number when revealed; only its province when masked"`
	PINSet            *bool            `json:"pin_set,omitempty" jsonschema_description:"in lists: whether the worker has set their sign-in PIN"`
	Phone             string           `json:"phone"`
	Department        string           `json:"department"`
	ShiftGroup        string           `json:"shift_group"`
	ShiftID           *int64           `json:"shift_id" jsonschema_description:"the worker's shift; null for none"`
	BatchID           *int64           `json:"batch_id" jsonschema_description:"the worker's return batch; null for none"`
	BatchNumber       *int             `json:"batch_number"`
	BatchDate         *string          `json:"batch_date" jsonschema_description:"YYYY-MM-DD: the day the worker's batch comes back"`
	EarlyArrival      bool             `json:"early_arrival" jsonschema_description:"back before their batch's date (提前返岗)"`
	OriginRegion      string           `json:"origin_region"`
	OriginRegionName  string           `json:"origin_region_name"`
	ArrivedOn         *string          `json:"arrived_on"`
	Transport         string           `json:"transport"`
	KeyAreaExposure   bool             `json:"key_area_exposure"`
	ContactHistory    bool             `json:"contact_history"`
	RiskLevel         domain.RiskLevel `json:"risk_level"`
	RiskReason        string           `json:"risk_reason" text:"server"`
	Status            string           `json:"status"`
	IsolationPlace    string           `json:"isolation_place"`
	IsolationStart    *string          `json:"isolation_start"`
	IsolationUntil    *string          `json:"isolation_until"`
	IsolationDaysLeft int              `json:"isolation_days_left"`
	LeftOn            *string          `json:"left_on" jsonschema_description:"YYYY-MM-DD the worker left; the file is removed retention_days after"`
	PassColor         *string          `json:"pass_color,omitempty" jsonschema_description:"in lists and reads: today's pass (复工码), green, yellow or red; absent for a worker who left"`
	PassReasons       []passReasonDTO  `json:"pass_reasons,omitempty"`
	PassRevoked       bool             `json:"pass_revoked"`
	PassRevokedReason string           `json:"pass_revoked_reason,omitempty"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`
}

// workerResponder renders workers as of today, masking ID numbers unless reveal, by the one
// rule of domain.IDView.
func workerResponder(today domain.Date, reveal bool) func(domain.Worker) workerResponse {
	return func(w domain.Worker) workerResponse {
		v := w.IDNumber.View(today, reveal)
		household, _ := region.Name(v.HouseholdRegion)
		origin, _ := region.Name(w.OriginRegion)
		r := workerResponse{
			ID: w.ID, EnterpriseID: w.EnterpriseID, EnterpriseName: w.EnterpriseName, Name: w.Name, IDNumber: v.Number,
			BirthDate: dateOrNil(v.BirthDate), Age: v.Age, Sex: v.Sex, HouseholdRegion: household,
			Phone: w.Phone, Department: w.Department, ShiftGroup: w.ShiftGroup, OriginRegion: w.OriginRegion,
			OriginRegionName: origin, ArrivedOn: dateOrNil(w.ArrivedOn), Transport: w.Transport,
			KeyAreaExposure: w.KeyAreaExposure, ContactHistory: w.ContactHistory, RiskLevel: w.RiskLevel,
			RiskReason: w.RiskReason, Status: string(w.Status), IsolationPlace: w.IsolationPlace,
			IsolationStart: dateOrNil(w.IsolationStart), IsolationUntil: dateOrNil(w.IsolationUntil),
			IsolationDaysLeft: w.IsolationDaysLeft(today), LeftOn: dateOrNil(w.LeftOn), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		}
		if w.ShiftID != 0 {
			r.ShiftID = &w.ShiftID
		}
		if w.BatchID != 0 {
			r.BatchID, r.BatchNumber, r.BatchDate = &w.BatchID, &w.BatchNumber, dateOrNil(w.BatchDate)
		}
		_, r.EarlyArrival = domain.EarlyArrival(w)
		return r
	}
}

type assignRequest struct {
	WorkerIDs []int64 `json:"worker_ids" jsonschema_description:"the workers, at most 200, all of the enterprise"`
	BatchID   *int64  `json:"batch_id,omitempty" jsonschema_description:"the batch to put them in; 0 takes them out of theirs; absent leaves it"`
	ShiftID   *int64  `json:"shift_id,omitempty" jsonschema_description:"the shift to put them in; 0 takes them out of theirs; absent leaves it"`
	// ConfirmIsolation confirms the warnings of a 409 on this field.
	ConfirmIsolation bool `json:"confirm_isolation,omitempty" jsonschema_description:"HR confirms the isolation warnings of a 409"`
}

type assignResponse struct {
	Changed  int      `json:"changed" jsonschema_description:"workers whose batch or shift changed"`
	Warnings []string `json:"warnings" jsonschema_description:"the isolation warnings HR confirmed"`
}

func (h *workerHandler) assign(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req assignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := h.svc.Assign(c.Request().Context(), actorOf(c), id, domain.AssignInput{
		WorkerIDs: req.WorkerIDs, BatchID: req.BatchID, ShiftID: req.ShiftID, ConfirmIsolation: req.ConfirmIsolation,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, assignResponse{Changed: res.Changed, Warnings: append([]string{}, res.Warnings...)})
}

type rowErrorDTO struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// rowError is a row's problem with its message in English when the request prefers it; the
// column keeps the roster's own (Chinese) header, which is what the workbook shows.
func rowError(e domain.RowError, english bool) rowErrorDTO {
	_, _, msg := localized(e.Message, english)
	return rowErrorDTO{Row: e.Row, Column: e.Column, Message: msg}
}

type importResponse struct {
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	DryRun    bool          `json:"dry_run"`
	Errors    []rowErrorDTO `json:"errors"`
	Warnings  []rowErrorDTO `json:"warnings" jsonschema_description:"people at risk whose isolation outlasts their batch's date: to confirm with confirm_isolation"`
}

// importFailure is the answer to an import with errors: the error shape every client knows,
// with the import's own fields beside it.
type importFailure struct {
	errorBody
	importResponse
}

type regionDTO struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func (h *workerHandler) create(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	var req workerRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	w, today, err := h.svc.Create(c.Request().Context(), actorOf(c), id, req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, workerResponder(today, false)(w))
}

// filter reads the list's filters.
func workerFilter(c echo.Context) (domain.WorkerFilter, error) {
	f := domain.WorkerFilter{Status: domain.WorkerStatus(c.QueryParam("status")), Risk: domain.RiskLevel(c.QueryParam("risk")), Query: c.QueryParam("q")}
	var p domain.Problems
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", "未知的职工状态")
	}
	if f.Risk != "" && !f.Risk.Valid() {
		p.Add("risk", "风险等级应为 high、medium 或 low")
	}
	return f, p.Err()
}

func (h *workerHandler) list(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	f, err := workerFilter(c)
	if err != nil {
		return err
	}
	if f.Page, err = pageOf(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ws, total, today, err := h.svc.List(ctx, actorOf(c), id, f)
	if err != nil {
		return err
	}
	enrolled, err := h.svc.Enrolled(ctx, ws)
	if err != nil {
		return err
	}
	passes, err := h.passes(c, ws...)
	if err != nil {
		return err
	}
	respond := workerResponder(today, false)
	return c.JSON(http.StatusOK, newList(ws, total, func(w domain.Worker) workerResponse {
		r := respond(w)
		set := enrolled[w.ID]
		r.PINSet = &set
		withPass(&r, passes)
		return r
	}))
}

func (h *workerHandler) get(c echo.Context) error {
	id, err := pathID(c, "id", workerRecord)
	if err != nil {
		return err
	}
	reveal := c.QueryParam("reveal") == "true" || c.QueryParam("reveal") == "1"
	ctx, actor := c.Request().Context(), actorOf(c)
	w, today, err := h.svc.Get(ctx, actor, id, reveal)
	if err != nil {
		return err
	}
	passes, err := h.passes(c, w)
	if err != nil {
		return err
	}
	r := workerResponder(today, reveal)(w)
	withPass(&r, passes)
	return c.JSON(http.StatusOK, r)
}

// passes reads today's pass of each worker, by the one rule (domain.Township.Pass).
func (h *workerHandler) passes(c echo.Context, ws ...domain.Worker) (map[int64]domain.GatePass, error) {
	ids := make([]int64, 0, len(ws))
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	return h.gate.Colors(c.Request().Context(), actorOf(c), ids)
}

// withPass adds the worker's pass of today, if they have one (not left), to r.
func withPass(r *workerResponse, passes map[int64]domain.GatePass) {
	gp, ok := passes[r.ID]
	if !ok {
		return
	}
	color := string(gp.Color)
	r.PassColor, r.PassReasons = &color, newPassReasons(gp.Reasons)
	if gp.Revoked != nil {
		r.PassRevoked, r.PassRevokedReason = true, gp.Revoked.Reason
	}
}

func (h *workerHandler) update(c echo.Context) error {
	id, err := pathID(c, "id", workerRecord)
	if err != nil {
		return err
	}
	var req workerUpdateRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := req.toDomain()
	if err != nil {
		return err
	}
	w, today, err := h.svc.Update(c.Request().Context(), actorOf(c), id, u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, workerResponder(today, false)(w))
}

func (h *workerHandler) importRoster(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	upload, err := readUpload(c)
	if err != nil {
		return err
	}
	opt := domain.ImportOptions{DryRun: boolQuery(c, "dry_run"), ConfirmIsolation: boolQuery(c, "confirm_isolation")}
	res, err := importWorkbook(c.Request().Context(), h.svc, actorOf(c), id, upload, opt)
	out := importResponse{Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, DryRun: opt.DryRun,
		Errors: []rowErrorDTO{}, Warnings: []rowErrorDTO{}}
	english := prefersEnglish(c.Request())
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, rowError(e, english))
	}
	for _, w := range res.Warnings {
		out.Warnings = append(out.Warnings, rowError(w, english))
	}
	var de *domain.Error
	switch {
	case err != nil && c.Request().Context().Err() != nil:
		// The client left, and the import stopped with nothing written: nobody reads this
		// answer, and it is no fault of the server's.
		return echo.NewHTTPError(statusClientClosedRequest)
	case errors.As(err, &de) && errors.Is(err, domain.ErrConflict) && len(res.Warnings) > 0:
		// Isolation warnings not confirmed: nothing written, the warnings listed by row.
		return c.JSON(http.StatusConflict, importFailure{errorBody: localize(c.Request(), errorBody{Error: errorDetail{Code: "conflict",
			Message: de.Message, Fields: []fieldError{{Field: domain.FieldConfirmIsolation, Message: de.Message}}}}), importResponse: out})
	case err != nil:
		return err
	}
	if len(res.Errors) == 0 {
		return c.JSON(http.StatusOK, out)
	}
	msg := fmt.Sprintf("发现 %d 处错误,未导入任何数据;请改正后重新上传", len(res.Errors))
	if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), xlsxType) {
		annotated, err := roster.Annotate(upload, res.Errors)
		switch {
		case errors.Is(err, roster.ErrTooBigToAnnotate):
			msg = fmt.Sprintf("发现 %d 处错误,未导入任何数据;花名册较大,不提供标注错误的工作簿,请按错误列表改正后重新上传", len(res.Errors))
		case err != nil:
			return err
		default:
			return sendWorkbook(c, http.StatusUnprocessableEntity, "花名册错误说明.xlsx", annotated)
		}
	}
	return c.JSON(http.StatusUnprocessableEntity, importFailure{
		errorBody: localize(c.Request(), errorBody{Error: errorDetail{Code: "invalid", Message: msg}}), importResponse: out,
	})
}

// statusClientClosedRequest is the status a request's log and metrics show when its client
// went away before the answer (nginx's 499).
const statusClientClosedRequest = 499

// importWorkbook reads an uploaded roster workbook and imports it, a batch parsed while the
// next is read: what the import route does between reading the upload and answering, and what
// FuzzRosterImport feeds. The service checks that the actor keeps the roster before it reads
// a byte of the file.
func importWorkbook(ctx context.Context, svc *domain.WorkerService, actor domain.Actor, enterpriseID int64, upload []byte, opt domain.ImportOptions) (domain.ImportResult, error) {
	return svc.ImportWith(ctx, actor, enterpriseID, func(ctx context.Context, yield func([]domain.RosterRow) error) ([]domain.RowError, error) {
		return roster.Stream(ctx, bytes.NewReader(upload), domain.MaxImportRows, importBatch, yield)
	}, opt)
}

// boolQuery reads a yes/no query parameter: true or 1.
func boolQuery(c echo.Context, name string) bool {
	return c.QueryParam(name) == "true" || c.QueryParam(name) == "1"
}

// importBatch is how many rows the reader hands over at a time: few enough that the parsing of
// one overlaps the reading of the next.
const importBatch = 2500

// readUpload reads the multipart field file whole, refusing more than MaxUpload. It reads
// the part as it arrives, in one allocation when the request says its length, rather than
// through ParseMultipartForm, which keeps an upload under 32 MB in memory beside the copy the
// import reads: with io.ReadAll's regrowth, three copies of the file at once.
func readUpload(c echo.Context) ([]byte, error) {
	notMultipart := domain.Invalid("file", "请以 multipart 字段 file 上传 .xlsx 文件")
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, notMultipart
	}
	for {
		part, err := mr.NextPart()
		switch {
		case tooLarge(err):
			return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		case err != nil:
			return nil, notMultipart
		case part.FormName() != "file":
			continue // NextPart skips what is left of it
		}
		data, err := readAtMost(part, MaxUpload, c.Request().ContentLength)
		switch {
		case tooLarge(err):
			return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		case err != nil:
			return nil, domain.Invalid("file", "文件没有传完整,请重新上传")
		}
		return data, nil
	}
}

// errUploadTooLarge stops readAtMost at its limit.
var errUploadTooLarge = &http.MaxBytesError{Limit: MaxUpload}

// readAtMost reads r to its end, refusing more than limit bytes; hint, the length the request
// declared (-1 when it did not), sizes the buffer once.
func readAtMost(r io.Reader, limit, hint int64) ([]byte, error) {
	buf := make([]byte, 0, min(max(hint, 64<<10), limit+1))
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), int(limit+1)-len(buf)))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errUploadTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// tooLarge reports a body cut off at its limit: by net/http's MaxBytesReader, or by echo's
// BodyLimit, which sends no Content-Length check for a chunked body and fails the read with
// its own 413 error instead.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	return errors.As(err, &mbe) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge)
}

func (h *workerHandler) template(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	choices, err := h.svc.TemplateChoices(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	b, err := roster.TemplateFor(choices)
	if err != nil {
		return err
	}
	return sendWorkbook(c, http.StatusOK, "职工花名册模板.xlsx", b)
}

func (h *workerHandler) export(c echo.Context) error {
	id, err := pathID(c, "id", enterpriseRecord)
	if err != nil {
		return err
	}
	f, err := workerFilter(c)
	if err != nil {
		return err
	}
	ws, reveal, today, err := h.svc.Export(c.Request().Context(), actorOf(c), id, f)
	if err != nil {
		return err
	}
	setDownload(c, "roster.xlsx", "职工花名册-"+today.String()+".xlsx")
	c.Response().WriteHeader(http.StatusOK)
	return roster.Write(c.Response(), ws, reveal, today)
}

// regions serves the township staff's roster forms (a worker's origin); it reads no tenant's
// data, so no service guards it, and this check keeps it to the roles the route documents.
func (h *workerHandler) regions(c echo.Context) error {
	if !actorOf(c).Is(tenantStaff...) {
		return domain.Forbidden("无权查询行政区划")
	}
	out := []regionDTO{}
	for _, d := range region.Search(c.QueryParam("q"), 20) {
		out = append(out, regionDTO(d))
	}
	return c.JSON(http.StatusOK, out)
}

func sendWorkbook(c echo.Context, status int, name string, b []byte) error {
	setDownload(c, "roster.xlsx", name)
	return c.Blob(status, xlsxType, b)
}

// setDownload names the file a browser saves, in the RFC 6266 form that carries Chinese, with
// an ASCII fallback for clients that do not read it.
func setDownload(c echo.Context, fallback, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, xlsxType)
	h.Set(echo.HeaderContentDisposition, "attachment; filename=\""+fallback+"\"; filename*=UTF-8''"+url.PathEscape(name))
}
