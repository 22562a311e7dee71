package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fugong/repo"
	"fugong/repo/dbtest"
)

// summary is the part of a dashboard summary these tests read.
type summary struct {
	Date                string  `json:"date"`
	EnterprisesTotal    int     `json:"enterprises_total"`
	EnterprisesReopened int     `json:"enterprises_reopened"`
	EnterprisesNot      int     `json:"enterprises_not_applied"`
	WorkersTotal        int     `json:"workers_total"`
	CheckinsAM          int     `json:"checkins_am"`
	CheckinsPM          int     `json:"checkins_pm"`
	Fever               int     `json:"fever"`
	AlertsOpen          int     `json:"alerts_open"`
	Completion          float64 `json:"completion"`
	FeverThreshold      float64 `json:"fever_threshold"`
	Zones               []struct {
		Zone             string `json:"zone"`
		EnterprisesTotal int    `json:"enterprises_total"`
		CheckinsAM       int    `json:"checkins_am"`
	} `json:"zones"`
}

func (f *fixture) summary(token, query string) summary {
	f.t.Helper()
	res := f.do(http.MethodGet, "/api/v1/dashboard/summary"+query, token, nil)
	if res.status != http.StatusOK {
		f.t.Fatalf("summary: got %d %s, want 200", res.status, res.body)
	}
	var s summary
	res.decode(f.t, &s)
	return s
}

// TestDashboardScope: town admins see their township, supervisors their enterprises, nobody
// else anything; a check-in shows in the numbers at once.
func TestDashboardScope(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, worker := f.workerToken(1)
		// From home: at work, at an enterprise not approved, it would add a 未批先复 alert.
		res := f.do(http.MethodPost, "/api/v1/checkins", worker, map[string]any{"slot": "am", "temperature": 38.1, "location": "home"})
		if res.status != http.StatusCreated {
			t.Fatalf("check in: got %d %s", res.status, res.body)
		}
		admin, sup, sup2, hr, adminB := f.token("admina"), f.token("supa"), f.token("supa2"), f.token("hra1"), f.token("adminb")

		t.Run("TownAdmin", func(t *testing.T) {
			s := f.summary(admin, "")
			if s.EnterprisesTotal != 2 || s.EnterprisesNot != 2 || s.WorkersTotal != 1 || s.CheckinsAM != 1 || s.Fever != 1 || s.AlertsOpen != 1 {
				t.Errorf("got %+v, want 2 enterprises not applied, 1 worker, 1 check-in with a fever and its open alert", s)
			}
			if len(s.Zones) != 2 || s.Zones[0].Zone != "一区" || s.Zones[0].CheckinsAM != 1 || s.Zones[1].CheckinsAM != 0 {
				t.Errorf("got zones %+v, want 一区 with the check-in and 二区 without", s.Zones)
			}
		})
		t.Run("Supervisor", func(t *testing.T) {
			if s := f.summary(sup, ""); s.EnterprisesTotal != 1 || s.CheckinsAM != 1 {
				t.Errorf("supa: got %+v, want A1 only, with its check-in", s)
			}
			if s := f.summary(sup2, ""); s.EnterprisesTotal != 1 || s.CheckinsAM != 0 || s.WorkersTotal != 0 {
				t.Errorf("supa2: got %+v, want A2 only, without A1's check-in", s)
			}
		})
		t.Run("OtherTownship", func(t *testing.T) {
			if s := f.summary(adminB, ""); s.EnterprisesTotal != 1 || s.CheckinsAM != 0 || s.WorkersTotal != 0 {
				t.Errorf("adminb: got %+v, want township B's one enterprise and nothing of A", s)
			}
		})
		t.Run("Filters", func(t *testing.T) {
			if s := f.summary(admin, "?zone=二区"); s.EnterprisesTotal != 1 || s.CheckinsAM != 0 {
				t.Errorf("zone 二区: got %+v, want A2 only", s)
			}
			if s := f.summary(admin, "?industry=没有这个行业"); s.EnterprisesTotal != 0 {
				t.Errorf("unknown industry: got %+v, want nothing", s)
			}
		})
		t.Run("Enterprises", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/dashboard/enterprises", sup, nil)
			var got struct {
				Total int `json:"total"`
				Items []struct {
					EnterpriseID int64 `json:"enterprise_id"`
					Abnormal     bool  `json:"abnormal"`
					CheckinsAM   int   `json:"checkins_am"`
				} `json:"items"`
			}
			res.decode(t, &got)
			if res.status != 200 || got.Total != 1 || got.Items[0].EnterpriseID != f.entA1.ID || !got.Items[0].Abnormal || got.Items[0].CheckinsAM != 1 {
				t.Errorf("got %d %s, want A1 alone, abnormal, with 1 check-in", res.status, res.body)
			}
		})
		t.Run("Trend", func(t *testing.T) {
			res := f.do(http.MethodGet, "/api/v1/dashboard/trend", admin, nil)
			var got struct {
				Items []struct {
					Date       string `json:"date"`
					CheckinsAM int    `json:"checkins_am"`
				} `json:"items"`
			}
			res.decode(t, &got)
			if res.status != 200 || len(got.Items) != 14 || got.Items[13].CheckinsAM != 1 || got.Items[12].CheckinsAM != 0 {
				t.Errorf("got %d %s, want 14 days ending today with today's check-in", res.status, res.body)
			}
		})
		t.Run("Refused", func(t *testing.T) {
			for _, tc := range []struct {
				name, token, path string
				want              int
				fields            []string
			}{
				{"HR", hr, "/api/v1/dashboard/summary", 403, nil},
				{"Worker", worker, "/api/v1/dashboard/enterprises", 403, nil},
				{"Unsigned", "", "/api/v1/dashboard/trend", 401, nil},
				{"BadDate", admin, "/api/v1/dashboard/summary?date=2020-02-30", 422, []string{"date"}},
				{"Backwards", admin, "/api/v1/dashboard/trend?from=2020-02-10&to=2020-02-01", 422, []string{"from"}},
				{"TooLong", admin, "/api/v1/dashboard/trend?from=2019-01-01&to=2020-02-01", 422, []string{"to"}},
				{"StreamHR", hr, "/api/v1/dashboard/stream", 403, nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					res := f.do(http.MethodGet, tc.path, tc.token, nil)
					if res.status != tc.want {
						t.Fatalf("got %d %s, want %d", res.status, res.body, tc.want)
					}
					if tc.fields != nil && !slices.Equal(res.errorFields(t), tc.fields) {
						t.Errorf("got fields %v, want %v", res.errorFields(t), tc.fields)
					}
				})
			}
		})
	})
}

