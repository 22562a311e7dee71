package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"fugong/domain"
	"fugong/repo"
	"fugong/scripts/internal/loadtest"
)

func init() {
	register(scenario{order: 10, name: "checkin",
		about: "Signed-in workers send check-ins (new and repeated slots) to the server on PostgreSQL; baseline: the product's upsert statement (repo.CheckinStatement) sent straight to PostgreSQL with pgx by as many connections.",
		run:   func(ctx context.Context, r *runner) error { return runCheckin(ctx, r, checkinPostgres) }})
	register(scenario{order: 20, name: "checkin-sqlite",
		about: "The same on the embedded default, SQLite; baseline: the same statement straight into SQLite through the product's connection pool (driver and pragmas), without the server.",
		run:   func(ctx context.Context, r *runner) error { return runCheckin(ctx, r, checkinSQLite) }})
}

// checkinConns is how many requests are in flight in the closed-loop runs, on both sides: as
// many as the pgbench run in NOTES.md that found PostgreSQL's ceiling on this machine.
const checkinConns = 16

// checkinTimeout is how long a phone waits for an answer. A stalled server shows as timeouts
// (errors) rather than as one long tail that stretches the run.
const checkinTimeout = 10 * time.Second

type checkinEngine int

const (
	checkinPostgres checkinEngine = iota
	checkinSQLite
)

// checkinBaselineShift puts the baseline's check-ins this many days before the server's, in the
// same table of the same database: same indexes, same size, same disk, and no row of one
// side can collide with the other's or be seen by the server's previous-slot lookups.
const checkinBaselineShift = -10

// checkinKeys deals out the (worker, day, slot) of each request. Key k is worker i = k mod n
// on the day-slot (today am, today pm, yesterday am, yesterday pm) numbered
// (k/n + i mod E + i/E) mod 4, E the enterprises (worker i is enterprise i mod E's, Seed): so
// consecutive new keys come from different workers, as a morning's do; each worker gets its
// four day-slots over the four passes; and every stretch of keys holds the four day-slots
// alike, every enterprise's too. That matters twice. A yesterday's slot is after its cut-off
// (late) and closes the missed-check-in alert of the first sweep, more work than one of
// today's before its cut-off: dealt day-slot by day-slot, the closed loop that finds the
// maximum sent today's, and the fixed-rate run at 70% of it crossed into yesterday's in
// mid-run (at night in the township, when today's cut-offs have not passed) and from then on
// asked more than the maximum of its own work. And an enterprise's first check-in of a day or
// of a morning does more than the rest (its 未批先复 alert, its shifts read): dealt so that an
// enterprise kept one day-slot for a whole pass, all 200 met their next one in the same
// second, mid-run (BENCHMARKS.md). Every fourth request repeats a key already dealt (a worker
// sending again, which replaces: 200 instead of 201); once all 4n keys are dealt, new ones
// start over and every request is a repeat.
type checkinKeys struct {
	mu    sync.Mutex
	n     uint64 // requests dealt
	next  int    // next new key
	dealt int    // distinct keys dealt so far
	space int    // workers × 2 days × 2 slots
	rng   *rand.Rand
}

func newCheckinKeys(workers int) *checkinKeys {
	return &checkinKeys{space: 4 * workers, rng: rand.New(rand.NewPCG(7, 11))}
}

func (k *checkinKeys) deal() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	if k.n%4 == 0 && k.dealt > 0 {
		return k.rng.IntN(k.dealt)
	}
	key := k.next
	k.next = (k.next + 1) % k.space
	k.dealt = max(k.dealt, key+1)
	return key
}

// checkinKey is one (worker, day, slot) in the dataset, shifted by shift days for the baseline.
// The days are the dataset's today and yesterday in the township's zone (Asia/Shanghai): a run
// that crosses its midnight would see yesterday's keys refused as too old.
type checkinKey struct {
	worker *domain.Worker
	date   domain.Date
	slot   domain.Slot
}

