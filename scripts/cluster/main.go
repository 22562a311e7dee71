// Command cluster runs Fugong's production topology on this machine with one command (issue
// 22): etcd, two PostgreSQL 15 members managed by Patroni in synchronous mode, HAProxy in
// front of the database (writes to Patroni's leader) and of three Fugong processes. Every
// process listens on 127.0.0.1, ports 18400–18499; `down` stops all it started.
//
//	go run ./scripts/cluster up [-demo]   # start it all, wait until healthy, print addresses
//	go run ./scripts/cluster status       # who runs, who leads, what HAProxy sees
//	go run ./scripts/cluster down         # stop everything and remove the folder
//
// Its data, logs and state live in -dir (default $TMPDIR/fugong-cluster). The fault scripts
// (go run ./scripts/faults -cluster primarykill|appkill|rolling) act on the running cluster.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fugong/scripts/internal/hacluster"
)

func main() {
	fl := flag.NewFlagSet("cluster", flag.ExitOnError)
	dir := fl.String("dir", hacluster.DefaultDir(), "the cluster's folder: data, logs, state.json")
	demo := fl.Bool("demo", false, "up: seed the demo township (长山镇) so that its dashboard opens through HAProxy")
	keep := fl.Bool("keep", false, "down: keep the folder (data and logs) after stopping")
	fl.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/cluster [-dir DIR] [-demo] [-keep] up|status|down")
		fl.PrintDefaults()
	}
	if len(os.Args) < 2 {
		fl.Usage()
		os.Exit(2)
	}
	// The command may come before or after the flags.
	args := os.Args[1:]
	cmd := ""
	if args[0] == "up" || args[0] == "down" || args[0] == "status" {
		cmd, args = args[0], args[1:]
	}
	_ = fl.Parse(args)
	if cmd == "" && fl.NArg() == 1 {
		cmd = fl.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "up":
		err = up(ctx, *dir, *demo)
	case "down":
		err = hacluster.Down(*dir, !*keep, os.Stdout)
	case "status":
		err = hacluster.Status(*dir, os.Stdout)
	default:
		fl.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

// up starts the cluster; when it fails half-way, it stops what it started (keeping the logs).
func up(ctx context.Context, dir string, demo bool) error {
	if s, err := hacluster.Up(ctx, dir, demo, os.Stdout); err != nil {
		if s != nil { // nil: nothing was started (one runs already, say): leave it alone
			fmt.Fprintln(os.Stderr, "cluster: stopping what was started; the logs stay in", dir)
			_ = hacluster.Down(dir, false, os.Stderr)
		}
		return err
	}
	fmt.Printf(`
The cluster is up and healthy (its folder: %s).
  Fugong through HAProxy   %s   (processes on 127.0.0.1:%d, %d, %d)
  PostgreSQL, the leader   postgres://postgres@127.0.0.1:%d/%s  (HAProxy → Patroni /primary)
  PostgreSQL, a replica    postgres://postgres@127.0.0.1:%d/%s
  HAProxy statistics       http://127.0.0.1:%d/
  Patroni REST             http://127.0.0.1:%d/cluster, http://127.0.0.1:%d/cluster
  etcd                     http://127.0.0.1:%d
Stop it all: go run ./scripts/cluster down
`, dir, hacluster.AppURL(), hacluster.AppPort(0), hacluster.AppPort(1), hacluster.AppPort(2),
		hacluster.WritePort, hacluster.Database, hacluster.ReadPort, hacluster.Database, hacluster.StatsPort,
		hacluster.Nodes[0].RESTPort, hacluster.Nodes[1].RESTPort, hacluster.EtcdClientPort)
	if demo {
		fmt.Printf("Demo: open %s and sign in as the README's demo accounts (长山镇).\n", hacluster.AppURL())
	}
	return nil
}
