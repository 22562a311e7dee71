package api

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type authHandler struct {
	svc       *domain.AuthService
	users     *domain.UserService
	workers   *domain.WorkerService
	townships *domain.TownshipService
	tokens    *Tokens
}

func (h *authHandler) register(r *router) {
	r.add(Route{Method: http.MethodPost, Path: "/auth/login", Public: true,
		Summary: "Sign in with username and password; 429 after 5 failures of one username, or 20 of any usernames, from one address within a minute; 503 when the server has no turn for the password check within 2 s",
		Body:    loginRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.login)
	r.add(Route{Method: http.MethodPost, Path: "/auth/worker-login", Public: true,
		Summary: "A returning worker signs in with the enterprise code, their phone and the 6-digit PIN they set; " +
			"failures are limited per phone and address, per address (30 a minute) and per enterprise code (60 a minute)",
		Body: workerLoginRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.workerLogin)
	r.add(Route{Method: http.MethodPost, Path: "/auth/worker-enrol", Public: true,
		Summary: "First sign-in, or after HR reset the PIN: the worker proves who they are with the enterprise code, phone and whole ID number, " +
			"sets a 6-digit PIN (easy ones refused) and is signed in; 409 when a PIN is set already. Limited like worker-login",
		Body: workerEnrolRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.workerEnrol)
	r.add(Route{Method: http.MethodPost, Path: "/workers/:id/reset-pin", Roles: []domain.Role{domain.RoleEnterpriseHR},
		Summary: "Forget a worker's PIN (the enterprise's HR, audited): the worker's sessions end at once and they enrol again",
		Status:  http.StatusNoContent}, h.resetWorkerPIN)
	r.add(Route{Method: http.MethodPost, Path: "/auth/refresh", Public: true,
		Summary: "Spend a refresh token for a new pair; presented again within 20 s (two refreshes at once) it gets another pair of its family, later it revokes its family and ends the user's access tokens",
		Body:    refreshRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.refresh)
	r.add(Route{Method: http.MethodPost, Path: "/auth/logout", Roles: allRoles,
		Summary: "Revoke the family of the given refresh token (all of the caller's sessions when none is given); the caller's access tokens stop working at once, other sessions refresh theirs",
		Body:    refreshRequest{}, Status: http.StatusNoContent}, h.logout)
	r.add(Route{Method: http.MethodGet, Path: "/me", Roles: allRoles,
		Summary:  "The signed-in user (for a worker: their own record, ID number masked, and their return schedule: batch date, what to bring, shift hours and meal time), with their township's fever threshold",
		Response: meResponse{}, Status: http.StatusOK}, h.me)
}

// staffRoles are the roles with a staff account: everyone but workers. A gate account (门岗,
// issue 19) is one too: it signs in, reads and changes its own account and has notices, so
// the routes for every staff user document it (issue 19 left it out: the OpenAPI document and
// the authz matrix said a guard could not sign out or read /me).
// A wall screen's account (viewer, issue 21) is one as well.
var staffRoles = []domain.Role{domain.RolePlatformAdmin, domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR,
	domain.RoleGate, domain.RoleViewer}

// tenantStaff are the staff of a township. The platform admin is not among them: it keeps
// townships and their town admins, and reads none of a township's business (domain.Actor.InTenant).
var tenantStaff = []domain.Role{domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR}

var allRoles = append(append([]domain.Role{}, staffRoles...), domain.RoleWorker)

type workerLoginRequest struct {
	EnterpriseCode string `json:"enterprise_code"`
	Phone          string `json:"phone"`
	PIN            string `json:"pin" jsonschema_description:"the 6-digit PIN the worker set at enrolment"`
}

type workerEnrolRequest struct {
	EnterpriseCode string `json:"enterprise_code"`
	Phone          string `json:"phone"`
	IDNumber       string `json:"id_number" jsonschema_description:"the whole ID number, 18 characters"`
	PIN            string `json:"pin" jsonschema_description:"6 digits; not one digit repeated, a run, the birth date or the end of the ID number or phone"`
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

type tokenResponse struct {
	AccessToken      string      `json:"access_token"`
	RefreshToken     string      `json:"refresh_token"`
	TokenType        string      `json:"token_type"`
	ExpiresIn        int         `json:"expires_in"`
	RefreshExpiresAt time.Time   `json:"refresh_expires_at"`
	User             sessionUser `json:"user"`
	WorkerID         *int64      `json:"worker_id,omitempty" jsonschema_description:"for a worker's sign-in: their roster record"`
}

type sessionUser struct {
	ID           int64       `json:"id"`
	Username     string      `json:"username"`
	Name         string      `json:"name"`
	Role         domain.Role `json:"role"`
	TownshipID   *int64      `json:"township_id"`
	EnterpriseID *int64      `json:"enterprise_id"`
	WorkerID     *int64      `json:"worker_id,omitempty"`
}

func (h *authHandler) login(c echo.Context) error {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	var p domain.Problems
	if domain.Clean(req.Username) == "" {
		p.Add("username", "请填写用户名")
	}
	if req.Password == "" {
		p.Add("password", "请填写密码")
	}
	if err := p.Err(); err != nil {
		return err
	}
	s, err := h.svc.Login(c.Request().Context(), req.Username, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	return h.answer(c, s)
}

func (h *authHandler) refresh(c echo.Context) error {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return domain.Invalid("refresh_token", "请提供 refresh_token")
	}
	s, err := h.svc.Refresh(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	return h.answer(c, s)
}

func (h *authHandler) answer(c echo.Context, s domain.Session) error {
	access, err := h.tokens.Issue(s.Actor())
	if err != nil {
		return err
	}
	out := tokenResponse{
		AccessToken: access, RefreshToken: s.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int(h.tokens.TTL.Seconds()), RefreshExpiresAt: s.RefreshExpiresAt,
	}
	if w := s.Worker; w.ID != 0 {
		out.WorkerID = idOrNil(w.ID)
		out.User = sessionUser{ID: w.ID, Name: w.Name, Role: domain.RoleWorker, TownshipID: idOrNil(w.TownshipID),
			EnterpriseID: idOrNil(w.EnterpriseID), WorkerID: idOrNil(w.ID)}
	} else {
		u := s.User
		out.User = sessionUser{ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role,
			TownshipID: idOrNil(u.TownshipID), EnterpriseID: idOrNil(u.EnterpriseID)}
	}
	return c.JSON(http.StatusOK, out)
}

func (h *authHandler) workerLogin(c echo.Context) error {
	var req workerLoginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := required(map[string]string{"enterprise_code": req.EnterpriseCode, "phone": req.Phone, "pin": req.PIN}); err != nil {
		return err
	}
	s, err := h.svc.WorkerLogin(c.Request().Context(), req.EnterpriseCode, req.Phone, req.PIN, clientOf(c))
	if err != nil {
		return err
	}
	return h.answer(c, s)
}

func (h *authHandler) workerEnrol(c echo.Context) error {
	var req workerEnrolRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	err := required(map[string]string{"enterprise_code": req.EnterpriseCode, "phone": req.Phone, "id_number": req.IDNumber, "pin": req.PIN})
	if err != nil {
		return err
	}
	s, err := h.svc.WorkerEnrol(c.Request().Context(), req.EnterpriseCode, req.Phone, req.IDNumber, req.PIN, clientOf(c))
	if err != nil {
		return err
	}
	return h.answer(c, s)
}

func (h *authHandler) resetWorkerPIN(c echo.Context) error {
	id, err := pathID(c, "id", workerRecord)
	if err != nil {
		return err
	}
	if err := h.svc.ResetWorkerPIN(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// required names each of the fields left empty.
func required(fields map[string]string) error {
	var p domain.Problems
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		if domain.Clean(fields[field]) == "" {
			p.Add(field, "请填写此项")
		}
	}
	return p.Err()
}

// clientOf is where a request came from, for the audit log of a sign-in.
func clientOf(c echo.Context) domain.Client {
	return domain.Client{Addr: c.RealIP(), UserAgent: c.Request().UserAgent()}
}

func (h *authHandler) logout(c echo.Context) error {
	var req refreshRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	if err := h.svc.Logout(c.Request().Context(), actorOf(c), req.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// meResponse is /me of a staff user; a worker's has their record in place of the user's.
type meResponse struct {
	userResponse
	feverThreshold
}

type workerMeResponse struct {
	workerResponse
	feverThreshold
	Schedule scheduleDTO `json:"schedule" jsonschema_description:"the worker's return: their batch's date, what to bring, their shift's hours and meal time"`
}

// scheduleDTO is what the worker's phone page shows of their return.
type scheduleDTO struct {
	BatchNumber *int      `json:"batch_number" jsonschema_description:"null until HR puts the worker in a batch"`
	BatchDate   *string   `json:"batch_date" jsonschema_description:"YYYY-MM-DD: the day to come back"`
	Bring       []string  `json:"bring" jsonschema_description:"what to bring on the day"`
	Shift       *shiftDTO `json:"shift" jsonschema_description:"null until HR puts the worker in a shift"`
}

// shiftDTO is a shift as its worker sees it.
type shiftDTO struct {
	Name      string `json:"name"`
	Workshop  string `json:"workshop"`
	Start     string `json:"start" jsonschema_description:"HH:MM"`
	End       string `json:"end"`
	MealStart string `json:"meal_start" jsonschema_description:"HH:MM: the shift's own meal time"`
	MealEnd   string `json:"meal_end"`
}

func newScheduleDTO(s domain.ReturnSchedule) scheduleDTO {
	out := scheduleDTO{BatchDate: dateOrNil(s.BatchDate), Bring: append([]string{}, s.Bring...)}
	if s.BatchNumber != 0 {
		out.BatchNumber = &s.BatchNumber
	}
	if sh := s.Shift; sh != nil {
		out.Shift = &shiftDTO{Name: sh.Name, Workshop: sh.Workshop, Start: sh.Start, End: sh.End, MealStart: sh.MealStart, MealEnd: sh.MealEnd}
	}
	return out
}

// feverThreshold is what the screens need of the township to mark readings, the one setting
// everyone in it may read.
type feverThreshold struct {
	FeverThreshold *float64 `json:"fever_threshold" jsonschema_description:"°C: the township's fever threshold, at or above which a reading is a fever; null for a platform admin"`
}

func (h *authHandler) me(c echo.Context) error {
	ctx := c.Request().Context()
	a := actorOf(c)
	if a.Is(domain.RoleWorker) {
		w, today, err := h.workers.Get(ctx, a, a.WorkerID, false)
		if err != nil {
			return err
		}
		th, err := h.feverThreshold(ctx, a)
		if err != nil {
			return err
		}
		sched, err := h.workers.Schedule(ctx, w)
		if err != nil {
			return err
		}
		// As of the township's today: the age and the isolation's days left are the day's.
		return c.JSON(http.StatusOK, workerMeResponse{workerResponder(today, false)(w), th, newScheduleDTO(sched)})
	}
	u, err := h.users.Get(ctx, a, a.UserID)
	if err != nil {
		return err
	}
	th, err := h.feverThreshold(ctx, a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, meResponse{newUserResponse(u), th})
}

// feverThreshold reads the threshold of the actor's township; none for a platform admin.
func (h *authHandler) feverThreshold(ctx context.Context, a domain.Actor) (feverThreshold, error) {
	if a.TownshipID == 0 {
		return feverThreshold{}, nil
	}
	p, err := h.townships.Policy(ctx, a)
	if err != nil {
		return feverThreshold{}, err
	}
	return feverThreshold{FeverThreshold: &p.FeverThreshold}, nil
}
