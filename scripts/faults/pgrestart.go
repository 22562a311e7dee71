package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// failFastLimit is how long a report may take to fail while the database is away: a phone
// told "try again later" at once, not one left waiting.
const failFastLimit = 3 * time.Second

// recoverLimit is how long after PostgreSQL is back the server may take to acknowledge again.
const recoverLimit = 15 * time.Second

// runPGRestart stops and starts PostgreSQL under a running server while the phones report,
// and checks that the server answered 503 at once meanwhile (its /readyz too), came back by
// itself, and lost nothing it acknowledged.
func runPGRestart(ctx context.Context, r *runner) ([]string, error) {
	nEnt, nWorkers := r.Size(20, 4), r.Size(5000, 300)
	modes := []string{"fast", "immediate"}
	if !r.Quick() {
		modes = []string{"fast", "immediate", "fast", "immediate"}
	}
	perPhase, rate, clients := r.Size(1500, 80), r.Size(300, 50), 8
	outage := time.Duration(r.Size(5000, 1500)) * time.Millisecond

	pg, err := startCluster(ctx)
	if err != nil {
		return nil, err
	}
	defer pg.remove()
	dbURL := pg.url("fugong")
	d, err := r.seedDatabase(ctx, dbURL, nEnt, nWorkers)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	srv, err := r.startServer(ctx, dbURL, port)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	bridgeUp := func() int { return logCount(srv, "live: listening for other processes' changes") }
	if !waitFor(10*time.Second, func() bool { return bridgeUp() >= 1 }) {
		return nil, fmt.Errorf("the live bridge did not listen within 10 s; the server's log: %s", srv.LogPath())
	}
	ready := probeReady(srv.URL)
	p := newPhones(d, srv.URL, clients, nWorkers, rate)
	p.start()

	type downtime struct {
		mode                      string
		stopped, started, backAt  time.Time
		firstAck, readyAgain, bus string
	}
	var outages []downtime
	target := 0
	for i, mode := range modes {
		target += perPhase
		if err := p.waitAcks(target, 2*time.Minute); err != nil {
			p.stop()
			ready.stop()
			return nil, err
		}
		o := downtime{mode: mode}
		if err := pg.stop(ctx, mode); err != nil {
			p.stop()
			ready.stop()
			return nil, err
		}
		o.stopped = time.Now()
		time.Sleep(outage)
		o.started = time.Now()
		if err := pg.start(ctx); err != nil {
			p.stop()
			ready.stop()
			return nil, err
		}
		o.backAt = time.Now()
		o.firstAck = "none"
		if at, ok := p.waitAckAfter(o.backAt, recoverLimit); ok {
			o.firstAck = seconds(at.Sub(o.backAt))
		}
		o.readyAgain = "never"
		if at, ok := ready.waitOK(o.backAt, recoverLimit); ok {
			o.readyAgain = seconds(at.Sub(o.backAt))
		}
		// The live bridge listens again after each return (it logs each time it does).
		o.bus = "not within 30 s"
		if waitFor(30*time.Second, func() bool { return bridgeUp() >= i+2 }) {
			o.bus = "listening again after " + seconds(time.Since(o.backAt))
		}
		outages = append(outages, o)
		target = p.acked()
	}
	target += perPhase
	err = p.waitAcks(target, 2*time.Minute)
	attempts := p.stop()
	probes := ready.stop()
	if err != nil {
		return nil, err
	}
	bridge, bridgeErr := checkBridge(ctx, srv.URL, d, dbURL)
	stayedUp := srv.Running() && logCount(srv, "Fugong listening on") == 1
	srv.Stop()

	o, err := verify(ctx, dbURL, d, attempts)
	if err != nil {
		return nil, err
	}
	t := newTable(fmt.Sprintf("pgrestart on a private PostgreSQL cluster: %d workers in %d enterprises, %d phones at %d reports/s, PostgreSQL stopped %d time(s) (%s) for %s each",
		nWorkers, nEnt, clients, rate, len(modes), strings.Join(modes, ", "), outage))
	failed := o.rows(t)
	noAnswer := 0
	for _, a := range attempts {
		if !a.answered() && !a.cutShort() {
			noAnswer++
		}
	}
	t.Add("reports with no answer at all (timeouts, connections dropped)", noAnswer, "0", verdict(noAnswer == 0, &failed, "reports with no answer"))
	t.Add("failed-fast: the slowest report not acknowledged", seconds(o.failedMax), "≤ "+seconds(failFastLimit), verdict(o.failedMax <= failFastLimit, &failed, "failures not fast"))
	t.Add("Fugong process stayed up throughout (never restarted)", stayedUp, "true", verdict(stayedUp, &failed, "the server did not stay up"))
	for i, out := range outages {
		seen, maxReady := probes.during(out.stopped, out.started)
		n := fmt.Sprintf("outage %d (%s)", i+1, out.mode)
		t.Add(n+": /readyz answers while PostgreSQL was away", seen.String(), "all 503",
			verdict(len(seen) > 0 && seen.only(http.StatusServiceUnavailable), &failed, n+": /readyz not 503 while away"))
		t.Add(n+": slowest /readyz while away", seconds(maxReady), "≤ "+seconds(failFastLimit), verdict(maxReady <= failFastLimit, &failed, n+": /readyz slow"))
		t.Add(n+": first acknowledgement after PostgreSQL was back", out.firstAck, "≤ "+seconds(recoverLimit), verdict(out.firstAck != "none", &failed, n+": no recovery"))
		t.Add(n+": /readyz 200 again after", out.readyAgain, "≤ "+seconds(recoverLimit), verdict(out.readyAgain != "never", &failed, n+": /readyz did not recover"))
		t.Add(n+": live bridge (LISTEN)", out.bus, "listening again", verdict(strings.HasPrefix(out.bus, "listening"), &failed, n+": live bridge did not listen again"))
	}
	bridgeText := bridge
	if bridgeErr != nil {
		bridgeText = bridgeErr.Error()
	}
	t.Add("after the last outage: a NOTIFY from another process reaches a dashboard stream", bridgeText, "reaches it",
		verdict(bridgeErr == nil, &failed, "live bridge: NOTIFY did not reach the stream"))
	t.Print()
	if o.unexpected > 0 {
		fmt.Printf("The server's log says: %s\n\n", srv.ErrorSummary())
	}
	return failed, nil
}

