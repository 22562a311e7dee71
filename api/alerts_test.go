package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// alertFixture is the fixture with a worker in each of A1, A2 and B1 and alerts of theirs: a
// fever check-in of A1's worker this morning (with its reading), and a missed check-in of each
// worker on each of the three days before.
type alertFixture struct {
	*fixture
	wA1, wA2, wB1 domain.Worker
	today         domain.Date
	fever         int64 // A1's fever alert of today
}

func newAlertFixture(t *testing.T, db *repo.DB) *alertFixture {
	t.Helper()
	f := &alertFixture{fixture: newFixture(t, db)}
	ctx := context.Background()
	hrA2 := f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID)
	hrB1 := f.staff(f.adminB, "hrb1", domain.RoleEnterpriseHR, f.entB1.ID)
	worker := func(hr domain.User, e domain.Enterprise, n int, name string) domain.Worker {
		t.Helper()
		w, _, err := f.svc.Workers.Create(ctx, hr.Actor(), e.ID, domain.WorkerInput{Name: name, IDNumber: idNumber(n),
			Phone: fmt.Sprintf("1390000%04d", n), OriginRegion: "371681", ArrivedOn: dayFromToday(-20)})
		if err != nil {
			t.Fatalf("worker %s: %v", name, err)
		}
		return w
	}
	f.wA1 = worker(f.hrA1, f.entA1, 1, "张一")
	f.wA2 = worker(hrA2, f.entA2, 2, "李二")
	f.wB1 = worker(hrB1, f.entB1, 3, "王三")
	f.today = f.townA.Today(time.Now())
	temp := 38.2
	results, err := f.svc.Checkins.SubmitForWorkers(ctx, f.hrA1.Actor(), f.entA1.ID,
		// From home: at work, at an enterprise not approved, it would add a 未批先复 alert.
		[]domain.CheckinInput{{WorkerID: f.wA1.ID, Slot: domain.SlotAM, Temperature: &temp, Location: domain.AtHome}})
	if err != nil || results[0].Err != nil {
		t.Fatalf("fever check-in: %v %v", err, results)
	}
	var alerts []domain.Alert
	for _, w := range []domain.Worker{f.wA1, f.wA2, f.wB1} {
		for d := 1; d <= 3; d++ {
			alerts = append(alerts, domain.Alert{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
				Type: domain.AlertMissedCheckin, Date: f.today.AddDays(-d), Slot: domain.SlotAM, Detail: "上午未打卡", Status: domain.AlertOpen})
		}
	}
	f.raise(alerts)
	f.fever = f.alertIDs(f.fixture.token("admina"), "type=fever")[0]
	return f
}

func (f *alertFixture) raise(alerts []domain.Alert) {
	f.t.Helper()
	if _, err := repo.Stores(f.db, dbtest.Box()).Alerts.Raise(context.Background(), alerts); err != nil {
		f.t.Fatalf("raise: %v", err)
	}
}

// alertList is the list answer, with what the tests look at.
type alertList struct {
	Items []struct {
		ID             int64  `json:"id"`
		Type           string `json:"type"`
		Status         string `json:"status"`
		WorkerID       int64  `json:"worker_id"`
		WorkerName     string `json:"worker_name"`
		EnterpriseID   int64  `json:"enterprise_id"`
		EnterpriseName string `json:"enterprise_name"`
		Zone           string `json:"zone"`
		Date           string `json:"date"`
		AM, PM         *struct {
			Temperature float64 `json:"temperature"`
			Fever       bool    `json:"fever"`
		}
	} `json:"items"`
	Total int `json:"total"`
}

func (f *alertFixture) list(token, query string) alertList {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/alerts?page_size=200&"+query, token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("GET /alerts?%s: got %d %s, want 200", query, res.status, res.body)
	}
	var l alertList
	res.decode(f.t, &l)
	if l.Total != len(l.Items) {
		f.t.Fatalf("GET /alerts?%s: got total %d for %d items on one page", query, l.Total, len(l.Items))
	}
	return l
}

