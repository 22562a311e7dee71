package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"fugong/scripts/internal/loadtest"
)

// shutdownGrace is how long the server gives requests in flight to finish after SIGTERM
// (app.go, shutdownGrace); it must have exited by then.
const shutdownGrace = 20 * time.Second

// slowBody is how long a slow phone takes to send its report's body: the server is reading
// it when SIGTERM comes, and must still answer it.
const slowBody = 1500 * time.Millisecond

// runSigterm sends SIGTERM to the server while the phones report, some of them slowly, and
// checks that what was in flight was answered, that new connections were refused from then
// on, and that the server exited 0 within its grace period having lost nothing. The full size
// does it three times, starting the server again on the same database and port in between.
func runSigterm(ctx context.Context, r *runner) ([]string, error) {
	nEnt, nWorkers := r.Size(20, 4), r.Size(5000, 300)
	rounds, perPhase, clients, nSlow := r.Size(3, 1), r.Size(2500, 200), 8, r.Size(16, 4)
	owned := nWorkers - rounds*nSlow // the last workers are the slow phones', nSlow a round
	l, drop, err := r.startLoad(ctx, nEnt, nWorkers, owned, clients)
	if err != nil {
		return nil, err
	}
	defer drop()
	dbURL, d, srv, p := l.dbURL, l.d, l.srv, l.p
	var terms []termRound
	var slow []attempt
	for round := range rounds {
		if round > 0 {
			if srv, err = r.startServer(ctx, dbURL, l.port); err != nil {
				p.stop()
				return nil, fmt.Errorf("start again after SIGTERM: %w", err)
			}
		}
		if err := p.waitAcks(p.acked()+perPhase, 2*time.Minute); err != nil {
			p.stop()
			srv.Kill()
			return nil, err
		}
		tr, err := terminate(srv, p, owned+round*nSlow, nSlow)
		if err != nil {
			p.stop()
			srv.Kill()
			return nil, err
		}
		terms = append(terms, tr)
		slow = append(slow, tr.slow...)
	}
	attempts := append(p.stop(), slow...)

	o, err := verify(ctx, dbURL, d, attempts)
	if err != nil {
		return nil, err
	}
	t := newTable(fmt.Sprintf("sigterm on PostgreSQL: %d workers in %d enterprises, %d phones in a closed loop and %d slow phones a round (bodies sent over %s), %d SIGTERM(s)",
		nWorkers, nEnt, clients, nSlow, slowBody, rounds))
	failed := o.rows(t)
	for i, tr := range terms {
		tr.rows(t, fmt.Sprintf("SIGTERM %d", i+1), attempts, &failed)
	}
	t.Print()
	if o.unexpected > 0 {
		fmt.Printf("The server's log says: %s\n\n", srv.ErrorSummary())
	}
	return failed, nil
}

// termRound is one SIGTERM and what followed it.
type termRound struct {
	at       time.Time
	slow     []attempt // the slow phones' reports, mid-request at SIGTERM
	dials    *dialer
	code     int
	exitedAt time.Time
	exited   bool
}

// terminate starts nSlow slow phones (workers first, first+1, …: today's morning of each, a key
// of its own), sends SIGTERM while they are still sending, tries new connections until the
// process ends, and waits for it.
func terminate(srv *loadtest.Server, p *phones, first, nSlow int) (termRound, error) {
	var wg sync.WaitGroup
	tr := termRound{slow: make([]attempt, nSlow)}
	for i := range nSlow {
		wg.Go(func() { tr.slow[i] = p.send(context.Background(), first+i, 0, true, slowBody) })
	}
	time.Sleep(slowBody / 3)
	tr.at = time.Now()
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		return tr, err
	}
	tr.dials = dialUntil(strings.TrimPrefix(srv.URL, "http://"), srv.Exited())
	tr.code, tr.exitedAt, tr.exited = srv.Wait(shutdownGrace + 10*time.Second)
	wg.Wait()
	return tr, nil
}

// rows adds the round's findings to the table; attempts are all the phones' reports.
func (tr termRound) rows(t *loadtest.Table, name string, attempts []attempt, failed *[]string) {
	slowAcked := 0
	for _, a := range tr.slow {
		if a.acked() {
			slowAcked++
		}
	}
	t.Add(name+": slow phones mid-request, answered 2xx", fmt.Sprintf("%d of %d", slowAcked, len(tr.slow)), "all",
		verdict(slowAcked == len(tr.slow), failed, name+": requests in flight not finished"))
	inFlight, acked, other := 0, 0, 0
	for _, a := range attempts {
		if a.slow || !a.began.Before(tr.at) || !a.began.Add(a.took).After(tr.at) {
			continue
		}
		inFlight++
		switch {
		case a.acked():
			acked++
		case a.answered():
			other++
		}
	}
	t.Add(name+": other reports in flight: answered 2xx / answered otherwise / closed unanswered (sent on a connection the server was closing)",
		fmt.Sprintf("%d / %d / %d", acked, other, inFlight-acked-other), "none answered otherwise",
		verdict(other == 0, failed, name+": in-flight requests answered with an error"))
	firstRefused, acceptedAfter, accepted, refused := tr.dials.summary()
	refusedText := "never"
	if !firstRefused.IsZero() {
		refusedText = seconds(firstRefused.Sub(tr.at)) + " after SIGTERM"
	}
	t.Add(name+": new connections, first refused", refusedText, "before the process ended",
		verdict(!firstRefused.IsZero() && firstRefused.Before(tr.exitedAt), failed, name+": new connections not refused while shutting down"))
	t.Add(name+": new connections tried: accepted / refused / accepted after the first refusal",
		fmt.Sprintf("%d / %d / %d", accepted, refused, acceptedAfter), "0 accepted after the first refusal",
		verdict(acceptedAfter == 0, failed, name+": connections accepted after the listener closed"))
	exitText := fmt.Sprintf("code %d after %s", tr.code, seconds(tr.exitedAt.Sub(tr.at)))
	if !tr.exited {
		exitText = fmt.Sprintf("still running after %s: killed", shutdownGrace+10*time.Second)
	}
	t.Add(name+": process exit", exitText, fmt.Sprintf("code 0 within %s", shutdownGrace),
		verdict(tr.exited && tr.code == 0 && tr.exitedAt.Sub(tr.at) <= shutdownGrace, failed, name+": did not exit 0 within the grace period"))
}

// dialer tries new TCP connections to addr every 5 ms until done, as new phones would.
type dialer struct {
	mu    sync.Mutex
	tries []dialTry
	wg    sync.WaitGroup
}

type dialTry struct {
	at time.Time
	ok bool
}

func dialUntil(addr string, done <-chan struct{}) *dialer {
	d := &dialer{}
	d.wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			try := dialTry{at: time.Now()}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				try.ok = true
				c.Close()
			}
			d.mu.Lock()
			d.tries = append(d.tries, try)
			d.mu.Unlock()
			time.Sleep(5 * time.Millisecond)
		}
	})
	return d
}

// summary waits for the dialer to end and says when the first connection was refused, how
// many were accepted after it, and how many in all were accepted and refused.
func (d *dialer) summary() (firstRefused time.Time, acceptedAfter, accepted, refused int) {
	d.wg.Wait()
	for _, t := range d.tries {
		switch {
		case t.ok && !firstRefused.IsZero():
			acceptedAfter++
			accepted++
		case t.ok:
			accepted++
		default:
			refused++
			if firstRefused.IsZero() {
				firstRefused = t.at
			}
		}
	}
	return firstRefused, acceptedAfter, accepted, refused
}
