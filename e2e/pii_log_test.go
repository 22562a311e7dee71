package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo/dbtest"
)

// TestNoPersonalDataInLogs runs the demo as `serve --demo` does, with the server's JSON log at
// debug level captured, and uses it as the demo's people do: sign-ins (one with a phone typed
// as the username, workers' failed ones), roster lists searched by phone and by ID number,
// the worker file with the ID number revealed, roster exports, check-ins of a worker and on
// workers' behalf, a bad roster entry, reports, the dashboard, the audit log. Then it scans
// the whole log and the /metrics output for ID numbers (GB 11643's 18-character pattern and
// every demo ID number) and phone numbers (1[3-9] and 9 digits, and every demo phone), and
// for the demo's workers' names.
func TestNoPersonalDataInLogs(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			url := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
			}
			key := make([]byte, 32)
			for i := range key {
				key[i] = byte(i * 7)
			}
			env := map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_LOG_LEVEL": "debug",
				"FUGONG_DATA_KEY": base64.StdEncoding.EncodeToString(key)}
			s := startServer(t, env)
			people := demoPeople(t, env)
			exercise(t, s, people)
			metrics := s.scrape(t)
			s.stop()

			log, other := splitLog(t, s.out.String())
			if !strings.Contains(log, "INSERT INTO") {
				t.Error("the log has no failed statement (the duplicate worker): the scan missed what GORM logs")
			}
			if n := strings.Count(log, "\n"); n < 40 {
				t.Fatalf("the log has %d lines, want one per request at least: the scan would prove little", n)
			}
			for name, text := range map[string]string{"log": log, "metrics": metrics} {
				for _, hit := range people.find(text) {
					t.Errorf("%s holds %s", name, hit)
				}
				if testing.Verbose() {
					for _, line := range strings.Split(text, "\n") {
						if len(people.find(line)) > 0 {
							t.Logf("in: %.600s", line)
						}
					}
				}
			}
			// Outside the log the program prints only its start-up lines: the demo's accounts
			// and its group robots (issue 20), which a person trying the demo needs.
			for _, line := range strings.Split(strings.TrimSpace(other), "\n") {
				if !strings.HasPrefix(line, "Demo accounts") && !strings.HasPrefix(line, "Demo group robots") &&
					!strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "Fugong listening on ") {
					t.Errorf("unexpected output outside the log: %q", line)
				}
			}
		})
	}
}

// people are the demo's personal data, read from its database: what must never be logged.
type people struct {
	ids, phones map[string]bool
	names       []string
	worker      domain.Worker // one on duty, for signing in
	code        string        // the worker's enterprise's login code
}

