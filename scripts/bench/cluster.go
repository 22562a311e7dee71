package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"fugong/scripts/internal/hacluster"
	"fugong/scripts/internal/loadtest"
)

// cluster-checkin measures check-ins on the production topology (scripts/cluster, issue 22):
// the same closed loop as checkin, through HAProxy to the three Fugong processes on the
// two-member Patroni cluster, against the product's statement sent straight to the leader
// through HAProxy's write port — once with synchronous replication (the cluster's setting:
// a commit waits for the standby) and once without (Patroni's synchronous_mode off for the
// whole cluster, so that both sides lose the same wait). Turning the mode off for the
// cluster rather than synchronous_commit=local in the baseline's sessions keeps the two
// sides on equal terms: the Fugong processes' sessions cannot be told to skip the wait.
func init() {
	register(scenario{order: 70, name: "cluster-checkin", onlyByName: true,
		about: "Check-ins on the two-member cluster (scripts/cluster; one is started for the run, and stopped after, when none runs): " +
			"through HAProxy to the three Fugong processes vs the product's statement straight to the leader by as many connections, " +
			"with synchronous replication and without. Replaces the cluster's fugong database. Not part of \"all\": name it.",
		run: runClusterCheckin})
}

// clusterMode is one replication mode's pair of runs and what the leader held after each.
type clusterMode struct {
	name             string
	sync             bool
	fugong, baseline *checkinRun
	rows, baseRows   string // "rows = distinct keys answered 2xx = 201s" after each run
	rowsOK           bool
	load             string // load average before the pair
}

func runClusterCheckin(ctx context.Context, r *runner) error {
	for _, prog := range []string{"patroni", "etcd", "haproxy"} {
		if _, err := exec.LookPath(prog); err != nil {
			fmt.Printf("Skipped: needs %s (Debian packages patroni, etcd-server, haproxy; see README, Cluster).\n", prog)
			return nil
		}
	}
	st, stop, err := benchCluster(ctx)
	if err != nil {
		return err
	}
	defer stop()
	nEnt, nWorkers := r.Size(200, 20), r.Size(50000, 2000)
	runFor := r.duration(30*time.Second, 3*time.Second)
	ds, tokens, err := clusterSeed(ctx, st, nEnt, nWorkers, r.Quick())
	if err != nil {
		return err
	}
	// Whatever happens, the cluster is left synchronous, as it was configured.
	defer func() {
		if err := hacluster.SetSynchronous(context.WithoutCancel(ctx), true, time.Minute); err != nil {
			fmt.Fprintln(os.Stderr, "bench: the cluster is left asynchronous:", err)
		}
	}()

	// The keys run on across the modes (4 × workers of them, more than both modes send), so
	// that each mode gets the same mix of new check-ins and repeats.
	keys, tally := newCheckinKeys(nWorkers), newCheckinTally()
	baseKeys, baseTally := newCheckinKeys(nWorkers), newCheckinTally()
	target := checkinTargeter(hacluster.AppURL(), ds, tokens, keys)
	modes := []*clusterMode{{name: "synchronous", sync: true}, {name: "asynchronous", sync: false}}
	for _, m := range modes {
		if err := hacluster.SetSynchronous(ctx, m.sync, time.Minute); err != nil {
			return err
		}
		m.load = loadAverage()
		m.fugong = checkinAttack(ctx, target, vegeta.Rate{Freq: 0}, runFor, tally,
			vegeta.Workers(checkinConns), vegeta.MaxWorkers(checkinConns), vegeta.Connections(checkinConns), vegeta.MaxConnections(checkinConns))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rows, err := checkinCount(ctx, checkinPostgres, hacluster.WriteURL(hacluster.Database), ds.Today, ds.Today.AddDays(-1))
		if err != nil {
			return err
		}
		upsert, closeDB, err := checkinPgUpsert(ctx, hacluster.WriteURL(hacluster.Database))
		if err != nil {
			return err
		}
		m.baseline = checkinClosedLoop(ctx, runFor, ds, baseKeys, baseTally, upsert)
		closeDB()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		baseRows, err := checkinCount(ctx, checkinPostgres, hacluster.WriteURL(hacluster.Database),
			ds.Today.AddDays(checkinBaselineShift), ds.Today.AddDays(checkinBaselineShift-1))
		if err != nil {
			return err
		}
		m.rows = fmt.Sprintf("%d = %d = %d", rows, len(tally.stored), tally.created)
		m.baseRows = fmt.Sprintf("%d = %d = %d", baseRows, len(baseTally.stored), baseTally.created)
		m.rowsOK = rows == len(tally.stored) && rows == tally.created &&
			baseRows == len(baseTally.stored) && baseRows == baseTally.created
	}
	clusterTable(modes, nWorkers, runFor, tally, baseTally)
	return nil
}