func checkinKeyOf(ds *loadtest.Dataset, key, shift int) checkinKey {
	n, e := len(ds.Workers), max(1, len(ds.Enterprises))
	i := key % n
	daySlot := (key/n + i%e + i/e) % 4
	date := ds.Today.AddDays(shift - daySlot/2)
	slot := domain.SlotAM
	if daySlot%2 == 1 {
		slot = domain.SlotPM
	}
	return checkinKey{worker: &ds.Workers[i], date: date, slot: slot}
}

// checkinTargeter posts key after key as its worker. The key's number rides in the URL's
// fragment: the client never sends a fragment, and vegeta hands the URL back in the result,
// so each answer can be tied to the key it is for.
func checkinTargeter(baseURL string, ds *loadtest.Dataset, tokens []string, keys *checkinKeys) vegeta.Targeter {
	endpoint := baseURL + "/api/v1/checkins#"
	return func(t *vegeta.Target) error {
		key := keys.deal()
		k := checkinKeyOf(ds, key, 0)
		t.Method = http.MethodPost
		t.URL = endpoint + strconv.Itoa(key)
		t.Body = fmt.Appendf(nil, `{"slot":%q,"temperature":36.5,"date":%q}`, k.slot, k.date)
		t.Header = http.Header{"Authorization": {"Bearer " + tokens[key%len(tokens)]},
			"Content-Type": {"application/json"}}
		return nil
	}
}

// checkinURLInError is the target URL in a client error: each names its key, which would
// make every error a kind of its own.
var checkinURLInError = regexp.MustCompile(`"http[^"]*": `)

// checkinTally adds up the answers of every run against one side: which keys got a 2xx, how
// many were new (201) or replaced (200), and the errors.
type checkinTally struct {
	mu       sync.Mutex
	stored   map[int]struct{}
	created  int
	replaced int
	errors   int
	samples  map[string]int // error → how many
}

func newCheckinTally() *checkinTally {
	return &checkinTally{stored: map[int]struct{}{}, samples: map[string]int{}}
}

func (t *checkinTally) add(key int, code int, errText string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case errText == "" && code == http.StatusCreated:
		t.created++
		t.stored[key] = struct{}{}
	case errText == "" && code == http.StatusOK:
		t.replaced++
		t.stored[key] = struct{}{}
	default:
		t.errors++
		if len(t.samples) < 5 || t.samples[errText] > 0 {
			t.samples[errText]++
		}
	}
}

func (t *checkinTally) errorSummary() string {
	if t.errors == 0 {
		return "none"
	}
	var parts []string
	for e, n := range t.samples {
		parts = append(parts, fmt.Sprintf("%d× %s", n, e))
	}
	return strings.Join(parts, "; ")
}

// checkinRun is one timed run's numbers.
type checkinRun struct {
	mu      sync.Mutex // the baseline's goroutines add to metrics and ok together
	metrics vegeta.Metrics
	ok      int
	elapsed time.Duration
	began   time.Time
	seconds []checkinSecond // by the second of the run the request was sent in
}

// newCheckinRun is a run beginning now.
func newCheckinRun() *checkinRun { return &checkinRun{began: time.Now()} }

// checkinSecond is what the requests sent in one second of a run took: how many there were,
// how many took longer than the p99 target, and the slowest. Where in a run its tail lies
// (at the start, after a pause; or in a stall in the middle) says where it comes from.
type checkinSecond struct {
	n, slow int
	max     time.Duration
}

// add counts res in metrics and in its second; the caller holds mu where goroutines share r.
func (r *checkinRun) add(res *vegeta.Result) {
	r.metrics.Add(res)
	if res.Error == "" {
		r.ok++
	}
	i := max(0, int(res.Timestamp.Sub(r.began)/time.Second))
	for len(r.seconds) <= i {
		r.seconds = append(r.seconds, checkinSecond{})
	}
	s := &r.seconds[i]
	s.n++
	s.max = max(s.max, res.Latency)
	if res.Latency > checkinP99Target {
		s.slow++
	}
}

// checkinP99Target is the p99 check-ins must keep at 70% of the maximum.
const checkinP99Target = 50 * time.Millisecond

