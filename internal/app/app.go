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
	"time"

	"fugong/api"
	"fugong/domain"
	"fugong/frontend"
	"fugong/internal/demo"
	"fugong/live"
	"fugong/pii"
	"fugong/repo"
)

// app is Fugong wired together: one database, the services on it, the HTTP edge.
type app struct {
	cfg      Config
	log      *slog.Logger
	db       *repo.DB
	stores   domain.Stores
	services domain.Services
	hub      *live.Hub    // changes for the dashboard's live stream
	metrics  *api.Metrics // what /metrics shows; the services count into it
}

// shutdownGrace is how long requests in flight get to finish after SIGTERM before the server
// gives up on them (and exits 1). Whatever stops the process must wait longer before it
// kills it: docker-compose.yml's stop_grace_period (Docker waits 10 s by default), a
// Kubernetes pod's terminationGracePeriodSeconds (30 s by default).
const shutdownGrace = 20 * time.Second

// accessTTL is how long an access token lives (DESIGN.md: short); refresh tokens rotate.
const accessTTL = 15 * time.Minute

// open reads the configuration, connects to the database and applies its migrations.
func open(ctx context.Context, getenv func(string) string, demoMode bool, stdout io.Writer) (*app, error) {
	boot := slog.New(slog.NewJSONHandler(stdout, nil))
	cfg, err := loadConfig(getenv, demoMode, boot)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	db, err := repo.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return nil, err
	}
	if err := db.LimitPool(cfg.DBMaxConns); err != nil {
		db.Close()
		return nil, err
	}
	db.SetCheckinLanes(cfg.CheckinLanes)
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
	stores := repo.Stores(db, box)
	hub := live.NewHub()
	metrics := api.NewMetrics()
	pool, err := db.Pool()
	if err != nil {
		db.Close()
		return nil, err
	}
	metrics.WatchDB(pool)
	services := domain.NewServices(stores, domain.Options{Notifier: hub, Recorder: metrics, NoDashboardCache: !cfg.DashboardCache,
		ImportSlots: cfg.ImportSlots, ImportBudget: cfg.ImportTimeout})
	return &app{cfg: cfg, log: log, db: db, stores: stores, services: services, hub: hub, metrics: metrics}, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	demoMode := fl.Bool("demo", false, "create the demo township on an empty database")
	if err := fl.Parse(args); err != nil {
		return err
	}
	a, err := open(ctx, getenv, *demoMode, stdout)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if *demoMode {
		if err := a.seedDemo(ctx, stdout); err != nil {
			return err
		}
	}
	return a.serve(ctx, stdout)
}

func (a *app) seedDemo(ctx context.Context, stdout io.Writer) error {
	created, err := demo.Seed(ctx, a.stores, time.Now())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if created {
		a.log.Info("created the demo township 长山镇")
	}
	// No worker's sign-in is printed: a log is kept and shipped (issue 16). The README says how
	// to sign in as a demo worker.
	fmt.Fprintln(stdout, demo.AccountsText)
	return nil
}

// serve listens on the API and metrics addresses until ctx ends, then shuts down gracefully:
// in-flight requests finish, new ones are refused.
func (a *app) serve(ctx context.Context, stdout io.Writer) error {
	dist, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	metrics := a.metrics
	e, _ := api.New(a.services, api.Config{
		Tokens: &api.Tokens{Secret: a.cfg.JWTSecret, Issuer: "fugong", Audience: "fugong-api", TTL: accessTTL},
		Log:    a.log, Ready: a.db.Ping, Frontend: dist, BodyLimit: a.cfg.BodyLimit,
		TrustedProxies: a.cfg.TrustedProxies, Metrics: metrics, Live: &api.Live{Hub: a.hub},
	})
	srv := &http.Server{
		Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return err
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if a.cfg.MetricsAddr != "off" {
		mln, err := net.Listen("tcp", a.cfg.MetricsAddr)
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
		a.log.Info("metrics listening", slog.String("addr", mln.Addr().String()))
	}
	go a.sweep(ctx)
	if a.db.Dialect == repo.Postgres {
		// Changes made by the other processes on this database reach this one's viewers.
		bridge := &live.PGBridge{Hub: a.hub, DSN: a.cfg.DatabaseURL, Log: a.log}
		go bridge.Run(ctx)
	}
	fmt.Fprintf(stdout, "Fugong listening on http://%s\n", displayAddr(ln.Addr()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	a.hub.Close() // open event streams end; Shutdown would wait for them
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sweep raises the alerts that time calls for (missed check-ins after a cut-off, isolations
// ending today) once a minute until ctx ends. Every replica may run it: alerts are unique.
func (a *app) sweep(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if err := a.services.Dashboard.EnsureToday(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("daily statistics", slog.String("error", err.Error()))
		}
		if n, err := a.services.Checkins.Sweep(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.log.Error("sweep alerts", slog.String("error", err.Error()))
		} else if n > 0 {
			a.log.Info("raised alerts", slog.Int("count", n))
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
	a, err := open(ctx, getenv, false, stdout)
	if err != nil {
		return err
	}
	defer a.db.Close()
	v, err := a.db.MigrationVersion(ctx)
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
	a, err := open(ctx, getenv, false, io.Discard)
	if err != nil {
		return err
	}
	defer a.db.Close()
	u, err := a.services.Users.Bootstrap(ctx, *username, password, *name)
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
	a, err := open(ctx, getenv, false, io.Discard)
	if err != nil {
		return err
	}
	defer a.db.Close()
	n, err := a.services.Dashboard.Rebuild(ctx, from, to)
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
	a, err := open(ctx, getenv, false, io.Discard)
	if err != nil {
		return err
	}
	defer a.db.Close()
	results, err := a.services.Retention.Run(ctx, *dryRun)
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