// clusterTable prints the modes side by side, the ratios of each and sync/async.
func clusterTable(modes []*clusterMode, nWorkers int, runFor time.Duration, tally, baseTally *checkinTally) {
	s, a := modes[0], modes[1]
	t := loadtest.Table{
		Title: fmt.Sprintf("Check-ins on the two-member cluster: %d workers, %d in flight on each side, %s per run, phones wait %s",
			nWorkers, checkinConns, runFor, checkinTimeout),
		Header: []string{"measure", "synchronous replication", "asynchronous", "sync / async"},
	}
	perSec := func(r *checkinRun) string { return fmt.Sprintf("%.0f/s", r.throughput()) }
	lat := func(r *checkinRun) string {
		return checkinMS(r.metrics.Latencies.P50) + " / " + checkinMS(r.metrics.Latencies.P99)
	}
	t.Add("Fugong: HAProxy → 3 processes → leader, closed loop (2xx/s)", perSec(s.fugong), perSec(a.fugong), ratio(s.fugong.throughput(), a.fugong.throughput()))
	t.Add("baseline: repo.CheckinStatement straight to the leader (write port), pgx (2xx/s)", perSec(s.baseline), perSec(a.baseline), ratio(s.baseline.throughput(), a.baseline.throughput()))
	okS := s.baseline.throughput() > 0 && s.fugong.throughput()/s.baseline.throughput() >= 0.5
	okA := a.baseline.throughput() > 0 && a.fugong.throughput()/a.baseline.throughput() >= 0.5
	t.Add("ratio Fugong / baseline (single-node target ≥ 0.50×)",
		ratio(s.fugong.throughput(), s.baseline.throughput())+" "+verdict(okS),
		ratio(a.fugong.throughput(), a.baseline.throughput())+" "+verdict(okA), "–")
	t.Add("Fugong latency p50 / p99", lat(s.fugong), lat(a.fugong), "–")
	t.Add("baseline latency p50 / p99", lat(s.baseline), lat(a.baseline), "–")
	t.Add("rows on the leader after the run = distinct keys answered 2xx = 201s (Fugong; baseline, cumulative)",
		s.rows+"; "+s.baseRows+" "+verdict(s.rowsOK), a.rows+"; "+a.baseRows+" "+verdict(a.rowsOK), "–")
	t.Add("load average before the pair (1, 5, 15 min)", s.load, a.load, "–")
	t.Add("errors, all runs (Fugong; baseline)", fmt.Sprintf("%d of %d; %d of %d", tally.errors, tally.created+tally.replaced+tally.errors,
		baseTally.errors, baseTally.created+baseTally.replaced+baseTally.errors), "(both modes)", "–")
	t.Print()
	if tally.errors > 0 {
		fmt.Printf("\nFugong's errors: %s\n", tally.errorSummary())
	}
	if baseTally.errors > 0 {
		fmt.Printf("\nBaseline's errors: %s\n", baseTally.errorSummary())
	}
}

