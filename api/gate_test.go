package api_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fugong/api"
	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// atLocal moves the services' clock to today's hh:mm in the townships' time zone
// (Asia/Shanghai), so that the slot of now and the cut-offs the passes depend on do not depend
// on when the tests run. The access and pass tokens keep the real time.
func (f *fixture) atLocal(hour, minute int) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.t.Fatal(err)
	}
	now := time.Now().In(loc)
	want := time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, loc)
	f.ahead.Store(int64(want.Sub(now)))
}

// atLocalTomorrow is atLocal of tomorrow.
func (f *fixture) atLocalTomorrow(hour, minute int) {
	f.atLocal(hour, minute)
	f.ahead.Add(int64(24 * time.Hour))
}

// gateWorker puts a person on an enterprise's roster (back on arrived, "" for today), enrols
// them and returns them with their access token.
func (f *fixture) gateWorker(hr domain.User, e domain.Enterprise, n int, arrived string) (domain.Worker, string) {
	f.t.Helper()
	return f.namedWorker(hr, e, n, arrived, fmt.Sprintf("门岗测试%d", n))
}

// namedWorker is gateWorker with the person's name.
func (f *fixture) namedWorker(hr domain.User, e domain.Enterprise, n int, arrived, name string) (domain.Worker, string) {
	f.t.Helper()
	if arrived == "" {
		arrived = dayFromToday(0)
	}
	id, phone := idNumber(n), fmt.Sprintf("1390000%04d", n)
	w, _, err := f.svc.Workers.Create(context.Background(), hr.Actor(), e.ID, domain.WorkerInput{Name: name,
		IDNumber: id, Phone: phone, OriginRegion: "371681", ArrivedOn: arrived})
	if err != nil {
		f.t.Fatalf("worker %d: %v", n, err)
	}
	res := f.do(http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{"enterprise_code": e.Code, "phone": phone,
		"id_number": id, "pin": testPIN})
	if res.status != http.StatusOK {
		f.t.Fatalf("enrol %d: got %d %s", n, res.status, res.body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	res.decode(f.t, &tok)
	return w, tok.AccessToken
}

// checkin sends a worker's morning report.
func (f *fixture) checkin(token string, temp float64, location string, symptoms ...string) {
	f.t.Helper()
	if symptoms == nil {
		symptoms = []string{}
	}
	res := f.do(http.MethodPost, "/api/v1/checkins", token, map[string]any{"slot": "am", "temperature": temp,
		"symptoms": symptoms, "location": location})
	if res.status != http.StatusCreated && res.status != http.StatusOK {
		f.t.Fatalf("check-in: got %d %s", res.status, res.body)
	}
}

type passReason struct {
	Condition string `json:"condition"`
	Color     string `json:"color"`
}

type gatePass struct {
	WorkerID   int64        `json:"worker_id"`
	Name       string       `json:"name"`
	Color      string       `json:"color"`
	ColorLabel string       `json:"color_label"`
	Reasons    []passReason `json:"reasons"`
	Slot       string       `json:"slot"`
	SelfReport *struct {
		Temperature float64 `json:"temperature"`
		Location    string  `json:"location"`
	} `json:"self_report"`
	Sampled bool `json:"sampled"`
	Checked bool `json:"checked"`
}

func (p gatePass) conditions() []string {
	var out []string
	for _, r := range p.Reasons {
		out = append(out, r.Condition)
	}
	return out
}

type myPass struct {
	gatePass
	Token          string    `json:"token"`
	TokenExpiresAt time.Time `json:"token_expires_at"`
}

// myPass reads a worker's own pass.
func (f *fixture) myPass(token string) myPass {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/me/pass", token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("GET /me/pass: got %d %s", res.status, res.body)
	}
	var p myPass
	res.decode(f.t, &p)
	return p
}

// scan sends a scan and returns the answer.
func (f *fixture) scan(token string, body map[string]any) response {
	f.t.Helper()
	return f.do(http.MethodPost, "/api/v1/gate/scan", token, body)
}

// scanOne scans a token that must find one worker.
func (f *fixture) scanOne(token, passToken string) gatePass {
	f.t.Helper()
	res := f.scan(token, map[string]any{"token": passToken})
	if res.status != http.StatusOK {
		f.t.Fatalf("scan: got %d %s", res.status, res.body)
	}
	var out struct{ Passes []gatePass }
	res.decode(f.t, &out)
	if len(out.Passes) != 1 {
		f.t.Fatalf("scan: got %d passes, want 1: %s", len(out.Passes), res.body)
	}
	return out.Passes[0]
}

// wantInvalid holds an answer to a 422 naming field, with a message containing msg.
func wantInvalid(t *testing.T, res response, field, msg string) {
	t.Helper()
	if got := res.errorFields(t); res.status != http.StatusUnprocessableEntity || !slices.Equal(got, []string{field}) {
		t.Errorf("got %d %s, want 422 naming only %s", res.status, res.body, field)
	}
	if msg != "" && !strings.Contains(string(res.body), msg) {
		t.Errorf("got %s, want the message %q", res.body, msg)
	}
}

// TestPassTokenRefused: the gate refuses a pass token older than its lifetime, signed with
// another key, edited, an access token, and one of another township's worker, each a 422
// naming token; each scan, refused or not, is in the audit log.
func TestPassTokenRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		f.atLocal(8, 0)
		sup, admin := f.token("supa"), f.token("admina")
		w, wt := f.gateWorker(f.hrA1, f.entA1, 1, "")
		hrB := f.staff(f.adminB, "hrb", domain.RoleEnterpriseHR, f.entB1.ID)
		_, wtB := f.gateWorker(hrB, f.entB1, 2, "")

		good := f.myPass(wt).Token
		t.Run("OK", func(t *testing.T) {
			if p := f.scanOne(sup, good); p.WorkerID != w.ID {
				t.Errorf("got worker %d, want %d", p.WorkerID, w.ID)
			}
		})
		t.Run("Expired", func(t *testing.T) {
			// The tokens' clock, which the pass tokens share, goes past the 3 minutes.
			f.tokens.Now = func() time.Time { return time.Now().Add(api.PassTokenTTL + 10*time.Second) }
			res := f.scan(sup, map[string]any{"token": good})
			f.tokens.Now = nil
			wantInvalid(t, res, "token", "复工码已过期")
		})
		t.Run("OtherKey", func(t *testing.T) {
			other := &api.PassTokens{Access: &api.Tokens{Secret: []byte("another-secret-of-32-bytes-0000!"), Issuer: f.tokens.Issuer,
				Audience: f.tokens.Audience}}
			forged, _, err := other.Issue(w.ID, f.townA.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantInvalid(t, f.scan(sup, map[string]any{"token": forged}), "token", "复工码无效")
		})
		t.Run("Edited", func(t *testing.T) {
			parts := strings.Split(good, ".")
			if len(parts) != 3 {
				t.Fatalf("got a token of %d parts, want prefix, claims and MAC", len(parts))
			}
			// One character of the payload changed (to another of base64url's alphabet).
			b := []byte(parts[1])
			i := len(b) / 2
			b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
			edited := parts[0] + "." + string(b) + "." + parts[2]
			wantInvalid(t, f.scan(sup, map[string]any{"token": edited}), "token", "复工码无效")
		})
		t.Run("AccessToken", func(t *testing.T) {
			wantInvalid(t, f.scan(sup, map[string]any{"token": wt}), "token", "复工码无效")
		})
		t.Run("OtherTownship", func(t *testing.T) {
			wantInvalid(t, f.scan(sup, map[string]any{"token": f.myPass(wtB).Token}), "token", "复工码无效")
		})
		t.Run("NeitherTokenNorPhone", func(t *testing.T) {
			wantInvalid(t, f.scan(sup, map[string]any{}), "token", "")
		})
		t.Run("OtherRole", func(t *testing.T) {
			// The route is not HR's: refused as a role, whatever the token.
			if res := f.scan(f.token("hra1"), map[string]any{"token": "not-a-token"}); res.status != http.StatusForbidden {
				t.Errorf("got %d %s, want 403", res.status, res.body)
			}
		})
		t.Run("Audited", func(t *testing.T) {
			scans := f.audit(admin, "?action=gate.scan")
			if scans.Total != 1 || scans.Items[0].EntityID == nil || *scans.Items[0].EntityID != w.ID {
				t.Errorf("got %d gate.scan events %+v, want the one good scan, of worker %d", scans.Total, scans.Items, w.ID)
			}
			refused := f.audit(admin, "?action=gate.scan_refused")
			if refused.Total != 5 {
				t.Errorf("got %d gate.scan_refused events, want 5 (expired, other key, edited, access token, other township)", refused.Total)
			}
			var details []string
			for _, it := range refused.Items {
				details = append(details, it.Detail)
				if it.ActorUsername != "supa" {
					t.Errorf("got actor %q, want supa", it.ActorUsername)
				}
			}
			if !slices.ContainsFunc(details, func(d string) bool { return strings.Contains(d, "已过期") }) {
				t.Errorf("got details %q, want one saying the code expired", details)
			}
		})
	})
}

