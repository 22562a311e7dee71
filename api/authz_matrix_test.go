package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"fugong/api"
	"fugong/domain"
	"fugong/notify/notifytest"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestAuthzMatrix calls every route the app serves as every kind of caller (authzCallers) and
// holds each answer to authzTable: who gets a 2xx, and everybody else's status. The routes come
// from the app itself, so a new route without a row fails here, and so does a row whose route
// is gone. Path parameters name records of enterprise A1 in township A, so that a 2xx is a real
// read or write of them; callers that must be refused go first, so that the target is still
// there for those allowed.
//
// The rows run on a few databases (authzWorld), not one each, which would cost a database and
// its seed per row: rows without a setup share the base world, in table order, because what
// they write leaves every other row's target as it was (new records, the same value again, an
// alert of their own); a row whose spec has a setup (a plan moved along, an inspection) gets a
// world of its own, or shares one with the rows that name the same world.
func TestAuthzMatrix(t *testing.T) {
	rows := parseAuthzTable(t)
	served := servedRoutes()
	checkAuthzCoverage(t, rows, served)
	if t.Failed() {
		return
	}
	var worlds []string
	byWorld := map[string][]authzRow{}
	for _, r := range rows {
		name := authzSpecs[r.key].worldName(r.key)
		if _, ok := byWorld[name]; !ok {
			worlds = append(worlds, name)
		}
		byWorld[name] = append(byWorld[name], r)
	}
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			start := time.Now()
			t.Run("worlds", func(t *testing.T) {
				for _, name := range worlds {
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						w := newAuthzWorld(t, e.Open(t))
						if setup := authzSpecs[byWorld[name][0].key].setup; setup != nil {
							setup(w)
						}
						for _, row := range byWorld[name] {
							t.Run(row.key, func(t *testing.T) {
								w.use(t)
								calls.Add(int64(w.run(row, authzSpecs[row.key])))
							})
						}
					})
				}
			})
			t.Logf("%s: %d rows (%d routes) × %d callers = %d calls on %d databases in %v", e.Name, len(rows), len(served),
				len(authzCallers), calls.Load(), len(worlds), time.Since(start).Round(time.Millisecond))
		})
	}
}

// authzCaller is one column of authzTable: who calls, as what role, from where.
type authzCaller struct {
	name    string
	role    domain.Role // empty: no token
	who     string
	inScope bool // may see A1's records, where every row's target is
}

// authzCallers are the columns of authzTable, in its order. The target of every row belongs to
// enterprise A1 of township A.
var authzCallers = []authzCaller{
	{name: "anon", who: "no token"},
	// The platform admin keeps townships and their town admins, and sees none of what a township
	// runs: it is in no enterprise's scope.
	{name: "root", role: domain.RolePlatformAdmin, who: "the platform admin"},
	{name: "townA", role: domain.RoleTownAdmin, who: "town admin of the target's township A", inScope: true},
	{name: "townB", role: domain.RoleTownAdmin, who: "town admin of township B"},
	{name: "supA1", role: domain.RoleSupervisor, who: "supervisor assigned to the target's enterprise A1", inScope: true},
	{name: "supA2", role: domain.RoleSupervisor, who: "supervisor of township A assigned to A2, not A1"},
	{name: "supB1", role: domain.RoleSupervisor, who: "supervisor of township B (B1)"},
	{name: "hrA1", role: domain.RoleEnterpriseHR, who: "HR of the target's enterprise A1", inScope: true},
	{name: "hrA2", role: domain.RoleEnterpriseHR, who: "HR of A2, in the same township"},
	{name: "hrB1", role: domain.RoleEnterpriseHR, who: "HR of B1, in township B"},
	{name: "wkA1", role: domain.RoleWorker, who: "a worker of A1, never the target worker (a worker sees only themself)"},
	{name: "wkA2", role: domain.RoleWorker, who: "a worker of A2"},
	{name: "wkB1", role: domain.RoleWorker, who: "a worker of B1"},
	// A guard (门岗, issue 19) of the target's enterprise: it scans passes and measures at the
	// gate, and sees nothing else of A1, so it is not in A1's scope.
	{name: "gateA1", role: domain.RoleGate, who: "a gate account of the target's enterprise A1"},
	// A wall screen (大屏, issue 21) of the target's township: it reads the township's figures,
	// and no record of A1, so it is not in A1's scope.
	{name: "viewerA", role: domain.RoleViewer, who: "a wall screen account (viewer) of the target's township A"},
}

// Cells of authzTable that are not a status code.
const (
	cellOK  = "ok"  // 2xx, and the answer shows the target (the spec's marker, when it has one)
	cellOwn = "own" // 2xx about the caller's own scope only: the marker must not be in it
)

const authzCellWidth = 6

// authzRow is a parsed row of authzTable.
type authzRow struct {
	key   string   // "GET /api/v1/workers/:id", with a query or a #name for a variant of a route
	route string   // the key without its query and name
	query string   // the variant's query, without "?"
	want  []string // one cell per caller
}

// allowed reports whether the cell wants a 2xx.
func allowed(cell string) bool { return cell == cellOK || cell == cellOwn }

func parseAuthzTable(t *testing.T) []authzRow {
	t.Helper()
	var rows []authzRow
	seen := map[string]bool{}
	for _, r := range authzTable {
		cells := strings.Fields(r.cells)
		if len(cells) != len(authzCallers) {
			t.Errorf("authzTable %s: got %d cells, want %d (one per caller)", r.key, len(cells), len(authzCallers))
			continue
		}
		for _, c := range cells {
			if n, err := strconv.Atoi(c); !allowed(c) && (err != nil || n < 300 || n > 599) {
				t.Errorf("authzTable %s: cell %q is neither ok, own nor a refusal status", r.key, c)
			}
		}
		if seen[r.key] {
			t.Errorf("authzTable: %s has two rows", r.key)
		}
		seen[r.key] = true
		// A variant is named after "#", as a URL's fragment, which is never sent: its spec alone
		// makes it differ (another target or body).
		base, _, _ := strings.Cut(r.key, "#")
		route, query, _ := strings.Cut(base, "?")
		rows = append(rows, authzRow{key: r.key, route: route, query: query, want: cells})
	}
	return rows
}

// servedRoute is a route the app serves, with its documentation when it is an /api/v1 route.
type servedRoute struct {
	doc *api.Route
}

// servedRoutes lists what the app serves, "METHOD /path", from an app built without a
// database: building it calls no service.
func servedRoutes() map[string]servedRoute {
	e, routes := api.New(domain.Services{}, api.Config{Tokens: &api.Tokens{Secret: []byte("0123456789abcdef0123456789abcdef")}, Log: dbtest.Quiet})
	out := map[string]servedRoute{}
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue // the catch-alls Echo adds for group middleware
		}
		out[r.Method+" "+r.Path] = servedRoute{}
	}
	for i, rt := range routes.List {
		out[rt.Method+" /api/v1"+rt.Path] = servedRoute{doc: &routes.List[i]}
	}
	return out
}

