// Command faults breaks Fugong on purpose while workers check in, and proves that nothing it
// acknowledged was lost (issue 8, RELIABILITY.md). Each scenario builds and starts the real
// server as its own process on PostgreSQL (wide-upload on SQLite too), drives check-ins at it
// over HTTP, records every answer, does its harm, and then compares the database with the
// answers, or the check-ins' latency before and during:
//
//	killserver  kill -9 the server mid-load, start it again on the same database
//	pgrestart   stop and start PostgreSQL under a running server (a private cluster of the
//	            script's own, never the machine's shared one)
//	sigterm     SIGTERM the server mid-load: in-flight requests finish, it exits 0
//	wide-upload upload the roster workbooks of issue 16 (1.4 million rows with a cell in
//	            column XFD) while workers check in, on SQLite and PostgreSQL: check-in
//	            latency before and during, the server's memory
//
//	go run ./scripts/faults all              # full size: thousands of check-ins, several faults
//	go run ./scripts/faults -quick killserver
//
// It prints one markdown table per scenario and exits non-zero when any invariant fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fugong/scripts/internal/hacluster"
	"fugong/scripts/internal/loadtest"
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
	{"primarykill", "On the running cluster (go run ./scripts/cluster up): the PostgreSQL leader dies (Patroni and postgres, SIGKILL) under check-ins through HAProxy; Patroni promotes the synchronous standby, Fugong reconnects, the gap answers 503 with Retry-After, nothing acknowledged is lost.", runPrimaryKill},
	{"appkill", "On the running cluster: one of the three Fugong processes is killed with SIGKILL under check-ins through HAProxy, which retries elsewhere and takes it out; it starts again.", runAppKill},
	{"rolling", "On the running cluster: the three Fugong processes are restarted in turn (SIGTERM, drain, start, UP) under check-ins through HAProxy, with no failed request.", runRolling},
	{"wide-upload", "HR upload the workbooks of issue 16 (1.4 million rows, and 30,000, with one cell each in column XFD) while workers check in, on SQLite and on PostgreSQL: the uploads are refused or finished within seconds, the check-ins keep their latency, the server its memory.", runWideUpload},
}

func main() {
	var usage []loadtest.Usage
	for _, s := range scenarios {
		usage = append(usage, loadtest.Usage{Name: s.name, About: s.about})
	}
	loadtest.Main(loadtest.CommandLine{Name: "faults", Scenarios: usage,
		PGHelp:    "PostgreSQL to create scratch databases on (pgrestart runs its own)",
		QuickHelp: "a few hundred check-ins per scenario: to try the program, as the test suite does"}, runAll)
}

// runAll runs every scenario named, all of them even when one fails, and returns an error
// naming the invariants that failed.
func runAll(ctx context.Context, pg string, quick bool, names []string) error {
	chosen, err := loadtest.Pick(scenarios, func(s scenario) string { return s.name }, names)
	if err != nil {
		return err
	}
	chosen = withoutIdleCluster(chosen, names)
	r, err := newRunner(ctx, pg, quick)
	if err != nil {
		return err
	}
	defer r.Close()
	r.PrintMachine("Fugong fault scripts", "quick (a few hundred check-ins per scenario)")
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

// clusterScenarios act on a cluster scripts/cluster started, rather than on servers of their own.
var clusterScenarios = map[string]bool{"primarykill": true, "appkill": true, "rolling": true}

// withoutIdleCluster leaves the cluster scenarios out of "all" when no cluster runs, saying
// so; named one by one, they run and say what is missing.
func withoutIdleCluster(chosen []scenario, names []string) []scenario {
	if !slices.Contains(names, "all") {
		return chosen
	}
	if _, err := hacluster.Load(clusterDir()); err == nil {
		return chosen
	}
	fmt.Printf("No cluster runs (go run ./scripts/cluster up): primarykill, appkill and rolling are left out.\n")
	return slices.DeleteFunc(chosen, func(s scenario) bool { return clusterScenarios[s.name] })
}
