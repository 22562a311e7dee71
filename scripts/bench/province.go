package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

func init() {
	register(scenario{order: 90, name: "province",
		about: "A province's data (issue 22): 2,000 townships, 10,000,000 workers, two recent days and one old day of check-ins " +
			"(60,000,000, by COPY) with their readings. Measured on it: the check-in upsert through the server against the same on an " +
			"empty database, a township's dashboard cold and cached (target p95 ≤ 50 ms), its daily.xlsx, a day's roll-up of the whole " +
			"province, the nightly retention (one month dropped), and the database's size per million workers per month. " +
			"BENCH_PROVINCE_TOWNSHIPS, BENCH_PROVINCE_WORKERS and BENCH_PROVINCE_DAYS (recent days) change the size.",
		run: runProvince, alone: true})
}

// provinceSize is what a province run loads.
type provinceSize struct {
	townships, workers, enterprises int // enterprises per township
	days                            int // recent days of check-ins, today included
}

// provinceSizes are the issue's (full) or a small one (-quick), each overridable by the
// environment for a medium run on a machine that cannot hold the full one.
func provinceSizes(r *runner) (provinceSize, error) {
	s := provinceSize{townships: r.Size(2000, 20), workers: r.Size(10_000_000, 20_000), enterprises: r.Size(50, 10), days: 2}
	for name, v := range map[string]*int{"BENCH_PROVINCE_TOWNSHIPS": &s.townships, "BENCH_PROVINCE_WORKERS": &s.workers,
		"BENCH_PROVINCE_DAYS": &s.days} {
		if env := os.Getenv(name); env != "" {
			n, err := strconv.Atoi(env)
			if err != nil || n < 1 {
				return s, fmt.Errorf("%s: %q is not a positive whole number", name, env)
			}
			*v = n
		}
	}
	if s.workers < s.townships*s.enterprises {
		return s, fmt.Errorf("BENCH_PROVINCE_WORKERS: %d workers cannot fill %d townships of %d enterprises", s.workers, s.townships, s.enterprises)
	}
	return s, nil
}

// province is a loaded province: its database, the township seeded through the services
// (whose dashboard is measured), the township whose workers check in (its last: no check-ins of
// today and yesterday were loaded for it), the days loaded.
type province struct {
	url      string
	size     provinceSize
	seeded   *loadtest.Dataset
	checking *loadtest.Dataset
	recent   []domain.Date
	old      domain.Date // a day in a month the retention drops whole
	checkins int64
}

func runProvince(ctx context.Context, r *runner) error {
	size, err := provinceSizes(r)
	if err != nil {
		return err
	}
	p, release, err := loadProvince(ctx, r, size)
	if err != nil {
		return err
	}
	defer release()
	if err := printProvinceSize(ctx, p); err != nil {
		return err
	}
	if err := provinceRollup(ctx, p); err != nil {
		return err
	}
	if err := provinceServed(ctx, r, p); err != nil {
		return err
	}
	return provinceRetention(ctx, r, p)
}