// TestGateSpotCheck is issue 19's story at the gate: a worker's pass, scanned by their
// supervisor, who measures 38.0 °C against a normal self-report: a discrepancy alert with both
// readings, escalated, seen by HR, the supervisor and the town; an absence against a
// self-report at work; bad inputs naming their field and writing nothing.
func TestGateSpotCheck(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		f.atLocal(8, 30)
		sup, hr, admin := f.token("supa"), f.token("hra1"), f.token("admina")
		w1, t1 := f.gateWorker(f.hrA1, f.entA1, 1, "")
		w2, t2 := f.gateWorker(f.hrA1, f.entA1, 2, "")
		wA2, _ := f.gateWorker(f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID), f.entA2, 3, "")
		f.checkin(t1, 36.5, "work")
		f.checkin(t2, 36.4, "work")

		var alertID int64
		t.Run("Fever", func(t *testing.T) {
			mine := f.myPass(t1)
			if mine.Color != "green" || mine.Slot != "am" {
				t.Fatalf("got pass %+v, want green in the morning", mine.gatePass)
			}
			p := f.scanOne(sup, mine.Token)
			if p.SelfReport == nil || p.SelfReport.Temperature != 36.5 || p.SelfReport.Location != "work" {
				t.Fatalf("got self-report %+v, want 36.5 at work", p.SelfReport)
			}
			if p.Name != "门**" && !strings.HasSuffix(p.Name, "*") {
				t.Errorf("got name %q, want it masked", p.Name)
			}
			res := f.do(http.MethodPost, "/api/v1/spot-checks", sup, map[string]any{"worker_id": w1.ID, "present": true, "temperature": 38.0})
			if res.status != http.StatusCreated {
				t.Fatalf("got %d %s, want 201", res.status, res.body)
			}
			var sc struct {
				WorkerID    int64  `json:"worker_id"`
				Discrepancy string `json:"discrepancy"`
				AlertID     *int64 `json:"alert_id"`
				CheckerName string `json:"checker_name"`
				Fever       bool   `json:"fever"`
			}
			res.decode(t, &sc)
			if !strings.Contains(sc.Discrepancy, "38.0 °C") || !strings.Contains(sc.Discrepancy, "36.5 °C") || sc.AlertID == nil || !sc.Fever {
				t.Fatalf("got %s, want a discrepancy naming 38.0 and 36.5 °C, a fever and an alert", res.body)
			}
			if sc.CheckerName != "supa" {
				t.Errorf("got checker %q, want supa", sc.CheckerName)
			}
			alertID = *sc.AlertID
		})
		t.Run("AlertSeen", func(t *testing.T) {
			for _, who := range []struct{ name, token string }{{"hra1", hr}, {"supa", sup}, {"admina", admin}} {
				res := f.do(http.MethodGet, "/api/v1/alerts?type=discrepancy", who.token, nil)
				var got struct {
					Items []struct {
						ID        int64  `json:"id"`
						WorkerID  int64  `json:"worker_id"`
						Type      string `json:"type"`
						Escalated bool   `json:"escalated"`
						Detail    string `json:"detail"`
					}
					Total int
				}
				res.decode(t, &got)
				if got.Total != 1 || got.Items[0].ID != alertID || got.Items[0].WorkerID != w1.ID || !got.Items[0].Escalated ||
					!strings.Contains(got.Items[0].Detail, "38.0") || !strings.Contains(got.Items[0].Detail, "36.5") {
					t.Errorf("%s: got %s, want the one escalated discrepancy alert %d with both readings", who.name, res.body, alertID)
				}
			}
			if res := f.do(http.MethodGet, "/api/v1/alerts?type=discrepancy", f.token("supa2"), nil); !strings.Contains(string(res.body), `"total":0`) {
				t.Errorf("A2's supervisor: got %s, want no alert", res.body)
			}
		})
		t.Run("DiscrepancyColoursThePass", func(t *testing.T) {
			if p := f.myPass(t1); p.Color != "yellow" || !slices.Contains(p.conditions(), "discrepancy") {
				t.Errorf("got %s %v, want yellow for the discrepancy under review", p.Color, p.conditions())
			}
		})
		t.Run("Absent", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/spot-checks", sup, map[string]any{"worker_id": w2.ID, "present": false})
			var sc struct {
				Discrepancy string   `json:"discrepancy"`
				AlertID     *int64   `json:"alert_id"`
				Temperature *float64 `json:"temperature"`
			}
			res.decode(t, &sc)
			if res.status != http.StatusCreated || !strings.Contains(sc.Discrepancy, "未见本人") || sc.AlertID == nil || sc.Temperature != nil {
				t.Errorf("got %d %s, want 201 with a discrepancy of an absence, an alert and no temperature", res.status, res.body)
			}
		})
		t.Run("BadInput", func(t *testing.T) {
			checks, alerts := f.count("spot_checks"), f.count("alerts")
			for _, tt := range []struct {
				name  string
				body  map[string]any
				field string
			}{
				{"TemperatureMissing", map[string]any{"worker_id": w1.ID, "present": true}, "temperature"},
				{"TemperatureTooHigh", map[string]any{"worker_id": w1.ID, "present": true, "temperature": 43.5}, "temperature"},
				{"TemperatureTooLow", map[string]any{"worker_id": w1.ID, "present": true, "temperature": 30}, "temperature"},
				{"TemperatureWhenAbsent", map[string]any{"worker_id": w1.ID, "present": false, "temperature": 36.5}, "temperature"},
				{"OtherEnterprise", map[string]any{"worker_id": wA2.ID, "present": true, "temperature": 38.5}, "worker_id"},
				{"NoWorker", map[string]any{"present": true, "temperature": 36.5}, "worker_id"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					wantInvalid(t, f.do(http.MethodPost, "/api/v1/spot-checks", sup, tt.body), tt.field, "")
				})
			}
			if got := f.count("spot_checks"); got != checks {
				t.Errorf("got %d spot checks, want %d: a refused one was written", got, checks)
			}
			if got := f.count("alerts"); got != alerts {
				t.Errorf("got %d alerts, want %d: a refused check raised one", got, alerts)
			}
		})
		t.Run("Audited", func(t *testing.T) {
			if got := f.audit(admin, "?action=spot_check.create"); got.Total != 2 {
				t.Errorf("got %d spot_check.create events, want 2", got.Total)
			}
		})
	})
}

