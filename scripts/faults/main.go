// Command faults breaks Fugong on purpose while workers check in, and proves that nothing it
// acknowledged was lost (issue 8, RELIABILITY.md). Each scenario builds and starts the real
// server as its own process on PostgreSQL, drives check-ins at it over HTTP, records every
// answer, does its harm, and then compares the database with the answers:
//
//	killserver  kill -9 the server mid-load, start it again on the same database
//	pgrestart   stop and start PostgreSQL under a running server (a private cluster of the
//	            script's own, never the machine's shared one)
//	sigterm     SIGTERM the server mid-load: in-flight requests finish, it exits 0
//
//	go run ./scripts/faults all              # full size: thousands of check-ins, several faults
//	go run ./scripts/faults -quick killserver
//
// It prints one markdown table per scenario and exits non-zero when any invariant fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"time"
)

// scenario is one kind of fault. run prints its table and returns the invariants that failed.
type scenario struct {
	name  string
	about string
	run   func(ctx context.Context, r *runner) (failed []string, err error)
}

// scenarios run in this order for "all".
var scenarios = []scenario{
	{"killserver", "The server is killed with SIGKILL mid-load and started again on the same database; the phones carry on.", runKillServer},
	{"pgrestart", "PostgreSQL stops (fast, then immediate) and starts again under a running server, which must answer 503 at once meanwhile and recover by itself.", runPGRestart},
	{"sigterm", "The server gets SIGTERM mid-load: requests in flight finish, new connections are refused, it exits 0 within its grace period.", runSigterm},
}

func main() {
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL to create scratch databases on (pgrestart runs its own)")
	quick := flag.Bool("quick", false, "a few hundred check-ins per scenario: to try the program, as the test suite does")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./scripts/faults [-quick] [-pg URL] all|SCENARIO ...\n\nscenarios:\n")
		for _, s := range scenarios {
			fmt.Fprintf(os.Stderr, "  %-11s %s\n", s.name, s.about)
		}
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := runAll(ctx, *pg, *quick, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

// pick returns the scenarios names asks for, in their order.
func pick(names []string) ([]scenario, error) {
	var chosen []scenario
	for _, s := range scenarios {
		if slices.Contains(names, "all") || slices.Contains(names, s.name) {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("no scenario named %v", names)
	}
	return chosen, nil
}

// runAll runs every scenario named, all of them even when one fails, and returns an error
// naming the invariants that failed.
func runAll(ctx context.Context, pg string, quick bool, names []string) error {
	chosen, err := pick(names)
	if err != nil {
		return err
	}
	r, err := newRunner(ctx, pg, quick)
	if err != nil {
		return err
	}
	defer r.close()
	r.printMachine()
	started := time.Now()
	var errs []error
	for _, s := range chosen {
		if err := r.runScenario(ctx, s); err != nil {
			errs = append(errs, err)
		}
	}
	fmt.Printf("\n_The whole run took %s._\n", time.Since(started).Round(time.Second))
	return errors.Join(errs...)
}

// runScenario prints a scenario's heading and table, and returns an error when it could not
// run or an invariant failed.
func (r *runner) runScenario(ctx context.Context, s scenario) error {
	fmt.Printf("\n## %s\n\n%s\n\n", s.name, s.about)
	t0 := time.Now()
	failed, err := s.run(ctx, r)
	fmt.Printf("_%s took %s._\n", s.name, time.Since(t0).Round(time.Second))
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", s.name, err)
	case len(failed) > 0:
		return fmt.Errorf("%s: invariants failed: %s", s.name, strings.Join(failed, "; "))
	}
	return nil
}

// printMachine writes what was run and where: the commit, the machine, the versions.
func (r *runner) printMachine() {
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	dirty, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	c := strings.TrimSpace(string(commit))
	if len(dirty) > 0 {
		c += " (with uncommitted changes)"
	}
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mode := "full size"
	if r.quick {
		mode = "quick (a few hundred check-ins per scenario)"
	}
	fmt.Printf("# Fugong fault scripts\n\n| | |\n|---|---|\n| commit | %s |\n| date | %s |\n| machine | %s, %d cores |\n| Go | %s |\n| PostgreSQL | %s |\n| mode | %s |\n",
		c, time.Now().UTC().Format(time.RFC3339), cpu, runtime.NumCPU(), runtime.Version(), r.pgVersion, mode)
}
