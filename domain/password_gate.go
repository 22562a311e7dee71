package domain

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// PasswordGate bounds how many password checks run at once. A bcrypt check holds a core for
// tens of milliseconds: 300 sign-ins with made-up usernames from one address kept every core
// busy, and /healthz went from 13 ms to 1.9 s (issue 16). Past its slots a check waits its turn
// for a bounded time, among a bounded number of others, and is then refused with ErrUnavailable
// (503, Retry-After) rather than queued without end: the server is busy, which is no fault of
// the client's (so not 429), and a queue without a bound would hold every connection a flood
// opens, each a goroutine, until the flood ends.
type PasswordGate struct {
	slots chan struct{} // a check holds one while it runs
	queue chan struct{} // a check waiting for a slot holds one
	wait  time.Duration

	checks, running, peak atomic.Int64
}

// NewPasswordGate returns a gate of slots checks at once, each waiting at most wait for its
// turn, with at most 32 waiting per slot. Zero slots is half the cores (at least one): the other
// half keeps answering everything else while sign-ins are flooded. Zero wait is two seconds.
func NewPasswordGate(slots int, wait time.Duration) *PasswordGate {
	if slots <= 0 {
		slots = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if wait <= 0 {
		wait = 2 * time.Second
	}
	return &PasswordGate{slots: make(chan struct{}, slots), queue: make(chan struct{}, 32*slots), wait: wait}
}

// errPasswordsBusy is the refusal of a check that found no turn.
var errPasswordsBusy = &Error{Kind: ErrUnavailable, Message: "登录的人太多,服务器繁忙,请稍后再试"}

// Acquire takes a turn: at once when a slot is free, otherwise after waiting for one, at most
// the gate's wait. Call release when the check is done. Any check of a secret (a password, a
// worker's PIN) takes its turn here, so that all of them together stay within the bound.
// ErrUnavailable when no turn came, or the caller left while waiting.
func (g *PasswordGate) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.entered(), nil
	default:
	}
	select {
	case g.queue <- struct{}{}:
		defer func() { <-g.queue }()
	default:
		return nil, errPasswordsBusy
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.entered(), nil
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, errPasswordsBusy
}

// entered counts a check in and returns what counts it out and frees its slot.
func (g *PasswordGate) entered() func() {
	g.checks.Add(1)
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	return func() {
		g.running.Add(-1)
		<-g.slots
	}
}

// Checks counts the turns taken since the gate was made, for metrics and tests: how many
// password checks ran.
func (g *PasswordGate) Checks() int64 { return g.checks.Load() }

// Peak is the most turns held at once since the gate was made.
func (g *PasswordGate) Peak() int64 { return g.peak.Load() }
