package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"time"

	"fugong/scripts/internal/hacluster"
	"fugong/scripts/internal/loadtest"
)

// The cluster scenarios (primarykill, appkill, rolling) act on the cluster scripts/cluster
// started (its folder: $FUGONG_CLUSTER_DIR, else hacluster.DefaultDir()), through HAProxy as
// the phones would. Each starts from a fresh database: it stops the three Fugong processes,
// creates the database again on the leader, seeds it, and starts them again, so that the
// comparison of answers and rows sees only its own check-ins (the cluster's demo township,
// if any, is gone afterwards).

// clusterDir is the running cluster's folder.
func clusterDir() string {
	if d := os.Getenv("FUGONG_CLUSTER_DIR"); d != "" {
		return d
	}
	return hacluster.DefaultDir()
}

// onCluster is a cluster scenario's cluster, township and phones.
type onCluster struct {
	st *hacluster.State
	d  *dataset
	p  *phones
}

// clusterLoad checks that the cluster runs and is healthy, gives it a fresh database seeded
// with nEnt enterprises and nWorkers workers (through a runner that has the cluster's
// secrets, so that the tokens it mints are the processes'), and starts clients phones
// checking in through HAProxy, at rate reports a second (0: closed loop).
func clusterLoad(ctx context.Context, r *runner, nEnt, nWorkers, clients, rate int) (*onCluster, error) {
	st, err := hacluster.Load(clusterDir())
	if err != nil {
		return nil, err
	}
	if err := st.WaitHealthy(ctx, time.Minute); err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(st.DataKey)
	if err != nil {
		return nil, fmt.Errorf("the cluster's data key: %w", err)
	}
	cr, err := loadtest.New(ctx, loadtest.Options{Name: "faults", What: "the fault scripts", Town: "故障",
		PG: hacluster.WriteURL("postgres"), Quick: r.Quick(), JWTSecret: []byte(st.JWTSecret), DataKey: key})
	if err != nil {
		return nil, err
	}
	defer cr.Close()
	if err := st.FreshDatabase(ctx); err != nil {
		return nil, err
	}
	d, err := (&runner{cr}).seedDatabase(ctx, hacluster.WriteURL(hacluster.Database), nEnt, nWorkers)
	if err != nil {
		return nil, err
	}
	for i := range hacluster.Apps {
		if err := st.StartApp(ctx, i, false); err != nil {
			return nil, err
		}
	}
	if err := st.WaitHealthy(ctx, time.Minute); err != nil {
		return nil, err
	}
	p := newPhones(d, hacluster.AppURL(), clients, nWorkers, rate)
	p.start()
	return &onCluster{st: st, d: d, p: p}, nil
}

// finish stops the phones and compares the database with their answers.
func (c *onCluster) finish(ctx context.Context) ([]attempt, *outcome, error) {
	attempts := c.p.stop()
	o, err := verify(ctx, hacluster.WriteURL(hacluster.Database), c.d, attempts)
	return attempts, o, err
}

// unavailable counts the 503 answers and those of them with a Retry-After.
func unavailable(attempts []attempt) (n, withRetry int) {
	for _, a := range attempts {
		if a.status == http.StatusServiceUnavailable {
			n++
			if a.retry != "" {
				withRetry++
			}
		}
	}
	return n, withRetry
}

// notAcked counts the reports that were not acknowledged, cut short ones aside.
func notAcked(attempts []attempt) int {
	n := 0
	for _, a := range attempts {
		if !a.acked() && !a.cutShort() {
			n++
		}
	}
	return n
}