// TestDashboardFeverThreshold: the summary states the township's fever threshold, which
// supervisors cannot read from the township's settings, and follows a change of it.
func TestDashboardFeverThreshold(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin, sup := f.token("admina"), f.token("supa")
		t.Run("OK", func(t *testing.T) {
			for name, token := range map[string]string{"admina": admin, "supa": sup} {
				if got := f.summary(token, "").FeverThreshold; got != 37.3 {
					t.Errorf("%s: got threshold %v, want the default 37.3", name, got)
				}
			}
		})
		t.Run("SupervisorCannotReadTownship", func(t *testing.T) {
			if res := f.do(http.MethodGet, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), sup, nil); res.status != http.StatusForbidden {
				t.Errorf("got %d %s, want 403: the summary is where a supervisor learns the threshold", res.status, res.body)
			}
		})
		t.Run("FollowsChange", func(t *testing.T) {
			f.summary(sup, "") // an answer kept from before the change must not be served
			res := f.do(http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", f.townA.ID), admin, map[string]any{"fever_threshold": 37.5})
			if res.status != http.StatusOK {
				t.Fatalf("set the threshold: got %d %s", res.status, res.body)
			}
			for name, token := range map[string]string{"admina": admin, "supa": sup} {
				if got := f.summary(token, "").FeverThreshold; got != 37.5 {
					t.Errorf("%s: got threshold %v, want the township's new 37.5", name, got)
				}
			}
			if got := f.summary(f.token("adminb"), "").FeverThreshold; got != 37.3 {
				t.Errorf("adminb: got threshold %v, want township B's own 37.3", got)
			}
		})
	})
}

// TestDashboardAnswersFollowChanges: the answers' JSON, kept while nothing changes, is
// encoded again after a check-in; asking twice gives the same bytes meanwhile.
func TestDashboardAnswersFollowChanges(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, first := f.workerToken(1)
		_, second := f.workerToken(2)
		admin := f.token("admina")
		checkIn := func(token string) {
			t.Helper()
			if res := f.do(http.MethodPost, "/api/v1/checkins", token, map[string]any{"slot": "am", "temperature": 36.5}); res.status != http.StatusCreated {
				t.Fatalf("check in: got %d %s", res.status, res.body)
			}
		}
		// checkinsAM reads today's morning check-ins from each route's answer, twice.
		checkinsAM := func(path string) int {
			t.Helper()
			a, b := f.do(http.MethodGet, path, admin, nil), f.do(http.MethodGet, path, admin, nil)
			if a.status != http.StatusOK || !bytes.Equal(a.body, b.body) {
				t.Fatalf("%s: got %d %s, then %s; want 200 twice, the same", path, a.status, a.body, b.body)
			}
			var got struct {
				CheckinsAM int `json:"checkins_am"`
				Items      []struct {
					CheckinsAM int `json:"checkins_am"`
				} `json:"items"`
			}
			a.decode(t, &got)
			// Trend: only today has any; enterprises: only A1.
			for _, it := range got.Items {
				got.CheckinsAM = max(got.CheckinsAM, it.CheckinsAM)
			}
			return got.CheckinsAM
		}
		paths := []string{"/api/v1/dashboard/summary", "/api/v1/dashboard/trend", "/api/v1/dashboard/enterprises"}
		checkIn(first)
		for _, p := range paths {
			if n := checkinsAM(p); n != 1 {
				t.Errorf("%s: got %d morning check-ins, want 1", p, n)
			}
		}
		checkIn(second)
		for _, p := range paths {
			if n := checkinsAM(p); n != 2 {
				t.Errorf("%s after a second check-in: got %d morning check-ins, want 2", p, n)
			}
		}
	})
}