// loadProvince seeds, clones and loads the province (see province_load.go), then recounts its
// statistics with the product's command and analyzes it.
func loadProvince(ctx context.Context, r *runner, size provinceSize) (*province, func(), error) {
	t0 := time.Now()
	sc, release, err := r.seededPostgres(ctx, size.enterprises, size.workers/size.townships)
	if err != nil {
		return nil, nil, err
	}
	sc.app.Close()
	p := &province{url: sc.url, size: size, seeded: sc.d}
	ok := false
	defer func() {
		if !ok {
			release()
		}
	}()
	towns, err := cloneTownships(ctx, p.url, sc.d.Township.ID, size.townships)
	if err != nil {
		return nil, nil, err
	}
	cloned := time.Since(t0)
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	if p.checking, err = townshipDataset(ctx, conn, towns[len(towns)-1], sc.d.Today); err != nil {
		return nil, nil, err
	}
	// The old day: the first of the month six months back, wholly past the default retention
	// (180 days) of every township, so that the nightly run drops its month.
	today := sc.d.Today.Time()
	p.old = domain.NewDate(today.Year(), today.Month()-7, 1)
	for i := size.days - 1; i >= 0; i-- {
		p.recent = append(p.recent, sc.d.Today.AddDays(-i))
	}
	t1 := time.Now()
	if err := loadProvinceCheckins(ctx, conn, p); err != nil {
		return nil, nil, err
	}
	copied := time.Since(t1)
	// ANALYZE before the rebuild: without statistics for the partitions just loaded the
	// planner guesses, and the rebuild's statements are planned on those guesses (a live
	// database has autovacuum's). The full run found it the other way round.
	t3 := time.Now()
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return nil, nil, err
	}
	analyzed := time.Since(t3)
	t2 := time.Now()
	if err := provinceRebuild(ctx, r, p); err != nil {
		return nil, nil, err
	}
	rebuilt := time.Since(t2)
	fmt.Printf("Loaded %d townships of %d enterprises, %d workers (one township through the services, the others cloned in SQL) in %s; "+
		"%d check-ins with their readings (days %s and %s–%s; COPY, triggers off) in %s (%.0f check-ins/s with readings); "+
		"`fugong stats rebuild` took %s, ANALYZE %s.\n\n",
		size.townships, size.enterprises, size.workers, cloned.Round(time.Second), p.checkins, p.old, p.recent[0], sc.d.Today,
		copied.Round(time.Second), float64(p.checkins)/copied.Seconds(), rebuilt.Round(time.Second),
		analyzed.Round(time.Second))
	ok = true
	return p, release, nil
}

// provinceRebuild runs `fugong stats rebuild` over the old day and the recent days. Each
// township's recount (the rule recount_checkins) finds its check-ins through its enterprises,
// by the index (enterprise_id, date): the medium run found the first version, filtered by
// township_id, which no index leads with, reading every check-in of the province's days for each
// township (about 2 s a township at 2 million check-ins a day), and the bench then made an
// index of its own for the rebuild. It measures the product's schema now, as the migrations
// made it.
func provinceRebuild(ctx context.Context, r *runner, p *province) error {
	for _, span := range [][2]domain.Date{{p.old, p.old}, {p.recent[0], p.seeded.Today}} {
		if _, err := r.Command(ctx, p.url, "stats", "rebuild", "--from", span[0].String(), "--to", span[1].String()); err != nil {
			return err
		}
	}
	return nil
}

// loadProvinceCheckins makes the months' partitions and loads every day.
func loadProvinceCheckins(ctx context.Context, conn *pgx.Conn, p *province) error {
	if err := makeMonths(ctx, conn, append([]domain.Date{p.old}, p.recent...)); err != nil {
		return err
	}
	workers, err := provinceWorkers(ctx, conn)
	if err != nil {
		return err
	}
	for i, day := range append([]domain.Date{p.old}, p.recent...) {
		skip := int64(-1)
		if !day.Before(p.seeded.Today.AddDays(-1)) {
			skip = p.checking.Township.ID // its workers check in during the run
		}
		t := time.Now()
		n, err := copyProvinceDay(ctx, conn, workers, day, skip, uint64(i))
		if err != nil {
			return fmt.Errorf("check-ins of %s: %w", day, err)
		}
		p.checkins += n
		fmt.Printf("_… %s: %d check-ins and their readings in %s_\n\n", day, n, time.Since(t).Round(time.Second))
	}
	return nil
}

// provinceTables are the tables whose size is shown: the ones that grow with workers and days.
var provinceTables = []string{"checkins", "checkin_readings", "alerts", "daily_stats", "daily_origins", "workers", "enterprises"}

