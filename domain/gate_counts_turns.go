package domain

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// countTurns lets one count of passes run at a time per question (township, scope, day, zone),
// and gives whoever waited for it the answer of a count that started after they asked. A count
// reads every worker of the township (50,000 in the benchmark: seconds and a few hundred MB),
// and the dashboard's answer cache shares a count only among askers of one change version:
// in a check-in storm every viewer's version differs, and sixteen viewers ran sixteen counts
// at once (2 GB, answers past 30 s: BENCHMARKS.md). With turns, a storm costs one count at a
// time, and every asker still gets numbers at least as new as their question.
type countTurns struct {
	seq   atomic.Uint64 // orders arrivals and starts
	mu    sync.Mutex
	turns map[string]chan struct{}
	last  map[string]countDone
}

// countDone is a finished count and the sequence number of its start.
type countDone struct {
	started uint64
	view    PassCountsView
}

func (c *countTurns) turn(key string) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.turns == nil {
		c.turns, c.last = map[string]chan struct{}{}, map[string]countDone{}
	}
	t, ok := c.turns[key]
	if !ok {
		t = make(chan struct{}, 1)
		c.turns[key] = t
	}
	return t
}

// do returns count's answer to the question key: one that started after this call, by its own
// turn or by the turn of someone who asked before. ctx's end stops the waiting.
func (c *countTurns) do(ctx context.Context, key string, count func() (PassCountsView, error)) (PassCountsView, error) {
	asked := c.seq.Add(1)
	t := c.turn(key)
	select {
	case t <- struct{}{}:
	case <-ctx.Done():
		return PassCountsView{}, ctx.Err()
	}
	defer func() { <-t }()
	c.mu.Lock()
	done, ok := c.last[key]
	c.mu.Unlock()
	if ok && done.started > asked {
		return done.view, nil
	}
	started := c.seq.Add(1)
	v, err := count()
	if err == nil {
		c.mu.Lock()
		c.last[key] = countDone{started: started, view: v}
		c.mu.Unlock()
	}
	return v, err
}

// countKey names a question of pass counts.
func countKey(townshipID int64, ids []int64, d Date, zone string) string {
	return fmt.Sprint(townshipID, ids == nil, ids, d.String(), zone)
}
