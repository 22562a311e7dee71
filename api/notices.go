package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

type noticeHandler struct{ svc *domain.NoticeService }

func (h *noticeHandler) register(r *router) {
	r.add(Route{Method: http.MethodGet, Path: "/notices", Roles: staffRoles,
		Summary: "The caller's own notices, newest first: a town admin learns here that the platform admin made or reset " +
			"a town admin account of the township, and why",
		Query:    append([]Param{{"unread", "boolean", "true: only the notices not marked read"}}, pageParams...),
		Response: list[noticeResponse]{}, Status: http.StatusOK}, h.list)
	r.add(Route{Method: http.MethodPost, Path: "/notices/:id/read", Roles: staffRoles,
		Summary:  "Mark one of the caller's notices read (again: no change); another user's notice is not found",
		Response: noticeResponse{}, Status: http.StatusOK}, h.read)
}

type noticeResponse struct {
	ID        int64             `json:"id"`
	Kind      domain.NoticeKind `json:"kind" jsonschema:"enum=town_admin.created,enum=town_admin.password_reset"`
	Actor     userRefDTO        `json:"actor" jsonschema_description:"who did what the notice tells: for both kinds, the platform admin"`
	Subject   userRefDTO        `json:"subject" jsonschema_description:"the account the notice is about"`
	Reason    string            `json:"reason" jsonschema_description:"the actor's reason, in their words"`
	CreatedAt time.Time         `json:"created_at"`
	ReadAt    *time.Time        `json:"read_at" jsonschema_description:"when the caller marked it read; null while unread"`
}

func newNoticeResponse(n domain.Notice) noticeResponse {
	out := noticeResponse{
		ID: n.ID, Kind: n.Kind, Reason: n.Reason, CreatedAt: n.CreatedAt,
		Actor:   userRefDTO{ID: n.ActorID, Username: n.ActorUsername, Name: n.ActorName},
		Subject: userRefDTO{ID: n.SubjectID, Username: n.SubjectUsername, Name: n.SubjectName},
	}
	if !n.Unread() {
		at := n.ReadAt
		out.ReadAt = &at
	}
	return out
}

func (h *noticeHandler) list(c echo.Context) error {
	page, err := pageOf(c)
	if err != nil {
		return err
	}
	f := domain.NoticeFilter{Page: page}
	switch c.QueryParam("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		return domain.Invalid("unread", "应为 true 或 false")
	}
	ns, total, err := h.svc.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(ns, total, newNoticeResponse))
}

func (h *noticeHandler) read(c echo.Context) error {
	id, err := pathID(c, "id", noticeRecord)
	if err != nil {
		return err
	}
	n, err := h.svc.MarkRead(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newNoticeResponse(n))
}
