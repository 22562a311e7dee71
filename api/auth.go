package api

import (
	"context"
	"net/http"
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
		Summary: "Sign in with username and password; the 6th failure within a minute from one address gets 429",
		Body:    loginRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.login)
	r.add(Route{Method: http.MethodPost, Path: "/auth/worker-login", Public: true,
		Summary: "A returning worker signs in with the enterprise code, their phone and the last six characters of their ID number; limited like passwords",
		Body:    workerLoginRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.workerLogin)
	r.add(Route{Method: http.MethodPost, Path: "/auth/refresh", Public: true,
		Summary: "Spend a refresh token for a new pair; a spent token presented again revokes its family",
		Body:    refreshRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.refresh)
	r.add(Route{Method: http.MethodPost, Path: "/auth/logout", Roles: allRoles,
		Summary: "Revoke the family of the given refresh token (all of the user's sessions when none is given)",
		Body:    refreshRequest{}, Status: http.StatusNoContent}, h.logout)
	r.add(Route{Method: http.MethodGet, Path: "/me", Roles: allRoles,
		Summary:  "The signed-in user (for a worker: their own record, ID number masked), with their township's fever threshold",
		Response: meResponse{}, Status: http.StatusOK}, h.me)
}

// staffRoles are the roles with a staff account: everyone but workers.
var staffRoles = []domain.Role{domain.RolePlatformAdmin, domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR}

// tenantStaff are the staff of a township. The platform admin is not among them: it keeps
// townships and their town admins, and reads none of a township's business (domain.Actor.InTenant).
var tenantStaff = []domain.Role{domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR}

var allRoles = append(append([]domain.Role{}, staffRoles...), domain.RoleWorker)

type workerLoginRequest struct {
	EnterpriseCode string `json:"enterprise_code"`
	Phone          string `json:"phone"`
	IDLast6        string `json:"id_last6" jsonschema_description:"the last six characters of the ID number"`
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
	var p domain.Problems
	for field, v := range map[string]string{"enterprise_code": req.EnterpriseCode, "phone": req.Phone, "id_last6": req.IDLast6} {
		if domain.Clean(v) == "" {
			p.Add(field, "请填写此项")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	s, err := h.svc.WorkerLogin(c.Request().Context(), req.EnterpriseCode, req.Phone, req.IDLast6, c.RealIP())
	if err != nil {
		return err
	}
	return h.answer(c, s)
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
		w, err := h.workers.Get(ctx, a, a.WorkerID, false)
		if err != nil {
			return err
		}
		th, err := h.feverThreshold(ctx, a)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, workerMeResponse{workerResponder(domain.Date{}, false)(w), th})
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