// printProvinceSize shows the database's size, each table's (partitions and indexes included),
// and what a million workers add in a month of two check-ins a day.
func printProvinceSize(ctx context.Context, p *province) error {
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var total int64
	if err := conn.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&total); err != nil {
		return err
	}
	tab := loadtest.Table{Title: "Database size", Header: []string{"table", "size (with indexes)", "rows (estimate)", "bytes a row"}}
	var daily int64 // what the tables that grow by the day hold
	for _, t := range provinceTables {
		var bytes, rows int64
		// pg_partition_tree has no rows for a table that is not partitioned: add the table
		// itself. Rows are counted in the partitions only (ANALYZE gives the parent the total too).
		err := conn.QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(p.relid)), 0)::bigint,
				coalesce(sum(c.reltuples) FILTER (WHERE c.relkind = 'r' AND c.reltuples > 0), 0)::bigint
			FROM (SELECT relid FROM pg_partition_tree($1) UNION SELECT $1::regclass) p JOIN pg_class c ON c.oid = p.relid`, t).Scan(&bytes, &rows)
		if err != nil {
			return fmt.Errorf("size of %s: %w", t, err)
		}
		if t != "workers" && t != "enterprises" {
			daily += bytes
		}
		per := "–"
		if rows > 0 {
			per = strconv.FormatInt(bytes/rows, 10)
		}
		tab.Add("`"+t+"`", mib(bytes), rows, per)
	}
	tab.Add("**database**", mib(total), "", "")
	tab.Print()
	days := float64(len(p.recent) + 1)
	millions := float64(p.size.workers) / 1e6
	fmt.Printf("Per million workers: %s a month of check-ins, readings, alerts and statistics (two check-ins a day; %d days loaded, × 30 / %d), "+
		"on top of the roster's %s.\n\n", mib(int64(float64(daily)/days*30/millions)), len(p.recent)+1, len(p.recent)+1,
		mib(int64(float64(total-daily)/millions)))
	return nil
}

func mib(b int64) string {
	if b >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// provinceRollupSQL is a day of every township's statistics summed per township: what a
// province-level view would read. No route serves it today (the platform admin lists
// townships; every dashboard is one township's), so the statement is timed on its own.
const provinceRollupSQL = `SELECT township_id, sum(roster), sum(returned), sum(on_duty), sum(due), sum(checkins_am),
	sum(checkins_pm), sum(late), sum(fever), sum(symptomatic), sum(unregistered), sum(alerts)