// TestPassColoursAgree: a green, a yellow and a red worker's colour is the same on their phone
// (GET /me/pass), at the gate (a scan) and, once the roster shows it, in the roster; revoking
// makes it red with the reason, restoring brings it back.
func TestPassColoursAgree(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		f.atLocal(8, 0) // before the morning cut-off: no report yet is "not reported", yellow
		sup, hr := f.token("supa"), f.token("hra1")
		green, tg := f.gateWorker(f.hrA1, f.entA1, 1, "")
		yellow, ty := f.gateWorker(f.hrA1, f.entA1, 2, "")
		red, tr := f.gateWorker(f.hrA1, f.entA1, 3, "")
		f.checkin(tg, 36.5, "work")
		f.checkin(tr, 36.8, "work", "dry_cough")
		want := map[int64]struct {
			color, condition string
		}{green.ID: {"green", ""}, yellow.ID: {"yellow", "not_reported"}, red.ID: {"red", "symptoms"}}
		tokens := map[int64]string{green.ID: tg, yellow.ID: ty, red.ID: tr}

		// The roster's column, when the roster has one (contract 19: pass_color).
		res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID), hr, nil)
		var roster struct {
			Items []map[string]any
		}
		res.decode(t, &roster)
		rosterColor := map[int64]string{}
		for _, it := range roster.Items {
			if c, ok := it["pass_color"].(string); ok {
				rosterColor[int64(it["id"].(float64))] = c
			}
		}
		if len(rosterColor) == 0 {
			t.Log("the roster has no pass_color yet: its part of the agreement is not checked")
		}
		for id, w := range want {
			mine := f.myPass(tokens[id])
			gate := f.scanOne(sup, mine.Token)
			if mine.Color != w.color || gate.Color != w.color {
				t.Errorf("worker %d: got %s on the phone and %s at the gate, want %s", id, mine.Color, gate.Color, w.color)
			}
			if c, ok := rosterColor[id]; ok && c != w.color {
				t.Errorf("worker %d: got %s in the roster, want %s", id, c, w.color)
			}
			if w.condition != "" && (!slices.Contains(mine.conditions(), w.condition) || !slices.Equal(mine.conditions(), gate.conditions())) {
				t.Errorf("worker %d: got reasons %v on the phone, %v at the gate, want both with %s", id, mine.conditions(), gate.conditions(), w.condition)
			}
			if w.condition == "" && len(mine.Reasons) != 0 {
				t.Errorf("worker %d: got reasons %v, want none for a green pass", id, mine.conditions())
			}
			label := map[string]string{"green": "绿码", "yellow": "黄码", "red": "红码"}[w.color]
			if mine.ColorLabel != label || gate.ColorLabel != label {
				t.Errorf("worker %d: got labels %q and %q, want %q", id, mine.ColorLabel, gate.ColorLabel, label)
			}
		}

		revoke := fmt.Sprintf("/api/v1/workers/%d/pass/revoke", green.ID)
		t.Run("Revoke", func(t *testing.T) {
			res := f.do(http.MethodPost, revoke, hr, map[string]any{"reason": "现场抽查发现发热未报"})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"revoked":true`) {
				t.Fatalf("got %d %s, want 200 revoked", res.status, res.body)
			}
			mine := f.myPass(tg)
			if mine.Color != "red" || !slices.Equal(mine.conditions(), []string{"revoked"}) {
				t.Errorf("got %s %v, want red for the revocation alone", mine.Color, mine.conditions())
			}
			if gate := f.scanOne(sup, mine.Token); gate.Color != "red" {
				t.Errorf("got %s at the gate, want red", gate.Color)
			}
		})
		t.Run("ReasonMissing", func(t *testing.T) {
			wantInvalid(t, f.do(http.MethodPost, revoke, hr, map[string]any{}), "reason", "")
			wantInvalid(t, f.do(http.MethodPost, revoke, hr, map[string]any{"reason": "x"}), "reason", "")
		})
		t.Run("Restore", func(t *testing.T) {
			res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/workers/%d/pass/restore", green.ID), sup, nil)
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"revoked":false`) {
				t.Fatalf("got %d %s, want 200 not revoked", res.status, res.body)
			}
			if mine := f.myPass(tg); mine.Color != "green" {
				t.Errorf("got %s %v, want green again", mine.Color, mine.conditions())
			}
			admin := f.token("admina")
			for _, action := range []string{"pass.revoke", "pass.restore"} {
				if got := f.audit(admin, "?action="+action); got.Total != 1 {
					t.Errorf("got %d %s events, want 1", got.Total, action)
				}
			}
		})
		t.Run("TownshipRules", func(t *testing.T) {
			admin := f.token("admina")
			town := fmt.Sprintf("/api/v1/townships/%d", f.townA.ID)
			res := f.do(http.MethodPatch, town, admin, map[string]any{"pass_rules": map[string]string{"not_reported": "green"}})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), `"not_reported":"green"`) {
				t.Fatalf("got %d %s, want the rule set", res.status, res.body)
			}
			if mine := f.myPass(ty); mine.Color != "green" || len(mine.Reasons) != 0 {
				t.Errorf("got %s %v, want green once not reporting yet is ignored", mine.Color, mine.conditions())
			}
			wantInvalid(t, f.do(http.MethodPatch, town, admin, map[string]any{"pass_rules": map[string]string{"xyz": "red"}}), "pass_rules.xyz", "")
			wantInvalid(t, f.do(http.MethodPatch, town, admin, map[string]any{"pass_rules": map[string]string{"fever": "blue"}}), "pass_rules.fever", "")
			wantInvalid(t, f.do(http.MethodPatch, town, admin, map[string]any{"spot_check_percent": 0}), "spot_check_percent", "")
			wantInvalid(t, f.do(http.MethodPatch, town, admin, map[string]any{"spot_check_percent": 101}), "spot_check_percent", "")
			// Refused changes changed nothing.
			if mine := f.myPass(ty); mine.Color != "green" {
				t.Errorf("got %s after refused changes, want green still", mine.Color)
			}
		})
	})
}

