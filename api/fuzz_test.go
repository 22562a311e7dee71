package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"fugong/api"
	"fugong/domain"
	"fugong/internal/app"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// writeCall is how the fuzz target calls one write route: as whom, on which record, and a body
// the route accepts, from which the seeds are made.
type writeCall struct {
	path  string // with the fixture's ids in place of :id
	token string // "" for the public routes
	valid map[string]any
	// mayWrite names the tables a refusal of this route writes by design: a failed sign-in
	// is counted, a spent refresh token presented again revokes its family.
	mayWrite []string
}

// notFuzzed are the write routes FuzzWriteRoutes leaves out, and why.
var notFuzzed = map[string]string{
	"POST /enterprises/:id/workers/import": "a multipart workbook, not JSON: fuzzed with the Excel import",
}

// writeFixture is the real Echo app on SQLite with a record for every write route to act on,
// and tokens of a caller allowed on each, which live long enough for any fuzzing run.
type writeFixture struct {
	*fixture
	routes []api.Route // the write routes, sorted by method and path
	calls  map[string]writeCall
}

func newWriteFixture(tb testing.TB, db *repo.DB) *writeFixture {
	tb.Helper()
	f := newFixture(tb, db)
	ctx := context.Background()
	tokens := app.Tokens(f.tokens.Secret, 24*time.Hour)
	token := func(a domain.Actor) string {
		s, err := tokens.Issue(a)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("write fixture: %v", err)
		}
	}
	// Records of their own for the routes that could change their callers' standing: a
	// user to edit, an enterprise whose supervisors are replaced, workers to edit.
	hrA2 := f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID)
	victim := f.staff(f.adminA, "victim", domain.RoleSupervisor, 0)
	entA3 := f.enterprise(f.adminA, "长山三号建材有限公司", validCode("91371626MA3C8A03"), "一区")
	hr := f.hrA1.Actor()
	caller, _, err := f.svc.Workers.Create(ctx, hr, f.entA1.ID, domain.WorkerInput{Name: "打卡人", IDNumber: idNumber(1), Phone: "13900000001", OriginRegion: "371681"})
	must(err)
	edited, _, err := f.svc.Workers.Create(ctx, hr, f.entA1.ID, domain.WorkerInput{Name: "被改人", IDNumber: idNumber(2), Phone: "13900000002"})
	must(err)
	// A plan submitted for supA to approve or reject (A1), and a draft for hrA2 to edit (A2).
	post := func(path, tok string, body any, want int) response {
		tb.Helper()
		res := f.do(http.MethodPost, path, tok, body)
		if res.status != want {
			tb.Fatalf("write fixture: %s: got %d %s, want %d", path, res.status, res.body, want)
		}
		return res
	}
	var plan struct{ ID int64 }
	post(fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA1.ID), token(hr), fullPlan(), 201).decode(tb, &plan)
	post(fmt.Sprintf("/api/v1/plans/%d/submit", plan.ID), token(hr), nil, 200)
	var draft struct{ ID int64 }
	post(fmt.Sprintf("/api/v1/enterprises/%d/plans", f.entA2.ID), token(hrA2.Actor()), map[string]any{"expected_workers": 10}, 201).decode(tb, &draft)
	// A fever check-in raises the alert to acknowledge and resolve.
	var fever struct{ ID int64 }
	post("/api/v1/checkins", token(caller.Actor()), map[string]any{"slot": "am", "temperature": 38.6}, 201).decode(tb, &fever)
	var alerts struct{ Items []struct{ ID int64 } }
	res := f.do(http.MethodGet, "/api/v1/alerts", token(f.adminA.Actor()), nil)
	res.decode(tb, &alerts)
	if len(alerts.Items) == 0 {
		tb.Fatalf("write fixture: no alert in %s", res.body)
	}
	// An approved enterprise for the town admin to suspend and resume (A4, supervised by supA).
	entA4 := f.enterprise(f.adminA, "长山四号纺织有限公司", validCode("91371626MA3C8A04"), "一区")
	hrA4 := f.staff(f.adminA, "hra4", domain.RoleEnterpriseHR, entA4.ID)
	_, err = f.svc.Enterprises.SetSupervisors(ctx, f.adminA.Actor(), entA4.ID, []int64{f.supA.ID})
	must(err)
	var plan4 struct{ ID int64 }
	post(fmt.Sprintf("/api/v1/enterprises/%d/plans", entA4.ID), token(hrA4.Actor()), fullPlan(), 201).decode(tb, &plan4)
	post(fmt.Sprintf("/api/v1/plans/%d/submit", plan4.ID), token(hrA4.Actor()), nil, 200)
	post(fmt.Sprintf("/api/v1/plans/%d/approve", plan4.ID), token(f.supA.Actor()), map[string]any{"comment": "同意"}, 200)
	// A notice for the town admin to mark read: the platform admin made a second town admin of A.
	_, err = f.svc.Users.Create(ctx, f.platform.Actor(), domain.NewUser{Username: "admina2", Password: password,
		Role: domain.RoleTownAdmin, Name: "第二专班", TownshipID: f.townA.ID, Reason: "镇政府来函增设专班管理员"})
	must(err)
	notices, _, err := f.svc.Notices.List(ctx, f.adminA.Actor(), domain.NoticeFilter{})
	must(err)
	if len(notices) != 1 {
		tb.Fatalf("write fixture: got %d notices for admina, want 1", len(notices))
	}
	// Signing out, and a spent refresh token presented again, end the account's access tokens:
	// accounts of their own, not those whose tokens the other routes go on using.
	f.staff(f.adminA, "refresher", domain.RoleSupervisor, 0)
	_, refresh := f.login("refresher")
	leaver := f.staff(f.adminA, "leaver", domain.RoleSupervisor, 0)
	_, ownRefresh := f.login("leaver")

	admin, sup := token(f.adminA.Actor()), token(f.supA.Actor())
	today := dayFromToday(0)
	ent := func(id int64, rest string) string { return fmt.Sprintf("/api/v1/enterprises/%d%s", id, rest) }
	shifts, err := f.svc.Stagger.Shifts(ctx, hr, f.entA1.ID)
	must(err)
	// A group robot of A1 on loopback (issue 20), with a message it refused for good.
	robot := localRobot(tb)
	var channel struct{ ID int64 }
	post("/api/v1/channels", token(hr), map[string]any{"kind": "wecom", "name": "一号纺织群", "url": robot.Channel().URL}, 201).decode(tb, &channel)
	failed := f.failedMessage(f.townA.ID, channel.ID)
	calls := map[string]writeCall{
		"POST /channels": {path: "/api/v1/channels", token: admin,
			valid: map[string]any{"scope": "zone", "zone_id": f.townA.Zones[0].ID, "kind": "dingtalk", "name": "一区防控群",
				"url": "https://oapi.dingtalk.com/robot/send?access_token=abc123", "secret": "SEC0123456789",
				"muted": []string{"missed"}, "quiet_from": "22:00", "quiet_to": "07:00"}},
		"PATCH /channels/:id": {path: fmt.Sprintf("/api/v1/channels/%d", channel.ID), token: token(hr),
			valid: map[string]any{"kind": "wecom", "name": "一号纺织复工群", "muted": []string{"reminder"}, "enabled": true}},
		"POST /channels/:id/test": {path: fmt.Sprintf("/api/v1/channels/%d/test", channel.ID), token: token(hr), valid: map[string]any{},
			mayWrite: []string{"audit_events", "channels"}},
		"POST /messages/:id/retry": {path: fmt.Sprintf("/api/v1/messages/%d/retry", failed), token: token(hr), valid: map[string]any{}},
		"POST /auth/login": {path: "/api/v1/auth/login", valid: map[string]any{"username": "hra1", "password": password},
			mayWrite: []string{"login_failures"}},
		"POST /auth/worker-login": {path: "/api/v1/auth/worker-login",
			valid:    map[string]any{"enterprise_code": f.entA1.Code, "phone": "13900000001", "pin": testPIN},
			mayWrite: []string{"login_failures"}},
		"POST /auth/worker-enrol": {path: "/api/v1/auth/worker-enrol",
			valid:    map[string]any{"enterprise_code": f.entA1.Code, "phone": "13900000001", "id_number": idNumber(1), "pin": testPIN},
			mayWrite: []string{"login_failures"}},
		"POST /auth/refresh": {path: "/api/v1/auth/refresh", valid: map[string]any{"refresh_token": refresh},
			mayWrite: []string{"refresh_tokens"}},
		"POST /auth/logout": {path: "/api/v1/auth/logout", token: token(leaver.Actor()), valid: map[string]any{"refresh_token": ownRefresh}},
		"POST /checkins": {path: "/api/v1/checkins", token: token(caller.Actor()),
			valid: map[string]any{"slot": "pm", "temperature": 36.6, "symptoms": []string{"fatigue"}, "location": "work", "date": today}},
		"POST /enterprises/:id/checkins": {path: ent(f.entA1.ID, "/checkins"), token: token(hr),
			valid: map[string]any{"items": []map[string]any{{"worker_id": edited.ID, "slot": "am", "temperature": 36.4}}}},
		"POST /checkins/:id/correct": {path: fmt.Sprintf("/api/v1/checkins/%d/correct", fever.ID), token: token(hr),
			valid: map[string]any{"temperature": 36.7, "note": "体温计故障,复测正常"}},
		"POST /alerts/acknowledge": {path: "/api/v1/alerts/acknowledge", token: admin,
			valid: map[string]any{"ids": []int64{alerts.Items[0].ID}, "note": "已电话联系"}},
		"POST /alerts/resolve": {path: "/api/v1/alerts/resolve", token: admin,
			valid: map[string]any{"ids": []int64{alerts.Items[0].ID}, "note": "复测体温正常"}},
		"POST /alerts/:id/acknowledge": {path: fmt.Sprintf("/api/v1/alerts/%d/acknowledge", alerts.Items[0].ID), token: admin,
			valid: map[string]any{"note": "已电话联系"}},
		"POST /alerts/:id/resolve": {path: fmt.Sprintf("/api/v1/alerts/%d/resolve", alerts.Items[0].ID), token: admin,
			valid: map[string]any{"note": "复测体温正常"}},
		"POST /enterprises": {path: "/api/v1/enterprises", token: admin,
			valid: enterpriseBody("长山五号电子有限公司", validCode("91371626MA3C8A05"), "二区")},
		"PATCH /enterprises/:id": {path: ent(entA3.ID, ""), token: admin,
			valid: map[string]any{"contact_phone": "0543-4321234", "headcount": 120, "address": "工业园二路 1 号"}},
		"PUT /enterprises/:id/supervisors": {path: ent(entA3.ID, "/supervisors"), token: admin,
			valid: map[string]any{"user_ids": []int64{f.supA.ID, f.supA2.ID}}},
		"POST /enterprises/:id/inspections": {path: ent(f.entA1.ID, "/inspections"), token: sup,
			valid: map[string]any{"visited_on": today, "findings": "消毒记录不全", "rectification_deadline": dayFromToday(3),
				"checklist": map[string]bool{"temperature_check": true, "masks_worn": true, "disinfection_log": false,
					"isolation_room_ready": true, "roster_up_to_date": true, "canteen_staggered": true}}},
		"POST /enterprises/:id/plans":  {path: ent(f.entA2.ID, "/plans"), token: token(hrA2.Actor()), valid: fullPlan()},
		"PUT /plans/:id":               {path: fmt.Sprintf("/api/v1/plans/%d", draft.ID), token: token(hrA2.Actor()), valid: fullPlan()},
		"POST /plans/:id/submit":       {path: fmt.Sprintf("/api/v1/plans/%d/submit", draft.ID), token: token(hrA2.Actor()), valid: map[string]any{}},
		"POST /plans/:id/approve":      {path: fmt.Sprintf("/api/v1/plans/%d/approve", plan.ID), token: sup, valid: map[string]any{"comment": "同意"}},
		"POST /plans/:id/reject":       {path: fmt.Sprintf("/api/v1/plans/%d/reject", plan.ID), token: sup, valid: map[string]any{"comment": "隔离室需独立设置"}},
		"POST /enterprises/:id/reopen": {path: ent(f.entA1.ID, "/reopen"), token: sup, valid: map[string]any{"date": today, "reason": "订单急需,首批人员已全部到岗"}},
		"POST /plans/:id/copy":         {path: fmt.Sprintf("/api/v1/plans/%d/copy", plan4.ID), token: token(hrA4.Actor()), valid: map[string]any{}},
		"POST /enterprises/:id/suspend": {path: ent(entA4.ID, "/suspend"), token: admin,
			valid: map[string]any{"reason": "食堂未落实分餐,停工整顿", "date": today}},
		"POST /enterprises/:id/resume": {path: ent(entA4.ID, "/resume"), token: admin, valid: map[string]any{"note": "已整改", "date": today}},
		"POST /townships": {path: "/api/v1/townships", token: token(f.platform.Actor()),
			valid: map[string]any{"name": "青阳镇", "code": "371626104", "population": 40000, "timezone": "Asia/Shanghai",
				"zones": []string{"东区", "西区"}, "admin_username": "qingyang", "admin_password": "password1", "admin_name": "青阳管理员"}},
		"PATCH /townships/:id": {path: fmt.Sprintf("/api/v1/townships/%d", f.townB.ID), token: token(f.adminB.Actor()),
			valid: map[string]any{"fever_threshold": 37.5, "isolation_days": 7, "checkin_cutoff_am": "09:30", "checkin_cutoff_pm": "15:30",
				"isolation_levels": []string{"high"}, "key_areas": []map[string]string{{"region_code": "420100", "risk_level": "high"}},
				"zones": []string{"北区", "南区"}}},
		"POST /users": {path: "/api/v1/users", token: admin,
			valid: map[string]any{"username": "supnew", "password": "password1", "role": "supervisor", "name": "新监督员", "phone": "13905431001"}},
		"PATCH /users/:id": {path: fmt.Sprintf("/api/v1/users/%d", victim.ID), token: admin,
			valid: map[string]any{"name": "改名", "phone": "13905431002", "password": "password2", "active": true}},
		"POST /enterprises/:id/workers": {path: ent(f.entA1.ID, "/workers"), token: token(hr),
			valid: map[string]any{"name": "新职工", "id_number": idNumber(3), "phone": "13900000003", "department": "织造车间",
				"shift_group": "甲班", "origin_region": "湖北省武汉市", "arrived_on": today, "transport": "自驾",
				"key_area_exposure": true, "contact_history": false, "isolation_place": "宿舍 3 号楼"}},
		"POST /enterprises/:id/workers/assign": {path: ent(f.entA1.ID, "/workers/assign"), token: token(hr),
			valid: map[string]any{"worker_ids": []int64{edited.ID}, "shift_id": shifts[0].ID}},
		"POST /enterprises/:id/shifts": {path: ent(f.entA1.ID, "/shifts"), token: token(hr),
			valid: map[string]any{"name": "夜班", "workshop": "织造车间", "start": "20:00", "end": "04:00",
				"meal_start": "23:30", "meal_end": "23:50", "capacity": 20}},
		"PUT /shifts/:id": {path: fmt.Sprintf("/api/v1/shifts/%d", shifts[0].ID), token: token(hr),
			valid: map[string]any{"name": "甲班", "workshop": "织造车间", "start": "08:00", "end": "16:00",
				"meal_start": "11:00", "meal_end": "11:30", "capacity": 30}},
		"POST /workers/:id/reset-pin": {path: fmt.Sprintf("/api/v1/workers/%d/reset-pin", edited.ID), token: token(hr), valid: map[string]any{}},
		// The gate (issue 19): a phone scan (a token's is api/gate_test.go's), a measurement,
		// a revocation and its end. A refused scan is audited (gate.scan_refused), as every scan.
		"POST /gate/scan": {path: "/api/v1/gate/scan", token: sup, valid: map[string]any{"phone": "13900000002"},
			mayWrite: []string{"audit_events"}},
		"POST /spot-checks": {path: "/api/v1/spot-checks", token: sup, valid: map[string]any{"worker_id": edited.ID, "present": true, "temperature": 36.6}},
		"POST /workers/:id/pass/revoke": {path: fmt.Sprintf("/api/v1/workers/%d/pass/revoke", edited.ID), token: token(hr),
			valid: map[string]any{"reason": "密接待核酸结果"}},
		"POST /workers/:id/pass/restore": {path: fmt.Sprintf("/api/v1/workers/%d/pass/restore", edited.ID), token: token(hr), valid: map[string]any{}},
		"POST /notices/:id/read":         {path: fmt.Sprintf("/api/v1/notices/%d/read", notices[0].ID), token: admin, valid: map[string]any{}},
		"PATCH /workers/:id": {path: fmt.Sprintf("/api/v1/workers/%d", edited.ID), token: token(hr),
			valid: map[string]any{"department": "整理车间", "status": "isolating", "isolation_until": dayFromToday(7), "origin_region": "420100"}},
	}
	w := &writeFixture{fixture: f, calls: calls}
	for _, rt := range f.routes.List {
		switch rt.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			if _, skip := notFuzzed[rt.Method+" "+rt.Path]; !skip {
				w.routes = append(w.routes, rt)
			}
		}
	}
	slices.SortFunc(w.routes, func(a, b api.Route) int { return strings.Compare(a.Method+" "+a.Path, b.Method+" "+b.Path) })
	for _, rt := range w.routes {
		if _, ok := calls[rt.Method+" "+rt.Path]; !ok {
			tb.Fatalf("write route %s %s: no call in newWriteFixture; add one (or a reason to notFuzzed)", rt.Method, rt.Path)
		}
	}
	return w
}