// tail says in which seconds of the run the answers over the p99 target were sent, the
// first few of them, and how slow the other seconds' slowest answer was.
func (r *checkinRun) tail() string {
	var slow []string
	var rest time.Duration
	for i, s := range r.seconds {
		if s.slow == 0 {
			rest = max(rest, s.max)
			continue
		}
		if len(slow) < 8 {
			slow = append(slow, fmt.Sprintf("%ds %d of %d (slowest %s)", i, s.slow, s.n, checkinMS(s.max)))
		} else if len(slow) == 8 {
			slow = append(slow, "…")
		}
	}
	if len(slow) == 0 {
		return fmt.Sprintf("from %s UTC, none in any second (slowest %s)", r.began.UTC().Format(time.TimeOnly), checkinMS(rest))
	}
	return fmt.Sprintf("from %s UTC, %s; in the other seconds none (slowest %s)", r.began.UTC().Format(time.TimeOnly), strings.Join(slow, ", "), checkinMS(rest))
}

// upsertNext sends the next key's check-in straight to the database, as the baselines do, and
// adds the answer to tally and r, timed from start.
func (r *checkinRun) upsertNext(ctx context.Context, start time.Time, ds *loadtest.Dataset, keys *checkinKeys, tally *checkinTally, upsert checkinUpsertFunc) {
	key := keys.deal()
	c, gen := checkinOf(ds, checkinKeyOf(ds, key, checkinBaselineShift))
	created, err := upsert(ctx, c, gen)
	res := &vegeta.Result{Timestamp: start, Latency: time.Since(start), Code: http.StatusOK}
	if created {
		res.Code = http.StatusCreated
	}
	if err != nil {
		res.Code, res.Error = 0, err.Error()
	}
	tally.add(key, int(res.Code), res.Error)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(res)
}

// throughput is successful requests per second of the run, its tail included.
func (r *checkinRun) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// checkinAttack runs one vegeta attack and adds its answers to tally.
func checkinAttack(ctx context.Context, tr vegeta.Targeter, pacer vegeta.Pacer, d time.Duration, tally *checkinTally, opts ...func(*vegeta.Attacker)) *checkinRun {
	opts = append([]func(*vegeta.Attacker){vegeta.MaxBody(512), vegeta.KeepAlive(true), vegeta.Timeout(checkinTimeout)}, opts...)
	atk := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	run := newCheckinRun()
	for res := range atk.Attack(tr, pacer, d, "checkin") {
		_, frag, _ := strings.Cut(res.URL, "#")
		key, _ := strconv.Atoi(frag)
		errText := checkinURLInError.ReplaceAllString(res.Error, "")
		if errText != "" && len(res.Body) > 0 {
			errText += ": " + strings.TrimSpace(string(res.Body))
		}
		tally.add(key, int(res.Code), errText)
		run.add(res)
	}
	run.elapsed = time.Since(run.began)
	run.metrics.Close()
	return run
}

// checkinUpsertFunc writes one check-in straight into the database and says whether the row
// is new.
type checkinUpsertFunc func(ctx context.Context, c *domain.Checkin, gen int64) (created bool, err error)

// checkinClosedLoop runs the baseline: conns goroutines, each upserting the next key as soon as the
// last one is done, for d. Its latencies go through vegeta's Metrics, like the server's.
func checkinClosedLoop(ctx context.Context, d time.Duration, ds *loadtest.Dataset, keys *checkinKeys, tally *checkinTally, upsert checkinUpsertFunc) *checkinRun {
	run := newCheckinRun()
	var wg sync.WaitGroup
	deadline := run.began.Add(d)
	for range checkinConns {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				run.upsertNext(ctx, time.Now(), ds, keys, tally, upsert)
			}
		})
	}
	wg.Wait()
	run.elapsed = time.Since(run.began)
	run.metrics.Close()
	return run
}