// sse is one event or comment read from a stream.
type sse struct {
	id, event, data, comment string
}

// stream is an open event stream read line by line in the background.
type stream struct {
	events chan sse
	cancel context.CancelFunc
	status int
}

// openStream connects to the dashboard stream; lastID is sent as Last-Event-ID when not empty.
func openStream(t *testing.T, url, token, lastID string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/dashboard/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open stream: %v", err)
	}
	s := &stream{events: make(chan sse, 100), cancel: cancel, status: res.StatusCode}
	t.Cleanup(cancel)
	if ct := res.Header.Get("Content-Type"); res.StatusCode == 200 && !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("got Content-Type %q, want text/event-stream", ct)
	}
	go func() {
		defer res.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var cur sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if cur != (sse{}) {
					s.events <- cur
				}
				cur = sse{}
			case strings.HasPrefix(line, ":"):
				cur.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				cur.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				cur.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				cur.data = line[6:]
			}
		}
	}()
	return s
}

// next returns the next "update" event, skipping keep-alives, or fails after wait.
func (s *stream) next(t *testing.T, wait time.Duration) (sse, streamData) {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.event != "update" {
				continue
			}
			var d streamData
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatalf("event data %q: %v", ev.data, err)
			}
			return ev, d
		case <-deadline:
			t.Fatalf("no update within %v", wait)
		}
	}
}

// quiet fails if an update arrives within wait; keep-alives must.
func (s *stream) quiet(t *testing.T, wait time.Duration) {
	t.Helper()
	deadline := time.After(wait)
	alive := false
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.event == "update" {
				t.Fatalf("got update %s, want none", ev.data)
			}
			alive = alive || ev.comment == "keep-alive"
		case <-deadline:
			if !alive {
				t.Errorf("got no keep-alive within %v", wait)
			}
			return
		}
	}
}

type streamData struct {
	Kinds       []string `json:"kinds"`
	Enterprises []int64  `json:"enterprise_ids"`
	Summary     summary  `json:"summary"`
}

// TestDashboardStream: a viewer connected to the stream gets an update with the new numbers
// after a check-in in their scope, not after one outside it; a reconnect with Last-Event-ID
// gets an update at once only if something changed meanwhile.
func TestDashboardStream(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		_, worker := f.workerToken(1)
		admin, sup2, adminB := f.token("admina"), f.token("supa2"), f.token("adminb")
		checkin := func(slot string) {
			t.Helper()
			res := f.do(http.MethodPost, "/api/v1/checkins", worker, map[string]any{"slot": slot, "temperature": 36.5})
			if res.status/100 != 2 {
				t.Fatalf("check in: got %d %s", res.status, res.body)
			}
		}

		viewer := openStream(t, f.srv.URL, admin, "")
		first, d := viewer.next(t, 2*time.Second)
		if d.Summary.CheckinsAM != 0 || len(d.Kinds) != 0 {
			t.Fatalf("first event: got %+v, want the current numbers (no check-in yet) and no kinds", d)
		}
		other := openStream(t, f.srv.URL, sup2, "")
		other.next(t, 2*time.Second)
		townB := openStream(t, f.srv.URL, adminB, "")
		townB.next(t, 2*time.Second)

		checkin("am")
		ev, d := viewer.next(t, 2*time.Second)
		if d.Summary.CheckinsAM != 1 || !slices.Equal(d.Kinds, []string{"checkin"}) || !slices.Equal(d.Enterprises, []int64{f.entA1.ID}) {
			t.Errorf("after the check-in: got %+v, want checkins_am 1, kinds [checkin], enterprise A1", d)
		}
		if id(t, ev.id) <= id(t, first.id) {
			t.Errorf("got event id %s after %s, want it to grow", ev.id, first.id)
		}
		other.quiet(t, 400*time.Millisecond)
		townB.quiet(t, 100*time.Millisecond)

		t.Run("ResumeNothingMissed", func(t *testing.T) {
			viewer.cancel()
			again := openStream(t, f.srv.URL, admin, ev.id)
			again.quiet(t, 300*time.Millisecond)
			again.cancel()
		})
		t.Run("ResumeAfterChange", func(t *testing.T) {
			checkin("pm") // while nobody from this viewer listens
			again := openStream(t, f.srv.URL, admin, ev.id)
			ev2, d := again.next(t, time.Second)
			if d.Summary.CheckinsPM != 1 || id(t, ev2.id) <= id(t, ev.id) {
				t.Errorf("got %s %+v, want at once a newer event with the afternoon check-in", ev2.id, d)
			}
		})
		t.Run("ShutdownEndsStreams", func(t *testing.T) {
			s := openStream(t, f.srv.URL, admin, "")
			s.next(t, time.Second)
			f.hub.Close()
			select {
			case _, ok := <-drain(s.events):
				if ok {
					t.Fatal("got more events, want the stream closed")
				}
			case <-time.After(2 * time.Second):
				t.Fatal("the stream is still open 2 s after the hub closed")
			}
		})
	})
}

