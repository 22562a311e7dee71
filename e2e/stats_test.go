package e2e

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite"
	_ "github.com/jackc/pgx/v5/stdlib"

	"fugong/internal/app"
	"fugong/repo/dbtest"
)

// TestStatsRebuild: after the activity figures of the demo's history are spoiled behind the
// server's back, `fugong stats rebuild` brings back exactly the numbers the server had kept
// as it went; bad arguments are refused with a message.
func TestStatsRebuild(t *testing.T) {
	for _, e := range dbtest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "s.db")
			url, driver, dsn := "sqlite:"+path, "sqlite", path
			if e.Name == "postgres" {
				url = dbtest.EmptyPostgres(t)
				driver, dsn = "pgx", url
			}
			env := map[string]string{"FUGONG_DATABASE_URL": url, "FUGONG_DATA_DIR": t.TempDir()}
			trend := func() string {
				t.Helper()
				s := startServer(t, env)
				defer s.stop()
				_, out := s.login(t, "changshan")
				req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/dashboard/trend", nil)
				req.Header.Set("Authorization", "Bearer "+out["access_token"].(string))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				if res.StatusCode != 200 {
					t.Fatalf("trend: got %d %s", res.StatusCode, b)
				}
				// Today is left out: the server's sweep may raise today's alerts (isolation ending)
				// at any moment after a start, and after midnight did so between two reads.
				day := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
				body, _, _ := strings.Cut(string(b), `,{"date":"`+day+`"`)
				return body
			}
			kept := trend()

			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec(`UPDATE daily_stats SET checkins_am = checkins_am + 5, fever = 0, alerts_open = 0`)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			if spoiled := trend(); spoiled == kept {
				t.Fatal("the numbers did not change after spoiling them: the test would prove nothing")
			}

			today := time.Now().In(time.FixedZone("CST", 8*3600))
			var out strings.Builder
			args := []string{"stats", "rebuild", "--from", today.AddDate(0, 0, -20).Format(time.DateOnly), "--to", today.Format(time.DateOnly)}
			if err := app.Run(context.Background(), args, func(k string) string { return env[k] }, nil, &out); err != nil {
				t.Fatalf("stats rebuild: %v", err)
			}
			if !strings.Contains(out.String(), "rebuilt the daily statistics of 1 township") {
				t.Errorf("got %q, want it to say what it rebuilt", out.String())
			}
			if got := trend(); got != kept {
				t.Errorf("after the rebuild got\n%s\nwant what the server kept\n%s", got, kept)
			}

			for _, bad := range [][]string{{"stats"}, {"stats", "rebuild"}, {"stats", "rebuild", "--from", "2020-02-10", "--to", "2020-02-01"}} {
				if err := app.Run(context.Background(), bad, func(k string) string { return env[k] }, nil, io.Discard); err == nil {
					t.Errorf("%v: got no error, want a usage message", bad)
				}
			}
		})
	}
}
