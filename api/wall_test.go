package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// openAlertsPage is an answer of /dashboard/open-alerts.
type openAlertsPage struct {
	Items []struct {
		ID             int64     `json:"id"`
		Type           string    `json:"type"`
		Label          string    `json:"label"`
		Date           string    `json:"date"`
		EnterpriseID   int64     `json:"enterprise_id"`
		EnterpriseName string    `json:"enterprise_name"`
		Zone           string    `json:"zone"`
		RaisedAt       time.Time `json:"raised_at"`
	} `json:"items"`
	Total int `json:"total"`
}

// TestWallViewer is a wall screen's account (大屏, issue 21) through the API: a town admin makes
// it, of no enterprise; it reads the township's figures, where no answer names a person (no
// worker, and no supervisor beside an enterprise); its rolling list of open alerts tells what,
// where and when, and drops an alert once it is taken in hand. Its refusals are the authz
// matrix's (TestAuthzMatrix, column viewerA).
func TestWallViewer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		res := f.do(http.MethodPost, "/api/v1/users", admin, map[string]any{"username": "wall1", "password": password,
			"role": "viewer", "name": "会议室大屏", "enterprise_id": f.entA1.ID})
		if res.status != http.StatusCreated {
			t.Fatalf("create viewer: got %d %s, want 201", res.status, res.body)
		}
		var made struct {
			Role         string `json:"role"`
			TownshipID   *int64 `json:"township_id"`
			EnterpriseID *int64 `json:"enterprise_id"`
		}
		res.decode(t, &made)
		if made.Role != "viewer" || made.TownshipID == nil || *made.TownshipID != f.townA.ID || made.EnterpriseID != nil {
			t.Fatalf("got %+v, want a viewer of township A and no enterprise", made)
		}
		wall := f.token("wall1")

		// A fever with a symptom's note, from home: a fever alert and a symptoms alert of A1.
		_, worker := f.workerToken(1)
		res = f.do(http.MethodPost, "/api/v1/checkins", worker, map[string]any{"slot": "am", "temperature": 38.4,
			"location": "home", "symptoms": []string{"other"}, "symptom_note": "邻居老王也发烧"})
		if res.status != http.StatusCreated {
			t.Fatalf("check in: got %d %s", res.status, res.body)
		}
		personal := []string{"职工1", "13900000001", idNumber(1), "38.4", "体温", "老王", `"supa"`, `"supa2"`}
		noPerson := func(t *testing.T, what, body string) {
			t.Helper()
			for _, p := range personal {
				if strings.Contains(body, p) {
					t.Errorf("LEAK: %s as the wall screen holds %q: %.300s", what, p, body)
				}
			}
		}

		t.Run("OpenAlerts", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/dashboard/open-alerts", wall, nil)
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", res.status, res.body)
			}
			noPerson(t, "open-alerts", string(res.body))
			var got openAlertsPage
			res.decode(t, &got)
			labels := map[string]string{}
			for _, a := range got.Items {
				labels[a.Type] = a.Label
				if a.EnterpriseName != f.entA1.Name || a.Zone != "一区" || a.Date != dayFromToday(0) || a.RaisedAt.IsZero() {
					t.Errorf("got %+v, want A1's alert of today in 一区 with when it was raised", a)
				}
			}
			if got.Total != 2 || labels["fever"] != "发热" || labels["symptoms"] != "症状" {
				t.Errorf("got %d alerts %v, want the fever (发热) and the symptoms (症状)", got.Total, labels)
			}
			// A1's supervisor sees them; A2's sees none.
			if n := f.openAlerts(f.token("supa"), "").Total; n != 2 {
				t.Errorf("supa: got %d open alerts, want 2", n)
			}
			if n := f.openAlerts(f.token("supa2"), "").Total; n != 0 {
				t.Errorf("supa2: got %d open alerts, want none of A1's", n)
			}
			if n := f.openAlerts(wall, "?zone="+"二区").Total; n != 0 {
				t.Errorf("zone 二区: got %d open alerts, want none", n)
			}
			// Taken in hand, the fever leaves the list at once (the answer kept for the
			// township's version is not served after the change).
			fever := got.Items[0].ID
			if got.Items[0].Type != "fever" {
				fever = got.Items[1].ID
			}
			res = f.do(http.MethodPost, fmt.Sprintf("/api/v1/alerts/%d/acknowledge", fever), f.token("hra1"), map[string]any{"note": "已电话联系"})
			if res.status != http.StatusOK {
				t.Fatalf("acknowledge: got %d %s", res.status, res.body)
			}
			after := f.openAlerts(wall, "")
			if after.Total != 1 || after.Items[0].Type != "symptoms" {
				t.Errorf("got %+v after the fever was taken in hand, want the symptoms alone", after)
			}
		})

		t.Run("FiguresWithoutNames", func(t *testing.T) {
			for _, path := range []string{"/dashboard/summary", "/dashboard/trend", "/dashboard/return-curve", "/dashboard/enterprises",
				"/dashboard/passes", "/dashboard/spot-checks"} {
				res := f.do(http.MethodGet, "/api/v1"+path, wall, nil)
				if res.status != http.StatusOK {
					t.Errorf("%s: got %d %s, want 200", path, res.status, res.body)
					continue
				}
				noPerson(t, path, string(res.body))
			}
			// The town admin's rows name A1's supervisor; the wall screen's, of the same day,
			// name nobody.
			if res := f.do(http.MethodGet, "/api/v1/dashboard/enterprises", admin, nil); !strings.Contains(string(res.body), `"supervisors":["supa"]`) {
				t.Errorf("town admin: got %.300s, want A1's supervisor supa", res.body)
			}
			res := f.do(http.MethodGet, "/api/v1/dashboard/enterprises", wall, nil)
			if n := strings.Count(string(res.body), `"supervisors":[]`); n != 2 {
				t.Errorf("wall screen: got %d rows without supervisors, want both of A: %.300s", n, res.body)
			}
		})

		// The wall PC signs in once: each refresh moves the session's end on by the refresh
		// token's lifetime (30 days), so a screen that runs stays signed in.
		t.Run("StaysSignedIn", func(t *testing.T) {
			res := f.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "wall1", "password": password})
			var first struct {
				RefreshToken     string    `json:"refresh_token"`
				RefreshExpiresAt time.Time `json:"refresh_expires_at"`
			}
			res.decode(t, &first)
			if d := time.Until(first.RefreshExpiresAt); d < 29*24*time.Hour {
				t.Fatalf("got a session of %v, want 30 days", d)
			}
			f.ahead.Store(int64(20 * 24 * time.Hour)) // 20 days on
			defer f.ahead.Store(0)
			res = f.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken})
			if res.status != http.StatusOK {
				t.Fatalf("refresh 20 days on: got %d %s", res.status, res.body)
			}
			var next struct {
				RefreshExpiresAt time.Time `json:"refresh_expires_at"`
			}
			res.decode(t, &next)
			if got := next.RefreshExpiresAt.Sub(first.RefreshExpiresAt); got < 19*24*time.Hour {
				t.Errorf("got the session's end moved on by %v, want 20 days", got)
			}
		})
	})
}

func (f *fixture) openAlerts(token, query string) openAlertsPage {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/dashboard/open-alerts"+query, token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("open alerts: got %d %s, want 200", res.status, res.body)
	}
	var p openAlertsPage
	res.decode(f.t, &p)
	return p
}
