// Command bench measures Fugong against the machine's own limits (issue 7, BENCHMARKS.md):
// for each scenario it builds and starts the real server as its own process, loads data by
// the fastest honest path, measures, and measures in the same run the cheapest way the
// machine can do the same work without Fugong, printing both and their ratio as a markdown
// table. Absolute times on a shared machine are noise; ratios measured side by side are not.
//
//	go run ./scripts/bench all                 # every scenario, full size (under 15 minutes)
//	go run ./scripts/bench -quick checkin      # one scenario, small, to try it out
//	go run ./scripts/bench province            # a province's data: run alone, about an hour
//
// PostgreSQL comes from -pg (default: the local server CI uses); each scenario gets a database
// of its own, dropped afterwards.
package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fugong/scripts/internal/loadtest"
)

// scenario is one benchmark: it prints its own tables to the run's output.
type scenario struct {
	order int // place in "all": check-ins first, then import, export, dashboard
	// onlyByName keeps a scenario out of "all": one that needs more than PostgreSQL (the
	// cluster's packages and ports) runs when named.
	onlyByName bool
	// alone: "all" leaves it out at full size (its full size takes an hour and tens of GB);
	// it runs when named, and in "all" with -quick, so that the quick test keeps it working.
	alone bool
	name  string
	about string
	run   func(ctx context.Context, r *runner) error
}

// scenarios are run by "all" in this order.
var scenarios []scenario

func register(s scenario) { scenarios = append(scenarios, s) }

func main() {
	var usage []loadtest.Usage
	for _, s := range scenarios {
		usage = append(usage, loadtest.Usage{Name: s.name, About: s.about})
	}
	loadtest.Main(loadtest.CommandLine{Name: "bench", Scenarios: usage,
		PGHelp:    "PostgreSQL to create scratch databases on",
		QuickHelp: "small sizes and short runs: to try the program, not to measure"}, runAll)
}

func runAll(ctx context.Context, pg string, quick bool, names []string) error {
	slices.SortFunc(scenarios, func(a, b scenario) int { return a.order - b.order })
	candidates := scenarios
	if !quick && slices.Contains(names, "all") {
		candidates = slices.DeleteFunc(slices.Clone(scenarios), func(s scenario) bool { return s.alone })
	}
	chosen, err := loadtest.Pick(candidates, func(s scenario) string { return s.name }, names)
	if err != nil {
		return err
	}
	chosen = slices.DeleteFunc(chosen, func(s scenario) bool { return s.onlyByName && !slices.Contains(names, s.name) })
	r, err := newRunner(ctx, pg, quick)
	if err != nil {
		return err
	}
	defer r.Close()
	r.PrintMachine("Fugong benchmarks", "QUICK (small sizes, not a measurement)")
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