func (f *alertFixture) alertIDs(token, query string) []int64 {
	f.t.Helper()
	var ids []int64
	for _, a := range f.list(token, query).Items {
		ids = append(ids, a.ID)
	}
	return ids
}

// TestAlertList: the list carries who and where and the readings, and each filter selects what
// it names, within the caller's scope.
func TestAlertList(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newAlertFixture(t, db)
		admin, hr, sup := f.token("admina"), f.token("hra1"), f.token("supa")

		t.Run("Carries", func(t *testing.T) {
			l := f.list(admin, "type=fever")
			if len(l.Items) != 1 {
				t.Fatalf("got %d fever alerts, want 1", len(l.Items))
			}
			a := l.Items[0]
			if a.WorkerName != "张一" || a.EnterpriseName != f.entA1.Name || a.Zone != "一区" || a.Date != f.today.String() {
				t.Errorf("got worker %q, enterprise %q, zone %q, date %s; want 张一, %s, 一区, %s",
					a.WorkerName, a.EnterpriseName, a.Zone, a.Date, f.entA1.Name, f.today)
			}
			if a.AM == nil || a.AM.Temperature != 38.2 || !a.AM.Fever || a.PM != nil {
				t.Errorf("got am %+v, pm %+v; want am 38.2 fever and no pm", a.AM, a.PM)
			}
			// A missed check-in of a day without a reading has none.
			for _, m := range f.list(admin, "type=missed_checkin").Items {
				if m.AM != nil || m.PM != nil || m.WorkerName == "" || m.Zone == "" {
					t.Errorf("missed check-in %d: got am %+v pm %+v worker %q zone %q, want no readings and the names", m.ID, m.AM, m.PM, m.WorkerName, m.Zone)
				}
			}
		})
		t.Run("Enterprise", func(t *testing.T) {
			l := f.list(admin, fmt.Sprintf("enterprise_id=%d", f.entA2.ID))
			if len(l.Items) != 3 {
				t.Errorf("got %d alerts, want A2's 3", len(l.Items))
			}
			for _, a := range l.Items {
				if a.EnterpriseID != f.entA2.ID {
					t.Errorf("alert %d: got enterprise %d, want %d", a.ID, a.EnterpriseID, f.entA2.ID)
				}
			}
		})
		t.Run("Zone", func(t *testing.T) {
			for zone, want := range map[string]int64{"一区": f.entA1.ID, "二区": f.entA2.ID} {
				l := f.list(admin, "zone="+zone)
				if len(l.Items) == 0 {
					t.Errorf("zone %s: got no alerts", zone)
				}
				for _, a := range l.Items {
					if a.EnterpriseID != want || a.Zone != zone {
						t.Errorf("zone %s: got alert %d of enterprise %d in %s, want %d", zone, a.ID, a.EnterpriseID, a.Zone, want)
					}
				}
			}
			if l := f.list(admin, "zone=北区"); l.Total != 0 {
				t.Errorf("zone of township B: got %d alerts, want none", l.Total)
			}
		})
		t.Run("Dates", func(t *testing.T) {
			from, to := f.today.AddDays(-3), f.today.AddDays(-2)
			l := f.list(admin, "from="+from.String()+"&to="+to.String())
			if len(l.Items) != 4 { // A1's and A2's, both days included
				t.Errorf("got %d alerts, want 4", len(l.Items))
			}
			for _, a := range l.Items {
				if a.Date < from.String() || a.Date > to.String() {
					t.Errorf("alert %d: got date %s, want %s to %s", a.ID, a.Date, from, to)
				}
			}
			if l := f.list(admin, "from="+f.today.String()); l.Total != 1 {
				t.Errorf("from today: got %d alerts, want the fever", l.Total)
			}
			if l := f.list(admin, "to="+f.today.AddDays(-3).String()); l.Total != 2 {
				t.Errorf("to three days ago: got %d alerts, want 2", l.Total)
			}
		})
		t.Run("Worker", func(t *testing.T) {
			if l := f.list(hr, fmt.Sprintf("worker_id=%d&status=open", f.wA1.ID)); l.Total != 4 {
				t.Errorf("got %d, want the worker's 4", l.Total)
			}
		})
		t.Run("OutOfScope", func(t *testing.T) {
			// A filter narrows the scope, as the audit log's and the accounts' do: nothing found.
			for _, tt := range []struct {
				name, token string
				ent         int64
			}{{"TownOther", admin, f.entB1.ID}, {"HROther", hr, f.entA2.ID}, {"SupervisorOther", sup, f.entA2.ID}} {
				if l := f.list(tt.token, fmt.Sprintf("enterprise_id=%d", tt.ent)); l.Total != 0 {
					t.Errorf("%s: got %d alerts, want none", tt.name, l.Total)
				}
			}
			if l := f.list(hr, fmt.Sprintf("worker_id=%d", f.wA2.ID)); l.Total != 0 {
				t.Errorf("HR, another enterprise's worker: got %d alerts, want none", l.Total)
			}
			if l := f.list(sup, ""); l.Total != 4 {
				t.Errorf("supervisor of A1: got %d alerts, want A1's 4", l.Total)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, tt := range []struct{ query, field string }{
				{"type=bogus", "type"}, {"status=closed", "status"}, {"from=2020-13-01", "from"}, {"to=yesterday", "to"},
				{"from=2020-02-10&to=2020-02-09", "to"}, {"enterprise_id=abc", "enterprise_id"}, {"worker_id=-1", "worker_id"},
				{"page=0", "page"},
			} {
				res := f.do(http.MethodGet, "/api/v1/alerts?"+tt.query, admin, nil)
				if res.status != http.StatusUnprocessableEntity || !slices.Contains(res.errorFields(t), tt.field) {
					t.Errorf("%s: got %d %s, want 422 naming %s", tt.query, res.status, res.body, tt.field)
				}
			}
		})
	})
}

