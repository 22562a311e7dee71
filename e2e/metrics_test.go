package e2e

import (
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fugong/domain"
	"fugong/repo/dbtest"
)

// scrape reads the metrics listener of a running server.
func (s *server) scrape(t *testing.T) string {
	t.Helper()
	res, err := http.Get(s.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("metrics: got %d %s", res.StatusCode, b)
	}
	return string(b)
}

// sample returns the value of one series (labels as Prometheus writes them, sorted by name),
// failing the test when the scrape lacks it.
func sample(t *testing.T, scrape, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("the scrape has no %s", series)
	return 0
}

// TestMetricsCount starts the real program and finds on its metrics listener the database
// pool's figures, the check-in and alert counters, which move when a worker reports a fever
// through the API, and on PostgreSQL the check-ins' groups.
func TestMetricsCount(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			url := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
			}
			s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_DB_MAX_CONNS": "7"})
			const (
				feverAM = `fugong_checkins_recorded_total{reading="fever",slot="am"}`
				normal  = `fugong_checkins_recorded_total{reading="normal",slot="pm"}`
				fevers  = `fugong_alerts_raised_total{type="fever"}`
			)
			before := s.scrape(t)
			if got := sample(t, before, `go_sql_max_open_connections{db_name="fugong"}`); got != 7 {
				t.Errorf("pool limit: got %v, want FUGONG_DB_MAX_CONNS", got)
			}
			for _, series := range []string{`go_sql_open_connections{db_name="fugong"}`, `go_sql_in_use_connections{db_name="fugong"}`,
				`go_sql_idle_connections{db_name="fugong"}`, `go_sql_wait_count_total{db_name="fugong"}`,
				`go_sql_wait_duration_seconds_total{db_name="fugong"}`, `fugong_alerts_raised_total{type="missed_checkin"}`,
				`fugong_group_messages_total{outcome="ok",platform="wecom"}`} {
				sample(t, before, series)
			}
			if got := sample(t, before, `go_sql_open_connections{db_name="fugong"}`); got < 1 {
				t.Errorf("open connections: got %v, want the ones the demo used", got)
			}

			id := "37162619900101123" + string(domain.IDCheckChar("37162619900101123"))
			code := addWorker(t, s, "计量测试", id, "13700001234")
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			apiCall(t, s, http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{
				"enterprise_code": code, "phone": "13700001234", "id_number": id, "pin": testPIN}, &tok)
			for _, c := range []map[string]any{
				{"slot": "am", "temperature": 38.4, "symptoms": []string{"fever"}},
				{"slot": "pm", "temperature": 36.5, "symptoms": []string{}},
			} {
				apiCall(t, s, http.MethodPost, "/api/v1/checkins", tok.AccessToken, c, nil)
			}

			after := s.scrape(t)
			for series, want := range map[string]float64{feverAM: 1, normal: 1, fevers: 1} {
				if got := sample(t, after, series) - sample(t, before, series); got != want {
					t.Errorf("%s: moved by %v, want %v", series, got, want)
				}
			}
			if got := sample(t, after, `fugong_http_requests_total{method="POST",route="/api/v1/checkins",status="201"}`); got != 2 {
				t.Errorf("check-in requests: got %v, want 2", got)
			}
			// PostgreSQL commits plain check-ins in groups: the normal one went in a group of
			// its own; the fever, written with its alert in one transaction, in none. SQLite
			// groups none.
			moved := func(series string) float64 { return sample(t, after, series) - sample(t, before, series) }
			groups, grouped, timed := moved("fugong_checkin_group_size_count"), moved("fugong_checkin_group_size_sum"),
				moved("fugong_checkin_group_seconds_count")
			if e.Name == "postgres" && (groups != 1 || grouped != 1 || timed != 1) {
				t.Errorf("check-in groups: %v groups of %v check-ins, timed %v times; want the normal report in 1 group of 1, timed",
					groups, grouped, timed)
			}
			if e.Name != "postgres" && sample(t, after, "fugong_checkin_group_size_count") != 0 {
				t.Errorf("check-in groups on %s: got some, want none", e.Name)
			}
		})
	}
}

// TestMetricsMethodLabels: the request counters label a method a client made up as "other", so
// that made-up methods cannot grow the metrics without bound (issue 16: 500 requests with 8 KB
// method names grew them to 68 MB).
func TestMetricsMethodLabels(t *testing.T) {
	s := startServer(t, map[string]string{"FUGONG_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "m.db")})
	before := len(s.scrape(t))
	for i := range 50 {
		method := "X" + strings.Repeat(strconv.Itoa(i), 2000)
		req, _ := http.NewRequest(method, s.url+"/api/v1/enterprises", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	scrape := s.scrape(t)
	if strings.Contains(scrape, "X00000") || strings.Contains(scrape, "X4949") {
		t.Errorf("got a made-up method among the labels")
	}
	if !strings.Contains(scrape, `method="other"`) {
		t.Errorf("got no method=\"other\" after 50 made-up methods")
	}
	if grew := len(scrape) - before; grew > 20_000 {
		t.Errorf("the scrape grew by %d bytes for 50 requests, want a few series", grew)
	}
}
