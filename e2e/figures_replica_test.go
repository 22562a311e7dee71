package e2e

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"fugong/api"
	"fugong/domain"
	"fugong/repo/dbtest"
)

// TestFiguresAgreeOnReplica is TestFiguresAgree with FUGONG_DATABASE_READ_URL set to a real
// streaming replica: the dashboard, the reports and the lists read from the replica (their
// answers carry an as-of), the other pages from the primary, and once the replica has replayed
// the demo every figure still reads the same everywhere. Its metrics show the replica's lag.
func TestFiguresAgreeOnReplica(t *testing.T) {
	st := dbtest.NewStreaming(t)
	env := map[string]string{"FUGONG_DATA_DIR": t.TempDir(),
		"FUGONG_DATABASE_URL": st.PrimaryURL("fugong"), "FUGONG_DATABASE_READ_URL": st.ReplicaURL("fugong")}
	s := startServer(t, env)
	_, out := s.login(t, "changshan")
	token := out["access_token"].(string)
	st.CaughtUp(t)
	asOf := func() string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/dashboard/summary", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get(api.AsOfHeader)
	}
	deadline := time.Now().Add(30 * time.Second)
	for asOf() == "" {
		if time.Now().After(deadline) {
			t.Fatal("waited 30 s for a summary read from the replica (with an as-of)")
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded by the deadline
	}
	a := agreement{t: t, s: s, token: token}
	today := domain.DateFromTime(time.Now().In(time.FixedZone("CST", 8*3600)))
	a.enterprises()
	for back := range 4 {
		d := today.AddDays(-back)
		t.Run(d.String(), func(t *testing.T) {
			a.t = t
			// The sweep may raise an alert between two reads, and the replica replays it a
			// moment later: a day is compared again when its summary moved meanwhile.
			for try := 1; ; try++ {
				before := a.summary(d)
				problems := a.compare(d, before, today)
				if after := a.summary(d); (reflect.DeepEqual(before, after) && len(problems) == 0) || try == 3 {
					for _, p := range problems {
						t.Error(p)
					}
					return
				}
				st.CaughtUp(t)
			}
		})
	}
	if asOf() == "" {
		t.Error("after the comparison: the summary was not read from the replica")
	}
	// The metrics say how far behind the replica is (the as-of the pages show only past 5 s),
	// and how many reads it failed: none here.
	scrape := s.scrape(t)
	if lag := sample(t, scrape, "fugong_read_replica_lag_seconds"); lag < 0 || lag > 10 {
		t.Errorf("fugong_read_replica_lag_seconds %v, want the lag of a replica that keeps up (0 to 10 s)", lag)
	}
	for _, reason := range []string{"replay_conflict", "unavailable"} {
		if n := sample(t, scrape, `fugong_read_replica_fallbacks_total{reason="`+reason+`"}`); n != 0 {
			t.Errorf("fallbacks for %s: %v, want 0", reason, n)
		}
	}
}