// checkinOpenLoop sends the baseline's upserts at a fixed rate for d, each on its own goroutine
// at its scheduled time however slow the others are (as vegeta does for the server), and
// times each from that moment: a wait for one of the pool's connections counts, as a wait for
// the server does.
func checkinOpenLoop(ctx context.Context, rate int, d time.Duration, ds *loadtest.Dataset, keys *checkinKeys, tally *checkinTally, upsert checkinUpsertFunc) *checkinRun {
	run := newCheckinRun()
	var wg sync.WaitGroup
	began := run.began
	every := time.Second / time.Duration(rate)
	for i := 0; ctx.Err() == nil; i++ {
		at := began.Add(time.Duration(i) * every)
		if at.Sub(began) >= d {
			break
		}
		time.Sleep(time.Until(at))
		wg.Go(func() { run.upsertNext(ctx, at, ds, keys, tally, upsert) })
	}
	wg.Wait()
	run.elapsed = time.Since(began)
	run.metrics.Close()
	return run
}

// checkinOf is the check-in a worker's phone sends for k (36.5 °C, no symptoms) as the service
// hands it to CheckinStore.UpsertOwn, with their session's generation: the worker's own, late
// as the server's report of the same slot on the unshifted day would be.
func checkinOf(ds *loadtest.Dataset, k checkinKey) (*domain.Checkin, int64) {
	w := k.worker
	cutoff := ds.Township.Cutoff(k.date.AddDays(-checkinBaselineShift), k.slot)
	return &domain.Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID, Date: k.date,
		Slot: k.slot, Temperature: 365, Late: !time.Now().Before(cutoff)}, w.Generation
}

// checkinScan reads what the product's statement returns (repo.CheckinStatement), every
// column of it (both drivers refuse a scan of fewer), and says whether the row is new, as the
// statement itself says.
func checkinScan(scan func(dest ...any) error) (bool, error) {
	var id int64
	var location string
	var due, inserted bool
	var createdAt, updatedAt time.Time
	var enterpriseStatus sql.NullString
	var shiftID sql.NullInt64
	err := scan(&id, &location, &due, &createdAt, &updatedAt, &inserted, &enterpriseStatus, &shiftID)
	return inserted, err
}

// checkinPgUpsert is the baseline on PostgreSQL: a pgx pool of checkinConns connections, the
// statement prepared once per connection by pgx's statement cache.
func checkinPgUpsert(ctx context.Context, dbURL string) (checkinUpsertFunc, func(), error) {
	pool, err := checkinPgPool(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context, c *domain.Checkin, gen int64) (bool, error) {
		q, args := repo.CheckinStatement(repo.Postgres, c, gen)
		return checkinScan(pool.QueryRow(ctx, q, args...).Scan)
	}, pool.Close, nil
}

