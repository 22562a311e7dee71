package main

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"fugong/scripts/internal/hacluster"
)

// runAppKill kills one of the cluster's three Fugong processes with SIGKILL while phones
// check in through HAProxy: HAProxy sends the requests refused or cut (retry-on
// conn-failure, empty-response: a check-in is an upsert on (worker, date, slot), so sending
// it twice stores it once) to another process, its check takes the dead one out; then the
// process starts again and HAProxy takes it back. Nothing acknowledged may be missing.
func runAppKill(ctx context.Context, r *runner) ([]string, error) {
	nEnt, nWorkers := r.Size(20, 4), r.Size(3000, 300)
	perPhase, clients, victim := r.Size(1500, 150), 8, 1
	c, err := clusterLoad(ctx, r, nEnt, nWorkers, clients, 0)
	if err != nil {
		return nil, err
	}
	if err := c.p.waitAcks(perPhase, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	name := hacluster.AppName(victim)
	killedAt := time.Now()
	if err := c.st.Signal(name, syscall.SIGKILL); err != nil {
		c.p.stop()
		return nil, err
	}
	down := "not within 30 s"
	downOK := hacluster.WaitAppState(victim, "DOWN", 30*time.Second)
	if downOK {
		down = seconds(time.Since(killedAt))
	}
	if err := c.p.waitAcks(c.p.acked()+perPhase/2, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	startedAt := time.Now()
	back := "not within 60 s"
	if err := c.st.StartApp(ctx, victim, false); err == nil && hacluster.WaitAppState(victim, "UP", 60*time.Second) {
		back = seconds(time.Since(startedAt))
	}
	if err := c.p.waitAcks(c.p.acked()+perPhase/2, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	attempts, o, err := c.finish(ctx)
	if err != nil {
		return nil, err
	}
	failedReqs := notAcked(attempts)
	t := newTable(fmt.Sprintf("appkill on the cluster: %d workers in %d enterprises, %d phones in a closed loop through HAProxy, %s killed with SIGKILL",
		nWorkers, nEnt, clients, name))
	failed := o.rows(t)
	t.Add("reports not acknowledged (HAProxy retried the refused and cut ones elsewhere)", failedReqs, "0", verdict(failedReqs == 0, &failed, "failed requests"))
	t.Add("from the kill until HAProxy marked it DOWN", down, "within 30 s", verdict(downOK, &failed, "HAProxy kept the dead process"))
	t.Add("started again: until HAProxy marked it UP", back, "–", "–")
	t.Print()
	return failed, nil
}
