// Command bench measures Fugong against the machine's own limits (issue 7, BENCHMARKS.md):
// for each scenario it builds and starts the real server as its own process, loads data by
// the fastest honest path, measures, and measures in the same run the cheapest way the
// machine can do the same work without Fugong, printing both and their ratio as a markdown
// table. Absolute times on a shared machine are noise; ratios measured side by side are not.
//
//	go run ./scripts/bench all                 # every scenario, full size (under 15 minutes)
//	go run ./scripts/bench -quick checkin      # one scenario, small, to try it out
//
// PostgreSQL comes from -pg (default: the local server CI uses); each scenario gets a database
// of its own, dropped afterwards.
package main

import (
	"context"
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

// scenario is one benchmark: it prints its own tables to the run's output.
type scenario struct {
	order int // place in "all": check-ins first, then import, export, dashboard
	name  string
	about string
	run   func(ctx context.Context, r *runner) error
}

// scenarios are run by "all" in this order.
var scenarios []scenario

func register(s scenario) { scenarios = append(scenarios, s) }

func main() {
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL to create scratch databases on")
	quick := flag.Bool("quick", false, "small sizes and short runs: to try the program, not to measure")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./scripts/bench [-quick] [-pg URL] all|SCENARIO ...\n\nscenarios:\n")
		for _, s := range scenarios {
			fmt.Fprintf(os.Stderr, "  %-15s %s\n", s.name, s.about)
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
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func runAll(ctx context.Context, pg string, quick bool, names []string) error {
	slices.SortFunc(scenarios, func(a, b scenario) int { return a.order - b.order })
	var chosen []scenario
	for _, s := range scenarios {
		if slices.Contains(names, "all") || slices.Contains(names, s.name) {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		return fmt.Errorf("no scenario named %v", names)
	}
	r, err := newRunner(ctx, pg, quick)
	if err != nil {
		return err
	}
	defer r.close()
	r.printMachine()
	started := time.Now()
	for _, s := range chosen {
		fmt.Printf("\n## %s\n\n%s\n\n", s.name, s.about)
		t0 := time.Now()
		if err := s.run(ctx, r); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf("\n_%s took %s._\n", s.name, time.Since(t0).Round(time.Second))
	}
	fmt.Printf("\n_The whole run took %s._\n", time.Since(started).Round(time.Second))
	return nil
}

// printMachine writes what was measured and where: the commit, the machine, the versions.
func (r *runner) printMachine() {
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	dirty, _ := exec.Command("git", "status", "--porcelain").Output()
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
		mode = "QUICK (small sizes, not a measurement)"
	}
	fmt.Printf("# Fugong benchmarks\n\n| | |\n|---|---|\n| commit | %s |\n| date | %s |\n| machine | %s, %d cores |\n| Go | %s |\n| PostgreSQL | %s |\n| mode | %s |\n",
		c, time.Now().UTC().Format(time.RFC3339), cpu, runtime.NumCPU(), runtime.Version(), r.pgVersion, mode)
}