// TestGateAccount: HR makes a guard's account for its own enterprise; the guard signs in,
// scans, records, and is refused everything else; HR makes no other kind of account.
func TestGateAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		f.atLocal(8, 0)
		hr := f.token("hra1")
		w, wt := f.gateWorker(f.hrA1, f.entA1, 1, "")
		f.checkin(wt, 36.6, "work")

		res := f.do(http.MethodPost, "/api/v1/users", hr, map[string]any{"username": "gate1", "name": "门岗张", "phone": "13800001234",
			"password": password, "role": "gate"})
		if res.status != http.StatusCreated || !strings.Contains(string(res.body), `"role":"gate"`) ||
			!strings.Contains(string(res.body), fmt.Sprintf(`"enterprise_id":%d`, f.entA1.ID)) {
			t.Fatalf("got %d %s, want 201 a gate account of A1", res.status, res.body)
		}
		t.Run("HRMakesNoSupervisor", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/users", hr, map[string]any{"username": "sup9", "name": "假监督员",
				"password": password, "role": "supervisor"})
			wantInvalid(t, res, "role", "")
		})
		t.Run("HRListsItsGuards", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/users", hr, nil)
			if !strings.Contains(string(res.body), `"total":1`) || !strings.Contains(string(res.body), `"username":"gate1"`) {
				t.Errorf("got %d %s, want its one guard", res.status, res.body)
			}
		})
		gate := f.token("gate1")
		t.Run("Scans", func(t *testing.T) {
			if p := f.scanOne(gate, f.myPass(wt).Token); p.WorkerID != w.ID {
				t.Errorf("got worker %d, want %d", p.WorkerID, w.ID)
			}
			res := f.scan(gate, map[string]any{"phone": w.Phone})
			if res.status != http.StatusOK || !strings.Contains(string(res.body), fmt.Sprintf(`"worker_id":%d`, w.ID)) {
				t.Errorf("by phone: got %d %s", res.status, res.body)
			}
		})
		t.Run("Records", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/spot-checks", gate, map[string]any{"worker_id": w.ID, "present": true, "temperature": 36.7})
			if res.status != http.StatusCreated || !strings.Contains(string(res.body), `"checker_name":"门岗张"`) ||
				!strings.Contains(string(res.body), `"discrepancy":""`) {
				t.Errorf("got %d %s, want 201 by the guard without a discrepancy", res.status, res.body)
			}
			if res := f.do(http.MethodGet, "/api/v1/spot-checks", gate, nil); !strings.Contains(string(res.body), `"total":1`) {
				t.Errorf("its list: got %d %s, want the one check", res.status, res.body)
			}
		})
		t.Run("RefusedElsewhere", func(t *testing.T) {
			for _, tt := range []struct {
				path string
				want int
			}{
				// The roster is hidden from a guard as from anyone out of A1's scope.
				{fmt.Sprintf("/api/v1/enterprises/%d/workers", f.entA1.ID), http.StatusNotFound},
				{fmt.Sprintf("/api/v1/workers/%d", w.ID), http.StatusNotFound},
				{"/api/v1/enterprises", http.StatusForbidden},
				{"/api/v1/dashboard/summary", http.StatusForbidden},
				{"/api/v1/dashboard/passes", http.StatusForbidden},
				{"/api/v1/alerts", http.StatusForbidden},
				{fmt.Sprintf("/api/v1/enterprises/%d/spot-checks/figures", f.entA1.ID), http.StatusForbidden},
			} {
				if res := f.do(http.MethodGet, tt.path, gate, nil); res.status != tt.want {
					t.Errorf("%s: got %d %s, want %d", tt.path, res.status, res.body, tt.want)
				}
			}
			if res := f.do(http.MethodPost, fmt.Sprintf("/api/v1/workers/%d/pass/revoke", w.ID), gate,
				map[string]any{"reason": "门岗不能撤销"}); res.status != http.StatusForbidden {
				t.Errorf("revoke: got %d %s, want 403", res.status, res.body)
			}
		})
		t.Run("HRDisables", func(t *testing.T) {
			u := f.user("gate1")
			res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", u.ID), hr, map[string]any{"active": false})
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
			if res := f.scan(gate, map[string]any{"phone": w.Phone}); res.status != http.StatusUnauthorized {
				t.Errorf("a disabled guard's scan: got %d %s, want 401", res.status, res.body)
			}
		})
	})
}

