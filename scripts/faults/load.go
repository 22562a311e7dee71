package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

// phoneTimeout is how long a phone waits for an answer. A server that hangs instead of
// failing shows as timeouts.
const phoneTimeout = 10 * time.Second

// A key is one (worker, day, slot): the check-in's unique key. Key k is worker k mod n on
// day-slot k / n: 0 today am, 1 today pm, 2 yesterday am, 3 yesterday pm.
func (d *dataset) keyOf(k int) (worker int, day int, slot domain.Slot) {
	n := len(d.Workers)
	ds := k / n
	slot = domain.SlotAM
	if ds%2 == 1 {
		slot = domain.SlotPM
	}
	return k % n, ds / 2, slot
}

// date is the check-in date of a key's day: 0 today, 1 yesterday.
func (d *dataset) date(day int) domain.Date { return d.Today.AddDays(-day) }

// reading is the n-th report sent for key k: distinct from the one before and after it, so
// that the stored row tells which write it is. One in eight is a fever, with a cough every
// other time, so that alerts and the fever and symptom counts are written too.
func reading(k, n int) (temp domain.Temperature, symptoms []string) {
	if (k+n)%8 == 7 {
		if n%2 == 0 {
			symptoms = []string{"dry_cough"}
		}
		return domain.Temperature(380 + n%10), symptoms // 38.0 to 38.9 °C: above 37.3
	}
	return domain.Temperature(360 + n%13), nil // 36.0 to 37.2 °C
}

// attempt is one check-in sent and what became of it.
type attempt struct {
	key    int
	temp   domain.Temperature
	slow   bool // sent by a slow phone, its body over a second or more
	began  time.Time
	took   time.Duration
	status int    // the answer's status; 0 when none came
	err    string // why it was not acknowledged: the answer's code, or the client's error
	retry  string // the answer's Retry-After, if any
}

// cutShort is the error of a report still waiting for its answer when the phones stopped.
const cutShort = "cut short when the phones stopped"

func (a attempt) cutShort() bool { return a.err == cutShort }

func (a attempt) acked() bool { return a.status == http.StatusCreated || a.status == http.StatusOK }

// answered says whether the server answered at all (rather than the connection failing).
func (a attempt) answered() bool { return a.status != 0 }

// phones are workers checking in: clients goroutines, each owning every clients-th worker of
// the first owned, so that the reports of one key go one after another and "the last
// acknowledged write" of a key means something. Each sends a new key three times in four and
// repeats one of its earlier keys the fourth, at rate reports a second in all (0: as fast as
// the answers come).
type phones struct {
	d       *dataset
	url     string
	clients int
	owned   int // workers 0 … owned-1 belong to the clients; the others to slow phones
	rate    int
	http    *http.Client

	mu       sync.Mutex
	attempts []attempt
	acks     int
	cond     *sync.Cond // signalled on every answer

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newPhones(d *dataset, url string, clients, owned, rate int) *phones {
	p := &phones{d: d, url: url, clients: clients, owned: owned, rate: rate,
		http: &http.Client{Timeout: phoneTimeout, Transport: &http.Transport{
			MaxIdleConnsPerHost: clients, IdleConnTimeout: time.Minute,
			DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		}}}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// start sends until stop.
func (p *phones) start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	for c := range p.clients {
		p.wg.Go(func() { p.client(ctx, c) })
	}
}

// stop ends the clients and returns every attempt, in the order they were answered.
func (p *phones) stop() []attempt {
	p.cancel()
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]attempt(nil), p.attempts...)
}

func (p *phones) client(ctx context.Context, c int) {
	rng := rand.New(rand.NewPCG(uint64(c), 42))
	var mine []int // this client's keys in the order it first sends them
	for ds := range 4 {
		for w := c; w < p.owned; w += p.clients {
			mine = append(mine, ds*len(p.d.Workers)+w)
		}
	}
	writes := map[int]int{} // key → reports sent
	var interval time.Duration
	if p.rate > 0 {
		interval = time.Duration(p.clients) * time.Second / time.Duration(p.rate)
	}
	next, sent, fresh := time.Now(), 0, 0
	for ctx.Err() == nil {
		if interval > 0 {
			if wait := time.Until(next); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
			next = next.Add(interval)
			if behind := time.Now().Add(-interval); next.Before(behind) {
				next = behind // a phone that fell behind (the server was away) does not burst to catch up
			}
		}
		var k int
		if sent%4 == 3 || fresh == len(mine) {
			k = mine[rng.IntN(max(fresh, 1))]
		} else {
			k = mine[fresh]
			fresh++
		}
		sent++
		a := p.send(ctx, k, writes[k], false, 0)
		writes[k]++
		p.record(a) // even one cut short by stop: it may have been written, and be the row's value
		if ctx.Err() != nil {
			return
		}
		if !a.answered() {
			time.Sleep(50 * time.Millisecond) // the server is away: a phone waits a little before trying again
		}
	}
}

