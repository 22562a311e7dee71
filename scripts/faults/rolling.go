package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fugong/scripts/internal/hacluster"
)

// runRolling restarts the cluster's three Fugong processes one after another while phones
// check in through HAProxy: SIGTERM (the process answers on, its /healthz 503, for
// FUGONG_DRAIN_DELAY, until HAProxy's check has taken it out; then it closes its listener
// and finishes what is in flight), start it again, wait until HAProxy has it UP, next. No
// report may fail.
func runRolling(ctx context.Context, r *runner) ([]string, error) {
	nEnt, nWorkers := r.Size(20, 4), r.Size(3000, 300)
	perPhase, clients := r.Size(1000, 100), 8
	c, err := clusterLoad(ctx, r, nEnt, nWorkers, clients, 0)
	if err != nil {
		return nil, err
	}
	var restarts []string
	for i := range hacluster.Apps {
		if err := c.p.waitAcks(c.p.acked()+perPhase, 2*time.Minute); err != nil {
			c.p.stop()
			return nil, err
		}
		t0 := time.Now()
		if err := c.st.StopApp(i); err != nil {
			c.p.stop()
			return nil, err
		}
		stopped := time.Since(t0)
		if err := c.st.StartApp(ctx, i, false); err != nil {
			c.p.stop()
			return nil, err
		}
		if !hacluster.WaitAppState(i, "UP", 60*time.Second) {
			c.p.stop()
			return nil, fmt.Errorf("HAProxy did not take %s back within 60 s", hacluster.AppName(i))
		}
		restarts = append(restarts, fmt.Sprintf("%s: exited %s after SIGTERM, UP again %s later",
			hacluster.AppName(i), seconds(stopped), seconds(time.Since(t0)-stopped)))
	}
	if err := c.p.waitAcks(c.p.acked()+perPhase, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	attempts, o, err := c.finish(ctx)
	if err != nil {
		return nil, err
	}
	failedReqs := notAcked(attempts)
	t := newTable(fmt.Sprintf("rolling on the cluster: %d workers in %d enterprises, %d phones in a closed loop through HAProxy, the %d Fugong processes restarted in turn (SIGTERM, start, wait for UP)",
		nWorkers, nEnt, clients, hacluster.Apps))
	failed := o.rows(t)
	t.Add("reports not acknowledged", failedReqs, "0", verdict(failedReqs == 0, &failed, "failed requests"))
	t.Add("restarts", strings.Join(restarts, "; "), "–", "–")
	t.Print()
	return failed, nil
}