// loadAverage is /proc/loadavg's three averages: the machine is shared, and says how much.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "–"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// benchCluster is the running cluster ($FUGONG_CLUSTER_DIR, else hacluster.DefaultDir(), as
// the fault scripts find it) once healthy, or, when none runs there, one started for the run
// that stop takes down again.
func benchCluster(ctx context.Context) (*hacluster.State, func(), error) {
	dir := hacluster.DefaultDir()
	if d := os.Getenv("FUGONG_CLUSTER_DIR"); d != "" {
		dir = d
	}
	if st, err := hacluster.Load(dir); err == nil && st.Alive("haproxy") {
		fmt.Printf("On the cluster running from %s.\n\n", dir)
		return st, func() {}, st.WaitHealthy(ctx, time.Minute)
	}
	fmt.Printf("No cluster runs from %s: starting one for the run.\n\n", dir)
	st, err := hacluster.Up(ctx, dir, false, os.Stdout)
	stop := func() { _ = hacluster.Down(dir, true, os.Stdout) }
	if err != nil {
		if st != nil {
			_ = hacluster.Down(dir, false, os.Stderr)
		}
		return nil, nil, err
	}
	return st, stop, nil
}

// clusterSeed gives the cluster a fresh fugong database with a township of nEnt enterprises
// and nWorkers workers, loaded with the cluster's data key, restarts its Fugong processes
// on it, waits for their first sweep, and mints every worker's token with the cluster's
// secret.
func clusterSeed(ctx context.Context, st *hacluster.State, nEnt, nWorkers int, quick bool) (*loadtest.Dataset, []string, error) {
	key, err := base64.StdEncoding.DecodeString(st.DataKey)
	if err != nil {
		return nil, nil, fmt.Errorf("the cluster's data key: %w", err)
	}
	cr, err := loadtest.New(ctx, loadtest.Options{Name: "bench", What: "the benchmarks", Town: "基准",
		PG: hacluster.WriteURL("postgres"), Quick: quick, JWTSecret: []byte(st.JWTSecret), DataKey: key})
	if err != nil {
		return nil, nil, err
	}
	defer cr.Close()
	if err := st.FreshDatabase(ctx); err != nil {
		return nil, nil, err
	}
	t0 := time.Now()
	a, err := cr.Open(ctx, hacluster.WriteURL(hacluster.Database))
	if err != nil {
		return nil, nil, err
	}
	ds, err := cr.Seed(ctx, a, nEnt, nWorkers)
	a.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("seed: %w", err)
	}
	tokens := make([]string, len(ds.Workers))
	for i, w := range ds.Workers {
		if tokens[i], err = cr.Tokens().Issue(w.Actor()); err != nil {
			return nil, nil, err
		}
	}
	seeded := time.Since(t0)
	logs, offsets := make([]string, hacluster.Apps), make([]int64, hacluster.Apps)
	for i := range hacluster.Apps {
		logs[i] = filepath.Join(st.Dir, hacluster.AppName(i)+".log")
		if fi, err := os.Stat(logs[i]); err == nil {
			offsets[i] = fi.Size() // the logs are appended to: only what the new processes write counts
		}
		if err := st.StartApp(ctx, i, false); err != nil {
			return nil, nil, err
		}
	}
	if err := st.WaitHealthy(ctx, time.Minute); err != nil {
		return nil, nil, err
	}
	fmt.Printf("Seeded %d workers in %d enterprises through the write port and minted their tokens in %s (loading path, not measured); the first sweep %s.\n\n",
		nWorkers, nEnt, seeded.Round(100*time.Millisecond), clusterWaitSweep(ctx, logs, offsets, 3*time.Minute))
	return ds, tokens, nil
}

// clusterWaitSweep waits until one of the processes (the holder of the periodic work's lock,
// whichever it is) logs the end of its first sweep past offsets, as checkinWaitFirstSweep
// does for one server: the first sweep over a fresh township raises every missed alert at once.
func clusterWaitSweep(ctx context.Context, logs []string, offsets []int64, limit time.Duration) string {
	began := time.Now()
	for time.Since(began) < limit && ctx.Err() == nil {
		for i, path := range logs {
			b, _ := os.ReadFile(path)
			if int64(len(b)) < offsets[i] {
				continue
			}
			for _, line := range strings.Split(string(b[offsets[i]:]), "\n") {
				var entry struct{ Msg string }
				if json.Unmarshal([]byte(line), &entry) == nil && (entry.Msg == "raised alerts" || entry.Msg == "sweep alerts") {
					return fmt.Sprintf("took %s (%s, %s)", time.Since(began).Round(100*time.Millisecond), entry.Msg, hacluster.AppName(i))
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Sprintf("had not ended after %s; the runs started anyway", limit)
}
