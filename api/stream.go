package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"fugong/domain"
	"fugong/live"
)

// StreamConfig tunes the dashboard's event stream; zero values take the defaults.
type StreamConfig struct {
	KeepAlive   time.Duration // a comment line this often keeps proxies from closing the stream; 15 s
	MinInterval time.Duration // at most one event this often per viewer; 250 ms
	// PerAccount and PerServer bound the open streams (5 and 500 when zero): one token opened
	// 2,000, each a goroutine, a file and a share of every change's fan-out (issue 16).
	PerAccount, PerServer int
	// Recheck is how often an open stream checks its viewer's account again, as every request
	// is checked (domain.AuthService.Check): a stream of an account disabled, signed
	// out or whose password changed ends within this time, not when its token expires; 15 s.
	// One read of the account's row per stream each time: at 500 streams, 33 a second.
	Recheck time.Duration
}

// Live is the dashboard's event stream: the hub that hears of changes, and its tuning.
type Live struct {
	Hub *live.Hub
	StreamConfig

	mu        sync.Mutex
	open      int
	byAccount map[int64]int
}

// admit counts a new stream of an account in, or refuses it when the account or the server
// has as many open as they may; release counts it out.
func (l *Live) admit(account int64) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byAccount == nil {
		l.byAccount = map[int64]int{}
	}
	switch {
	case l.byAccount[account] >= orInt(l.PerAccount, 5):
		return nil, &domain.Error{Kind: domain.ErrTooManyRequests, Message: "此账号打开的监测大屏过多,请关闭其他窗口后再试"}
	case l.open >= orInt(l.PerServer, 500):
		return nil, &domain.Error{Kind: domain.ErrTooManyRequests, Message: "实时推送连接已满,请稍后再试"}
	}
	l.open++
	l.byAccount[account]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.open--
		if l.byAccount[account]--; l.byAccount[account] == 0 {
			delete(l.byAccount, account)
		}
	}, nil
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// streamEvent is the data of an "update" event; Summary is a summaryResponse's JSON.
type streamEvent struct {
	Kinds       []string        `json:"kinds"`
	Enterprises []int64         `json:"enterprise_ids"`
	Summary     json.RawMessage `json:"summary"`
}

// stream sends Server-Sent Events: an "update" with today's summary of the viewer's scope
// whenever numbers in it change, at most one per MinInterval, and keep-alive comments. A
// viewer that reconnects with Last-Event-ID gets an update at once if anything changed since
// that event. The stream ends when the access token expires (the client reconnects with a
// fresh one), when the viewer's account no longer passes the check every request passes (at
// the next Recheck), and when the server shuts down.
func (h *dashboardHandler) stream(c echo.Context) error {
	if h.live == nil || h.live.Hub == nil {
		return &domain.Error{Kind: domain.ErrUnavailable, Message: "实时推送未启用"}
	}
	ctx := c.Request().Context()
	actor := actorOf(c)
	var p domain.Problems
	q := dashboardQuery(c, &p, false)
	if err := p.Err(); err != nil {
		return err
	}
	watch, err := h.svc.Watch(ctx, actor, q)
	if err != nil {
		return err
	}
	release, err := h.live.admit(actor.UserID)
	if err != nil {
		return err
	}
	defer release()
	sub := h.live.Hub.Subscribe(watch.TownshipID)
	defer h.live.Hub.Unsubscribe(sub)

	out := newEventWriter(c)
	if err := out.start(); err != nil {
		return nil // the viewer is gone
	}
	expires, _ := c.Get(expiresKey).(time.Time)
	end := time.NewTimer(time.Until(expires))
	defer end.Stop()
	keepAlive := time.NewTicker(orDuration(h.live.KeepAlive, 15*time.Second))
	defer keepAlive.Stop()
	recheck := time.NewTicker(orDuration(h.live.Recheck, 15*time.Second))
	defer recheck.Stop()
	minInterval := orDuration(h.live.MinInterval, 250*time.Millisecond)

	last, _ := strconv.ParseInt(c.Request().Header.Get("Last-Event-ID"), 10, 64)
	if latest := h.live.Hub.Latest(watch.TownshipID); last < latest {
		if err := h.update(c, out, q, live.Pending{ID: latest}); err != nil {
			return nil
		}
	}
	var sent time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done:
			return nil
		case <-end.C:
			return nil
		case <-recheck.C:
			// Disabled, signed out, password changed (its generation moved on): the stream
			// ends like the token, and the client's reconnection is answered 401.
			if _, err := h.auth.Check(ctx, actor); err != nil {
				return nil
			}
			continue
		case <-keepAlive.C:
			if out.comment("keep-alive") != nil {
				return nil
			}
			continue
		case <-sub.Ready:
		}
		// Let changes gather for what is left of the interval, then send them as one event.
		if wait := minInterval - time.Since(sent); wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-sub.Done:
				return nil
			case <-time.After(wait):
			}
		}
		pending := sub.Take()
		if pending.Kinds[domain.ChangeEnterprise] && (watch.Enterprises != nil) {
			if w, err := h.svc.Watch(ctx, actor, q); err == nil { // assignments may have changed
				watch = w
			}
		}
		if !concerns(watch, pending) {
			continue
		}
		if err := h.update(c, out, q, pending); err != nil {
			return nil
		}
		sent = time.Now()
	}
}

// concerns says whether any of the pending changes is in the viewer's scope.
func concerns(w domain.Watch, p live.Pending) bool {
	for id := range p.Enterprises {
		if w.Sees(id) {
			return true
		}
	}
	return false
}

// update sends one "update" event with today's summary of the viewer's scope.
func (h *dashboardHandler) update(c echo.Context, out *eventWriter, q domain.DashboardQuery, p live.Pending) error {
	v, err := h.svc.View(c.Request().Context(), actorOf(c), q)
	if err != nil {
		return err
	}
	summary, err := h.summaryJSON(c, v)
	if err != nil {
		return err
	}
	ev := streamEvent{Kinds: []string{}, Enterprises: []int64{}, Summary: summary}
	for k := range p.Kinds {
		ev.Kinds = append(ev.Kinds, string(k))
	}
	for id := range p.Enterprises {
		if id != 0 {
			ev.Enterprises = append(ev.Enterprises, id)
		}
	}
	slices.Sort(ev.Kinds)
	slices.Sort(ev.Enterprises)
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return out.event(p.ID, "update", data)
}

// eventWriter writes the text/event-stream format, each write with its own deadline: the
// server's WriteTimeout would otherwise cut every stream after two minutes.
type eventWriter struct {
	w  *echo.Response
	rc *http.ResponseController
}

func newEventWriter(c echo.Context) *eventWriter {
	return &eventWriter{w: c.Response(), rc: http.NewResponseController(c.Response())}
}

func (e *eventWriter) start() error {
	h := e.w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	e.w.WriteHeader(http.StatusOK)
	return e.write("retry: 3000\n\n")
}

func (e *eventWriter) event(id int64, name string, data []byte) error {
	return e.write(fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", id, name, data))
}

func (e *eventWriter) comment(text string) error { return e.write(": " + text + "\n\n") }

func (e *eventWriter) write(s string) error {
	_ = e.rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if _, err := e.w.Write([]byte(s)); err != nil {
		return err
	}
	return e.rc.Flush()
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