FROM daily_stats WHERE date = $1 GROUP BY township_id ORDER BY township_id`

// provinceRollup times the roll-up of yesterday: the first run and the median of five more.
func provinceRollup(ctx context.Context, p *province) error {
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	day := p.seeded.Today.AddDays(-1)
	var times []time.Duration
	townships := 0
	for range 6 {
		t := time.Now()
		rows, err := conn.Query(ctx, provinceRollupSQL, day.Time())
		if err != nil {
			return err
		}
		townships = 0
		for rows.Next() {
			townships++
		}
		rows.Close()
		if rows.Err() != nil {
			return rows.Err()
		}
		times = append(times, time.Since(t))
	}
	first, rest := times[0], slices.Clone(times[1:])
	slices.Sort(rest)
	tab := loadtest.Table{Title: "A day's roll-up of the whole province (SQL over `daily_stats`; no route serves it yet)",
		Header: []string{"day", "townships in the answer", "first run", "median of 5 more", ""}}
	tab.Add(day, townships, ms(first), ms(rest[len(rest)/2]), verdict(townships == p.size.townships))
	tab.Print()
	return nil
}

// provinceRoutes are a township's dashboard, as the dashboard scenario reads it.
func provinceRoutes(from domain.Date) []string {
	return []string{"/api/v1/dashboard/summary", "/api/v1/dashboard/trend", "/api/v1/dashboard/enterprises",
		"/api/v1/dashboard/trend?from=" + from.String(), "/api/v1/dashboard/passes", "/api/v1/dashboard/spot-checks"}
}

// provinceServed starts the server on the province and measures what its users see: the
// seeded township's dashboard cold and cached, its daily.xlsx, and check-ins of another
// township's workers against the same on an empty database.
func provinceServed(ctx context.Context, r *runner, p *province) error {
	srv, err := r.StartServer(ctx, p.url)
	if err != nil {
		return err
	}
	defer srv.Stop()
	// The first sweep raises the missed check-ins of the checking township (none were loaded
	// for its yesterday): wait for it, as the checkin scenario does, so it is not measured.
	fmt.Printf("The server's first sweep over the province %s.\n\n", checkinWaitFirstSweep(ctx, srv.LogPath(), 10*time.Minute))
	token, err := r.Tokens().Issue(p.seeded.Admin.Actor())
	if err != nil {
		return err
	}
	if err := provinceDashboard(srv.URL, token, p); err != nil {
		return err
	}
	if err := provinceDailyXLSX(srv.URL, token, p); err != nil {
		return err
	}
	full, err := provinceCheckins(ctx, r, srv, p.url, p.checking, r.duration(20*time.Second, 3*time.Second))
	if err != nil {
		return err
	}
	srv.Stop()
	return provinceEmptyCheckins(ctx, r, p, full)
}

// provinceDashboard reads each route once on a server that has not answered it yet (its
// answer cache cold; PostgreSQL's buffers as the load and the sweep left them), then has the
// viewers watch each, answered from the cache as served.
func provinceDashboard(base, token string, p *province) error {
	routes := provinceRoutes(p.recent[0])
	cold := map[string]time.Duration{}
	for _, route := range routes {
		d, status, _, err := get(base+route, token)
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("GET %s: %d %v", route, status, err)
		}
		cold[route] = d
	}
	tab := loadtest.Table{Title: fmt.Sprintf("A township's dashboard (%d workers) among %d check-ins, %d viewers",
		len(p.seeded.Workers), p.checkins, viewers),
		Header: []string{"route", "cold (first read)", "requests/s", "p50", "p95", "p99", "errors", "target p95", ""}}
	for _, route := range routes {
		m := watch(base+route, token, 5*time.Second)
		errs := len(m.Errors)
		tab.Add("`"+route+"`", ms(cold[route]), fmt.Sprintf("%.0f", m.Throughput), ms(m.Latencies.P50), ms(m.Latencies.P95),
			ms(m.Latencies.P99), errs, "≤ 50 ms", verdict(m.Latencies.P95 <= 50*time.Millisecond && errs == 0))
	}
	tab.Print()
	return nil
}

// provinceDailyXLSX times the township's daily.xlsx of yesterday three times.
func provinceDailyXLSX(base, token string, p *province) error {
	url := base + "/api/v1/reports/daily.xlsx?date=" + exportDay(p.seeded).String()
	tab := loadtest.Table{Title: "A township's daily.xlsx", Header: []string{"run", "wall time", "bytes"}}
	for i := range 3 {
		d, status, n, err := get(url, token)
		if err != nil || status != http.StatusOK || n == 0 {
			return fmt.Errorf("daily.xlsx: %d, %d bytes, %v", status, n, err)
		}
		tab.Add(i+1, ms(d), n)
	}
	tab.Print()
	return nil
}

// get reads url as the token's holder and times it to the answer's last byte.
func get(url, token string) (time.Duration, int, int64, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	t := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	return time.Since(t), res.StatusCode, n, err
}

// provinceCheckins runs the checkin scenario's closed loop (its keys, targeter and tally) for
// d with ds's workers against srv on the database of dbURL, and says what it saw.
func provinceCheckins(ctx context.Context, r *runner, srv *loadtest.Server, dbURL string, ds *loadtest.Dataset, d time.Duration) (*provinceCheckinRun, error) {
	tokens := make([]string, len(ds.Workers))
	for i, w := range ds.Workers {
		var err error
		if tokens[i], err = r.Tokens().Issue(w.Actor()); err != nil {
			return nil, err
		}
	}
	keys, tally := newCheckinKeys(len(ds.Workers)), newCheckinTally()
	cpu0, blocks0 := loadtest.ReadCPU(srv), provinceBlocks(ctx, dbURL)
	run := checkinAttack(ctx, checkinTargeter(srv.URL, ds, tokens, keys), vegeta.Rate{Freq: 0}, d, tally,
		vegeta.Workers(checkinConns), vegeta.MaxWorkers(checkinConns), vegeta.Connections(checkinConns), vegeta.MaxConnections(checkinConns))
	cpu, blocks := loadtest.ReadCPU(srv).Since(cpu0), provinceBlocks(ctx, dbURL).since(blocks0)
	if tally.errors > 0 {
		return nil, fmt.Errorf("check-ins: %d errors: %s; server: %s", tally.errors, tally.errorSummary(), srv.ErrorSummary())
	}
	return &provinceCheckinRun{checkinRun: run, created: tally.created, replaced: tally.replaced, cpu: cpu, blocks: blocks}, ctx.Err()
}

// provinceCheckinRun is a run with how many of its check-ins were new and how many replaced,
// the processor time it took and the database's blocks it touched.
type provinceCheckinRun struct {
	*checkinRun
	created, replaced int
	cpu               loadtest.CPUShares
	blocks            blockCounts
}

// blockCounts are a database's blocks found in PostgreSQL's shared buffers (hit) and read into
// them from the operating system (read), from pg_stat_database.
type blockCounts struct{ hit, read int64 }

func (b blockCounts) since(then blockCounts) blockCounts {
	return blockCounts{hit: b.hit - then.hit, read: b.read - then.read}
}

// provinceBlocks reads the blocks counted so far for the database of dbURL (zero when it
// cannot: the counts are a clue, not the measure).
func provinceBlocks(ctx context.Context, dbURL string) blockCounts {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return blockCounts{}
	}
	defer conn.Close(ctx)
	var b blockCounts
	_ = conn.QueryRow(ctx, `SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()`).Scan(&b.hit, &b.read)
	return b
}

// provinceEmptyCheckins runs the same check-ins on a database holding one township like the
// checking one and nothing else, and prints both with their ratio.
func provinceEmptyCheckins(ctx context.Context, r *runner, p *province, full *provinceCheckinRun) error {
	sc, release, err := r.seededPostgres(ctx, p.size.enterprises, len(p.checking.Workers))
	if err != nil {
		return err
	}
	defer release()
	sc.app.Close()
	srv, err := r.StartServer(ctx, sc.url)
	if err != nil {
		return err
	}
	defer srv.Stop()
	checkinWaitFirstSweep(ctx, srv.LogPath(), 3*time.Minute)
	empty, err := provinceCheckins(ctx, r, srv, sc.url, sc.d, r.duration(20*time.Second, 3*time.Second))
	if err != nil {
		return err
	}
	tab := loadtest.Table{Title: fmt.Sprintf("Check-ins of one township's %d workers, %d in flight (closed loop)", len(p.checking.Workers), checkinConns),
		Header: []string{"database", "check-ins/s", "p50", "p95", "p99", "new / replaced", "processor time per check-in", "blocks per check-in: in shared buffers / read in"}}
	for _, row := range []struct {
		name string
		run  *provinceCheckinRun
	}{{fmt.Sprintf("the province (%d check-ins)", p.checkins), full}, {"empty (that township only)", empty}} {
		m := row.run.metrics
		n := max(row.run.ok, 1)
		tab.Add(row.name, fmt.Sprintf("%.0f", row.run.throughput()), ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99),
			fmt.Sprintf("%d / %d", row.run.created, row.run.replaced), row.run.cpu.Per(row.run.ok),
			fmt.Sprintf("%.1f / %.1f", float64(row.run.blocks.hit)/float64(n), float64(row.run.blocks.read)/float64(n)))
	}
	tab.Print()
	fmt.Printf("Province over empty: throughput %s, p95 %s.\n\n", ratio(full.throughput(), empty.throughput()),
		ratio(float64(full.metrics.Latencies.P95), float64(empty.metrics.Latencies.P95)))
	return nil
}

// provinceRetention runs the nightly retention over every township and checks that the old
// month went whole.
func provinceRetention(ctx context.Context, r *runner, p *province) error {
	t := time.Now()
	out, err := r.Command(ctx, p.url, "retention", "run")
	if err != nil {
		return err
	}
	took := time.Since(t)
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var gone bool
	month := "checkins_" + p.old.Time().Format("2006_01")
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NULL", month).Scan(&gone); err != nil {
		return err
	}
	lines := len(strings.Split(strings.TrimSpace(out), "\n"))
	tab := loadtest.Table{Title: "The nightly retention (`fugong retention run`, every township)",
		Header: []string{"townships", "wall time", "lines of report", "month dropped", ""}}
	tab.Add(p.size.townships, took.Round(10*time.Millisecond), lines, "`"+month+"`", verdict(gone))
	tab.Print()
	return nil
}
