package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"fugong/api"
	"fugong/domain"
	"fugong/frontend"
	"fugong/internal/demo"
	"fugong/internal/leader"
	"fugong/live"
	"fugong/pii"
	"fugong/repo"
)

// App is Fugong wired together: one database, the stores and services on it, and what the
// HTTP edge and the sweep share with them. The server, the commands, the tests that start the
// whole program and the scripts that load data for a server all build it with Open.
type App struct {
	Config   Config
	Log      *slog.Logger
	DB       *repo.DB
	Stores   domain.Stores
	Services domain.Services
	hub      *live.Hub    // changes for the dashboard's live stream
	metrics  *api.Metrics // what /metrics shows; the services count into it
	sink     *demo.Sink   // the demo's local group robots; nil unless serve --demo
}

// shutdownGrace is how long requests in flight get to finish after SIGTERM before the server
// gives up on them (and exits 1). Whatever stops the process must wait longer before it
// kills it: docker-compose.yml's stop_grace_period (Docker waits 10 s by default), a
// Kubernetes pod's terminationGracePeriodSeconds (30 s by default).
const shutdownGrace = 20 * time.Second

// accessTTL is how long an access token lives (DESIGN.md: short); refresh tokens rotate.
const accessTTL = 15 * time.Minute

// The issuer and audience of the access tokens a Fugong server signs and accepts.
const (
	tokenIssuer   = "fugong"
	tokenAudience = "fugong-api"
)

// Tokens signs and checks access tokens with secret and the issuer and audience of every
// Fugong server; they live ttl (a server's: accessTTL). The programs that mint tokens for a
// server they started, and the tests, take theirs from here.
func Tokens(secret []byte, ttl time.Duration) *api.Tokens {
	return &api.Tokens{Secret: secret, Issuer: tokenIssuer, Audience: tokenAudience, TTL: ttl}
}

// Open connects to the database cfg (as LoadConfig made it) names, sizes its pool, applies
// the migrations, checks cfg's data key against the personal data already sealed, and wires
// the stores and services on it. o tunes the services where the configuration says nothing
// (a loader's cheaper password hashes, say); their change feed, recorder and import limits
// are the app's and cfg's (the dashboard's answer cache is the API's). Close releases the
// database.
func Open(ctx context.Context, cfg Config, log *slog.Logger, o domain.Options) (*App, error) {
	db, err := repo.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	if err := db.LimitPool(cfg.DBMaxConns); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.ReadURL != "" {
		opts := repo.ReplicaOptions{MaxConns: cfg.ReadMaxConns, Bound: cfg.ReadMaxLag}
		if err := db.AttachReplica(ctx, cfg.ReadURL, opts, log); err != nil {
			db.Close()
			return nil, fmt.Errorf("FUGONG_DATABASE_READ_URL: %w", err)
		}
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("applied migrations", slog.Int("count", n), slog.String("dialect", string(db.Dialect)))
	}
	box, err := pii.New(cfg.DataKey)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := db.CheckDataKey(ctx, box); err != nil {
		db.Close()
		return nil, err
	}
	metrics := api.NewMetrics()
	stores := repo.StoresWith(db, box, repo.Options{Checkins: repo.CheckinOptions{Lanes: cfg.CheckinLanes,
		Observe: metrics.CheckinGroup}})
	hub := live.NewHub()
	pool, err := db.Pool()
	if err != nil {
		db.Close()
		return nil, err
	}
	metrics.WatchDB(pool)
	if _, ok := db.ReplicaFigures(); ok {
		metrics.WatchReplica(func() api.ReplicaFigures {
			f, _ := db.ReplicaFigures()
			return api.ReplicaFigures(f)
		})
	}
	o.Changes, o.Recorder = hub, metrics
	o.Imports, o.ImportBudget = &domain.ImportSlots{Max: cfg.ImportSlots}, cfg.ImportTimeout
	if o.Robots == nil {
		o.Robots = NewRobots(nil)
	}
	o.Links = domain.Links{Base: cfg.PublicURL}
	services := domain.NewServices(stores, o)
	return &App{Config: cfg, Log: log, DB: db, Stores: stores, Services: services, hub: hub, metrics: metrics}, nil
}

