package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// runKillServer kills the server with SIGKILL mid-load, kills times, each time starting a new
// one on the same database and port at once, while the phones carry on; then it compares the
// database with the answers.
func runKillServer(ctx context.Context, r *runner) ([]string, error) {
	nEnt, nWorkers := r.Size(20, 4), r.Size(5000, 300)
	kills, perPhase, clients := r.Size(3, 1), r.Size(2500, 150), 8
	l, drop, err := r.startLoad(ctx, nEnt, nWorkers, nWorkers, clients)
	if err != nil {
		return nil, err
	}
	defer drop()
	dbURL, d, srv, p := l.dbURL, l.d, l.srv, l.p
	var killedAt []time.Time
	var downs, firstAcks []string
	target := 0
	for range kills {
		target += perPhase
		if err := p.waitAcks(target, 2*time.Minute); err != nil {
			p.stop()
			srv.Kill()
			return nil, err
		}
		at := time.Now()
		srv.Kill()
		killedAt = append(killedAt, at)
		if srv, err = r.startServer(ctx, dbURL, l.port); err != nil {
			p.stop()
			return nil, fmt.Errorf("start again after a kill: %w", err)
		}
		downs = append(downs, seconds(time.Since(at)))
		if acked, ok := p.waitAckAfter(time.Now(), 30*time.Second); ok {
			firstAcks = append(firstAcks, seconds(acked.Sub(at)))
		} else {
			firstAcks = append(firstAcks, "none within 30 s")
		}
		target = p.acked()
	}
	target += perPhase
	err = p.waitAcks(target, 2*time.Minute)
	attempts := p.stop()
	srv.Stop()
	if err != nil {
		return nil, err
	}
	o, err := verify(ctx, dbURL, d, attempts)
	if err != nil {
		return nil, err
	}
	inFlight := 0
	for _, a := range attempts {
		for _, k := range killedAt {
			if a.began.Before(k) && a.began.Add(a.took).After(k) {
				inFlight++
			}
		}
	}
	t := newTable(fmt.Sprintf("killserver on PostgreSQL: %d workers in %d enterprises, %d phones in a closed loop, %d kill(s) with SIGKILL",
		nWorkers, nEnt, clients, kills))
	failed := o.rows(t)
	t.Add("kills (SIGKILL) mid-load", len(killedAt), "–", "–")
	t.Add("reports in flight at the kills (sent before, answered or failed after)", inFlight, "–", "–")
	t.Add("from each kill until the new server listened", strings.Join(downs, ", "), "–", "–")
	t.Add("from each kill until the first acknowledgement after it", strings.Join(firstAcks, ", "), "–", "–")
	t.Print()
	if o.unexpected > 0 {
		fmt.Printf("The server's log says: %s\n\n", srv.ErrorSummary())
	}
	return failed, nil
}