// checkAuthzCoverage fails for a served route without a row, a row without a route, a row
// that lets a role the route does not document have a 2xx, and a route with an :id and no spec
// to say what it names.
func checkAuthzCoverage(t *testing.T, rows []authzRow, served map[string]servedRoute) {
	t.Helper()
	has, keys := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		has[r.route], keys[r.key] = true, true
		s, ok := served[r.route]
		if !ok {
			t.Errorf("authzTable has a row for %s, which the app does not serve: remove the row "+
				"(and its entry in authzSpecs, api/authz_matrix_test.go)", r.key)
			continue
		}
		if _, ok := authzSpecs[r.key]; !ok && strings.Contains(r.route, ":") {
			t.Errorf("%s has a path parameter but no entry in authzSpecs (api/authz_matrix_test.go) "+
				"saying which record of enterprise A1 it names", r.key)
		}
		if s.doc == nil || s.doc.Public {
			continue
		}
		for i, c := range authzCallers {
			if allowed(r.want[i]) && !slices.Contains(s.doc.Roles, c.role) {
				t.Errorf("authzTable %s: %s (%s) is allowed, but the route documents only roles %v: "+
					"fix the row or the route's Roles", r.key, c.name, c.role, s.doc.Roles)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(served)) {
		if !has[k] {
			t.Errorf("the app serves %s but authzTable (api/authz_expect_test.go) has no row for it; add\n"+
				"\t{%q, %q},\nwith each cell what the product should answer that caller (%s: a 2xx showing the target; "+
				"%s: a 2xx about the caller's own scope only; otherwise the refusal's status), and an entry in "+
				"authzSpecs (api/authz_matrix_test.go) if it takes a path parameter, a body or a marker",
				k, suggestCells(k, served[k].doc), k, cellOK, cellOwn)
		}
	}
	for k := range authzSpecs {
		if !keys[k] {
			t.Errorf("authzSpecs has %s, which has no row in authzTable", k)
		}
	}
}

// suggestCells drafts a row from a route's documented roles: 401 without a token; for the
// roles it names, ok in A1's scope, and outside it 404 for a record (the route has a path
// parameter) or own for a list; 403 for the other roles.
func suggestCells(route string, doc *api.Route) string {
	var b strings.Builder
	for _, c := range authzCallers {
		cell := "403"
		switch {
		case doc == nil || doc.Public:
			cell = cellOK
		case c.role == "":
			cell = "401"
		case !slices.Contains(doc.Roles, c.role):
		case c.inScope:
			cell = cellOK
		case strings.Contains(route, ":"):
			cell = "404"
		default:
			cell = cellOwn
		}
		fmt.Fprintf(&b, "%-*s", authzCellWidth, cell)
	}
	return b.String()
}

// authzSpec says how to call a route: what its :id names, its query and body, and how to tell
// a real answer about the target. Every function runs anew for each call, so that each caller
// gets a target of its own where a success uses one up (an alert once acknowledged, a username
// once taken).
type authzSpec struct {
	// setup makes the records the route needs, before the first call, on a database of the
	// row's own, or of world: rows naming the same world share one (the first row's setup runs).
	setup func(w *authzWorld)
	world string
	id    func(w *authzWorld) int64 // what :id names
	// own says the :id names the caller's own record: a refusal there tells the caller nothing
	// they do not know, so it is not held to the answer for a missing record.
	own    bool
	query  func(w *authzWorld) string // added to the path, without "?"
	body   func(w *authzWorld) any    // sent as JSON
	upload func(w *authzWorld) []byte // sent as the multipart field file instead
	// marker is text an "ok" answer must contain (it shows the target) and an "own" answer must
	// not; in a workbook, the text of any cell.
	marker func(w *authzWorld) string
	// never is text no answer may contain: a whole ID number where answers mask them.
	never func(w *authzWorld) string
}

// worldName names the database a row runs on: "base" for rows without a setup.
func (s authzSpec) worldName(key string) string {
	switch {
	case s.world != "":
		return s.world
	case s.setup != nil:
		return key
	}
	return "base"
}

// Common parts of the specs.
var (
	idEntA1     = func(w *authzWorld) int64 { return w.entA1.ID }
	nameA1      = func(w *authzWorld) string { return w.entA1.Name }
	idTarget    = func(w *authzWorld) int64 { return w.target.ID }
	targetNm    = func(w *authzWorld) string { return w.target.Name }
	targetIDn   = func(w *authzWorld) string { return string(w.target.IDNumber) }
	idPlan      = func(w *authzWorld) int64 { return w.plan }
	nameTownA   = func(w *authzWorld) string { return w.townA.Name }
	nameUserA1  = func(w *authzWorld) string { return w.userA1.Username }
	idAdminA2   = func(w *authzWorld) int64 { return w.adminA2.ID }
	nameAdminA2 = func(w *authzWorld) string { return fmt.Sprintf(`"username":%q`, w.adminA2.Username) }
	// The gate (issue 19): the target worker in a pass or a spot check, the target guard account.
	targetWorkerID = func(w *authzWorld) string { return fmt.Sprintf(`"worker_id":%d,`, w.target.ID) }
	idGateTarget   = func(w *authzWorld) int64 { return w.gateTarget.ID }
	nameGateTarget = func(w *authzWorld) string { return fmt.Sprintf(`"username":%q`, w.gateTarget.Username) }
	// The wall screen (issue 21): the target wall screen account.
	idViewerTarget   = func(w *authzWorld) int64 { return w.viewerTarget.ID }
	nameViewerTarget = func(w *authzWorld) string { return fmt.Sprintf(`"username":%q`, w.viewerTarget.Username) }
)

// say returns a body function that sends v as it is.
func say(v any) func(*authzWorld) any { return func(*authzWorld) any { return v } }

// authzSpecs are keyed like authzTable's rows. A route without an entry is called on its bare
// path, without a body.
var authzSpecs = map[string]authzSpec{
	"POST /api/v1/auth/login": {body: func(w *authzWorld) any {
		return map[string]string{"username": w.userA1.Username, "password": password}
	}},
	"POST /api/v1/auth/worker-login": {body: func(w *authzWorld) any {
		return map[string]string{"enterprise_code": w.entA1.Code, "phone": w.target.Phone, "pin": testPIN}
	}},
	// Enrolment is once per worker: each call enrols a new one.
	"POST /api/v1/auth/worker-enrol": {body: func(w *authzWorld) any {
		n := 100 + w.next()
		wk := w.worker(w.hrA1, w.entA1, n, fmt.Sprintf("新职工%d", n))
		return map[string]string{"enterprise_code": w.entA1.Code, "phone": wk.Phone, "id_number": string(wk.IDNumber), "pin": testPIN}
	}},
	// Signing out ends the caller's access tokens at once: on a database of its own, so that
	// the callers' tokens live on for the other rows.
	"POST /api/v1/auth/logout": {world: "logout"},
	// A refresh token is spent once used: each call signs in anew for one.
	"POST /api/v1/auth/refresh": {body: func(w *authzWorld) any {
		_, refresh := w.login(w.userA1.Username)
		return map[string]string{"refresh_token": refresh}
	}},

	"POST /api/v1/townships": {body: func(w *authzWorld) any {
		n := w.next()
		return map[string]any{"name": fmt.Sprintf("新开%d镇", n), "code": fmt.Sprintf("3716265%02d", n), "population": 1000,
			"zones": []string{"一区"}, "admin_username": fmt.Sprintf("newadmin%d", n), "admin_password": password}
	}},
	"GET /api/v1/townships":       {marker: nameTownA},
	"GET /api/v1/townships/:id":   {id: func(w *authzWorld) int64 { return w.townA.ID }, marker: nameTownA},
	"PATCH /api/v1/townships/:id": {id: func(w *authzWorld) int64 { return w.townA.ID }, body: say(map[string]any{"population": 73001}), marker: nameTownA},

	// The new account is HR of A1: a town admin of another township has no such enterprise.
	"POST /api/v1/users": {body: func(w *authzWorld) any {
		return map[string]any{"username": fmt.Sprintf("newhr%d", w.next()), "password": password, "role": "enterprise_hr",
			"name": "新人事", "enterprise_id": w.entA1.ID, "township_id": w.townA.ID}
	}, marker: nameA1},
	"GET /api/v1/audit": {query: func(w *authzWorld) string { return fmt.Sprintf("enterprise_id=%d", w.entA1.ID) },
		marker: func(w *authzWorld) string { return fmt.Sprintf(`"enterprise_id":%d`, w.entA1.ID) }},
	"GET /api/v1/users":     {query: func(w *authzWorld) string { return fmt.Sprintf("enterprise_id=%d", w.entA1.ID) }, marker: nameUserA1},
	"GET /api/v1/users/:id": {id: func(w *authzWorld) int64 { return w.userA1.ID }, marker: nameUserA1},
	"PATCH /api/v1/users/:id": {id: func(w *authzWorld) int64 { return w.userA1.ID },
		body: say(map[string]any{"name": "人事乙"}), marker: nameUserA1},
	// The platform admin's accounts: township A's second town admin, whom no caller is.
	"POST /api/v1/users#town-admin": {body: func(w *authzWorld) any {
		return map[string]any{"username": fmt.Sprintf("newadmin%d", w.next()), "password": password, "role": "town_admin",
			"name": "新专班", "township_id": w.townA.ID, "reason": "镇政府来函增设专班管理员"}
	}, marker: func(w *authzWorld) string { return fmt.Sprintf(`"township_id":%d,`, w.townA.ID) }},
	"GET /api/v1/users#town-admins":    {query: func(*authzWorld) string { return "role=town_admin" }, marker: nameAdminA2},
	"GET /api/v1/users/:id#town-admin": {id: idAdminA2, marker: nameAdminA2},
	// A guard of A1 (issue 19): HR of another enterprise makes one of its own.
	"POST /api/v1/users#gate": {body: func(w *authzWorld) any {
		return map[string]any{"username": fmt.Sprintf("newgate%d", w.next()), "password": password, "role": "gate",
			"name": "新门岗", "enterprise_id": w.entA1.ID}
	}, marker: func(w *authzWorld) string { return fmt.Sprintf(`"enterprise_id":%d,`, w.entA1.ID) }},
	"GET /api/v1/users#gate-accounts": {query: func(*authzWorld) string { return "role=gate" }, marker: nameGateTarget},
	// A wall screen of A (issue 21), of no enterprise whatever the body says.
	"POST /api/v1/users#viewer": {body: func(w *authzWorld) any {
		return map[string]any{"username": fmt.Sprintf("newwall%d", w.next()), "password": password, "role": "viewer",
			"name": "会议室大屏", "enterprise_id": w.entA1.ID}
	}, marker: func(w *authzWorld) string { return fmt.Sprintf(`"township_id":%d,`, w.townA.ID) }},
	"GET /api/v1/users#viewers":    {query: func(*authzWorld) string { return "role=viewer" }, marker: nameViewerTarget},
	"GET /api/v1/users/:id#viewer": {id: idViewerTarget, marker: nameViewerTarget},
	"PATCH /api/v1/users/:id#viewer": {world: "wall screen disabled", id: idViewerTarget,
		body: say(map[string]any{"active": false}), marker: nameViewerTarget},
	"GET /api/v1/users/:id#gate": {id: idGateTarget, marker: nameGateTarget},
	// Disabling: its own database, where no other row reads the account.
	"PATCH /api/v1/users/:id#gate": {world: "gate account disabled", id: idGateTarget,
		body: say(map[string]any{"active": false}), marker: nameGateTarget},
	// Disabling: its own database, where no other row reads the account.
	"PATCH /api/v1/users/:id#town-admin": {world: "town admin disabled", id: idAdminA2,
		body: say(map[string]any{"active": false}), marker: nameAdminA2},
	// A new password for the second town admin, on the database where the platform admin has
	// already reset it once (the notices' rows): it ends that account's sessions, which no
	// caller holds.
	"PATCH /api/v1/users/:id#town-admin-password": {setup: (*authzWorld).recoverAdminA2, world: "town admin recovered", id: idAdminA2,
		body: say(map[string]any{"password": "Recovered-2021", "reason": recoveryReason}), marker: nameAdminA2},
	"PATCH /api/v1/users/:id#town-admin-password-no-reason": {setup: (*authzWorld).recoverAdminA2, world: "town admin recovered", id: idAdminA2,
		body: say(map[string]any{"password": "Recovered-2022"}), marker: nameAdminA2},
	"GET /api/v1/notices": {setup: (*authzWorld).recoverAdminA2, world: "town admin recovered",
		marker: func(*authzWorld) string { return recoveryReason }},
	"POST /api/v1/notices/:id/read": {setup: (*authzWorld).recoverAdminA2, world: "town admin recovered",
		id: func(w *authzWorld) int64 { return w.notice }, marker: func(*authzWorld) string { return recoveryReason }},
	// One's own account. A new password needs the current one; the same password again keeps
	// every other row's sign-in working, on a database of its own all the same, since it ends
	// the caller's sessions.
	"GET /api/v1/users/:id#own": {own: true, id: (*authzWorld).ownAccount, marker: (*authzWorld).ownUsername},
	"PATCH /api/v1/users/:id#own-password": {world: "own password", own: true, id: (*authzWorld).ownAccount,
		body: say(map[string]any{"password": password, "current_password": password}), marker: (*authzWorld).ownUsername},
	"PATCH /api/v1/users/:id#own-password-no-current": {own: true, id: (*authzWorld).ownAccount,
		body: say(map[string]any{"password": "Stolen-Token-1"})},
	"PATCH /api/v1/users/:id#own-password-wrong-current": {own: true, id: (*authzWorld).ownAccount,
		body: say(map[string]any{"password": "Stolen-Token-1", "current_password": "guess-0001"})},
	// Promoting oneself: a town admin to the platform, anyone else to town admin.
	"PATCH /api/v1/users/:id#own-role": {own: true, id: (*authzWorld).ownAccount, body: func(w *authzWorld) any {
		role := domain.RoleTownAdmin
		if w.accounts[w.caller].Role == domain.RoleTownAdmin {
			role = domain.RolePlatformAdmin
		}
		return map[string]any{"role": role}
	}},
	// Moving oneself to an enterprise one is not HR of.
	"PATCH /api/v1/users/:id#own-enterprise": {own: true, id: (*authzWorld).ownAccount, body: func(w *authzWorld) any {
		to := w.entA1.ID
		if w.caller == "hrA1" || w.caller == "gateA1" {
			to = w.entA2.ID
		}
		return map[string]any{"enterprise_id": to}
	}},
	"PATCH /api/v1/users/:id#own-township": {own: true, id: (*authzWorld).ownAccount, body: func(w *authzWorld) any {
		to := w.townA.ID
		if w.accounts[w.caller].TownshipID == w.townA.ID {
			to = w.townB.ID
		}
		return map[string]any{"township_id": to}
	}},
	"PATCH /api/v1/users/:id#own-active": {own: true, id: (*authzWorld).ownAccount, body: say(map[string]any{"active": false})},

	// Zone 一区 is township A's; B's admin would register in B, where it is no zone.
	"POST /api/v1/enterprises": {body: func(w *authzWorld) any {
		n := w.next()
		return enterpriseBody(fmt.Sprintf("新登记%d号有限公司", n), validCode(fmt.Sprintf("91371626MA3D%04d", n)), "一区")
	}, marker: func(w *authzWorld) string { return fmt.Sprintf(`"township_id":%d,`, w.townA.ID) }},
	"GET /api/v1/enterprises":       {query: func(w *authzWorld) string { return "q=" + w.entA1.Code }, marker: nameA1},
	"GET /api/v1/enterprises/:id":   {id: idEntA1, marker: nameA1},
	"PATCH /api/v1/enterprises/:id": {id: idEntA1, body: say(map[string]any{"address": "长山镇工业园二路 9 号"}), marker: nameA1},
	"PUT /api/v1/enterprises/:id/supervisors": {id: idEntA1, body: func(w *authzWorld) any {
		return map[string]any{"user_ids": []int64{w.supA.ID}}
	}, marker: nameA1},

	// A1 approved; the suspension (the first row of the world) leaves it suspended for the
	// resumption.
	"POST /api/v1/enterprises/:id/suspend": {setup: planAt("approved"), world: "approved, suspended, resumed", id: idEntA1,
		body: say(map[string]any{"reason": "食堂未落实分餐,停工整顿"}), marker: nameA1},
	"POST /api/v1/enterprises/:id/resume": {setup: planAt("approved"), world: "approved, suspended, resumed", id: idEntA1,
		body: say(map[string]any{"note": "已整改"}), marker: nameA1},
	"GET /api/v1/enterprises/:id/status-history": {id: idEntA1, marker: func(*authzWorld) string { return `"to":"not_applied"` }},

	"POST /api/v1/enterprises/:id/plans": {id: idEntA1, body: func(*authzWorld) any { return fullPlan() }, marker: nameA1},
	"GET /api/v1/enterprises/:id/plans":  {setup: planAt("submitted"), world: "plan submitted", id: idEntA1, marker: nameA1},
	"GET /api/v1/plans":                  {setup: planAt("submitted"), world: "plan submitted", query: func(*authzWorld) string { return "status=submitted" }, marker: nameA1},
	"GET /api/v1/plans/:id":              {setup: planAt("submitted"), world: "plan submitted", id: idPlan, marker: nameA1},
	"PUT /api/v1/plans/:id":              {setup: planAt("draft"), id: idPlan, body: func(*authzWorld) any { return fullPlan() }, marker: nameA1},
	"POST /api/v1/plans/:id/copy":        {setup: planAt("approved"), id: idPlan, marker: nameA1},
	"POST /api/v1/plans/:id/submit":      {setup: planAt("draft"), id: idPlan, marker: nameA1},
	"POST /api/v1/plans/:id/approve":     {setup: planAt("submitted"), id: idPlan, body: say(map[string]any{"comment": "同意"}), marker: nameA1},
	"POST /api/v1/plans/:id/reject":      {setup: planAt("submitted"), id: idPlan, body: say(map[string]any{"comment": "请补充物资"}), marker: nameA1},
	"POST /api/v1/enterprises/:id/reopen": {setup: planAt("approved"), id: idEntA1,
		body: func(*authzWorld) any {
			return map[string]any{"date": dayFromToday(0), "reason": "订单急需,首批人员已到岗"}
		}, marker: nameA1},

	"GET /api/v1/enterprises/:id/batches": {setup: (*authzWorld).batches, world: "batches", id: idEntA1,
		marker: func(w *authzWorld) string { return fmt.Sprintf(`"plan_id":%d`, w.plan) }},
	"GET /api/v1/enterprises/:id/shifts": {setup: (*authzWorld).shifts, world: "shifts", id: idEntA1, marker: shiftA1},
	"GET /api/v1/enterprises/:id/return-progress": {setup: (*authzWorld).batches, world: "batches", id: idEntA1,
		marker: func(w *authzWorld) string { return fmt.Sprintf(`"enterprise_id":%d`, w.entA1.ID) }},
	"POST /api/v1/enterprises/:id/shifts": {id: idEntA1, body: func(w *authzWorld) any {
		return map[string]any{"name": fmt.Sprintf("%s%d", shiftA1(w), w.next()), "capacity": 20}
	}, marker: shiftA1},
	"PUT /api/v1/shifts/:id": {setup: (*authzWorld).shifts, world: "shifts", id: func(w *authzWorld) int64 { return w.shift },
		body: func(w *authzWorld) any {
			return map[string]any{"name": fmt.Sprintf("%s%d", shiftA1(w), w.next()), "capacity": 25, "meal_start": "11:00", "meal_end": "11:30"}
		}, marker: shiftA1},
	// Each call removes a shift of its own.
	"DELETE /api/v1/shifts/:id": {id: func(w *authzWorld) int64 { return w.newShift(fmt.Sprintf("%s%d", shiftA1(w), w.next())) }},

	"POST /api/v1/enterprises/:id/inspections": {id: idEntA1, body: func(*authzWorld) any {
		return map[string]any{"visited_on": dayFromToday(0), "checklist": passingChecklist()}
	}, marker: nameA1},
	"GET /api/v1/enterprises/:id/inspections": {setup: (*authzWorld).inspect, world: "inspected", id: idEntA1, marker: nameA1},
	"GET /api/v1/inspections":                 {setup: (*authzWorld).inspect, world: "inspected", marker: nameA1},

	"POST /api/v1/enterprises/:id/workers": {id: idEntA1, body: func(w *authzWorld) any {
		n := w.next()
		return map[string]any{"name": fmt.Sprintf("新职工%d", n), "id_number": idNumber(100 + n), "phone": fmt.Sprintf("1370000%04d", n),
			"origin_region": "371681", "arrived_on": dayFromToday(-5)}
	}, marker: nameA1},
	"GET /api/v1/enterprises/:id/workers": {id: idEntA1, marker: targetNm, never: targetIDn},
	"GET /api/v1/workers/:id":             {id: idTarget, marker: targetNm, never: targetIDn},
	"GET /api/v1/workers/:id?reveal=true": {id: idTarget, marker: targetIDn},
	// Another worker than the target, whose PIN the other rows' sign-ins need.
	"POST /api/v1/workers/:id/reset-pin":                  {id: func(w *authzWorld) int64 { return w.resetee.ID }},
	"PATCH /api/v1/workers/:id":                           {id: idTarget, body: say(map[string]any{"department": "质检部"}), marker: targetNm, never: targetIDn},
	"POST /api/v1/enterprises/:id/workers/import":         {id: idEntA1, upload: (*authzWorld).roster, marker: func(*authzWorld) string { return `"created":1` }},
	"GET /api/v1/enterprises/:id/workers/import-template": {id: idEntA1},
	"POST /api/v1/enterprises/:id/workers/assign": {setup: (*authzWorld).shifts, world: "shifts", id: idEntA1,
		body: func(w *authzWorld) any {
			return map[string]any{"worker_ids": []int64{w.target.ID}, "shift_id": w.shift}
		},
		marker: func(*authzWorld) string { return `"changed":1` }},
	"GET /api/v1/enterprises/:id/workers/export": {id: idEntA1, marker: targetNm},
	"GET /api/v1/regions":                        {query: func(*authzWorld) string { return "q=3716" }},

	// Every worker checks in for themself: there is no target to miss.
	"POST /api/v1/checkins": {body: say(map[string]any{"slot": "pm", "temperature": 36.5, "location": "work"})},
	"GET /api/v1/checkins/me": {marker: func(w *authzWorld) string {
		return fmt.Sprintf(`"worker_id":%d,`, w.wkA1.ID)
	}},
	"POST /api/v1/enterprises/:id/checkins": {id: idEntA1, body: func(w *authzWorld) any {
		return map[string]any{"items": []map[string]any{{"worker_id": w.target.ID, "slot": "pm", "temperature": 36.4}}}
	}, marker: func(*authzWorld) string { return `"failed":0` }},
	"GET /api/v1/enterprises/:id/checkins": {id: idEntA1, marker: targetNm},
	"GET /api/v1/checkins/:id/readings":    {id: (*authzWorld).targetCheckin, marker: func(w *authzWorld) string { return fmt.Sprintf(`"worker_id":%d,`, w.target.ID) }},
	"POST /api/v1/checkins/:id/correct": {id: (*authzWorld).targetCheckin,
		body:   say(map[string]any{"temperature": 36.6, "note": "复测体温正常,原读数为误填"}),
		marker: func(*authzWorld) string { return `"correction_note":"复测体温正常` }},
	"GET /api/v1/alerts": {marker: func(w *authzWorld) string { return fmt.Sprintf(`"worker_id":%d,`, w.target.ID) }},
	// Each call gets an open alert of its own: a second acknowledgement would be a 409.
	"POST /api/v1/alerts/acknowledge": {body: func(w *authzWorld) any {
		return map[string]any{"ids": []int64{w.freshAlert()}, "note": "已电话联系"}
	}, marker: func(*authzWorld) string { return `"result":"ok"` }},
	"POST /api/v1/alerts/resolve": {body: func(w *authzWorld) any {
		return map[string]any{"ids": []int64{w.freshAlert()}, "note": "复测正常"}
	}, marker: func(*authzWorld) string { return `"result":"ok"` }},
	"POST /api/v1/alerts/:id/acknowledge": {id: (*authzWorld).freshAlert, body: say(map[string]any{"note": "已电话联系"}),
		marker: func(*authzWorld) string { return `"status":"acknowledged"` }},
	"POST /api/v1/alerts/:id/resolve": {id: (*authzWorld).freshAlert, body: say(map[string]any{"note": "复测正常"}),
		marker: func(*authzWorld) string { return `"status":"resolved"` }},

	"GET /api/v1/dashboard/enterprises": {marker: nameA1},
	// The target's open alert (its cough this morning) shows A1 and never the worker.
	"GET /api/v1/dashboard/open-alerts": {marker: nameA1, never: targetNm},

	// The pass and the gate (issue 19).
	"GET /api/v1/me/pass": {marker: func(w *authzWorld) string { return fmt.Sprintf(`"worker_id":%d,`, w.wkA1.ID) }},
	// A fresh token of the target worker's pass for each call, as the phone shows one.
	"POST /api/v1/gate/scan": {body: func(w *authzWorld) any {
		return map[string]any{"token": w.passToken(w.target)}
	}, marker: targetWorkerID},
	"POST /api/v1/gate/scan#phone": {body: func(w *authzWorld) any {
		return map[string]any{"phone": w.target.Phone}
	}, marker: targetWorkerID},
	"POST /api/v1/spot-checks": {body: func(w *authzWorld) any {
		return map[string]any{"worker_id": w.target.ID, "present": true, "temperature": 36.5}
	}, marker: targetWorkerID},
	"GET /api/v1/spot-checks": {setup: (*authzWorld).spotCheck, world: "spot checked", marker: targetWorkerID},
	"GET /api/v1/spot-checks/sample": {marker: func(w *authzWorld) string {
		return fmt.Sprintf(`"enterprise_id":%d,`, w.entA1.ID)
	}},
	// Revoked by the first caller allowed, restored by the row after it.
	"POST /api/v1/workers/:id/pass/revoke": {world: "pass revoked", id: idTarget, body: say(map[string]any{"reason": "现场抽查发现体温异常"}),
		marker: func(*authzWorld) string { return `"revoked":true` }},
	"POST /api/v1/workers/:id/pass/restore": {world: "pass revoked", id: idTarget,
		marker: func(*authzWorld) string { return `"revoked":false` }},
	"GET /api/v1/channels": {world: "channels", setup: (*authzWorld).channels, marker: channelA1Name},
	"POST /api/v1/channels": {world: "channels", body: func(w *authzWorld) any {
		return map[string]any{"scope": "enterprise", "enterprise_id": w.entA1.ID, "kind": "wecom", "name": "一号纺织新群",
			"url": w.robot.Channel().URL}
	}},
	"PATCH /api/v1/channels/:id": {world: "channels", id: func(w *authzWorld) int64 { return w.channel },
		body: func(w *authzWorld) any { return map[string]any{"kind": "wecom", "name": channelA1Name(w)} }, marker: channelA1Name},
	"DELETE /api/v1/channels/:id": {world: "channels", id: (*authzWorld).freshChannel},
	"POST /api/v1/channels/:id/test": {world: "channels", id: func(w *authzWorld) int64 { return w.channel },
		marker: func(*authzWorld) string { return `"outcome":"ok"` }},
	"GET /api/v1/messages": {world: "channels", marker: func(*authzWorld) string { return "【日报已生成】测试" }},
	"POST /api/v1/messages/:id/retry": {world: "channels", id: func(w *authzWorld) int64 {
		return w.failedMessage(w.townA.ID, w.channel)
	}, marker: func(*authzWorld) string { return `"status":"pending"` }},
	"GET /api/v1/dashboard/passes":      {marker: nameA1},
	"GET /api/v1/dashboard/spot-checks": {marker: nameA1},
	"GET /api/v1/enterprises/:id/spot-checks/figures": {id: idEntA1, query: func(*authzWorld) string { return "days=7" },
		marker: func(*authzWorld) string { return `"days":[{"date"` }},
	"GET /api/v1/reports/daily.xlsx": {marker: nameA1},
	"GET /api/v1/reports/range.xlsx": {query: func(*authzWorld) string {
		return "from=" + dayFromToday(-1) + "&to=" + dayFromToday(0)
	}, marker: nameA1},
}

func passingChecklist() map[string]bool {
	return map[string]bool{"temperature_check": true, "masks_worn": true, "disinfection_log": true,
		"isolation_room_ready": true, "roster_up_to_date": true, "canteen_staggered": true}
}

// authzWorld is the database and app some rows run on: the base fixture (townships A and B,
// enterprises A1, A2, B1, supA on A1, supA2 on A2, hrA1), the rest of the callers, the target
// records, and every caller's token.
type authzWorld struct {
	*fixture
	hrA2, supB1, hrB1 domain.User
	userA1            domain.User            // an HR account of A1 that no caller is: the target account
	adminA2           domain.User            // a second town admin of township A that no caller is
	accounts          map[string]domain.User // the staff callers' own accounts, by caller name
	caller            string                 // the caller of the call being made
	wkA1, wkA2, wkB1  domain.Worker          // callers
	target            domain.Worker          // the target worker, on duty in A1 with an open alert
	resetee           domain.Worker          // a worker of A1 whose PIN is reset
	tokens            map[string]string
	plan              int64              // A1's plan, when the spec's setup made one
	notice            int64              // township A's admin's notice of a recovery, when the spec's setup made one
	shift             int64              // a shift of A1, when the spec's setup made one
	gateA1            domain.User        // a caller: a guard of A1
	gateTarget        domain.User        // a guard of A1 that no caller is: the target gate account
	viewerA           domain.User        // a caller: a wall screen of township A
	viewerTarget      domain.User        // a wall screen of township A that no caller is: the target viewer account
	robot             *notifytest.Server // the local robot of A1's groups, when the spec's setup made one
	channel           int64              // A1's group, when the spec's setup made one
	workbook          []byte
	seq               int
}

func newAuthzWorld(t *testing.T, db *repo.DB) *authzWorld {
	t.Helper()
	f := newFixture(t, db)
	w := &authzWorld{fixture: f}
	ctx := context.Background()
	w.hrA2 = f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID)
	w.userA1 = f.staff(f.adminA, "hra1b", domain.RoleEnterpriseHR, f.entA1.ID)
	w.adminA2 = f.staff(f.adminA, "admina2", domain.RoleTownAdmin, 0)
	w.supB1 = f.staff(f.adminB, "supb1", domain.RoleSupervisor, 0)
	w.hrB1 = f.staff(f.adminB, "hrb1", domain.RoleEnterpriseHR, f.entB1.ID)
	w.gateA1 = f.staff(f.adminA, "gatea1", domain.RoleGate, f.entA1.ID)
	w.gateTarget = f.staff(f.adminA, "gatea1b", domain.RoleGate, f.entA1.ID)
	w.viewerA = f.staff(f.adminA, "viewera", domain.RoleViewer, 0)
	w.viewerTarget = f.staff(f.adminA, "viewera2", domain.RoleViewer, 0)
	if _, err := f.svc.Enterprises.SetSupervisors(ctx, f.adminB.Actor(), f.entB1.ID, []int64{w.supB1.ID}); err != nil {
		t.Fatal(err)
	}
	w.wkA1 = w.worker(f.hrA1, f.entA1, 1, "职工甲")
	w.wkA2 = w.worker(w.hrA2, f.entA2, 2, "职工乙")
	w.wkB1 = w.worker(w.hrB1, f.entB1, 3, "职工丙")
	w.target = w.worker(f.hrA1, f.entA1, 4, "目标职工")
	w.enrolled(w.target)
	w.resetee = w.worker(f.hrA1, f.entA1, 5, "重置职工")
	w.enrolled(w.resetee)
	// This morning's check-ins: wkA1's, and the target's with a cough, which opens an alert.
	temp := 36.6
	results, err := f.svc.Checkins.SubmitForWorkers(ctx, f.hrA1.Actor(), f.entA1.ID, []domain.CheckinInput{
		{WorkerID: w.wkA1.ID, Slot: domain.SlotAM, Temperature: &temp},
		{WorkerID: w.target.ID, Slot: domain.SlotAM, Temperature: &temp, Symptoms: []string{"dry_cough"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("seed check-in %d: %v", r.Index, r.Err)
		}
	}
	w.tokens = map[string]string{}
	w.accounts = map[string]domain.User{"root": f.platform, "townA": f.adminA, "townB": f.adminB, "supA1": f.supA,
		"supA2": f.supA2, "supB1": w.supB1, "hrA1": f.hrA1, "hrA2": w.hrA2, "hrB1": w.hrB1,
		"gateA1": w.gateA1, "viewerA": w.viewerA}
	for name, u := range w.accounts {
		w.tokens[name] = f.token(u.Username)
	}
	for name, wk := range map[string]domain.Worker{"wkA1": w.wkA1, "wkA2": w.wkA2, "wkB1": w.wkB1} {
		w.tokens[name] = w.workerLogin(wk)
	}
	return w
}

// worker puts a person on an enterprise's roster, back ten days ago and so on duty.
func (w *authzWorld) worker(hr domain.User, e domain.Enterprise, n int, name string) domain.Worker {
	w.t.Helper()
	wk, _, err := w.svc.Workers.Create(context.Background(), hr.Actor(), e.ID, domain.WorkerInput{
		Name: name, IDNumber: idNumber(n), Phone: fmt.Sprintf("1390000%04d", n), OriginRegion: "371681", ArrivedOn: dayFromToday(-10),
	})
	if err != nil {
		w.t.Fatalf("worker %s: %v", name, err)
	}
	if wk.Status != domain.WorkerOnDuty {
		w.t.Fatalf("worker %s: got status %s, want on_duty", name, wk.Status)
	}
	return wk
}

// enrolled gives a worker testPIN, as their enrolment would.
func (w *authzWorld) enrolled(wk domain.Worker) {
	w.t.Helper()
	if _, err := repo.Stores(w.db, dbtest.Box()).Workers.SetPIN(context.Background(), domain.WorkerPIN{WorkerID: wk.ID, Hash: testPINHash(w.t), SetAt: time.Now()}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *authzWorld) workerLogin(wk domain.Worker) string {
	w.t.Helper()
	e, err := repo.Stores(w.db, dbtest.Box()).Enterprises.Get(context.Background(), wk.EnterpriseID)
	if err != nil {
		w.t.Fatal(err)
	}
	w.enrolled(wk)
	res := w.do(http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{
		"enterprise_code": e.Code, "phone": wk.Phone, "pin": testPIN})
	if res.status != http.StatusOK {
		w.t.Fatalf("worker login %s: got %d %s", wk.Name, res.status, res.body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	res.decode(w.t, &tok)
	return tok.AccessToken
}

// ownAccount is the caller's own account; callers without one (workers) get the target
// account, which their role may not reach either.
func (w *authzWorld) ownAccount() int64 {
	if u, ok := w.accounts[w.caller]; ok {
		return u.ID
	}
	return w.userA1.ID
}

// ownUsername tells an answer about the caller's own account.
func (w *authzWorld) ownUsername() string {
	u, ok := w.accounts[w.caller]
	if !ok {
		u = w.userA1
	}
	return fmt.Sprintf(`"username":%q`, u.Username)
}

// use makes t the test that the world's helpers report to, for the row about to run.
func (w *authzWorld) use(t *testing.T) {
	w.t = t
}

func (w *authzWorld) next() int {
	w.seq++
	return w.seq
}

// must sends a request of a setup and fails unless it gets want.
func (w *authzWorld) must(method, path, token string, body any, want int) response {
	w.t.Helper()
	res := w.do(method, path, token, body)
	if res.status != want {
		w.t.Fatalf("setup %s %s: got %d %s, want %d", method, path, res.status, res.body, want)
	}
	return res
}

// planAt gives A1 a plan that has come as far as stage: draft, submitted or approved.
func planAt(stage string) func(w *authzWorld) {
	return func(w *authzWorld) {
		hr := w.tokens["hrA1"]
		w.plan = planID(w.t, w.must(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/plans", w.entA1.ID), hr, fullPlan(), http.StatusCreated))
		plan := fmt.Sprintf("/api/v1/plans/%d", w.plan)
		if stage == "draft" {
			return
		}
		w.must(http.MethodPost, plan+"/submit", hr, nil, http.StatusOK)
		if stage == "submitted" {
			return
		}
		w.must(http.MethodPost, plan+"/approve", w.tokens["supA1"], map[string]string{"comment": "同意"}, http.StatusOK)
	}
}

// recoveryReason is the platform admin's reason for recovering township A's second town admin.
const recoveryReason = "原管理员手机丢失,经镇政府书面申请重置"

// recoverAdminA2 has the platform admin give township A's second town admin a new password,
// with a reason: township A's admin gets a notice of it, the target of the notices' rows.
func (w *authzWorld) recoverAdminA2() {
	w.must(http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", w.adminA2.ID), w.tokens["root"],
		map[string]any{"password": "Recovered-2020", "reason": recoveryReason}, http.StatusOK)
	var got struct{ Items []struct{ ID int64 } }
	w.must(http.MethodGet, "/api/v1/notices?unread=true", w.tokens["townA"], nil, http.StatusOK).decode(w.t, &got)
	if len(got.Items) != 1 {
		w.t.Fatalf("setup: got %d unread notices for township A's admin, want 1", len(got.Items))
	}
	w.notice = got.Items[0].ID
}

// passToken signs a pass token of the worker (as GET /me/pass gives their phone), with the
// app's keys.
func (w *authzWorld) passToken(wk domain.Worker) string {
	w.t.Helper()
	tok, _, err := (&api.PassTokens{Access: w.fixture.tokens}).Issue(wk.ID, wk.TownshipID)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

// spotCheck has A1's supervisor measure the target worker at the gate.
func (w *authzWorld) spotCheck() {
	w.must(http.MethodPost, "/api/v1/spot-checks", w.tokens["supA1"],
		map[string]any{"worker_id": w.target.ID, "present": true, "temperature": 36.6}, http.StatusCreated)
}

// inspect records an inspection of A1 with a failed item, whose rectification stays open.
// shiftA1 names A1's shifts in the matrix.
func shiftA1(*authzWorld) string { return "A1早班" }

// newShift adds a shift of A1 through the store and returns its ID.
func (w *authzWorld) newShift(name string) int64 {
	w.t.Helper()
	sh := domain.Shift{TownshipID: w.entA1.TownshipID, EnterpriseID: w.entA1.ID, Name: name, Capacity: 30}
	if err := repo.Stores(w.db, dbtest.Box()).Shifts.Create(context.Background(), &sh); err != nil {
		w.t.Fatalf("shift %s: %v", name, err)
	}
	return sh.ID
}

func (w *authzWorld) shifts() { w.shift = w.newShift(shiftA1(w)) }

// batches approves a plan of A1 and gives A1 a batch of it.
func (w *authzWorld) batches() {
	planAt("approved")(w)
	b := []domain.ReturnBatch{{TownshipID: w.entA1.TownshipID, PlanID: w.plan, Number: 1, Date: domain.DateFromTime(time.Now()), Planned: 10}}
	if err := repo.Stores(w.db, dbtest.Box()).Batches.Replace(context.Background(), w.entA1.ID, b); err != nil {
		w.t.Fatalf("batches: %v", err)
	}
}

func (w *authzWorld) inspect() {
	checklist := passingChecklist()
	checklist["disinfection_log"] = false
	w.must(http.MethodPost, fmt.Sprintf("/api/v1/enterprises/%d/inspections", w.entA1.ID), w.tokens["supA1"], map[string]any{
		"visited_on": dayFromToday(0), "checklist": checklist, "findings": "消毒记录缺失", "rectification_deadline": dayFromToday(7),
	}, http.StatusCreated)
}

// freshAlert opens a fever alert of the target worker on a day no other alert of theirs has.
func channelA1Name(*authzWorld) string { return "一号纺织复工群" }

// channels gives A1 its group, HR's, on a local robot, with a failed message.
func (w *authzWorld) channels() {
	w.robot = localRobot(w.t)
	w.channel = w.freshChannel()
	w.failedMessage(w.townA.ID, w.channel)
}

// freshChannel makes another group of A1, as its HR.
func (w *authzWorld) freshChannel() int64 {
	w.t.Helper()
	name := channelA1Name(w)
	if w.channel != 0 {
		name = fmt.Sprintf("一号纺织群%d", w.next())
	}
	c, err := w.svc.Channels.Create(context.Background(), w.hrA1.Actor(), domain.ChannelInput{Kind: domain.KindWeCom,
		Name: name, URL: w.robot.Channel().URL})
	if err != nil {
		w.t.Fatalf("channel: %v", err)
	}
	return c.ID
}

func (w *authzWorld) freshAlert() int64 {
	w.t.Helper()
	ctx := context.Background()
	alerts := repo.Stores(w.db, dbtest.Box()).Alerts
	day := w.townA.Today(time.Now()).AddDays(-w.next())
	a := domain.Alert{TownshipID: w.townA.ID, EnterpriseID: w.entA1.ID, WorkerID: w.target.ID, Type: domain.AlertFever,
		Date: day, Status: domain.AlertOpen, Detail: "体温 38.1 °C"}
	if _, err := alerts.Raise(ctx, []domain.Alert{a}); err != nil {
		w.t.Fatal(err)
	}
	found, _, err := alerts.List(ctx, domain.AlertFilter{WorkerID: w.target.ID, Date: day, Type: domain.AlertFever, Page: domain.Page{Limit: 1}})
	if err != nil || len(found) != 1 {
		w.t.Fatalf("fresh alert: got %v, %v", found, err)
	}
	return found[0].ID
}

// targetCheckin is a check-in of the target worker's own, made once.
func (w *authzWorld) targetCheckin() int64 {
	w.t.Helper()
	ctx := context.Background()
	st := repo.Stores(w.db, dbtest.Box())
	day := w.townA.Today(time.Now())
	if c, err := st.Checkins.Get(ctx, w.target.ID, day, domain.SlotAM); err == nil {
		return c.ID
	}
	c := domain.Checkin{TownshipID: w.townA.ID, EnterpriseID: w.entA1.ID, WorkerID: w.target.ID, Date: day,
		Slot: domain.SlotAM, Temperature: 365, Location: domain.AtWork}
	if _, err := st.Checkins.Upsert(ctx, &c); err != nil {
		w.t.Fatal(err)
	}
	return c.ID
}

// roster is a filled template with one new person, made once.
func (w *authzWorld) roster() []byte {
	if w.workbook == nil {
		w.workbook = w.filledTemplate(w.tokens["hrA1"], 1, nil)
	}
	return w.workbook
}

// run calls the row's route as every caller, the refused first, and returns how many calls
// it made.
func (w *authzWorld) run(row authzRow, spec authzSpec) int {
	order := make([]int, len(authzCallers))
	for i := range order {
		order[i] = i
	}
	rank := func(cell string) int { return map[string]int{cellOwn: 1, cellOK: 2}[cell] }
	slices.SortStableFunc(order, func(a, b int) int { return rank(row.want[a]) - rank(row.want[b]) })
	got := make([]string, len(authzCallers))
	calls := 0
	for _, i := range order {
		c := authzCallers[i]
		w.caller = c.name
		status, text := w.call(row, spec, w.tokens[c.name], 0)
		calls++
		got[i] = w.check(row, spec, c, row.want[i], status, text)
		// Whoever may not see A1's records must not be able to tell the target from nothing:
		// the same answer as for an ID that names no record.
		if spec.id != nil && !spec.own && c.role != "" && !c.inScope && !allowed(row.want[i]) {
			missing, _ := w.call(row, spec, w.tokens[c.name], missingID)
			calls++
			if missing != status {
				w.t.Errorf("LEAK: %s as %s (%s): got %d for the target but %d for an ID that names nothing, "+
					"want the same answer (it tells that the target exists)", row.key, c.name, c.who, status, missing)
			}
		}
	}
	if w.t.Failed() {
		w.t.Logf("got row:\n\t{%q, %q},", formatCells(got), row.key)
	}
	return calls
}

// missingID names no record in any table.
const missingID = 987654321

// check holds one answer to its cell and returns the cell the answer makes.
func (w *authzWorld) check(row authzRow, spec authzSpec, c authzCaller, want string, status int, text string) string {
	t := w.t
	t.Helper()
	as := fmt.Sprintf("%s as %s (%s)", row.key, c.name, c.who)
	ok := status >= 200 && status < 300
	switch {
	case ok && !allowed(want):
		t.Errorf("LEAK: %s: got %d, want %s; answer: %.300s", as, status, want, text)
	case !ok && allowed(want):
		t.Errorf("%s: got %d, want a 2xx (%s); answer: %.300s", as, status, want, text)
	case !ok && strconv.Itoa(status) != want:
		t.Errorf("%s: got %d, want %s; answer: %.300s", as, status, want, text)
	}
	if !ok {
		return strconv.Itoa(status)
	}
	if spec.never != nil && strings.Contains(text, spec.never(w)) {
		t.Errorf("LEAK: %s: the answer holds a whole ID number; answer: %.300s", as, text)
	}
	if spec.marker == nil {
		return cellOK
	}
	marker := spec.marker(w)
	has := strings.Contains(text, marker)
	switch {
	case want == cellOK && !has:
		t.Errorf("%s: got a %d without %q, want the target in it; answer: %.300s", as, status, marker, text)
	case want == cellOwn && has:
		t.Errorf("LEAK: %s: got a %d showing the target (%q), want only the caller's own scope; answer: %.300s", as, status, marker, text)
	}
	if has {
		return cellOK
	}
	return cellOwn
}

func formatCells(cells []string) string {
	var b strings.Builder
	for _, c := range cells {
		fmt.Fprintf(&b, "%-*s", authzCellWidth, c)
	}
	return b.String()
}

// call sends the row's request with token and returns the status and the answer as text: a
// workbook's cells, nothing of an event stream (it would go on until the token expires). The
// id, when not 0, stands in for the spec's.
func (w *authzWorld) call(row authzRow, spec authzSpec, token string, id int64) (int, string) {
	t := w.t
	t.Helper()
	method, path, _ := strings.Cut(row.route, " ")
	if spec.id != nil {
		if id == 0 {
			id = spec.id(w)
		}
		path = strings.Replace(path, ":id", strconv.FormatInt(id, 10), 1)
	}
	var query []string
	if row.query != "" {
		query = append(query, row.query)
	}
	if spec.query != nil {
		query = append(query, spec.query(w))
	}
	if len(query) > 0 {
		path += "?" + strings.Join(query, "&")
	}
	var body io.Reader
	contentType := ""
	switch {
	case spec.upload != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		part, err := mw.CreateFormFile("file", "花名册.xlsx")
		if err != nil {
			t.Fatal(err)
		}
		part.Write(spec.upload(w))
		mw.Close()
		body, contentType = &buf, mw.FormDataContentType()
	case spec.body != nil:
		b, err := json.Marshal(spec.body(w))
		if err != nil {
			t.Fatal(err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, w.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		return res.StatusCode, ""
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if res.Header.Get("Content-Type") == xlsxType {
		return res.StatusCode, workbookText(t, b)
	}
	return res.StatusCode, string(b)
}

// workbookText is every cell of every sheet of a workbook, for markers to be looked for in.
func workbookText(t testing.TB, b []byte) string {
	t.Helper()
	book, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("workbook: %v", err)
	}
	defer book.Close()
	var out strings.Builder
	for _, sheet := range book.GetSheetList() {
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatalf("workbook sheet %s: %v", sheet, err)
		}
		for _, r := range rows {
			out.WriteString(strings.Join(r, "\t"))
			out.WriteString("\n")
		}
	}
	return out.String()
}