// Close ends the live streams and closes the database.
func (a *App) Close() error {
	a.hub.Close()
	if a.sink != nil {
		a.sink.Close()
	}
	return a.DB.Close()
}

// load reads the configuration from getenv and opens the app with it, logging in JSON to
// stdout: how every command of the binary starts.
func load(ctx context.Context, getenv func(string) string, demoMode bool, stdout io.Writer) (*App, error) {
	boot := slog.New(slog.NewJSONHandler(stdout, nil))
	cfg, err := LoadConfig(getenv, demoMode, boot)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return Open(ctx, cfg, log, domain.Options{})
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	demoMode := fl.Bool("demo", false, "create the demo township on an empty database")
	if err := fl.Parse(args); err != nil {
		return err
	}
	a, err := load(ctx, getenv, *demoMode, stdout)
	if err != nil {
		return err
	}
	defer a.Close()
	if *demoMode {
		if err := a.seedDemo(ctx, stdout); err != nil {
			return err
		}
	}
	return a.serve(ctx, stdout)
}

func (a *App) seedDemo(ctx context.Context, stdout io.Writer) error {
	created, err := demo.Seed(ctx, a.Stores, time.Now())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if created {
		a.Log.Info("created the demo township 长山镇")
	}
	if a.sink, err = demo.StartSink(); err != nil {
		return err
	}
	if err := a.sink.Connect(ctx, a.Stores, time.Now()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// No worker's sign-in is printed: a log is kept and shipped (issue 16). The README says how
	// to sign in as a demo worker.
	fmt.Fprintln(stdout, demo.AccountsText)
	fmt.Fprintln(stdout, a.sink.GroupsText())
	return nil
}

// demoGroups is what the demo's robots received today (China Standard Time, the demo
// township's), for GET /api/v1/demo/group-messages; nil outside the demo.
func (a *App) demoGroups() func() []api.DemoGroup {
	if a.sink == nil {
		return nil
	}
	return func() []api.DemoGroup {
		cst := time.FixedZone("CST", 8*3600)
		now := time.Now().In(cst)
		since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)
		var out []api.DemoGroup
		for _, g := range a.sink.Received(since) {
			dg := api.DemoGroup{Name: g.Name, Kind: g.Kind, Messages: []api.DemoGroupMessage{}}
			for _, r := range g.Received {
				mentions := r.Mentions
				if mentions == nil {
					mentions = []string{}
				}
				dg.Messages = append(dg.Messages, api.DemoGroupMessage{At: r.At, Title: r.Title, Text: r.Text, Mentions: mentions})
			}
			out = append(out, dg)
		}
		return out
	}
}

// serve listens on the API and metrics addresses until ctx ends, then shuts down gracefully:
// in-flight requests finish, new ones are refused.
func (a *App) serve(ctx context.Context, stdout io.Writer) error {
	dist, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	metrics := a.metrics
	var drain atomic.Bool
	e, _ := api.New(a.Services, api.Config{
		Tokens: Tokens(a.Config.JWTSecret, accessTTL),
		Log:    a.Log, Ready: a.DB.Ping, Frontend: dist, BodyLimit: a.Config.BodyLimit,
		TrustedProxies: a.Config.TrustedProxies, Metrics: metrics, Live: &api.Live{Hub: a.hub},
		NoDashboardCache: !a.Config.DashboardCache, DemoGroups: a.demoGroups(), Reads: a.reads(),
		Draining: drain.Load,
	})
	srv := &http.Server{
		Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if a.Config.MetricsAddr != "off" {
		mln, err := net.Listen("tcp", a.Config.MetricsAddr)
		if err != nil {
			srv.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics.Handler())
		// Profiles beside the metrics, on the listener that stays inside (127.0.0.1 by
		// default): how the benchmarks find where the time goes (BENCHMARKS.md).
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, msrv)
		go func() { errc <- msrv.Serve(mln) }()
		a.Log.Info("metrics listening", slog.String("addr", mln.Addr().String()))
	}
	go a.sweep(ctx)
	a.Services.Messenger.SetLinks(domain.Links{Base: a.linkBase(ln.Addr())})
	messaged := make(chan struct{})
	go a.message(ctx, messaged)
	if a.DB.Dialect == repo.Postgres {
		// Changes made by the other processes on this database reach this one's viewers.
		bridge := &live.PGBridge{Hub: a.hub, DSN: a.Config.DatabaseURL, Log: a.Log}
		go bridge.Run(ctx)
	}
	fmt.Fprintf(stdout, "Fugong listening on http://%s\n", displayAddr(ln.Addr()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	drain.Store(true)
	if a.Config.DrainDelay > 0 {
		// Still answering, health 503, until the balancer has stopped sending here.
		a.Log.Info("draining", slog.Duration("for", a.Config.DrainDelay))
		time.Sleep(a.Config.DrainDelay)
	}
	a.Log.Info("shutting down")
	a.hub.Close() // open event streams end; Shutdown would wait for them
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, err)
		}
	}
	<-messaged // a send under way finishes and is recorded (domain.Messenger.Dispatch)
	return errors.Join(errs...)
}