// drain skips whatever is buffered and reports the channel's close.
func drain(c chan sse) chan sse {
	out := make(chan sse)
	go func() {
		for range c {
		}
		close(out)
	}()
	return out
}

func id(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("event id %q: %v", s, err)
	}
	return n
}

// TestDashboardStreamCap: one account may hold a few live streams, not thousands (issue 16,
// item 6: one token opened 2,000); past the cap it gets 429 and others are not affected, and a
// closed stream frees its place.
func TestDashboardStreamCap(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin, sup := f.token("admina"), f.token("supa")
		var open []*stream
		for i := range 5 {
			s := openStream(t, f.srv.URL, admin, "")
			if s.status != http.StatusOK {
				t.Fatalf("stream %d: got %d, want 200", i+1, s.status)
			}
			open = append(open, s)
		}
		if s := openStream(t, f.srv.URL, admin, ""); s.status != http.StatusTooManyRequests {
			t.Errorf("a sixth stream of one account: got %d, want 429", s.status)
		}
		if s := openStream(t, f.srv.URL, sup, ""); s.status != http.StatusOK {
			t.Errorf("another account's stream: got %d, want 200", s.status)
		}
		open[0].cancel()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := openStream(t, f.srv.URL, admin, "")
			if s.status == http.StatusOK {
				break
			}
			s.cancel()
			if time.Now().After(deadline) {
				t.Fatalf("after closing one stream: still %d after 30 s, want a place freed", s.status)
			}
			time.Sleep(20 * time.Millisecond) // the server sees the closed connection when it next writes
		}
	})
}

// TestDashboardStreamEndsWithAccount: an open stream ends soon after its account is disabled
// or its sessions end (issue 16, item 6), not when its token expires a quarter of an hour later;
// another account's stream goes on.
func TestDashboardStreamEndsWithAccount(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		f := newFixture(t, db)
		admin := f.token("admina")
		ended := func(t *testing.T, s *stream, why string) {
			t.Helper()
			select {
			case _, ok := <-drain(s.events):
				if ok {
					t.Fatal("got more events, want the stream closed")
				}
			case <-time.After(10 * time.Second): // the fixture rechecks every 50 ms
				t.Fatalf("the stream is still open 10 s after %s", why)
			}
		}
		t.Run("Disabled", func(t *testing.T) {
			s := openStream(t, f.srv.URL, f.token("supa"), "")
			other := openStream(t, f.srv.URL, admin, "")
			if s.status != http.StatusOK || other.status != http.StatusOK {
				t.Fatalf("open: got %d and %d, want 200", s.status, other.status)
			}
			if res := f.do(http.MethodPatch, "/api/v1/users/"+itoa(f.supA.ID), admin, map[string]any{"active": false}); res.status != http.StatusOK {
				t.Fatalf("disable: got %d %s", res.status, res.body)
			}
			ended(t, s, "the account was disabled")
			for buffered := true; buffered; { // what the other stream sent before
				select {
				case _, ok := <-other.events:
					buffered = ok
				default:
					buffered = false
				}
			}
			for alive := false; !alive; { // and it keeps sending keep-alives
				select {
				case ev, ok := <-other.events:
					if !ok {
						t.Fatal("another account's stream ended")
					}
					alive = ev.comment == "keep-alive"
				case <-time.After(10 * time.Second):
					t.Fatal("no keep-alive on another account's stream within 10 s")
				}
			}
		})
		t.Run("SignedOut", func(t *testing.T) {
			access, r := f.login("supa2")
			s := openStream(t, f.srv.URL, access, "")
			if s.status != http.StatusOK {
				t.Fatalf("open: got %d, want 200", s.status)
			}
			if res := f.do(http.MethodPost, "/api/v1/auth/logout", access, map[string]string{"refresh_token": r}); res.status != http.StatusNoContent {
				t.Fatalf("logout: got %d %s", res.status, res.body)
			}
			ended(t, s, "its account signed out")
		})
	})
}