// send posts body to the route as its caller, straight into the Echo app (no socket, so that
// fuzzing spends its time in the app).
func (w *writeFixture) send(rt api.Route, body []byte) *httptest.ResponseRecorder {
	c := w.calls[rt.Method+" "+rt.Path]
	req := httptest.NewRequest(rt.Method, c.path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	rec := httptest.NewRecorder()
	w.e.ServeHTTP(rec, req)
	return rec
}

// fingerprint sums up the database (dbtest.Fingerprint), less the tables a refusal of the route
// writes by design.
func (w *writeFixture) fingerprint(t testing.TB, rt api.Route) map[string]string {
	t.Helper()
	fp, err := dbtest.Fingerprint(context.Background(), w.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range w.calls[rt.Method+" "+rt.Path].mayWrite {
		delete(fp, table)
	}
	delete(fp, "audit_events") // a refusal may be audited: refusalsOnly checks what was
	return fp
}

// refusalActions are the audit events a refused request records by design: a failed sign-in,
// a spent refresh token presented again, a 403, a wrong current password.
var refusalActions = map[string]bool{"auth.login_failed": true, "auth.worker_login_failed": true,
	"auth.token_reuse": true, "access.denied": true, "user.password_refused": true}

// newestAudit returns the newest audit events, newest first.
func (w *writeFixture) newestAudit(t testing.TB) []domain.AuditEvent {
	t.Helper()
	evs, _, err := (&repo.AuditStore{DB: w.db}).List(context.Background(), domain.AuditFilter{Page: domain.Page{Limit: 20}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// refusalsOnly fails when events newer than the newest of before are anything but refusals.
func (w *writeFixture) refusalsOnly(t testing.TB, before []domain.AuditEvent, what string) {
	t.Helper()
	var last int64
	if len(before) > 0 {
		last = before[0].ID
	}
	for _, e := range w.newestAudit(t) {
		if e.ID > last && !refusalActions[e.Action] {
			t.Errorf("%s: recorded audit event %s (%s), which is not a refusal's", what, e.Action, e.Detail)
		}
	}
}

// seeds are the bodies every route is seeded with: its valid body, that body broken in the
// ways clients and attackers break bodies, and bodies that are not its shape at all.
func (w *writeFixture) seeds(rt api.Route) [][]byte {
	valid := w.calls[rt.Method+" "+rt.Path].valid
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	good := enc(valid)
	out := [][]byte{
		good, good[:len(good)/2], append(append([]byte{}, good...), good...), []byte("{}"), []byte("null"), []byte("[]"),
		[]byte(""), []byte(`{"a":`), []byte("\xff\xfe{}"), []byte(strings.Repeat("[", 20_000)),
	}
	// Every field at once given the same wrong or awkward value.
	for _, v := range []any{
		nil, "x", true, json.Number("1e400"), json.Number("9223372036854775808"), json.Number("0.5"), []any{}, map[string]any{},
		strings.Repeat("长", 1_000), "\u202e\U0001F600\x00\ufffd", "9999-12-31",
	} {
		m := maps.Clone(valid)
		for k := range m {
			m[k] = v
		}
		out = append(out, enc(m))
	}
	// A lone surrogate, which Go's JSON decoder turns into U+FFFD.
	out = append(out, bytes.Replace(good, []byte(`":"`), []byte(`":"\ud800`), 1))
	// One value at a time at the edge of what the columns hold, the rest of the body valid, so
	// that it reaches the database: PostgreSQL's INTEGER and NUMERIC(10,1) end where SQLite's
	// do not.
	for _, leaf := range leaves(roundTrip(valid), nil) {
		var edges []any
		switch leaf.value.(type) {
		case float64:
			edges = []any{json.Number("2147483648"), json.Number("9999999999.95"), json.Number("-1")}
		case string:
			edges = []any{strings.Repeat("长", 300), ""}
		}
		for _, e := range edges {
			out = append(out, enc(leaf.set(roundTrip(valid), e)))
		}
	}
	return out
}

// roundTrip turns a body into the generic form JSON decodes to: maps, slices, float64s.
func roundTrip(v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// leaf is one scalar of a body, with a way to replace it in a copy of the body.
type leaf struct {
	value any
	path  []any // keys (string) and indexes (int) from the top
}

// leaves lists the scalars of a decoded body, depth first.
func leaves(v any, path []any) []leaf {
	switch v := v.(type) {
	case map[string]any:
		var out []leaf
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, leaves(v[k], append(slices.Clone(path), k))...)
		}
		return out
	case []any:
		var out []leaf
		for i, item := range v {
			out = append(out, leaves(item, append(slices.Clone(path), i))...)
		}
		return out
	}
	return []leaf{{value: v, path: path}}
}

// set replaces the leaf's value in doc, a fresh copy of the body, and returns doc.
func (l leaf) set(doc map[string]any, v any) map[string]any {
	var at any = doc
	for i, step := range l.path {
		last := i == len(l.path)-1
		switch step := step.(type) {
		case string:
			m := at.(map[string]any)
			if last {
				m[step] = v
			}
			at = m[step]
		case int:
			s := at.([]any)
			if last {
				s[step] = v
			}
			at = s[step]
		}
	}
	return doc
}

// FuzzWriteRoutes sends any bytes as the JSON body of any write route (POST, PUT, PATCH of the
// route table) with a valid token of a caller allowed on it, over the real Echo app on
// SQLite, and checks the promises of the edge: never a 5xx (a panic is one: echo's Recover
// answers it with 500); a refusal is the JSON error shape with a code and a message; and a
// refusal wrote nothing (dbtest.Fingerprint before and after). The first byte chooses the route,
// so that the fuzzer spends its inputs where new code is reached rather than sending each one
// to every route. The fixture is built once per process: state carries over from one input to
// the next (a plan may have been approved by an earlier input), as it does in production.
// The seeds — every route's valid body and broken ones — run with the normal tests.
func FuzzWriteRoutes(f *testing.F) {
	w := newWriteFixture(f, dbtest.Engines(f)[0].Open(f)) // SQLite: fuzzing on PostgreSQL would be too slow
	for i, rt := range w.routes {
		for _, body := range w.seeds(rt) {
			f.Add(uint8(i), body)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		w.check(t, w.routes[int(route)%len(w.routes)], body)
	})
}

// TestWriteRoutesSeeds sends FuzzWriteRoutes' seeds on PostgreSQL, which refuses what SQLite
// takes (NUL in text, numbers beyond INTEGER); the fuzz target, on SQLite, runs them there.
func TestWriteRoutesSeeds(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		if e.Name == "sqlite" {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			w := newWriteFixture(t, e.Open(t))
			for _, rt := range w.routes {
				for _, body := range w.seeds(rt) {
					w.check(t, rt, body)
				}
			}
		})
	}
}

// check sends body to the route and checks the promises of the edge: no 5xx, a refusal in the
// error shape, and a refusal that wrote nothing.
func (w *writeFixture) check(t *testing.T, rt api.Route, body []byte) {
	t.Helper()
	before, audited := w.fingerprint(t, rt), w.newestAudit(t)
	rec := w.send(rt, body)
	name := rt.Method + " " + rt.Path
	if rec.Code >= 500 {
		t.Fatalf("%s with %q: got %d %s, want no 5xx\nserver log: %s", name, body, rec.Code, rec.Body, lastLines(w.logs.String(), 3))
	}
	if rec.Code < 400 {
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s with %q: got %d and a body that is not JSON: %s", name, body, rec.Code, rec.Body)
		}
		return
	}
	var e struct {
		Error struct {
			Code, Message string
			Fields        []struct{ Field, Message string }
		}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &e) != nil ||
		e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s with %q: got %d %s (%s), want the error shape with a code and a message", name, body, rec.Code, rec.Body, ct)
	}
	for _, fe := range e.Error.Fields {
		if fe.Field == "" || fe.Message == "" {
			t.Fatalf("%s with %q: got field error %+v, want a field and a message", name, body, fe)
		}
	}
	after := w.fingerprint(t, rt)
	w.refusalsOnly(t, audited, fmt.Sprintf("%s with %q: got %d", name, body, rec.Code))
	for table, was := range before {
		if now := after[table]; now != was {
			t.Errorf("%s with %q: got %d %s, and table %s changed: %q, now %q", name, body, rec.Code, rec.Body, table, was, now)
		}
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
