package e2e

import (
	"context"
	"encoding/base64"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fugong/domain"
	"fugong/internal/app"
	"fugong/internal/demo"
	"fugong/repo/dbtest"
)

// TestRetentionCommand runs `fugong retention run` on a demo whose fortnight ended 200 days
// ago: --dry-run counts every check-in and alert and changes nothing; the run removes them,
// leaves the daily statistics as they were and says so in the township's audit log.
func TestRetentionCommand(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
			}
			key := make([]byte, 32)
			env := map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_DATA_DIR": t.TempDir(),
				"FUGONG_DATA_KEY": base64.StdEncoding.EncodeToString(key)}
			getenv := func(k string) string { return env[k] }
			a := openApp(t, env)
			st := a.Stores
			if _, err := demo.Seed(ctx, st, time.Now().Add(-200*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			count := func(table string) int {
				n, err := dbtest.CountRows(ctx, a.DB, table)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			stats := func() string {
				rows, err := st.Stats.Days(ctx, domain.StatsFilter{TownshipID: 1}, domain.NewDate(2000, 1, 1), domain.NewDate(2100, 1, 1))
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				for _, r := range rows {
					b.WriteString(r.Date.String() + strconv.FormatInt(r.EnterpriseID, 10) + " " + strconv.Itoa(r.CheckinsAM+r.CheckinsPM+r.Fever+r.Alerts) + "\n")
				}
				return b.String()
			}
			checkins, alerts, kept := count("checkins"), count("alerts"), stats()
			if checkins < 10000 || alerts == 0 {
				t.Fatalf("the demo has %d check-ins and %d alerts, want its history", checkins, alerts)
			}
			said := regexp.MustCompile(`长山镇 \(keeps 180 days\): (would remove|removed) (\d+) check-ins and (\d+) alerts dated before \d{4}-\d\d-\d\d, and 0 workers`)

			var out strings.Builder
			if err := app.Run(ctx, []string{"retention", "run", "--dry-run"}, getenv, nil, &out); err != nil {
				t.Fatalf("dry run: %v", err)
			}
			m := said.FindStringSubmatch(out.String())
			if m == nil || m[1] != "would remove" || m[2] != strconv.Itoa(checkins) || m[3] != strconv.Itoa(alerts) {
				t.Fatalf("dry run said %q, want it would remove %d check-ins and %d alerts", out.String(), checkins, alerts)
			}
			if count("checkins") != checkins || count("alerts") != alerts || stats() != kept {
				t.Fatal("the dry run changed something")
			}

			out.Reset()
			if err := app.Run(ctx, []string{"retention", "run"}, getenv, nil, &out); err != nil {
				t.Fatalf("run: %v", err)
			}
			if m := said.FindStringSubmatch(out.String()); m == nil || m[1] != "removed" || m[2] != strconv.Itoa(checkins) {
				t.Errorf("run said %q, want it removed %d check-ins", out.String(), checkins)
			}
			if n := count("checkins") + count("alerts"); n != 0 {
				t.Errorf("%d check-ins and alerts left, want none", n)
			}
			if stats() != kept {
				t.Error("the run changed the daily statistics")
			}
			events, _, err := st.Audit.List(ctx, domain.AuditFilter{Action: "retention.run", Page: domain.Page{Limit: 2}})
			if err != nil || len(events) != 1 || !strings.Contains(events[0].Detail, "打卡 "+strconv.Itoa(checkins)+" 条") {
				t.Errorf("got events %+v (%v), want the run recorded with its counts", events, err)
			}
			for _, bad := range [][]string{{"retention"}, {"retention", "purge"}, {"retention", "run", "--now"}} {
				if err := app.Run(ctx, bad, getenv, nil, io.Discard); err == nil {
					t.Errorf("%v: got no error, want a usage message", bad)
				}
			}
		})
	}
}