type sampleAnswer struct {
	Date    string `json:"date"`
	Percent int    `json:"percent"`
	Items   []struct {
		WorkerID     int64 `json:"worker_id"`
		EnterpriseID int64 `json:"enterprise_id"`
		Checked      bool  `json:"checked"`
	} `json:"items"`
}

func (f *fixture) sample(token string) sampleAnswer {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/spot-checks/sample", token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("sample: got %d %s", res.status, res.body)
	}
	var s sampleAnswer
	res.decode(f.t, &s)
	return s
}

// TestSpotSampleAndFigures: a supervisor's daily sample is stable, holds the township's share
// of each enterprise's on-duty workers (rounded up, at least one), and a guard sees its
// enterprise's part; after N checks with M discrepancies the dashboard's and the enterprise's
// figures agree with them.
func TestSpotSampleAndFigures(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		f.atLocal(9, 0)
		admin, sup := f.token("admina"), f.token("supa")
		// supA supervises A1 and A2; A1 has five people back, A2 one.
		if res := f.do(http.MethodPut, fmt.Sprintf("/api/v1/enterprises/%d/supervisors", f.entA2.ID), admin,
			map[string]any{"user_ids": []int64{f.supA.ID, f.supA2.ID}}); res.status != http.StatusOK {
			t.Fatalf("assign: got %d %s", res.status, res.body)
		}
		hrA2 := f.staff(f.adminA, "hra2", domain.RoleEnterpriseHR, f.entA2.ID)
		var a1 []domain.Worker
		var a1Tokens []string
		for n := 1; n <= 5; n++ {
			w, tok := f.gateWorker(f.hrA1, f.entA1, n, "")
			a1, a1Tokens = append(a1, w), append(a1Tokens, tok)
		}
		_, tA2 := f.gateWorker(hrA2, f.entA2, 6, "")
		if res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), admin,
			map[string]any{"spot_check_percent": 30}); res.status != http.StatusOK {
			t.Fatalf("percent: got %d %s", res.status, res.body)
		}
		gateUser := f.staff(f.adminA, "gatea1", domain.RoleGate, f.entA1.ID)
		gate := f.token(gateUser.Username)

		t.Run("Sample", func(t *testing.T) {
			first, second := f.sample(sup), f.sample(sup)
			if first.Percent != 30 || first.Date != dayFromToday(0) {
				t.Errorf("got percent %d of %s, want 30 of today", first.Percent, first.Date)
			}
			ids := func(s sampleAnswer, e int64) []int64 {
				var out []int64
				for _, it := range s.Items {
					if e == 0 || it.EnterpriseID == e {
						out = append(out, it.WorkerID)
					}
				}
				return out
			}
			if !slices.Equal(ids(first, 0), ids(second, 0)) {
				t.Errorf("got %v then %v, want the same sample twice", ids(first, 0), ids(second, 0))
			}
			// ceil(5 × 30%) = 2 of A1; ceil(1 × 30%) = 1 of A2, at least one.
			if got := ids(first, f.entA1.ID); len(got) != int(math.Ceil(5*0.3)) {
				t.Errorf("got %d of A1, want 2", len(got))
			}
			if got := ids(first, f.entA2.ID); len(got) != 1 {
				t.Errorf("got %d of A2, want 1", len(got))
			}
			g := f.sample(gate)
			if !slices.Equal(ids(g, 0), ids(first, f.entA1.ID)) {
				t.Errorf("the guard's sample: got %v, want A1's part of the supervisor's, %v", ids(g, 0), ids(first, f.entA1.ID))
			}
		})

		// Four of A1 and A2's one report at work, the fifth of A1 at home: on duty 4 in A1.
		for i, tok := range a1Tokens {
			f.checkin(tok, 36.5, map[bool]string{true: "home", false: "work"}[i == 4])
		}
		f.checkin(tA2, 36.5, "work")
		// N = 4 checks of 3 workers of A1, M = 2 discrepancies (a fever, an absence); one of A2.
		for _, c := range []map[string]any{
			{"worker_id": a1[0].ID, "present": true, "temperature": 36.6},
			{"worker_id": a1[0].ID, "present": true, "temperature": 38.2},
			{"worker_id": a1[1].ID, "present": false},
			{"worker_id": a1[2].ID, "present": true, "temperature": 36.4},
		} {
			if res := f.do(http.MethodPost, "/api/v1/spot-checks", sup, c); res.status != http.StatusCreated {
				t.Fatalf("spot check %v: got %d %s", c, res.status, res.body)
			}
		}
		if res := f.do(http.MethodPost, "/api/v1/spot-checks", gate, map[string]any{"worker_id": a1[3].ID, "present": true,
			"temperature": 36.5}); res.status != http.StatusCreated {
			t.Fatalf("the guard's check: got %d %s", res.status, res.body)
		}
		if res := f.do(http.MethodPost, "/api/v1/spot-checks", sup, map[string]any{"worker_id": a1[4].ID, "present": true,
			"temperature": 36.5}); res.status != http.StatusCreated {
			t.Fatalf("a check of the one at home: got %d %s", res.status, res.body)
		}
		// A1: 6 checks of 5 workers (a checked worker need not be on duty), 2 discrepancies, 4 on duty.
		type figures struct {
			Checks          int     `json:"checks"`
			Checked         int     `json:"checked"`
			OnDuty          int     `json:"on_duty"`
			Coverage        float64 `json:"coverage"`
			Discrepancies   int     `json:"discrepancies"`
			DiscrepancyRate float64 `json:"discrepancy_rate"`
		}
		want := figures{Checks: 6, Checked: 5, OnDuty: 4, Coverage: 5.0 / 4, Discrepancies: 2, DiscrepancyRate: 2.0 / 6}
		same := func(a, b figures) bool {
			return a.Checks == b.Checks && a.Checked == b.Checked && a.OnDuty == b.OnDuty && a.Discrepancies == b.Discrepancies &&
				math.Abs(a.Coverage-b.Coverage) < 1e-9 && math.Abs(a.DiscrepancyRate-b.DiscrepancyRate) < 1e-9
		}

		t.Run("Figures", func(t *testing.T) {
			for _, who := range []string{"admina", "supa"} {
				res := f.do(http.MethodGet, "/api/v1/dashboard/spot-checks", f.token(who), nil)
				var dash struct {
					Date         string  `json:"date"`
					Total        figures `json:"total"`
					ByEnterprise []struct {
						EnterpriseID int64 `json:"enterprise_id"`
						figures
					} `json:"by_enterprise"`
				}
				res.decode(t, &dash)
				var a1Row, a2Row *figures
				for i := range dash.ByEnterprise {
					switch dash.ByEnterprise[i].EnterpriseID {
					case f.entA1.ID:
						a1Row = &dash.ByEnterprise[i].figures
					case f.entA2.ID:
						a2Row = &dash.ByEnterprise[i].figures
					}
				}
				if a1Row == nil || !same(*a1Row, want) {
					t.Errorf("%s: got A1 %+v, want %+v", who, a1Row, want)
				}
				if a2Row == nil || a2Row.Checks != 0 || a2Row.OnDuty != 1 || a2Row.Coverage != 0 {
					t.Errorf("%s: got A2 %+v, want no checks of its one on duty", who, a2Row)
				}
				if tot := dash.Total; tot.Checks != 6 || tot.OnDuty != 5 || tot.Discrepancies != 2 || tot.Checked != 5 {
					t.Errorf("%s: got total %+v, want 6 checks, 5 checked, 5 on duty, 2 discrepancies", who, tot)
				}
			}
			for _, who := range []string{"admina", "supa", "hra1"} {
				res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d/spot-checks/figures?days=7", f.entA1.ID), f.token(who), nil)
				var ent struct {
					Days []struct {
						Date string `json:"date"`
						figures
					} `json:"days"`
					Total figures `json:"total"`
				}
				res.decode(t, &ent)
				if len(ent.Days) != 7 || ent.Days[6].Date != dayFromToday(0) {
					t.Fatalf("%s: got %s, want 7 days up to today", who, res.body)
				}
				if !same(ent.Days[6].figures, want) || !same(ent.Total, want) {
					t.Errorf("%s: got today %+v and total %+v, want %+v", who, ent.Days[6].figures, ent.Total, want)
				}
				for _, d := range ent.Days[:6] {
					if d.Checks != 0 || d.OnDuty != 0 {
						t.Errorf("%s: got %+v on %s, want nothing before today", who, d.figures, d.Date)
					}
				}
			}
		})
		t.Run("SampleMarksChecks", func(t *testing.T) {
			for _, it := range f.sample(sup).Items {
				checked := slices.ContainsFunc(a1[:5], func(w domain.Worker) bool { return w.ID == it.WorkerID })
				if it.Checked != checked {
					t.Errorf("worker %d: got checked %v, want %v", it.WorkerID, it.Checked, checked)
				}
			}
		})
	})
}
