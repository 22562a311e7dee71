package loadtest

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

// Usage is a scenario's name and what it does, for the usage message.
type Usage struct{ Name, About string }

// CommandLine describes a program's command line:
// go run ./scripts/NAME [-quick] [-pg URL] all|SCENARIO ...
type CommandLine struct {
	Name      string  // the program's directory under scripts, and its error messages' prefix
	PGHelp    string  // the help of -pg
	QuickHelp string  // the help of -quick
	Scenarios []Usage // in the order the usage lists them
}

// Main reads the command line and calls run with it until run returns or an interrupt
// cancels its context. It exits 2 with the usage when no scenario is named, and 1, printing
// the error, when run fails.
func Main(cl CommandLine, run func(ctx context.Context, pg string, quick bool, names []string) error) {
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", cl.PGHelp)
	quick := flag.Bool("quick", false, cl.QuickHelp)
	flag.Usage = cl.usage
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *pg, *quick, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", cl.Name, err)
		os.Exit(1)
	}
}

// usage lists the scenarios, their names in a column as wide as the longest and one more.
func (cl CommandLine) usage() {
	fmt.Fprintf(os.Stderr, "usage: go run ./scripts/%s [-quick] [-pg URL] all|SCENARIO ...\n\nscenarios:\n", cl.Name)
	width := 0
	for _, s := range cl.Scenarios {
		width = max(width, len(s.Name)+1)
	}
	for _, s := range cl.Scenarios {
		fmt.Fprintf(os.Stderr, "  %-*s %s\n", width, s.Name, s.About)
	}
}

// Pick returns the scenarios names asks for ("all": every one), in their order in all.
func Pick[S any](all []S, name func(S) string, names []string) ([]S, error) {
	var chosen []S
	for _, s := range all {
		if slices.Contains(names, "all") || slices.Contains(names, name(s)) {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("no scenario named %v", names)
	}
	return chosen, nil
}

// PrintMachine writes, under title, what was run and where: the commit, the machine, the
// versions, and the mode (quickMode with -quick). Untracked files do not count as changes: a
// run's output redirected into the work tree is one before the run even starts.
func (r *Runner) PrintMachine(title, quickMode string) {
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	dirty, _ := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	c := strings.TrimSpace(string(commit))
	if len(dirty) > 0 {
		c += " (with uncommitted changes)"
	}
	mode := "full size"
	if r.opt.Quick {
		mode = quickMode
	}
	fmt.Printf("# %s\n\n| | |\n|---|---|\n| commit | %s |\n| date | %s |\n| machine | %s, %d cores |\n| Go | %s |\n| PostgreSQL | %s |\n| mode | %s |\n",
		title, c, time.Now().UTC().Format(time.RFC3339), cpuModel(), runtime.NumCPU(), runtime.Version(), r.pgVersion, mode)
}

// cpuModel is the processor's name from /proc/cpuinfo, or "unknown".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown"
}
