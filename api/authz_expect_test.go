package api_test

// authzTable is who may call what: one row per route the app serves (and per variant of one:
// a query, "?reveal=true", or a name after "#" for another target or body, which the spec in
// authzSpecs gives), one cell per caller of authzCallers. The target of every row belongs to
// enterprise A1 of township A; "B" callers are of township B, "A2" callers of the other
// enterprise of township A. It is what the product should do, by the roles of API.md and
// DESIGN.md ("a worker sees only themself, HR only their enterprise, a supervisor only assigned
// enterprises, a town admin only their township"), checked by TestAuthzMatrix.
//
// Cells:
//   - ok: a 2xx that shows the target (the spec's marker in authzSpecs, when it has one);
//   - own: a 2xx about the caller's own scope only (a list, a dashboard, a report of their own
//     township or enterprise): the marker must not be in it;
//   - a status: the refusal. 401 without a token. 403 for a role the route is not for, decided
//     before any record is read, or for an in-scope caller who may read the record but not do
//     this to it. 404 for a record out of the caller's scope: the service hides that it exists,
//     so a stranger's 404 is the same as for an ID that names nothing.
//
// Where a cell is neither of these for a reason of its own, a comment above the row says why.
//
// The platform admin ("root") is the SaaS operator: it opens townships and keeps their town
// admin accounts, and reads nothing a township runs (enterprises, plans, inspections, rosters,
// check-ins, alerts, dashboards, reports), which holds its people's personal data. Those routes
// refuse it as a role, 403, the same for a record that exists and one that does not.
//
// The guard ("gateA1", a gate account of A1, issue 19) scans passes and measures at the gate,
// and reads nothing else: a route not for it refuses it as a role, 403, or, where the service
// reads the record first and finds it out of the guard's scope, 404, as for a worker of A1
// (CanSeeEnterprise gives a guard no enterprise); either way the same for a record that exists
// and one that does not. Its own account, notices and sign-out are every staff user's.
//
// The wall screen ("viewerA", a viewer of township A, issue 21) reads the township's figures
// (the dashboard, its stream, the passes and spot checks counted by enterprise, the open alerts
// without names) as the town admin does, and nothing else: every other route refuses it as a
// role, 403, before any record is read. Its own account, notices and sign-out are every staff
// user's.
var authzTable = []struct{ cells, key string }{
	// Operations and the auth endpoints answer everyone; a token sent along is ignored.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "GET /healthz"},
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "GET /readyz"},
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "GET /api/openapi.json"},
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "POST /api/v1/auth/login"},
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "POST /api/v1/auth/worker-login"},
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "POST /api/v1/auth/worker-enrol"},
	{"ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "POST /api/v1/auth/refresh"},
	// Signing out and reading oneself are about the caller alone.
	{"401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "POST /api/v1/auth/logout"},
	{"401   ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ok    ", "GET /api/v1/me"},

	// Townships are the platform's; a town admin reads and sets their own.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   ok    403   403   403   403   403   403   403   403   403   403   403   403   403   ", "POST /api/v1/townships"},
	{"401   ok    403   403   403   403   403   403   403   403   403   403   403   403   403   ", "GET /api/v1/townships"},
	{"401   ok    ok    404   403   403   403   403   403   403   403   403   403   403   403   ", "GET /api/v1/townships/:id"},
	{"401   ok    ok    404   403   403   403   403   403   403   403   403   403   403   403   ", "PATCH /api/v1/townships/:id"},

	// The audit log: a town admin reads their township's, the platform admin every township's
	// (it holds no personal data: details never carry ID numbers or phones). The target is the
	// events about enterprise A1.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   ok    ok    own   403   403   403   403   403   403   403   403   403   403   403   ", "GET /api/v1/audit"},

	// Notices are each reader's own: the target is township A's admin's notice that the platform
	// admin reset its second town admin's password. Everyone else lists their own (none), and
	// finds no such notice to mark read; workers have no account, so no notices.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   own   ok    own   own   own   own   own   own   own   403   403   403   own   own   ", "GET /api/v1/notices"},
	{"401   404   ok    404   404   404   404   404   404   404   403   403   403   404   404   ", "POST /api/v1/notices/:id/read"},

	// Accounts are the town admins' (of their township) and the platform admin's (the town
	// admins of every township, nobody else's). The new account is HR of A1: the platform admin
	// makes no HR account (422 names role), and township B's admin has no such enterprise (422
	// names enterprise_id). The target account is another HR account of A1. HR makes only gate
	// accounts (422 names role) and manages only its enterprise's: another account is not
	// found (404), and its list holds only its guards (own).
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   422   ok    422   403   403   403   422   422   422   403   403   403   403   403   ", "POST /api/v1/users"},
	{"401   own   ok    own   403   403   403   own   own   own   403   403   403   403   403   ", "GET /api/v1/users"},
	{"401   404   ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "GET /api/v1/users/:id"},
	{"401   404   ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "PATCH /api/v1/users/:id"},
	// Gate accounts (门岗, issue 19): HR makes them for its own enterprise (hrA2 makes one of A2,
	// hrB1 one of B1, whatever the body says: their own), lists, reads and disables them; a town
	// admin may for any enterprise of its township (B's admin has no A1: 422 enterprise_id); the
	// platform admin makes only town admins (422 role). The target is a guard of A1 no caller is.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   422   ok    422   403   403   403   ok    own   own   403   403   403   403   403   ", "POST /api/v1/users#gate"},
	{"401   422   ok    own   403   403   403   ok    own   own   403   403   403   403   403   ", "GET /api/v1/users#gate-accounts"},
	{"401   404   ok    404   403   403   403   ok    404   404   403   403   403   403   403   ", "GET /api/v1/users/:id#gate"},
	{"401   404   ok    404   403   403   403   ok    404   404   403   403   403   403   403   ", "PATCH /api/v1/users/:id#gate"},
	// Wall screen accounts (大屏, issue 21) are the town's: a town admin makes one of its own
	// township (B's admin makes B's: own), lists, reads and disables them; the platform admin
	// makes and lists only town admins, HR makes only guards (422 role). The target is a wall
	// screen of A no caller is.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   422   ok    own   403   403   403   422   422   422   403   403   403   403   403   ", "POST /api/v1/users#viewer"},
	{"401   422   ok    own   403   403   403   own   own   own   403   403   403   403   403   ", "GET /api/v1/users#viewers"},
	{"401   404   ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "GET /api/v1/users/:id#viewer"},
	{"401   404   ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "PATCH /api/v1/users/:id#viewer"},
	// A second town admin of township A: the platform admin makes, lists, reads and disables
	// town admins; township B's admin makes theirs in B (the body's township_id is not theirs
	// to name) and sees only B's. HR's list of accounts is of its guards whatever role it asks.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   ok    ok    own   403   403   403   422   422   422   403   403   403   403   403   ", "POST /api/v1/users#town-admin"},
	{"401   ok    ok    own   403   403   403   own   own   own   403   403   403   403   403   ", "GET /api/v1/users#town-admins"},
	{"401   ok    ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "GET /api/v1/users/:id#town-admin"},
	{"401   ok    ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "PATCH /api/v1/users/:id#town-admin"},
	// A new password for township A's second town admin: the platform admin's is an account
	// recovery and needs a reason (422 names reason without one); a town admin's own colleague's
	// needs none.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   ok    ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "PATCH /api/v1/users/:id#town-admin-password"},
	{"401   422   ok    404   403   403   403   404   404   404   403   403   403   403   403   ", "PATCH /api/v1/users/:id#town-admin-password-no-reason"},
	// One's own account, for every staff user; workers have none. A new password needs the
	// current one (422 names current_password when it is missing or wrong), and nobody changes
	// their own role, enterprise, township or enabled state (422 names the field).
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   ok    ok    ok    ok    ok    ok    ok    ok    ok    403   403   403   ok    ok    ", "GET /api/v1/users/:id#own"},
	{"401   ok    ok    ok    ok    ok    ok    ok    ok    ok    403   403   403   ok    ok    ", "PATCH /api/v1/users/:id#own-password"},
	{"401   422   422   422   422   422   422   422   422   422   403   403   403   422   422   ", "PATCH /api/v1/users/:id#own-password-no-current"},
	{"401   422   422   422   422   422   422   422   422   422   403   403   403   422   422   ", "PATCH /api/v1/users/:id#own-password-wrong-current"},
	{"401   422   422   422   422   422   422   422   422   422   403   403   403   422   422   ", "PATCH /api/v1/users/:id#own-role"},
	{"401   422   422   422   422   422   422   422   422   422   403   403   403   422   422   ", "PATCH /api/v1/users/:id#own-enterprise"},
	{"401   422   422   422   422   422   422   422   422   422   403   403   403   422   422   ", "PATCH /api/v1/users/:id#own-township"},
	{"401   422   422   422   422   422   422   422   422   422   403   403   403   422   422   ", "PATCH /api/v1/users/:id#own-active"},

	// Enterprises. A town admin registers them in their own township: the body's zone 一区 is
	// township A's, so B's admin gets the 422 that names it. Only town admins assign supervisors.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   ok    422   403   403   403   403   403   403   403   403   403   403   403   ", "POST /api/v1/enterprises"},
	{"401   403   ok    own   ok    own   own   ok    own   own   403   403   403   403   403   ", "GET /api/v1/enterprises"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id"},
	{"401   403   ok    404   403   404   404   ok    404   404   404   404   404   404   403   ", "PATCH /api/v1/enterprises/:id"},
	{"401   403   ok    404   403   403   403   403   403   403   403   403   403   403   403   ", "PUT /api/v1/enterprises/:id/supervisors"},
	// Only the town suspends an enterprise and lifts the suspension; everyone who may see the
	// enterprise reads its status history (HR and supervisors must see why it was stopped).
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   ok    404   403   403   403   403   403   403   403   403   403   403   403   ", "POST /api/v1/enterprises/:id/suspend"},
	{"401   403   ok    404   403   403   403   403   403   403   403   403   403   403   403   ", "POST /api/v1/enterprises/:id/resume"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/status-history"},

	// Reopening plans: HR of the enterprise writes, its supervisor decides and confirms the
	// reopening; everyone who may see the enterprise (but workers) reads.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/plans"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/plans"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   403   ", "GET /api/v1/plans"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/plans/:id"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "PUT /api/v1/plans/:id"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/plans/:id/copy"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/plans/:id/submit"},
	{"401   403   403   404   ok    404   404   403   404   404   404   404   404   404   403   ", "POST /api/v1/plans/:id/approve"},
	{"401   403   403   404   ok    404   404   403   404   404   404   404   404   404   403   ", "POST /api/v1/plans/:id/reject"},
	{"401   403   403   404   ok    404   404   403   404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/reopen"},

	// Return batches and shifts (issue 18): the enterprise's staff read them; its HR and its
	// supervisors keep the shifts; the town reads, and leaves the keeping to them.
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/batches"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/shifts"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/return-progress"},
	{"401   403   403   404   ok    404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/shifts"},
	{"401   403   403   404   ok    404   404   ok    404   404   404   404   404   404   403   ", "PUT /api/v1/shifts/:id"},
	{"401   403   403   404   ok    404   404   ok    404   404   404   404   404   404   403   ", "DELETE /api/v1/shifts/:id"},

	// Inspections: the enterprise's supervisor records them; the open rectifications are the
	// supervisors' and town admins' work list.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   403   404   ok    404   404   403   404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/inspections"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/inspections"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   403   ", "GET /api/v1/inspections"},

	// The roster: HR of the enterprise keeps it; whoever may see the enterprise reads it, ID
	// numbers masked; only its HR reads one whole.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/workers"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/workers"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/workers/:id"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/workers/:id?reveal=true"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "PATCH /api/v1/workers/:id"},
	// Only HR resets a worker's PIN: the route is theirs, so other roles are refused before any
	// record is read (403), and HR of another enterprise does not learn the worker exists.
	{"401   403   403   403   403   403   403   ok    404   404   403   403   403   403   403   ", "POST /api/v1/workers/:id/reset-pin"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/workers/import"},
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/workers/import-template"},
	// Only HR puts its workers in batches and shifts (issue 18).
	{"401   403   403   404   403   404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/enterprises/:id/workers/assign"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/workers/export"},
	// Region search serves the township staff's roster forms; workers, who fill in none, and the
	// platform admin, who keeps no roster, are refused.
	{"401   403   ok    ok    ok    ok    ok    ok    ok    ok    403   403   403   403   403   ", "GET /api/v1/regions"},

	// Check-ins and alerts. A worker checks in for themself only; HR reports for its own
	// workers; alerts are handled by the enterprise's HR, its supervisor and the town.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   403   403   403   403   403   403   403   403   ok    ok    ok    403   403   ", "POST /api/v1/checkins"},
	{"401   403   403   403   403   403   403   403   403   403   ok    own   own   403   403   ", "GET /api/v1/checkins/me"},
	{"401   403   403   403   403   403   403   ok    404   404   403   403   403   403   403   ", "POST /api/v1/enterprises/:id/checkins"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/enterprises/:id/checkins"},
	// A slot's readings (the target worker's): whoever sees the enterprise, and the worker
	// themself (no caller here). Correcting them is HR's and the supervisor's; the town admin
	// sees them but corrects nothing.
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   404   403   ", "GET /api/v1/checkins/:id/readings"},
	{"401   403   403   404   ok    404   404   ok    404   404   404   404   404   404   403   ", "POST /api/v1/checkins/:id/correct"},
	{"401   403   ok    own   ok    own   own   ok    own   own   403   403   403   403   403   ", "GET /api/v1/alerts"},
	// In bulk, an alert out of the caller's scope is a 404 for the whole request, as one alone is.
	{"401   403   ok    404   ok    404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/alerts/acknowledge"},
	{"401   403   ok    404   ok    404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/alerts/resolve"},
	{"401   403   ok    404   ok    404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/alerts/:id/acknowledge"},
	{"401   403   ok    404   ok    404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/alerts/:id/resolve"},

	// The township's monitoring: town admins and supervisors, each of their own scope; the
	// reports are the town admins'.
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/summary"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/trend"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/return-curve"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/enterprises"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/stream"},
	// The wall screen's rolling list (issue 21): the open alerts of the caller's scope, no
	// worker in them (the spec's never: the target worker's name).
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/open-alerts"},
	{"401   403   ok    own   403   403   403   403   403   403   403   403   403   403   403   ", "GET /api/v1/reports/daily.xlsx"},
	{"401   403   ok    own   403   403   403   403   403   403   403   403   403   403   403   ", "GET /api/v1/reports/range.xlsx"},

	// The return-to-work pass and the gate (issue 19). A worker reads their own pass (the target
	// is wkA1's); the gate (A1's supervisor, A1's guard) scans the target worker's pass, by its
	// token or by phone, and records a measurement of them; whoever has no such worker in scope
	// finds nobody (404; 422 naming token for a token of another township, which is no token
	// here; 422 naming worker_id for a measurement).
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   403   403   403   403   403   403   403   403   ok    own   own   403   403   ", "GET /api/v1/me/pass"},
	{"401   403   403   403   ok    404   422   403   403   403   403   403   403   ok    403   ", "POST /api/v1/gate/scan"},
	{"401   403   403   403   ok    404   404   403   403   403   403   403   403   ok    403   ", "POST /api/v1/gate/scan#phone"},
	{"401   403   403   403   ok    422   422   403   403   403   403   403   403   ok    403   ", "POST /api/v1/spot-checks"},
	// The spot checks recorded (the target's): each sees their scope's; a guard its enterprise's.
	{"401   403   ok    own   ok    own   own   ok    own   own   403   403   403   ok    403   ", "GET /api/v1/spot-checks"},
	{"401   403   403   403   ok    own   own   403   403   403   403   403   403   ok    403   ", "GET /api/v1/spot-checks/sample"},
	// Revoking and restoring a pass: the staff in scope, not the guard.
	{"401   403   ok    404   ok    404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/workers/:id/pass/revoke"},
	{"401   403   ok    404   ok    404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/workers/:id/pass/restore"},
	// The figures: the township's monitoring; an enterprise's for whoever sees it, but its guard.
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/passes"},
	{"401   403   ok    own   ok    own   own   403   403   403   403   403   403   403   ok    ", "GET /api/v1/dashboard/spot-checks"},
	{"401   403   ok    404   ok    404   404   ok    404   404   404   404   404   403   403   ", "GET /api/v1/enterprises/:id/spot-checks/figures"},

	// Group robots (群机器人, issue 20). The target is A1's group, HR's: HR keeps its enterprise's,
	// a town admin every channel of its township, a supervisor only its own (scope supervisor),
	// so A1's supervisor does not find A1's group. A new channel is A1's group: a supervisor or
	// another enterprise's HR may not name that scope or enterprise, B's admin has no A1 (422).
	// anon root  townA townB supA1 supA2 supB1 hrA1  hrA2  hrB1  wkA1  wkA2  wkB1  gateA1 viewerA
	{"401   403   ok    own   own   own   own   ok    own   own   403   403   403   403   403   ", "GET /api/v1/channels"},
	{"401   403   ok    422   422   422   422   ok    422   422   403   403   403   403   403   ", "POST /api/v1/channels"},
	{"401   403   ok    404   404   404   404   ok    404   404   403   403   403   403   403   ", "PATCH /api/v1/channels/:id"},
	{"401   403   ok    404   404   404   404   ok    404   404   403   403   403   403   403   ", "DELETE /api/v1/channels/:id"},
	{"401   403   ok    404   404   404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/channels/:id/test"},
	// The messages of the channels one keeps: the target is a failed message to A1's group.
	{"401   403   ok    own   own   own   own   ok    own   own   403   403   403   403   403   ", "GET /api/v1/messages"},
	{"401   403   ok    404   404   404   404   ok    404   404   403   403   403   403   403   ", "POST /api/v1/messages/:id/retry"},
	// What the demo's local robots received: only serve --demo has them, and the matrix's app
	// is not the demo, so the staff it is for find nothing.
	{"401   403   404   404   404   404   404   404   404   404   403   403   403   403   403   ", "GET /api/v1/demo/group-messages"},
}
