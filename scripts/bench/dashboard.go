package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

func init() {
	register(scenario{order: 50, name: "dashboard",
		about: "summary, trend, enterprise, pass and spot-check routes over 6,000,000 check-ins (50,000 workers × 60 days × 2 slots), " +
			"16 concurrent viewers; baseline: one precomputed row read by primary key, same concurrency. Target: p95 ≤ 20 ms for each route.",
		run: runDashboard})
}

// viewers is how many dashboards watch at once.
const viewers = 16

func runDashboard(ctx context.Context, r *runner) error {
	nWorkers, days := r.Size(50_000, 2_000), r.Size(60, 10)
	t0 := time.Now()
	sc, release, err := r.seededPostgres(ctx, 200, nWorkers)
	if err != nil {
		return err
	}
	defer release()
	dbURL, d := sc.url, sc.d
	from := d.Today.AddDays(-days + 1)
	n, err := copyCheckins(ctx, dbURL, d, from, days)
	if err != nil {
		return err
	}
	loaded := time.Since(t0)
	// The statistics of the loaded history come from the product's own command, as after a
	// restore: the COPY went past the triggers.
	t1 := time.Now()
	if _, err := r.Command(ctx, dbURL, "stats", "rebuild", "--from", from.String(), "--to", d.Today.String()); err != nil {
		return err
	}
	rebuilt := time.Since(t1)
	fmt.Printf("Loaded %d workers in 200 enterprises and %d check-ins over %d days in %s (COPY, triggers off); `fugong stats rebuild` took %s.\n\n",
		nWorkers, n, days, loaded.Round(time.Second), rebuilt.Round(time.Second))

	token, err := r.Tokens().Issue(d.Admin.Actor())
	if err != nil {
		return err
	}
	base, err := baselineLatency(ctx, dbURL, d, from, r.duration(10*time.Second, 2*time.Second))
	if err != nil {
		return err
	}
	routes := []string{"/api/v1/dashboard/summary", "/api/v1/dashboard/trend", "/api/v1/dashboard/enterprises",
		"/api/v1/dashboard/trend?from=" + from.String(),
		// Issue 19: every worker's pass of today (four reads and the rule for each of 50,000),
		// and the spot checks per enterprise.
		"/api/v1/dashboard/passes", "/api/v1/dashboard/spot-checks"}
	// As served: answers are kept until a change of their township (api/dashboard_cache.go).
	if err := dashboardRuns(ctx, r, dbURL, token, routes, base, r.duration(10*time.Second, 2*time.Second), true); err != nil {
		return err
	}
	// For reference, what each answer costs to compute: the cost after every change.
	fmt.Print("Without the answer cache (`FUGONG_DASHBOARD_CACHE=off`): what every read costs while the numbers keep changing.\n\n")
	return dashboardRuns(ctx, r, dbURL, token, routes, base, r.duration(5*time.Second, time.Second), false)
}

// dashboardRuns starts a server (with or without its answer cache) and has the viewers watch
// each route in turn, printing one table.
func dashboardRuns(ctx context.Context, r *runner, dbURL, token string, routes []string, base, each time.Duration, cached bool) error {
	env := []string{"FUGONG_DASHBOARD_CACHE=off"}
	if cached {
		env = nil
	}
	srv, err := r.StartServer(ctx, dbURL, env...)
	if err != nil {
		return err
	}
	defer srv.Stop()
	tab := loadtest.Table{Header: []string{"route", "requests/s", "p50", "p95", "p99", "errors", "baseline p95", "ratio", "target p95", ""}}
	for _, route := range routes {
		m := watch(srv.URL+route, token, each)
		errs := len(m.Errors)
		target, v := "≤ 20 ms", verdict(m.Latencies.P95 <= 20*time.Millisecond && errs == 0)
		if !cached {
			target, v = "(reference)", "–"
		}
		tab.Add("`"+route+"`", fmt.Sprintf("%.0f", m.Throughput), ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99),
			errs, ms(base), ratio(float64(m.Latencies.P95), float64(base)), target, v)
	}
	tab.Print()
	rss, _ := srv.Memory()
	fmt.Printf("Server RSS after: %.0f MiB.\n\n", rss)
	return nil
}

// watch has the viewers ask for one route as fast as the server answers (closed loop: each
// viewer waits for its answer), for d.
func watch(url, token string, d time.Duration) vegeta.Metrics {
	target := vegeta.Target{Method: http.MethodGet, URL: url, Header: http.Header{"Authorization": {"Bearer " + token}}}
	attacker := vegeta.NewAttacker(vegeta.Workers(viewers), vegeta.MaxWorkers(viewers), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	for res := range attacker.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: 0}, d, "dashboard") {
		m.Add(res)
	}
	m.Close()
	return m
}

// copyCheckins loads every worker's two check-ins a day with COPY on a session whose triggers
// are off (session_replication_role = replica): the way a restore loads history.
func copyCheckins(ctx context.Context, dbURL string, d *loadtest.Dataset, from domain.Date, days int) (int64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(6, 0))
	day, wi, slot := 0, 0, 0
	cols := []string{"township_id", "enterprise_id", "worker_id", "date", "slot", "temperature", "fever",
		"symptoms", "symptom_note", "location", "created_at", "updated_at"}
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if day == days {
			return nil, nil
		}
		w := d.Workers[wi]
		date := from.AddDays(day)
		at := date.Time().Add(time.Duration(1+9*slot) * time.Hour)
		temp, fever, sym := 360+rng.IntN(10), false, ""
		if rng.IntN(500) == 0 {
			temp, fever, sym = 375+rng.IntN(10), true, "fever"
		}
		row := []any{w.TownshipID, w.EnterpriseID, w.ID, date.Time(), []string{"am", "pm"}[slot], temp, fever, sym, "", "work", at, at}
		if slot++; slot == 2 {
			slot = 0
			if wi++; wi == len(d.Workers) {
				wi = 0
				day++
			}
		}
		return row, nil
	})
	return conn.CopyFrom(ctx, pgx.Identifier{"checkins"}, cols, src)
}

// baselineLatency is the p95 of reading one precomputed row by its primary key, by as many
// connections as there are viewers, for d: the least a dashboard read can cost.
func baselineLatency(ctx context.Context, dbURL string, d *loadtest.Dataset, from domain.Date, dur time.Duration) (time.Duration, error) {
	pool, err := pgxpool.New(ctx, dbURL+"&pool_max_conns=16")
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	errc := make(chan error, viewers)
	end := time.Now().Add(dur)
	for v := range viewers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(v), 1))
			var mine []time.Duration
			for time.Now().Before(end) {
				e := d.Enterprises[rng.IntN(len(d.Enterprises))]
				day := from.AddDays(rng.IntN(int(d.Today.Time().Sub(from.Time()).Hours()/24) + 1))
				var roster, am int
				t := time.Now()
				err := pool.QueryRow(ctx, `SELECT roster, checkins_am FROM daily_stats WHERE enterprise_id = $1 AND date = $2`,
					e.ID, day.Time()).Scan(&roster, &am)
				mine = append(mine, time.Since(t))
				if err != nil {
					errc <- err
					return
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return 0, err
	}
	return percentile(all, 0.95), nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(float64(len(ds)-1)*p)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
