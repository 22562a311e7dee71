package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type userHandler struct{ svc *domain.UserService }

func (h *userHandler) register(r *router) {
	// Enterprise HR makes, lists and manages its enterprise's gate accounts (issue 19): the
	// routes document it, as the service allows it.
	admins := []domain.Role{domain.RoleTownAdmin, domain.RolePlatformAdmin, domain.RoleEnterpriseHR}
	r.add(Route{Method: http.MethodPost, Path: "/users", Roles: admins,
		Summary: "Create a supervisor, enterprise HR, gate or town admin account in the township (the platform admin: a town admin of the township it names, " +
			"with a reason that the township's audit log and its other town admins' notices show; enterprise HR: a gate account of its own enterprise)",
		Body: newUserRequest{}, Response: userResponse{}, Status: http.StatusCreated}, h.create)
	r.add(Route{Method: http.MethodGet, Path: "/users", Roles: admins,
		Summary: "List the accounts the caller manages: a town admin's township's, the platform admin's town admins, enterprise HR its gate accounts",
		Query: append([]Param{{"role", "string", "only this role (the platform admin: town_admin only)"}, {"q", "string", "part of username or name"},
			{"enterprise_id", "integer", "only the accounts of this enterprise"},
			{"township_id", "integer", "the platform admin: only this township's town admins"}}, pageParams...),
		Response: list[userResponse]{}, Status: http.StatusOK}, h.list)
	// Every staff user reads and changes their own account here; only admins reach others'.
	r.add(Route{Method: http.MethodGet, Path: "/users/:id", Roles: staffRoles,
		Summary:  "Read one's own account, or one the caller manages",
		Response: userResponse{}, Status: http.StatusOK}, h.get)
	r.add(Route{Method: http.MethodPatch, Path: "/users/:id", Roles: staffRoles,
		Summary: "Change name, phone, password, active or enterprise of one's own account or one the caller manages; " +
			"a new password for one's own needs current_password; nobody changes their own active, enterprise, role or township; " +
			"disabling or a new password ends the account's sessions; the platform admin's new password for a town admin needs a reason, " +
			"which the township's audit log and its town admins' notices show",
		Body: userUpdateRequest{}, Response: userResponse{}, Status: http.StatusOK}, h.update)
}

type newUserRequest struct {
	Username     string      `json:"username"`
	Password     string      `json:"password"`
	Role         domain.Role `json:"role"`
	Name         string      `json:"name"`
	Phone        string      `json:"phone,omitempty"`
	EnterpriseID int64       `json:"enterprise_id,omitempty"`
	TownshipID   int64       `json:"township_id,omitempty" jsonschema_description:"platform admins only: the township of the account"`
	Reason       string      `json:"reason,omitempty" jsonschema_description:"why the account is made, at most 200 characters: required of the platform admin, whose new town admin the township's audit log and its town admins' notices show with it"`
}

func (r newUserRequest) toDomain() domain.NewUser {
	return domain.NewUser{Username: r.Username, Password: r.Password, Role: r.Role, Name: r.Name,
		Phone: r.Phone, EnterpriseID: r.EnterpriseID, TownshipID: r.TownshipID, Reason: r.Reason}
}

type userUpdateRequest struct {
	Name            *string      `json:"name,omitempty"`
	Phone           *string      `json:"phone,omitempty"`
	Password        *string      `json:"password,omitempty"`
	CurrentPassword *string      `json:"current_password,omitempty" jsonschema_description:"required with password when changing one's own"`
	Active          *bool        `json:"active,omitempty"`
	EnterpriseID    *int64       `json:"enterprise_id,omitempty"`
	Role            *domain.Role `json:"role,omitempty" jsonschema_description:"never changes: accepted only as the account's own role"`
	TownshipID      *int64       `json:"township_id,omitempty" jsonschema_description:"never changes: accepted only as the account's own township"`
	Reason          string       `json:"reason,omitempty" jsonschema_description:"why the account is changed, at most 200 characters: required of the platform admin with a town admin's new password (an account recovery), which the township's audit log and its town admins' notices show with it"`
}

func (r userUpdateRequest) toDomain() domain.UserUpdate {
	return domain.UserUpdate{Name: r.Name, Phone: r.Phone, Password: r.Password, CurrentPassword: r.CurrentPassword,
		Active: r.Active, EnterpriseID: r.EnterpriseID, Role: r.Role, TownshipID: r.TownshipID, Reason: r.Reason}
}

type userResponse struct {
	ID             int64       `json:"id"`
	Username       string      `json:"username"`
	Name           string      `json:"name"`
	Phone          string      `json:"phone"`
	Role           domain.Role `json:"role"`
	TownshipID     *int64      `json:"township_id"`
	TownshipName   string      `json:"township_name"`
	TownshipZone   string      `json:"township_timezone,omitempty"`
	EnterpriseID   *int64      `json:"enterprise_id"`
	EnterpriseName string      `json:"enterprise_name"`
	Active         bool        `json:"active"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

func newUserResponse(u domain.User) userResponse {
	return userResponse{
		ID: u.ID, Username: u.Username, Name: u.Name, Phone: u.Phone, Role: u.Role,
		TownshipID: idOrNil(u.TownshipID), TownshipName: u.TownshipName, TownshipZone: u.TownshipZone,
		EnterpriseID: idOrNil(u.EnterpriseID), EnterpriseName: u.EnterpriseName,
		Active: u.Active, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func (h *userHandler) create(c echo.Context) error {
	var req newUserRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := h.svc.Create(c.Request().Context(), actorOf(c), req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, newUserResponse(u))
}

func (h *userHandler) list(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	var p domain.Problems
	f := domain.UserFilter{Role: domain.Role(c.QueryParam("role")), Query: c.QueryParam("q"), Page: page}
	f.EnterpriseID = int64(queryInt(c, &p, "enterprise_id", 0))
	f.TownshipID = int64(queryInt(c, &p, "township_id", 0)) // a town admin's own township overrides it
	if f.Role != "" && !f.Role.Valid() {
		p.Add("role", "未知角色")
	}
	if err := p.Err(); err != nil {
		return err
	}
	us, total, err := h.svc.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(us, total, newUserResponse))
}

func (h *userHandler) get(c echo.Context) error {
	id, err := pathID(c, "id", userRecord)
	if err != nil {
		return err
	}
	u, err := h.svc.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newUserResponse(u))
}

func (h *userHandler) update(c echo.Context) error {
	id, err := pathID(c, "id", userRecord)
	if err != nil {
		return err
	}
	var req userUpdateRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	u, err := h.svc.Update(c.Request().Context(), actorOf(c), id, req.toDomain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newUserResponse(u))
}
