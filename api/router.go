package api

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"fugong/domain"
)

// Route documents one registered route; the OpenAPI document is made from these, so that the
// document and the router come from the same list.
type Route struct {
	Method   string
	Path     string // Echo's form, below /api/v1: /enterprises/:id
	Summary  string
	Public   bool          // no access token needed
	Roles    []domain.Role // who may call it (scope is the services' business)
	Query    []Param
	Body     any // request DTO, nil for none
	Response any // response DTO, nil for an empty answer
	Status   int // success status
	Produces string
	// StandingInWrite registers the route on router.standingInWrite (see there).
	StandingInWrite bool
}

// Param documents a query parameter.
type Param struct {
	Name, Type, Description string
}

// Routes is the documented route table.
type Routes struct {
	List []Route
}

// router registers handlers on the public or the authenticated groups and records their docs.
type router struct {
	public, private *echo.Group
	// standingInWrite is authenticated as private is, but for a worker's token the middleware
	// reads nothing: its standing (on the roster of the token's enterprise, not left, of the
	// token's generation) is checked by the route's one write, in the same statement
	// (domain.CheckinStore.UpsertOwn). The worker's own check-in is the busiest route, and that
	// saves it a query (BENCHMARKS.md). Staff tokens are checked as on every route. A route
	// joins it with Route.StandingInWrite, and only a route whose service writes through
	// UpsertOwn may.
	standingInWrite *echo.Group
	routes          *Routes
	reads           *Reads // nil: no replica; else the routes of replicaRoutes may read from it
}

// add registers a route. Its documented Query parameters are the only ones it accepts: any
// other is refused (knownQuery), so that a misspelt or unsupported filter is never silently
// ignored and the OpenAPI document, made from the same Query list, is the whole truth.
func (r *router) add(rt Route, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g := r.private
	switch {
	case rt.Public:
		g = r.public
	case rt.StandingInWrite:
		g = r.standingInWrite
	}
	if r.reads != nil && replicaRoutes[rt.Method+" "+rt.Path] {
		m = append(m, r.reads.fromReplica)
	}
	g.Add(rt.Method, rt.Path, h, append([]echo.MiddlewareFunc{knownQuery(rt.Query)}, m...)...)
	r.routes.List = append(r.routes.List, rt)
}

// knownQuery refuses a request with a query parameter the route does not document: 400
// naming each. It runs after authentication (route middleware follows the group's), so a
// caller without a token still learns only that they must sign in.
func knownQuery(params []Param) echo.MiddlewareFunc {
	known := make(map[string]bool, len(params))
	for _, p := range params {
		known[p.Name] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().URL.RawQuery == "" {
				return next(c)
			}
			var unknown []string
			for name := range c.QueryParams() {
				if !known[name] {
					unknown = append(unknown, name)
				}
			}
			if len(unknown) == 0 {
				return next(c)
			}
			slices.Sort(unknown)
			fields := make([]fieldError, 0, len(unknown))
			for _, name := range unknown {
				fields = append(fields, fieldError{Field: name, Message: "此接口不接受该查询参数"})
			}
			return &badRequest{msg: "未知的查询参数 " + strings.Join(unknown, "、"), fields: fields}
		}
	}
}

const (
	actorKey   = "actor"
	expiresKey = "expires" // when the access token ends
)

// authenticate verifies the bearer token, has check confirm that its account may still act,
// and puts the actor in the context for the handlers to pass to services.
func authenticate(tokens *Tokens, check func(context.Context, domain.Actor) error) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			raw, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
			if !ok || raw == "" {
				return domain.Unauthenticated("请先登录")
			}
			a, exp, err := tokens.verify(raw)
			if err != nil {
				return err
			}
			c.Set(expiresKey, exp)
			if err := check(c.Request().Context(), a); err != nil {
				return err
			}
			c.Set(actorKey, a)
			return next(c)
		}
	}
}

// standing is the check of every authenticated request: the account behind the token may
// still act (domain.AuthService.Check).
func standing(auth *domain.AuthService) func(context.Context, domain.Actor) error {
	return func(ctx context.Context, a domain.Actor) error {
		_, err := auth.Check(ctx, a)
		return err
	}
}

// staffStanding is standing for staff tokens only, for router.standingInWrite.
func staffStanding(auth *domain.AuthService) func(context.Context, domain.Actor) error {
	check := standing(auth)
	return func(ctx context.Context, a domain.Actor) error {
		if a.Is(domain.RoleWorker) {
			return nil
		}
		return check(ctx, a)
	}
}

// actorOf returns the verified actor of an authenticated request.
func actorOf(c echo.Context) domain.Actor {
	a, _ := c.Get(actorKey).(domain.Actor)
	return a
}

// record is a kind of record a path parameter names: its entity type in the audit log and its
// name in messages.
type record struct{ kind, name string }

var (
	alertRecord      = record{"alert", "预警"}
	checkinRecord    = record{"checkin", "打卡记录"}
	enterpriseRecord = record{"enterprise", "企业"}
	planRecord       = record{"plan", "复工方案"}
	townshipRecord   = record{"township", "乡镇"}
	userRecord       = record{"user", "账号"}
	workerRecord     = record{"worker", "职工"}
	noticeRecord     = record{"notice", "通知"}
	shiftRecord      = record{"shift", "班组"}
)

// targetKey keeps the record a request acts on, as its handler read it from the path: a
// refused request is audited against it (denied), not against a guess from the URL.
const targetKey = "target"

// target is a record a request acts on.
type target struct {
	record
	id int64
}

// pathID reads an integer path parameter naming a record of kind r, and keeps it as the
// request's target; anything else cannot name a record, so it is 404.
func pathID(c echo.Context, name string, r record) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.NotFound(r.name)
	}
	c.Set(targetKey, target{r, id})
	return id, nil
}

// pageParams documents the paging parameters every list takes.
var pageParams = []Param{
	{"page", "integer", "page number, from 1"},
	{"page_size", "integer", "rows per page, 1 to 200 (default 20)"},
}

// pageOf reads page and page_size.
// maxPage is the highest page number a list takes: 200 rows a page past it is more than any
// township holds.
const maxPage = 1_000_000

func pageOf(c echo.Context) (domain.Page, error) {
	var p domain.Problems
	page := queryInt(c, &p, "page", 1)
	size := queryInt(c, &p, "page_size", 20)
	// (bounded: (page-1)*size of a huge page overflowed to a negative offset, read as page 1)
	if (page < 1 || page > maxPage) && !p.Has("page") {
		p.Add("page", "页码应在 1 到 1000000 之间")
	}
	if (size < 1 || size > domain.MaxPageSize) && !p.Has("page_size") {
		p.Add("page_size", "每页条数应在 1 到 200 之间")
	}
	if err := p.Err(); err != nil {
		return domain.Page{}, err
	}
	return domain.Page{Limit: size, Offset: (page - 1) * size}, nil
}

func queryInt(c echo.Context, p *domain.Problems, name string, def int) int {
	s := c.QueryParam(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		p.Add(name, "应为整数")
	}
	return n
}

// list is the shape of every list answer.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T, D any](items []D, total int, conv func(D) T) list[T] {
	out := list[T]{Items: make([]T, 0, len(items)), Total: total}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}

// idOrNil shows a missing reference as null rather than 0.
func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// dateOrNil shows a missing date as null.
func dateOrNil(d domain.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}