// checkinPgPool is a baseline's pgx pool: checkinConns connections, all opened before the run.
func checkinPgPool(ctx context.Context, dbURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns, cfg.MinConns = checkinConns, checkinConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// checkinSQLiteUpsert is the baseline on SQLite: the product's connection pool under GORM (its
// driver and pragmas; repo.Open) with maxOpen connections, all kept idle, as the product keeps
// its own (FUGONG_DB_MAX_CONNS, 16 by default), and nothing of the product in between.
func checkinSQLiteUpsert(ctx context.Context, dbURL string, maxOpen int) (checkinUpsertFunc, func(), error) {
	db, err := repo.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	pool, err := db.Pool()
	if err == nil {
		err = db.LimitPool(maxOpen)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return func(ctx context.Context, c *domain.Checkin, gen int64) (bool, error) {
		q, args := repo.CheckinStatement(repo.SQLite, c, gen)
		return checkinScan(pool.QueryRowContext(ctx, q, args...).Scan)
	}, func() { db.Close() }, nil
}

// checkinCount counts the rows of the given days, straight from the database.
func checkinCount(ctx context.Context, engine checkinEngine, dbURL string, days ...domain.Date) (int, error) {
	rdb, err := repo.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	defer rdb.Close()
	db, err := rdb.Pool()
	if err != nil {
		return 0, err
	}
	args := make([]any, len(days))
	marks := make([]string, len(days))
	for i, d := range days {
		args[i], marks[i] = d.Time(), "?"
		if engine == checkinPostgres {
			marks[i] = "$" + strconv.Itoa(i+1)
		}
	}
	var n int
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM checkins WHERE date IN ("+strings.Join(marks, ", ")+")", args...).Scan(&n)
	return n, err
}

// checkinVacuum brings a PostgreSQL database to the state autovacuum keeps a running one in,
// after the seed and the first sweep: the sweep's 100,000 alerts each moved a daily_stats row
// (its row trigger), which leaves that table of a few hundred rows at 8 MB with some 40,000
// dead versions, and the seed leaves every table without planner statistics. A real server's
// autovacuum clears both within a minute or two; the bench's database lives three minutes and
// autovacuum never reached it (none in PostgreSQL's log in a dozen runs), so the runs measured
// check-ins over a bloated statistics table and with plans made on no statistics at all. The
// first runs with statistics found a plan that the runs without had hidden: the statistics
// trigger's read of the other slot scanned the month's partition whole, analyzed while nearly
// empty (782/s against 3,000–3,800/s; fixed in repo/stats/postgres.sql). Both sides run on the
// database after it.
func checkinVacuum(ctx context.Context, engine checkinEngine, dbURL string) (string, error) {
	if engine != checkinPostgres {
		return "", nil
	}
	began := time.Now()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return "", fmt.Errorf("vacuum: %w", err)
	}
	return fmt.Sprintf(", then VACUUM (ANALYZE) %s", time.Since(began).Round(100*time.Millisecond)), nil
}

func checkinMS(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func runCheckin(ctx context.Context, r *runner, engine checkinEngine) error {
	nEnt, nWorkers := r.Size(200, 20), r.Size(50000, 2000)
	runFor := r.duration(30*time.Second, 3*time.Second)
	if engine == checkinSQLite {
		runFor = r.duration(15*time.Second, 3*time.Second) // its first sweep takes about a minute
	}

	var dbURL string
	checkinSessions := func() int64 { return 0 }
	if engine == checkinPostgres {
		checkinSessions = func() int64 {
			time.Sleep(time.Second) // PostgreSQL publishes its statistics at most once a second
			return checkinPGSessions(ctx, dbURL)
		}
		u, drop, err := r.NewPostgres(ctx)
		if err != nil {
			return err
		}
		defer drop()
		dbURL = u
	} else {
		dbURL = r.NewSQLite()
	}

	t0 := time.Now()
	a, err := r.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	ds, err := r.Seed(ctx, a, nEnt, nWorkers)
	a.Close()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	tokens := make([]string, len(ds.Workers))
	for i, w := range ds.Workers {
		if tokens[i], err = r.Tokens().Issue(w.Actor()); err != nil {
			return err
		}
	}
	seeded := time.Since(t0)

	// The server sweeps for missed check-ins at start and then once a minute. Its first sweep
	// over a freshly loaded township raises every missed alert of yesterday (and of today's
	// slots past their cut-off) at once: a one-off that a real township went through the day
	// before, so the runs wait for it. The later sweeps, which find those alerts there, fall
	// into the runs as they would on a real day; the timeline below says when.
	srv, err := r.StartServer(ctx, dbURL)
	if err != nil {
		return err
	}
	defer srv.Stop()
	serverStarted := time.Now()
	since := func() string { return time.Since(serverStarted).Round(time.Second).String() }
	firstSweep := checkinWaitFirstSweep(ctx, srv.LogPath(), 3*time.Minute)
	vacuumed, err := checkinVacuum(ctx, engine, dbURL)
	if err != nil {
		return err
	}
	fmt.Printf("Seeded %d workers in %d enterprises and minted their tokens in %s (loading path, not measured); the server's first sweep %s%s.\n\n",
		nWorkers, nEnt, seeded.Round(100*time.Millisecond), firstSweep, vacuumed)

	// 1. Fugong at its maximum: a closed loop of checkinConns requests in flight.
	keys, tally := newCheckinKeys(nWorkers), newCheckinTally()
	target := checkinTargeter(srv.URL, ds, tokens, keys)
	timeline := []string{"server started 0s", "first sweep over " + since()}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		timeline = append(timeline, "load average before the runs "+strings.Join(strings.Fields(string(b))[:3], " "))
	}
	timeline = append(timeline, "sustained "+since())
	sessions0 := checkinSessions()
	cpu0 := loadtest.ReadCPU(srv)
	sustained := checkinAttack(ctx, target, vegeta.Rate{Freq: 0}, runFor, tally,
		vegeta.Workers(checkinConns), vegeta.MaxWorkers(checkinConns), vegeta.Connections(checkinConns), vegeta.MaxConnections(checkinConns))
	cpuFugong := loadtest.ReadCPU(srv).Since(cpu0)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	sessions1 := checkinSessions()

	// 2. The baseline, closed loop too, with as many connections and the same mix of keys.
	timeline = append(timeline, "baseline "+since())
	baseKeys, baseTally := newCheckinKeys(nWorkers), newCheckinTally()
	var baseline, baseOne *checkinRun
	var cpuBaseline, cpuBare loadtest.CPUShares // read before the connections close: their backends' time goes with them
	baseNote := ""
	if engine == checkinPostgres {
		upsert, closeDB, err := checkinPgUpsert(ctx, dbURL)
		if err != nil {
			return err
		}
		cpu0 = loadtest.ReadCPU(srv)
		baseline = checkinClosedLoop(ctx, runFor, ds, baseKeys, baseTally, upsert)
		cpuBaseline = loadtest.ReadCPU(srv).Since(cpu0)
		closeDB()
	} else {
		upsert, closeDB, err := checkinSQLiteUpsert(ctx, dbURL, checkinConns)
		if err != nil {
			return err
		}
		baseline = checkinClosedLoop(ctx, runFor, ds, baseKeys, baseTally, upsert)
		closeDB()
		// The same again through one connection, since SQLite has one writer at a time: the
		// better of the two is the baseline.
		timeline = append(timeline, "baseline, one connection "+since())
		upsert, closeDB, err = checkinSQLiteUpsert(ctx, dbURL, 1)
		if err != nil {
			return err
		}
		baseOne = checkinClosedLoop(ctx, runFor, ds, baseKeys, baseTally, upsert)
		closeDB()
		baseNote = fmt.Sprintf(" (%d connections: %.0f/s; one: %.0f/s)", checkinConns, baseline.throughput(), baseOne.throughput())
		if baseOne.throughput() > baseline.throughput() {
			baseline = baseOne
		}
	}
	// 2b. The physical limit, on PostgreSQL: the bare table's single-row upsert (checkin_bare.go).
	var bare *checkinRun
	bareKeys, bareTally := newCheckinKeys(nWorkers), newCheckinTally()
	if engine == checkinPostgres && ctx.Err() == nil {
		timeline = append(timeline, "bare table "+since())
		upsert, closeDB, err := checkinBarePgUpsert(ctx, dbURL)
		if err != nil {
			return err
		}
		cpu0 = loadtest.ReadCPU(srv)
		bare = checkinClosedLoop(ctx, runFor, ds, bareKeys, bareTally, upsert)
		cpuBare = loadtest.ReadCPU(srv).Since(cpu0)
		closeDB()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// 3. Fugong at a fixed 70% of its own maximum, open loop: vegeta sends on schedule however
	// slow the answers, so a stall shows in the latencies instead of slowing the sender.
	rate := max(1, int(0.7*sustained.throughput()))
	timeline = append(timeline, fmt.Sprintf("fixed rate %s", since()))
	sessions2 := checkinSessions()
	cpu0 = loadtest.ReadCPU(srv)
	fixed := checkinAttack(ctx, target, vegeta.Rate{Freq: rate, Per: time.Second}, runFor, tally,
		vegeta.Workers(checkinConns), vegeta.MaxWorkers(10000))
	cpuFixed := loadtest.ReadCPU(srv).Since(cpu0)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sessions3 := checkinSessions()
	// 4. The baseline at the same fixed rate, on PostgreSQL: what this machine's database
	// gives at that rate without Fugong, so that the p99 target can be read against it.
	var baseFixed *checkinRun
	if engine == checkinPostgres {
		timeline = append(timeline, fmt.Sprintf("baseline at the fixed rate %s", since()))
		upsert, closeDB, err := checkinPgUpsert(ctx, dbURL)
		if err != nil {
			return err
		}
		baseFixed = checkinOpenLoop(ctx, rate, runFor, ds, baseKeys, baseTally, upsert)
		closeDB()
	}
	timeline = append(timeline, "done "+since())
	rss, peak := srv.Memory()

	// 5. What the database holds against what the answers said.
	rows, err := checkinCount(ctx, engine, dbURL, ds.Today, ds.Today.AddDays(-1))
	if err != nil {
		return err
	}
	baseRows, err := checkinCount(ctx, engine, dbURL, ds.Today.AddDays(checkinBaselineShift), ds.Today.AddDays(checkinBaselineShift-1))
	if err != nil {
		return err
	}

	engineName := "PostgreSQL with pgx"
	if engine == checkinSQLite {
		engineName = "SQLite with database/sql"
	}
	ratioOK := baseline.throughput() > 0 && sustained.throughput()/baseline.throughput() >= 0.5
	p99OK := fixed.metrics.Latencies.P99 <= checkinP99Target
	errorsOK := tally.errors == 0
	rowsOK := rows == len(tally.stored) && rows == tally.created
	t := loadtest.Table{
		Title:  fmt.Sprintf("Check-ins on %s: %d workers, %d in flight at the maximum, %s per run, phones wait %s", map[checkinEngine]string{checkinPostgres: "PostgreSQL", checkinSQLite: "SQLite"}[engine], nWorkers, checkinConns, runFor, checkinTimeout),
		Header: []string{"measure", "Fugong", "baseline (" + engineName + ")", "ratio", "target", "verdict"},
	}
	t.Add("sustained throughput, closed loop (2xx/s)", fmt.Sprintf("%.0f/s", sustained.throughput()),
		fmt.Sprintf("%.0f/s%s", baseline.throughput(), baseNote), ratio(sustained.throughput(), baseline.throughput()), "≥ 0.50×", verdict(ratioOK))
	bareOK := true
	if bare != nil {
		bareOK = bare.throughput() > 0 && sustained.throughput()/bare.throughput() >= 1.0 && bareTally.errors == 0
		t.Add("… against the physical limit: a bare table's single-row upsert, same key, no trigger, one commit each (2xx/s)",
			fmt.Sprintf("%.0f/s", sustained.throughput()), fmt.Sprintf("%.0f/s (errors: %d)", bare.throughput(), bareTally.errors),
			ratio(sustained.throughput(), bare.throughput()), "≥ 1.00×", verdict(bareOK))
	}
	t.Add("latency at the maximum, p50 / p99", checkinMS(sustained.metrics.Latencies.P50)+" / "+checkinMS(sustained.metrics.Latencies.P99),
		checkinMS(baseline.metrics.Latencies.P50)+" / "+checkinMS(baseline.metrics.Latencies.P99), "–", "–", "–")
	p99Target, p99Verdict := "≤ 50 ms", verdict(p99OK)
	if engine == checkinSQLite {
		p99Target, p99Verdict = "(PostgreSQL's ≤ 50 ms, for reference)", "–"
	}
	baseP99, baseSpread, baseRate := "–", "–", "–"
	if baseFixed != nil {
		l := baseFixed.metrics.Latencies
		baseP99, baseSpread = checkinMS(l.P99), checkinMS(l.P50)+" / "+checkinMS(l.P95)+" / "+checkinMS(l.Max)
		baseRate = fmt.Sprintf("%.0f/s sent, %.0f/s answered", baseFixed.metrics.Rate, baseFixed.throughput())
	}
	t.Add(fmt.Sprintf("p99 at 70%% of the maximum (%d/s, open loop)", rate), checkinMS(fixed.metrics.Latencies.P99), baseP99, "–", p99Target, p99Verdict)
	t.Add("… p50 / p95 / max at 70%", checkinMS(fixed.metrics.Latencies.P50)+" / "+checkinMS(fixed.metrics.Latencies.P95)+" / "+checkinMS(fixed.metrics.Latencies.Max),
		baseSpread, "–", "–", "–")
	t.Add("… achieved rate at 70%", fmt.Sprintf("%.0f/s sent, %.0f/s answered 2xx", fixed.metrics.Rate, fixed.throughput()), baseRate, "–", "–", "–")
	t.Add("errors (all runs)", fmt.Sprintf("%d of %d", tally.errors, tally.created+tally.replaced+tally.errors),
		fmt.Sprintf("%d of %d", baseTally.errors, baseTally.created+baseTally.replaced+baseTally.errors), "–", "0", verdict(errorsOK))
	t.Add("answers: 201 new / 200 replaced", fmt.Sprintf("%d / %d", tally.created, tally.replaced),
		fmt.Sprintf("%d / %d", baseTally.created, baseTally.replaced), "–", "a mix", "–")
	t.Add("rows in the database = distinct keys answered 2xx = 201s", fmt.Sprintf("%d = %d = %d", rows, len(tally.stored), tally.created),
		fmt.Sprintf("%d = %d = %d", baseRows, len(baseTally.stored), baseTally.created), "–", "equal", verdict(rowsOK))
	if engine == checkinPostgres {
		t.Add("PostgreSQL sessions the server opened: at the maximum / at 70%", fmt.Sprintf("%d / %d", sessions1-sessions0-1, sessions3-sessions2-1),
			fmt.Sprintf("%d", checkinConns), "–", "–", "–")
	}
	t.Print()
	fmt.Printf("Server RSS after the runs: %.0f MiB (peak since start %.0f MiB).\n\n", rss, peak)
	if engine == checkinPostgres {
		// What caps each closed loop on a machine whose cores the server, PostgreSQL and the load
		// share: at T µs of processor time per check-in, the cores give at most cores × 10⁶ / T a
		// second.
		fmt.Printf("Processor time per answered check-in in the closed loops (/proc, every process of the kind): Fugong %s; the statement %s; the bare table %s (%d cores). Fugong at 70%%: %s.\n\n",
			cpuFugong.Per(sustained.ok), cpuBaseline.Per(baseline.ok), cpuBare.Per(checkinOK(bare)), runtime.NumCPU(), cpuFixed.Per(fixed.ok))
	}
	fmt.Printf("At 70%% of the maximum, answers over %s by the second they were sent in: Fugong %s", checkinMS(checkinP99Target), fixed.tail())
	if baseFixed != nil {
		fmt.Printf("; the statement alone %s", baseFixed.tail())
	}
	fmt.Print(".\n\n")
	fmt.Printf("Timeline from the server's start (it sweeps for missed check-ins at start and every minute after, unless a sweep is still running): %s.\n",
		strings.Join(timeline, ", "))
	if extra := rows - len(tally.stored); extra > 0 {
		fmt.Printf("\n%d rows more than keys answered 2xx: check-ins the server committed after their phone had given up waiting.\n", extra)
	}
	if tally.errors > 0 {
		fmt.Printf("\nFugong's errors: %s\n", tally.errorSummary())
		fmt.Printf("\nThe server's log says: %s\n", srv.ErrorSummary())
	}
	if baseTally.errors > 0 {
		fmt.Printf("\nBaseline's errors: %s\n", baseTally.errorSummary())
	}
	return nil
}

// checkinPGSessions reads how many sessions PostgreSQL has opened on the database so far: a
// server whose pool keeps too few connections idle opens one per request under load, and each
// costs PostgreSQL a process.
func checkinPGSessions(ctx context.Context, dbURL string) int64 {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int64 // this very session is counted too: callers take one off each difference
	_ = db.QueryRowContext(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n)
	return n
}

// checkinWaitFirstSweep waits until the server just started logs (to logPath) the end of its
// first sweep, and says how long it took.
func checkinWaitFirstSweep(ctx context.Context, logPath string, limit time.Duration) string {
	began := time.Now()
	for time.Since(began) < limit && ctx.Err() == nil {
		b, _ := os.ReadFile(logPath)
		for _, line := range strings.Split(string(b), "\n") {
			var entry struct{ Msg string }
			if json.Unmarshal([]byte(line), &entry) == nil && (entry.Msg == "raised alerts" || entry.Msg == "sweep alerts") {
				return fmt.Sprintf("took %s (%s)", time.Since(began).Round(100*time.Millisecond), entry.Msg)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Sprintf("had not ended after %s; the runs started anyway", limit)
}

// checkinOK is how many check-ins a run had answered well; 0 for a run not made.
func checkinOK(r *checkinRun) int {
	if r == nil {
		return 0
	}
	return r.ok
}