// sweep raises the alerts that time calls for (missed check-ins after a cut-off, isolations
// ending today) and makes the day's statistics snapshots, once a minute until ctx ends. On
// PostgreSQL, where several processes share the database, only the one holding the leader
// lock does it (internal/leader); the others try for the lock every leaderRetry, so that one
// takes over within seconds of the leader's death. The work is safe twice over (alerts and
// snapshots are unique), so the lock saves waste, not correctness.
// It keeps the months' partitions made ahead too (PostgreSQL, repo.EnsurePartitions): one
// catalogue query a minute while they exist, so a server that ran through a month's end, or a
// database restored without them, has them within the minute.
func (a *App) sweep(ctx context.Context) {
	leads := func(context.Context) bool { return true } // SQLite: one process
	if a.DB.Dialect == repo.Postgres {
		lock := &leader.Lock{DSN: a.Config.DatabaseURL, Log: a.Log}
		defer lock.Close()
		leads = lock.Leads
	}
	var swept domain.Swept // what this process swept, so that it sweeps each slot once
	next := time.Now()
	for {
		wait := leaderRetry
		if leads(ctx) {
			if !time.Now().Before(next) {
				a.sweepOnce(ctx, &swept)
				next = time.Now().Add(time.Minute)
			}
			wait = min(leaderRetry, time.Until(next))
		} else {
			next = time.Now() // on becoming leader, sweep at once
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// leaderRetry is how often a process that does not lead tries for the lock (and a leader
// checks it still holds it).
const leaderRetry = 5 * time.Second

// sweepOnce is one round of the periodic work.
func (a *App) sweepOnce(ctx context.Context, swept *domain.Swept) {
	if n, err := a.DB.EnsurePartitions(ctx, time.Now()); err != nil && ctx.Err() == nil {
		a.Log.Error("partitions", slog.String("error", err.Error()))
	} else if n > 0 {
		a.Log.Info("made partitions", slog.Int("count", n))
	}
	if err := a.Services.Stats.EnsureToday(ctx); err != nil && ctx.Err() == nil {
		a.Log.Error("daily statistics", slog.String("error", err.Error()))
	}
	if n, err := a.Services.Checkins.Sweep(ctx, time.Now(), swept); err != nil && ctx.Err() == nil {
		a.Log.Error("sweep alerts", slog.String("error", err.Error()))
	} else if n > 0 {
		a.Log.Info("raised alerts", slog.Int("count", n))
	}
}

// linkBase is where the groups' messages link to: FUGONG_PUBLIC_URL, or outside production
// this server's own address (the port it got, not the one asked for: ":0" in the tests).
func (a *App) linkBase(addr net.Addr) string {
	switch {
	case a.Config.PublicURL != "":
		return a.Config.PublicURL
	case a.Config.Production():
		a.Log.Warn("FUGONG_PUBLIC_URL is not set: the messages to the groups carry no links")
		return ""
	}
	return "http://" + displayAddr(addr)
}

// messageEvery is how often the messenger looks for work: an alert reaches its groups within
// a few seconds.
const messageEvery = time.Second

// message runs the messenger (domain.Messenger: the outbox's scheduled events, fan-out and
// sends to the group robots) until ctx ends, then closes done. Every replica may run it: each
// step claims its rows.
func (a *App) message(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(messageEvery)
	defer tick.Stop()
	for {
		if n, err := a.Services.Messenger.Step(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("group messages", slog.String("error", err.Error()))
		} else if n > 0 {
			a.Log.Info("sent group messages", slog.Int("count", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// displayAddr shows a wildcard listener as localhost, the address a person can open.
func displayAddr(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	a, err := load(ctx, getenv, false, stdout)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.DB.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is at migration %d\n", v)
	return nil
}

func createUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fl := flag.NewFlagSet("user create", flag.ContinueOnError)
	username := fl.String("username", "", "login name of the new platform admin")
	name := fl.String("name", "", "display name")
	if err := fl.Parse(args); err != nil {
		return err
	}
	password := getenv("FUGONG_ADMIN_PASSWORD")
	if password == "" {
		fmt.Fprint(os.Stderr, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	a, err := load(ctx, getenv, false, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Services.Users.Bootstrap(ctx, *username, password, *name)
	if err != nil {
		return describeErr(err)
	}
	fmt.Fprintf(stdout, "created platform admin %s (id %d)\n", u.Username, u.ID)
	return nil
}

// describeErr spells out a domain error's field problems for the command line.
func describeErr(err error) error {
	var de *domain.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(de.Message)
	for _, f := range de.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return errors.New(b.String())
}

// rebuildStats recounts the daily statistics of a range of days, for after a restore or a
// bulk load: the same numbers the server keeps as it goes.
func rebuildStats(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := flag.NewFlagSet("stats rebuild", flag.ContinueOnError)
	fromS := fl.String("from", "", "first day, YYYY-MM-DD")
	toS := fl.String("to", "", "last day, YYYY-MM-DD")
	if err := fl.Parse(args); err != nil {
		return err
	}
	from, ok1 := domain.ParseDate(*fromS)
	to, ok2 := domain.ParseDate(*toS)
	if !ok1 || !ok2 || from.IsZero() || to.IsZero() || from.After(to) {
		return errors.New("stats rebuild: --from and --to must be days YYYY-MM-DD, from not after to")
	}
	a, err := load(ctx, getenv, false, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Services.Stats.Rebuild(ctx, from, to)
	if err != nil {
		return describeErr(err)
	}
	fmt.Fprintf(stdout, "rebuilt the daily statistics of %d township(s) from %s to %s\n", n, from, to)
	return nil
}

// runRetention applies every township's retention period and says what it removed in each,
// or with --dry-run what it would remove.
func runRetention(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := flag.NewFlagSet("retention run", flag.ContinueOnError)
	dryRun := fl.Bool("dry-run", false, "count what would be removed, change nothing")
	if err := fl.Parse(args); err != nil {
		return err
	}
	a, err := load(ctx, getenv, false, io.Discard)
	if err != nil {
		return err
	}
	defer a.Close()
	results, err := a.Services.Retention.Run(ctx, *dryRun)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	verb := "removed"
	if *dryRun {
		verb = "would remove"
	}
	for _, r := range results {
		fmt.Fprintf(stdout, "%s (keeps %d days): %s %d check-ins and %d alerts dated before %s, and %d workers who left before then\n",
			r.Township.Name, r.Township.Policy.RetentionDays, verb, r.Removed.Checkins, r.Removed.Alerts, r.Cut, r.Removed.Workers)
	}
	return nil
}

// reads routes the API's reads to the read replica, when one is configured.
func (a *App) reads() *api.Reads {
	if a.Config.ReadURL == "" {
		return nil
	}
	return &api.Reads{Replica: a.DB.ReadReplica, Failed: a.DB.ReplicaFailed,
		MaxLag: a.Config.ReadMaxLag, AfterWrite: a.Config.ReadAfterWrite}
}