func (p *phones) record(a attempt) {
	p.mu.Lock()
	p.attempts = append(p.attempts, a)
	if a.acked() {
		p.acks++
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

// send posts the n-th report for key k. A slow phone sends its body over dribble: the server
// is in the middle of reading it for that long.
func (p *phones) send(ctx context.Context, k, n int, slow bool, dribble time.Duration) attempt {
	w, day, slot := p.d.keyOf(k)
	temp, symptoms := reading(k, n)
	body, _ := json.Marshal(map[string]any{"slot": slot, "date": p.d.date(day).String(),
		"temperature": temp.Celsius(), "symptoms": symptoms})
	var rd io.Reader = strings.NewReader(string(body))
	if dribble > 0 {
		rd = dribbled(body, dribble)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/api/v1/checkins", rd)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.d.tokens[w])
	a := attempt{key: k, temp: temp, slow: slow, began: time.Now()}
	res, err := p.http.Do(req)
	if err == nil {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		b, rerr := io.ReadAll(io.LimitReader(res.Body, 1<<16))
		res.Body.Close()
		_ = json.Unmarshal(b, &e)
		a.status, a.retry = res.StatusCode, res.Header.Get("Retry-After")
		switch {
		case rerr != nil:
			a.err = fmt.Sprintf("%d with a broken body: %s", res.StatusCode, clientError(rerr))
		case !a.acked():
			a.err = fmt.Sprintf("%d %s", res.StatusCode, e.Error.Code)
		}
	} else {
		a.err = clientError(err)
	}
	a.took = time.Since(a.began)
	return a
}

// dribbled is body sent in three pieces over d.
func dribbled(body []byte, d time.Duration) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		third := len(body) / 3
		for i, part := range [][]byte{body[:third], body[third : 2*third], body[2*third:]} {
			if i > 0 {
				time.Sleep(d / 2)
			}
			if _, err := pw.Write(part); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// clientError names a failed request's kind without its URL.
func clientError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return cutShort
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before an answer"
	case errors.As(err, &ne) && ne.Timeout():
		return "no answer in time"
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return err.Error()
}

// waitAcks waits until n reports in all were acknowledged.
func (p *phones) waitAcks(n int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	defer p.wakeAfter(limit).Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.acks < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d reports acknowledged after %s", p.acks, n, limit)
		}
		p.cond.Wait()
	}
	return nil
}

// acked is how many reports were acknowledged so far.
func (p *phones) acked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acks
}

// waitAckAfter waits until a report sent after t is acknowledged and returns when it was
// answered; ok is false if none was within limit.
func (p *phones) waitAckAfter(t time.Time, limit time.Duration) (time.Time, bool) {
	deadline := time.Now().Add(limit)
	defer p.wakeAfter(limit).Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for seen := 0; ; {
		for _, a := range p.attempts[seen:] {
			if a.acked() && !a.began.Before(t) {
				return a.began.Add(a.took), true
			}
		}
		seen = len(p.attempts)
		if time.Now().After(deadline) {
			return time.Time{}, false
		}
		p.cond.Wait()
	}
}

// wakeAfter wakes the waits above after d, so that they can see their deadline pass.
func (p *phones) wakeAfter(d time.Duration) *time.Timer {
	return time.AfterFunc(d, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
}

// underLoad is a scenario's own database with a server on it and phones checking in to it.
type underLoad struct {
	dbURL string
	d     *dataset
	port  int // the server's: one started again on it keeps the phones' URL
	srv   *loadtest.Server
	p     *phones
}

// startLoad creates a scratch database with a township of nEnt enterprises and nWorkers
// workers, starts a server on it, and starts clients phones checking in as workers 0 …
// owned-1 in a closed loop (no pacing): every phone has a report in flight nearly all the
// time, so that each fault cuts some short. drop removes the database.
func (r *runner) startLoad(ctx context.Context, nEnt, nWorkers, owned, clients int) (l *underLoad, drop func(), err error) {
	l = &underLoad{}
	if l.dbURL, drop, err = r.NewPostgres(ctx); err != nil {
		return nil, nil, err
	}
	if err := l.serve(ctx, r, nEnt, nWorkers); err != nil {
		drop()
		return nil, nil, err
	}
	l.p = newPhones(l.d, l.srv.URL, clients, owned, 0)
	l.p.start()
	return l, drop, nil
}

// serve seeds l's database and starts a server on it at a free port.
func (l *underLoad) serve(ctx context.Context, r *runner, nEnt, nWorkers int) error {
	var err error
	if l.d, err = r.seedDatabase(ctx, l.dbURL, nEnt, nWorkers); err != nil {
		return err
	}
	if l.port, err = freePort(); err != nil {
		return err
	}
	l.srv, err = r.startServer(ctx, l.dbURL, l.port)
	return err
}
