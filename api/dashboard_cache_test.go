package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"fugong/api"
	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// TestDashboardCacheInvalidation drives the dashboard's answer cache through the API: an answer
// is served as kept while its township does not change, so a check-in the hub did not hear of
// (another process's, whose notice has not come) does not show, nor after another township's
// change; a change of its own township shows it at once on every route, for today and a past
// day alike. Each scope and each filter has its own answer. With the cache off, every read
// shows the data.
func TestDashboardCacheInvalidation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		admin, sup2 := f.token("admina"), f.token("supa2")
		workerID, _ := f.workerToken(1)
		// Services that tell nobody of their changes: another process, as far as the hub knows.
		quiet := domain.NewServices(repo.Stores(db, dbtest.Box()), domain.Options{Passwords: domain.PasswordHasher{Cost: bcrypt.MinCost}})
		checkIn := func(t *testing.T, date string) {
			t.Helper()
			temp := 36.5
			rs, err := quiet.Checkins.SubmitForWorkers(ctx, f.hrA1.Actor(), f.entA1.ID,
				[]domain.CheckinInput{{WorkerID: workerID, Date: date, Slot: domain.SlotAM, Temperature: &temp}})
			if err != nil || rs[0].Err != nil {
				t.Fatalf("check in: %v %v", err, rs)
			}
		}
		enterpriseAM := func(t *testing.T, token, query string) int {
			t.Helper()
			res := f.do(http.MethodGet, "/api/v1/dashboard/enterprises"+query, token, nil)
			var got struct {
				Items []struct {
					EnterpriseID int64 `json:"enterprise_id"`
					CheckinsAM   int   `json:"checkins_am"`
				} `json:"items"`
			}
			res.decode(t, &got)
			for _, it := range got.Items {
				if it.EnterpriseID == f.entA1.ID {
					return it.CheckinsAM
				}
			}
			t.Fatalf("got %d %s, want a row of A1", res.status, res.body)
			return 0
		}
		trendAM := func(t *testing.T, token string) []int {
			t.Helper()
			res := f.do(http.MethodGet, "/api/v1/dashboard/trend", token, nil)
			var got struct {
				Items []struct {
					CheckinsAM int `json:"checkins_am"`
				} `json:"items"`
			}
			res.decode(t, &got)
			var out []int
			for _, it := range got.Items {
				out = append(out, it.CheckinsAM)
			}
			if len(out) != 14 {
				t.Fatalf("got %d %s, want 14 days", res.status, res.body)
			}
			return out
		}
		wantAM := func(t *testing.T, query string, want int) {
			t.Helper()
			if got := f.summary(admin, query).CheckinsAM; got != want {
				t.Errorf("summary%s: got %d morning check-ins, want %d", query, got, want)
			}
			if got := enterpriseAM(t, admin, query); got != want {
				t.Errorf("enterprises%s: got %d morning check-ins of A1, want %d", query, got, want)
			}
		}
		yesterday := "?date=" + dayFromToday(-1)
		wantAM(t, "", 0)
		wantAM(t, yesterday, 0)
		if got := trendAM(t, admin); got[13] != 0 || got[12] != 0 {
			t.Fatalf("got trend %v, want no check-ins", got)
		}
		sup2Total := f.summary(sup2, "").EnterprisesTotal
		checkIn(t, "")
		checkIn(t, dayFromToday(-1))

		t.Run("KeptWhileUnchanged", func(t *testing.T) {
			wantAM(t, "", 0)
			wantAM(t, yesterday, 0)
			if got := trendAM(t, admin); got[13] != 0 || got[12] != 0 {
				t.Errorf("got trend %v, want the kept answer, without the check-ins", got)
			}
		})
		t.Run("OtherTownshipLeavesIt", func(t *testing.T) {
			f.hub.Notify(domain.Change{TownshipID: f.townB.ID, Kind: domain.ChangeCheckin})
			wantAM(t, "", 0)
		})
		t.Run("OwnChangeShows", func(t *testing.T) {
			f.hub.Notify(domain.Change{TownshipID: f.townA.ID, EnterpriseID: f.entA1.ID, Kind: domain.ChangeCheckin})
			wantAM(t, "", 1)
			wantAM(t, yesterday, 1)
			if got := trendAM(t, admin); got[13] != 1 || got[12] != 1 {
				t.Errorf("got trend %v, want today's and yesterday's check-ins", got)
			}
		})
		t.Run("ScopeAndFilters", func(t *testing.T) {
			if s := f.summary(sup2, ""); s.EnterprisesTotal != sup2Total || s.EnterprisesTotal != 1 || s.CheckinsAM != 0 {
				t.Errorf("supa2: got %+v, want A2 alone, not the town admin's answer", s)
			}
			if s := f.summary(admin, "?zone=二区"); s.EnterprisesTotal != 1 || s.CheckinsAM != 0 {
				t.Errorf("zone 二区: got %+v, want A2 alone", s)
			}
			if s := f.summary(admin, "?zone=一区"); s.EnterprisesTotal != 1 || s.CheckinsAM != 1 {
				t.Errorf("zone 一区: got %+v, want A1 alone with its check-in", s)
			}
		})
		t.Run("Off", func(t *testing.T) {
			e, _ := api.New(f.svc, api.Config{Tokens: f.tokens, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Live: &api.Live{Hub: f.hub}, NoDashboardCache: true})
			srv := httptest.NewServer(e)
			defer srv.Close()
			cached := f.srv
			f.srv = srv
			defer func() { f.srv = cached }()
			wantAM(t, "", 1)
			temp := 36.6
			rs, err := quiet.Checkins.SubmitForWorkers(ctx, f.hrA1.Actor(), f.entA1.ID,
				[]domain.CheckinInput{{WorkerID: workerID, Slot: domain.SlotPM, Temperature: &temp}})
			if err != nil || rs[0].Err != nil {
				t.Fatalf("check in: %v %v", err, rs)
			}
			if s := f.summary(admin, ""); s.CheckinsPM != 1 {
				t.Errorf("got %d afternoon check-ins, want the one written unheard of, at once", s.CheckinsPM)
			}
		})
	})
}