// waitFor polls cond every 100 ms for up to limit.
func waitFor(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// probe is one GET /readyz: when it was sent, its status (0: no answer) and how long it took.
type probe struct {
	at     time.Time
	status int
	took   time.Duration
}

// prober asks /readyz every 100 ms, as a load balancer would.
type prober struct {
	mu     sync.Mutex
	probes []probe
	done   chan struct{}
	wg     sync.WaitGroup
}

func probeReady(url string) *prober {
	pr := &prober{done: make(chan struct{})}
	client := &http.Client{Timeout: phoneTimeout}
	pr.wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-pr.done:
				return
			case <-tick.C:
			}
			p := probe{at: time.Now()}
			if res, err := client.Get(url + "/readyz"); err == nil {
				res.Body.Close()
				p.status = res.StatusCode
			}
			p.took = time.Since(p.at)
			pr.mu.Lock()
			pr.probes = append(pr.probes, p)
			pr.mu.Unlock()
		}
	})
	return pr
}

// waitOK waits for a 200 to a probe sent after t and returns when it was sent.
func (pr *prober) waitOK(t time.Time, limit time.Duration) (time.Time, bool) {
	var at time.Time
	ok := waitFor(limit, func() bool {
		pr.mu.Lock()
		defer pr.mu.Unlock()
		for _, p := range pr.probes {
			if p.status == http.StatusOK && p.at.After(t) {
				at = p.at
				return true
			}
		}
		return false
	})
	return at, ok
}

func (pr *prober) stop() probes {
	close(pr.done)
	pr.wg.Wait()
	return probes(pr.probes)
}

type probes []probe

// statuses counts answers by status.
type statuses map[int]int

func (s statuses) only(status int) bool { return len(s) == 1 && s[status] > 0 }

func (s statuses) String() string {
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, fmt.Sprintf("%d× %d", s[st], st))
	}
	return strings.Join(parts, ", ")
}

// during counts the probes sent between from and to by status (0: no answer) and the slowest.
func (ps probes) during(from, to time.Time) (statuses, time.Duration) {
	seen := statuses{}
	var slowest time.Duration
	for _, p := range ps {
		if p.at.After(from) && p.at.Add(p.took).Before(to) {
			seen[p.status]++
			slowest = max(slowest, p.took)
		}
	}
	return seen, slowest
}

// checkBridge proves that the live bridge listens after the outages: it opens the dashboard's
// event stream as the township admin and NOTIFYs, as another Fugong process on the database
// would, a roster change (which nothing in this scenario makes itself) until an update naming
// it arrives on the stream.
func checkBridge(ctx context.Context, url string, d *dataset, dbURL string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/dashboard/stream", nil)
	req.Header.Set("Authorization", "Bearer "+d.adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("open the stream: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the stream answered %d", res.StatusCode)
	}
	arrived := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			var ev struct{ Kinds []string }
			if ok && json.Unmarshal([]byte(data), &ev) == nil && slices.Contains(ev.Kinds, "roster") {
				close(arrived)
				return
			}
		}
	}()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	began := time.Now()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		payload := fmt.Sprintf(`{"o":"fault-script","c":[[%d,%d,"roster",%d]]}`, d.Township.ID, d.Enterprises[0].ID, time.Now().UnixMilli()+1000)
		if _, err := db.ExecContext(ctx, "SELECT pg_notify('fugong_changes', $1)", payload); err != nil {
			return "", fmt.Errorf("notify: %w", err)
		}
		select {
		case <-arrived:
			return "reached it " + seconds(time.Since(began)) + " after the first NOTIFY", nil
		case <-ctx.Done():
			return "", fmt.Errorf("no update after %s of NOTIFYs", seconds(time.Since(began)))
		case <-tick.C:
		}
	}
}
