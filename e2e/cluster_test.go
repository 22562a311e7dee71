package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fugong/repo/dbtest"
)

// TestClusterFaults starts the whole cluster (go run ./scripts/cluster up: etcd, two
// PostgreSQL members under Patroni in synchronous mode, HAProxy, three Fugong processes),
// sends check-ins through HAProxy, and runs the fault scripts appkill (a Fugong process
// killed), primarykill (the PostgreSQL leader killed) and rolling (the three restarted in
// turn) at their quick size: each must report no acknowledged check-in lost or duplicated and
// statistics equal to a recount, and the rolling restart no failed request. It
// needs Debian's patroni, etcd-server and haproxy (CI installs them) and the cluster's ports
// free; it takes two to three minutes.
func TestClusterFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the cluster takes minutes")
	}
	if os.Getenv(dbtest.PostgresURLEnv) == "" {
		t.Skipf("the fault scripts need PostgreSQL for their runner: %s is not set", dbtest.PostgresURLEnv)
	}
	for _, prog := range []string{"/usr/bin/patroni", "etcd", "haproxy"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("the cluster needs %s (Debian: apt-get install patroni etcd-server haproxy)", prog)
		}
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:18430", time.Second); err == nil { // HAProxy's front
		c.Close()
		t.Skip("port 18430 is taken: a cluster already runs (go run ./scripts/cluster down)")
	}
	// Not t.TempDir(): its parents are closed to the postgres user the members run as.
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("fugong-cluster-e2e-%d", time.Now().UnixNano()))
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	script := func(ctx context.Context, command string, flags ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "go", append([]string{"run", "./scripts/cluster", command, "-dir", dir}, flags...)...)
		cmd.Dir = ".."
		return cmd.CombinedOutput()
	}
	out, err := script(ctx, "up")
	t.Cleanup(func() {
		var flags []string
		if t.Failed() {
			flags = append(flags, "-keep")
			t.Logf("the cluster's logs stay in %s", dir)
		}
		if out, err := script(context.Background(), "down", flags...); err != nil {
			t.Errorf("down: %v\n%s", err, out)
		}
	})
	if err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, "go", "run", "./scripts/faults", "-quick", "appkill", "primarykill", "rolling")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "FUGONG_CLUSTER_DIR="+dir)
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("faults appkill primarykill rolling: %v\n%s", err, out)
	}
	for _, want := range []string{"| … lost | 0 | 0 | ✅ |", "| … duplicated (more than one row) | 0 | 0 | ✅ |",
		"| daily_stats rows that differ from a recount | 0 | 0 | ✅ |"} {
		if n := strings.Count(string(out), want); n != 3 {
			t.Errorf("%q in %d of the 3 scenarios' tables, want all:\n%s", want, n, out)
		}
	}
	if want := "| reports not acknowledged | 0 | 0 | ✅ |"; !strings.Contains(string(out), want) {
		t.Errorf("the rolling restart failed requests: no %q in\n%s", want, out)
	}
}