var (
	idPattern    = regexp.MustCompile(`[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]`)
	phonePattern = regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`)
	digitRun     = regexp.MustCompile(`[0-9Xx]{11,}`)
)

// find returns what of the people's data text holds: anything shaped like an ID number or a
// mobile number, and every demo ID number, phone or worker name, wherever it sits in a run
// of digits.
func (p people) find(text string) []string {
	var hits []string
	for _, m := range idPattern.FindAllString(text, 5) {
		hits = append(hits, "an ID number "+m)
	}
	for _, m := range phonePattern.FindAllString(text, 5) {
		hits = append(hits, "a phone number "+m)
	}
	for _, run := range digitRun.FindAllString(text, -1) {
		for i := 0; i+11 <= len(run); i++ {
			if p.phones[run[i:i+11]] {
				hits = append(hits, "the demo phone "+run[i:i+11])
			}
			if i+18 <= len(run) && p.ids[strings.ToUpper(run[i:i+18])] {
				hits = append(hits, "the demo ID number "+run[i:i+18])
			}
		}
	}
	for _, n := range p.names {
		if strings.Contains(text, n) {
			hits = append(hits, "the worker name "+n)
		}
	}
	return hits
}

// demoPeople reads the demo's workers (ID numbers decrypted with the server's key), staff and
// enterprise contacts from the database of the server started with env.
func demoPeople(t *testing.T, env map[string]string) people {
	t.Helper()
	ctx := context.Background()
	st := openApp(t, env).Stores
	p := people{ids: map[string]bool{}, phones: map[string]bool{}}
	names := map[string]bool{}
	err := st.Workers.ForTownship(ctx, 1, func(ws []domain.Worker) error {
		for _, w := range ws {
			p.ids[string(w.IDNumber)], p.phones[w.Phone], names[w.Name] = true, true, true
			if p.worker.ID == 0 && w.Status == domain.WorkerOnDuty {
				p.worker = w
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	users, _, err := st.Users.List(ctx, domain.UserFilter{Page: domain.Page{Limit: domain.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Phone != "" {
			p.phones[u.Phone] = true
		}
	}
	ents, _, err := st.Enterprises.List(ctx, domain.EnterpriseFilter{Page: domain.Page{Limit: domain.MaxPageSize}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		p.phones[e.ContactPhone] = true
		if e.ID == p.worker.EnterpriseID {
			p.code = e.Code
		}
	}
	for n := range names {
		p.names = append(p.names, n)
	}
	if len(p.ids) < 3000 || len(p.phones) < 3000 || p.worker.ID == 0 {
		t.Fatalf("got %d ID numbers and %d phones from the demo, want its roster", len(p.ids), len(p.phones))
	}
	return p
}

// exercise uses the running demo as its people would, with their personal data in paths,
// queries and bodies.
func exercise(t *testing.T, s *server, p people) {
	t.Helper()
	token := func(user string) string {
		status, out := s.login(t, user)
		if status != http.StatusOK {
			t.Fatalf("login %s: got %d", user, status)
		}
		return out["access_token"].(string)
	}
	// The demo's enterprises are numbered as their HR accounts are (hr1 keeps enterprise 1).
	town, hr, sup := token("changshan"), token(fmt.Sprintf("hr%d", p.worker.EnterpriseID)), token("supervisor1")
	token("platform")
	w := p.worker
	id, phone := string(w.IDNumber), w.Phone
	ent := fmt.Sprintf("/api/v1/enterprises/%d", w.EnterpriseID)
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	// Expected refusals and mistakes, with personal data in them.
	for _, r := range []struct {
		method, path, token string
		body                any
		want                int
	}{
		{http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": phone, "password": id}, 401},
		{http.MethodPost, "/api/v1/auth/worker-login", "", map[string]string{"enterprise_code": p.code, "phone": phone, "pin": "000000"}, 401},
		{http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{"enterprise_code": "999999", "phone": phone, "id_number": id, "pin": "731946"}, 401},
		{http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{"enterprise_code": p.code, "phone": phone, "id_number": id, "pin": id[8:14]}, 422},
		{http.MethodPost, ent + "/workers", hr, map[string]any{"name": w.Name, "id_number": id, "phone": phone, "origin_region": "371681"}, 409},
		{http.MethodPost, ent + "/workers", hr, map[string]any{"name": "新职工", "id_number": id[:17] + "0", "phone": "1" + phone, "origin_region": "371681"}, 422},
		{http.MethodGet, fmt.Sprintf("/api/v1/workers/%d?reveal=true", w.ID), town, nil, 403},
		{http.MethodGet, ent + "/workers?q=" + id, "", nil, 401},
		{http.MethodPost, "/api/v1/checkins", hr, map[string]any{"slot": "am", "temperature": 36.5}, 403},
	} {
		if got, body := apiCall(t, s, r.method, r.path, r.token, r.body, anyStatus{}); got != r.want {
			t.Errorf("%s %s: got %d %s, want %d", r.method, r.path, got, body, r.want)
		}
	}
	// The day's work.
	for _, path := range []string{
		ent + "/workers?q=" + phone, ent + "/workers?q=" + id, ent + "/workers?page_size=200",
		fmt.Sprintf("/api/v1/workers/%d?reveal=true", w.ID), ent + "/workers/export", ent + "/checkins?date=" + today,
		"/api/v1/alerts?status=open",
	} {
		apiCall(t, s, http.MethodGet, path, hr, nil, nil)
	}
	for _, path := range []string{
		ent + "/workers?q=" + phone, ent + "/workers/export", fmt.Sprintf("/api/v1/workers/%d", w.ID), "/api/v1/reports/daily.xlsx",
		"/api/v1/reports/range.xlsx?from=" + today + "&to=" + today, "/api/v1/dashboard/summary", "/api/v1/dashboard/enterprises",
		"/api/v1/audit?page_size=200", "/api/v1/audit?action=worker",
	} {
		apiCall(t, s, http.MethodGet, path, town, nil, nil)
	}
	apiCall(t, s, http.MethodGet, "/api/v1/enterprises", sup, nil, nil)
	apiCall(t, s, http.MethodPatch, fmt.Sprintf("/api/v1/workers/%d", w.ID), hr, map[string]any{"phone": phone, "department": "质检部"}, nil)
	apiCall(t, s, http.MethodPost, ent+"/checkins", hr, map[string]any{"items": []map[string]any{
		{"worker_id": w.ID, "slot": "pm", "temperature": 37.9, "symptoms": []string{"dry_cough"}, "overwrite": true},
	}}, nil)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	apiCall(t, s, http.MethodPost, fmt.Sprintf("/api/v1/workers/%d/reset-pin", w.ID), hr, nil, nil)
	apiCall(t, s, http.MethodPost, "/api/v1/auth/worker-enrol", "", map[string]string{"enterprise_code": p.code, "phone": phone, "id_number": id, "pin": "731946"}, &tok)
	apiCall(t, s, http.MethodPost, "/api/v1/checkins", tok.AccessToken, map[string]any{"slot": "am", "temperature": 38.3, "symptoms": []string{"fever"}, "symptom_note": "电话 " + phone}, nil)
	apiCall(t, s, http.MethodGet, "/api/v1/checkins/me", tok.AccessToken, nil, nil)
	apiCall(t, s, http.MethodGet, "/api/v1/me", tok.AccessToken, nil, nil)
}

// splitLog separates the program's JSON log lines from its other output, and fails the test on
// a line that looks like a log record but is not JSON.
func splitLog(t *testing.T, out string) (log, other string) {
	t.Helper()
	var l, o strings.Builder
	for _, line := range strings.Split(out, "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "{"):
			if !json.Valid([]byte(line)) {
				t.Errorf("a log line that is not JSON: %q", line)
			}
			l.WriteString(line + "\n")
		default:
			o.WriteString(line + "\n")
		}
	}
	return l.String(), o.String()
}
