package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"fugong/internal/app"
	"fugong/scripts/internal/loadtest"
)

// runner is the shared plumbing (loadtest.Runner) with what only the benchmarks need.
type runner struct{ *loadtest.Runner }

// newRunner builds the server for a benchmark run. Its servers take bodies up to 4 MB, and
// BENCH_PPROF_ADDR, when set, gives them a metrics listener to take a profile from during a run.
func newRunner(ctx context.Context, pg string, quick bool) (*runner, error) {
	env := []string{"FUGONG_BODY_LIMIT=4M"}
	if addr := os.Getenv("BENCH_PPROF_ADDR"); addr != "" {
		env = append(env, "FUGONG_METRICS_ADDR="+addr)
	}
	r, err := loadtest.New(ctx, loadtest.Options{Name: "bench", What: "the benchmarks", Town: "基准",
		Env: env, PG: pg, Quick: quick})
	if err != nil {
		return nil, err
	}
	return &runner{r}, nil
}

// duration picks the full duration, or the quick one with -quick.
func (r *runner) duration(full, quick time.Duration) time.Duration {
	if r.Quick() {
		return quick
	}
	return full
}

// scratch is a scenario's own PostgreSQL database, migrated and seeded through the loading
// path, still open for more. seededPostgres's release closes it and drops the database.
type scratch struct {
	url string
	app *app.App
	d   *loadtest.Dataset
}

// seededPostgres creates a scratch database with a township of nEnt enterprises and nWorkers
// workers (see loadtest.Runner.Seed).
func (r *runner) seededPostgres(ctx context.Context, nEnt, nWorkers int) (*scratch, func(), error) {
	dbURL, drop, err := r.NewPostgres(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := r.Open(ctx, dbURL)
	if err != nil {
		drop()
		return nil, nil, err
	}
	release := func() { a.Close(); drop() }
	d, err := r.Seed(ctx, a, nEnt, nWorkers)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("seed: %w", err)
	}
	return &scratch{url: dbURL, app: a, d: d}, release, nil
}
