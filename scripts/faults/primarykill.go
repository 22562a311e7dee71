package main

import (
	"context"
	"fmt"
	"time"

	"fugong/scripts/internal/hacluster"
)

// runPrimaryKill kills the PostgreSQL leader of the running cluster — its Patroni and its
// postgres with SIGKILL, as a machine dying would — while phones check in through HAProxy.
// Patroni promotes the synchronous standby once the leader's key expires (ttl 10 s), HAProxy
// moves the write port to it, the Fugong processes reconnect by themselves; meanwhile the
// phones get 503 with Retry-After. Then the dead member starts again and rejoins as the new
// synchronous standby. Nothing acknowledged may be missing: every commit waited for the
// standby.
func runPrimaryKill(ctx context.Context, r *runner) ([]string, error) {
	nEnt, nWorkers := r.Size(20, 4), r.Size(3000, 300)
	perPhase, clients := r.Size(1500, 150), 8
	c, err := clusterLoad(ctx, r, nEnt, nWorkers, clients, 0)
	if err != nil {
		return nil, err
	}
	if err := c.p.waitAcks(perPhase, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	old := hacluster.Leader()
	killedAt := time.Now()
	if err := c.st.KillNode(old); err != nil {
		c.p.stop()
		return nil, err
	}
	promoted := "none within 60 s"
	var newLeader string
	if hacluster.WaitFor(60*time.Second, func() bool { newLeader = hacluster.Leader(); return newLeader != "" && newLeader != old }) {
		promoted = fmt.Sprintf("%s after %s", newLeader, seconds(time.Since(killedAt)))
	}
	firstAck := "none within 60 s"
	if at, ok := c.p.waitAckAfter(killedAt, 60*time.Second); ok {
		firstAck = seconds(at.Sub(killedAt))
	}
	if err := c.p.waitAcks(c.p.acked()+perPhase/2, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	rejoinedAt := time.Now()
	rejoined := "not within 90 s"
	if err := c.st.StartNode(ctx, old); err == nil && c.st.WaitHealthy(ctx, 90*time.Second) == nil {
		rejoined = seconds(time.Since(rejoinedAt))
	}
	if err := c.p.waitAcks(c.p.acked()+perPhase/2, 2*time.Minute); err != nil {
		c.p.stop()
		return nil, err
	}
	attempts, o, err := c.finish(ctx)
	if err != nil {
		return nil, err
	}
	n503, withRetry := unavailable(attempts)
	var gapFrom, gapTo time.Time
	for _, a := range attempts {
		if !a.acked() && !a.cutShort() && a.began.After(killedAt.Add(-phoneTimeout)) {
			if gapFrom.IsZero() || a.began.Before(gapFrom) {
				gapFrom = a.began
			}
			if end := a.began.Add(a.took); end.After(gapTo) {
				gapTo = end
			}
		}
	}
	t := newTable(fmt.Sprintf("primarykill on the cluster: %d workers in %d enterprises, %d phones in a closed loop through HAProxy, the leader %s killed (Patroni and postgres, SIGKILL)",
		nWorkers, nEnt, clients, old))
	failed := o.rows(t)
	t.Add("new leader (Patroni promoted the synchronous standby)", promoted, "within 60 s", verdict(newLeader != "" && newLeader != old, &failed, "no new leader"))
	t.Add("from the kill until the first acknowledgement after it", firstAck, "–", "–")
	gap := "none"
	if !gapFrom.IsZero() {
		gap = fmt.Sprintf("%s (first failed report sent to last one answered)", seconds(gapTo.Sub(gapFrom)))
	}
	t.Add("the gap: reports not acknowledged", gap, "–", "–")
	t.Add("503 answers / with Retry-After", fmt.Sprintf("%d / %d", n503, withRetry), "all with Retry-After",
		verdict(n503 == withRetry, &failed, "503 without Retry-After"))
	t.Add("the killed member started again: until it is the synchronous standby", rejoined, "–", "–")
	t.Print()
	return failed, nil
}
