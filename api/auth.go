package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type authHandler struct {
	svc    *domain.AuthService
	users  *domain.UserService
	tokens *Tokens
}

func (h *authHandler) register(r *router) {
	r.add(Route{Method: http.MethodPost, Path: "/auth/login", Public: true,
		Summary: "Sign in with username and password; the 6th failure within a minute from one address gets 429",
		Body:    loginRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.login)
	r.add(Route{Method: http.MethodPost, Path: "/auth/refresh", Public: true,
		Summary: "Spend a refresh token for a new pair; a spent token presented again revokes its family",
		Body:    refreshRequest{}, Response: tokenResponse{}, Status: http.StatusOK}, h.refresh)
	r.add(Route{Method: http.MethodPost, Path: "/auth/logout", Roles: staffRoles,
		Summary: "Revoke the family of the given refresh token (all of the user's sessions when none is given)",
		Body:    refreshRequest{}, Status: http.StatusNoContent}, h.logout)
	r.add(Route{Method: http.MethodGet, Path: "/me", Roles: staffRoles,
		Summary: "The signed-in user", Response: userResponse{}, Status: http.StatusOK}, h.me)
}

var staffRoles = []domain.Role{domain.RolePlatformAdmin, domain.RoleTownAdmin, domain.RoleSupervisor, domain.RoleEnterpriseHR}

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
}

type sessionUser struct {
	ID           int64       `json:"id"`
	Username     string      `json:"username"`
	Name         string      `json:"name"`
	Role         domain.Role `json:"role"`
	TownshipID   *int64      `json:"township_id"`
	EnterpriseID *int64      `json:"enterprise_id"`
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
	access, err := h.tokens.Issue(s.User.Actor())
	if err != nil {
		return err
	}
	u := s.User
	return c.JSON(http.StatusOK, tokenResponse{
		AccessToken: access, RefreshToken: s.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int(h.tokens.TTL.Seconds()), RefreshExpiresAt: s.RefreshExpiresAt,
		User: sessionUser{ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role,
			TownshipID: idOrNil(u.TownshipID), EnterpriseID: idOrNil(u.EnterpriseID)},
	})
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

func (h *authHandler) me(c echo.Context) error {
	a := actorOf(c)
	u, err := h.users.Get(c.Request().Context(), a, a.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newUserResponse(u))
}