// TestUnknownQueryParameter: a parameter a route does not document is refused with 400 naming
// it, on every route, never ignored; the documented ones still pass.
func TestUnknownQueryParameter(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		for _, tt := range []struct{ path, unknown string }{
			{"/api/v1/alerts?status=open&enterprise=1", "enterprise"},
			{"/api/v1/alerts?_=1700000000", "_"},
			{"/api/v1/enterprises?zone=一区&sort=name", "sort"},
			{"/api/v1/dashboard/summary?zone=一区&zoen=一区", "zoen"},
			{fmt.Sprintf("/api/v1/enterprises/%d?expand=workers", f.entA1.ID), "expand"},
			{"/api/v1/me?x=1", "x"},
		} {
			res := f.do(http.MethodGet, tt.path, admin, nil)
			var body struct {
				Error struct {
					Code, Message string
					Fields        []struct{ Field string }
				}
			}
			res.decode(t, &body)
			if res.status != http.StatusBadRequest || !strings.Contains(body.Error.Message, "未知的查询参数 "+tt.unknown) ||
				len(body.Error.Fields) != 1 || body.Error.Fields[0].Field != tt.unknown {
				t.Errorf("%s: got %d %s, want 400 naming %s", tt.path, res.status, res.body, tt.unknown)
			}
		}
		t.Run("SeveralNamed", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/alerts?b=1&a=2&status=open", admin, nil)
			if got := res.errorFields(t); res.status != http.StatusBadRequest || !slices.Equal(got, []string{"a", "b"}) {
				t.Errorf("got %d %v, want 400 naming a and b", res.status, got)
			}
		})
		t.Run("Documented", func(t *testing.T) {
			for _, path := range []string{
				"/api/v1/alerts?status=open&type=fever&enterprise_id=1&zone=一区&worker_id=1&from=2020-02-01&to=2020-02-29&page=1&page_size=5",
				"/api/v1/enterprises?q=长山&zone=一区&status=reopened&industry=纺织&page=1&page_size=5",
				"/api/v1/dashboard/summary?date=" + dayFromToday(0) + "&zone=一区&industry=纺织",
			} {
				if res := f.do(http.MethodGet, path, admin, nil); res.status != http.StatusOK {
					t.Errorf("%s: got %d %s, want 200", path, res.status, res.body)
				}
			}
		})
		t.Run("AfterSignIn", func(t *testing.T) {
			// Without a token the answer is still 401: the route's parameters are no one's business.
			if res := f.do(http.MethodGet, "/api/v1/alerts?bogus=1", "", nil); res.status != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", res.status)
			}
		})
	})
}

// TestAlertBulk: one request moves many alerts in one transaction, with one audit event each;
// an alert out of scope refuses the whole request, a conflicting one only itself.
func TestAlertBulk(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newAlertFixture(t, db)
		admin, hr := f.token("admina"), f.token("hra1")

		t.Run("Resolve100", func(t *testing.T) {
			var many []domain.Alert
			for d := 10; d < 110; d++ {
				many = append(many, domain.Alert{TownshipID: f.townA.ID, EnterpriseID: f.entA1.ID, WorkerID: f.wA1.ID,
					Type: domain.AlertSymptoms, Date: f.today.AddDays(-d), Detail: "干咳", Status: domain.AlertOpen})
			}
			f.raise(many)
			ids := f.alertIDs(hr, "type=symptoms&status=open")
			if len(ids) != 100 {
				t.Fatalf("got %d open symptom alerts, want 100", len(ids))
			}
			before := len(f.events("alert.resolve"))
			res := f.do(http.MethodPost, "/api/v1/alerts/resolve", hr, map[string]any{"ids": ids, "note": "复测正常,已返岗"})
			var out struct {
				OK, Conflict int
				Results      []struct {
					ID             int64
					Result, Status string
				}
			}
			res.decode(t, &out)
			if res.status != http.StatusOK || out.OK != 100 || out.Conflict != 0 || len(out.Results) != 100 {
				t.Fatalf("got %d %.300s, want 200 with 100 ok", res.status, res.body)
			}
			for i, r := range out.Results {
				if r.ID != ids[i] || r.Result != "ok" || r.Status != "resolved" {
					t.Errorf("result %d: got %+v, want %d ok resolved", i, r, ids[i])
				}
			}
			if l := f.list(hr, "type=symptoms&status=resolved"); l.Total != 100 {
				t.Errorf("got %d resolved, want 100", l.Total)
			}
			events := f.events("alert.resolve")
			if len(events)-before != 100 {
				t.Fatalf("got %d alert.resolve events, want 100", len(events)-before)
			}
			audited := map[int64]bool{}
			for _, e := range events {
				if e.EntityType == "alert" && e.EnterpriseID == f.entA1.ID && e.ActorID == f.hrA1.ID {
					audited[e.EntityID] = true
				}
				if strings.Contains(e.Detail, "复测正常") {
					t.Errorf("event %d: got detail %q, want no free text from the note", e.ID, e.Detail)
				}
			}
			for _, id := range ids {
				if !audited[id] {
					t.Errorf("alert %d: no alert.resolve event of hrA1 about it in A1", id)
				}
			}
		})
		t.Run("OutOfScopeChangesNothing", func(t *testing.T) {
			a1 := f.alertIDs(hr, "type=missed_checkin&status=open")
			a2 := f.alertIDs(admin, fmt.Sprintf("enterprise_id=%d&status=open", f.entA2.ID))
			for _, tt := range []struct {
				name, token string
				ids         []int64
			}{
				{"HROtherEnterprise", hr, append(slices.Clone(a1), a2[0])},
				{"TownOtherTownship", f.token("adminb"), a1},
				{"Missing", admin, append(slices.Clone(a1), 987654321)},
				{"Zero", admin, []int64{a1[0], 0}},
			} {
				before := f.changes()
				res := f.do(http.MethodPost, "/api/v1/alerts/acknowledge", tt.token, map[string]any{"ids": tt.ids})
				if res.status != http.StatusNotFound {
					t.Errorf("%s: got %d %s, want 404", tt.name, res.status, res.body)
				}
				if got := f.changes(); got != before {
					t.Errorf("%s: got %d audit events more, want none", tt.name, got-before)
				}
			}
			if l := f.list(hr, "type=missed_checkin&status=open"); l.Total != len(a1) {
				t.Errorf("got %d open, want all %d still open", l.Total, len(a1))
			}
		})
		t.Run("ConflictPerItem", func(t *testing.T) {
			ids := f.alertIDs(hr, "type=missed_checkin&status=open")
			if res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/alerts/%d/resolve", ids[0]), hr, map[string]any{"note": "已补报"}); res.status != http.StatusOK {
				t.Fatalf("resolve one: got %d %s", res.status, res.body)
			}
			res := f.do(http.MethodPost, "/api/v1/alerts/acknowledge", hr, map[string]any{"ids": ids, "note": "已电话联系"})
			var out struct {
				OK, Conflict int
				Results      []struct {
					ID             int64
					Result, Status string
				}
			}
			res.decode(t, &out)
			if res.status != http.StatusOK || out.OK != len(ids)-1 || out.Conflict != 1 {
				t.Fatalf("got %d %s, want 200 with one conflict", res.status, res.body)
			}
			if r := out.Results[0]; r.ID != ids[0] || r.Result != "conflict" || r.Status != "resolved" {
				t.Errorf("got %+v, want %d conflict resolved", r, ids[0])
			}
			if l := f.list(hr, "type=missed_checkin&status=acknowledged"); l.Total != len(ids)-1 {
				t.Errorf("got %d acknowledged, want %d", l.Total, len(ids)-1)
			}
		})
		t.Run("SingleAudited", func(t *testing.T) {
			before := len(f.events("alert"))
			res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/alerts/%d/acknowledge", f.fever), f.token("supa"), map[string]any{"note": "已联系"})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"worker_name":"张一"`) {
				t.Fatalf("got %d %s, want 200 with the worker's name", res.status, res.body)
			}
			if res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/alerts/%d/acknowledge", f.fever), admin, map[string]any{}); res.status != http.StatusConflict {
				t.Errorf("again: got %d %s, want 409", res.status, res.body)
			}
			events := f.events("alert")
			if len(events)-before != 1 || events[0].Action != "alert.acknowledge" || events[0].EntityID != f.fever || events[0].ActorID != f.supA.ID {
				t.Errorf("got %d new events, newest %+v; want one alert.acknowledge of alert %d by supA", len(events)-before, events[0], f.fever)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			ids := f.alertIDs(admin, "status=open")
			tooMany := make([]int64, 201)
			for i := range tooMany {
				tooMany[i] = int64(i + 1)
			}
			for _, tt := range []struct {
				name, path string
				body       any
				field      string
			}{
				{"NoIDs", "/api/v1/alerts/acknowledge", map[string]any{"ids": []int64{}}, "ids"},
				{"TooMany", "/api/v1/alerts/acknowledge", map[string]any{"ids": tooMany}, "ids"},
				{"ResolveNoNote", "/api/v1/alerts/resolve", map[string]any{"ids": ids}, "note"},
				{"NoteTooLong", "/api/v1/alerts/resolve", map[string]any{"ids": ids, "note": strings.Repeat("长", 501)}, "note"},
				{"IDsNotNumbers", "/api/v1/alerts/resolve", map[string]any{"ids": []string{"a"}, "note": "好"}, "ids"},
			} {
				before := f.changes()
				res := f.do(http.MethodPost, tt.path, admin, tt.body)
				if res.status != http.StatusUnprocessableEntity || !slices.Contains(res.errorFields(t), tt.field) {
					t.Errorf("%s: got %d %s, want 422 naming %s", tt.name, res.status, res.body, tt.field)
				}
				if f.changes() != before {
					t.Errorf("%s: the refused request was audited or changed something", tt.name)
				}
			}
			if l := f.list(admin, "status=open"); l.Total != len(ids) {
				t.Errorf("got %d open, want %d", l.Total, len(ids))
			}
		})
	})
}
