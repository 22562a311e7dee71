package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"fugong/domain"
	"fugong/notify"
	"fugong/notify/notifytest"
	"fugong/scripts/internal/loadtest"
)

func init() {
	register(scenario{order: 60, name: "groups",
		about: "Issue 20's group robots on PostgreSQL. (1) The reminder before a cut-off, to one WeCom robot per enterprise (50,000 workers in 200 enterprises, 60% of them reported), " +
			"timed from the township's PATCH to the last robot; baseline: per enterprise one SQL query of who is missing and one notify.Sender.Send, one after the other, as the dispatcher sends. " +
			"(2) 300 fever alerts of one enterprise within about a minute, to one robot that takes 20 requests a minute: a limit held, no baseline.",
		run: runGroups})
}

// groupsReported is the share of workers who reported the reminder's slot: the others make
// the lists, long ones (a hundred a group at full size).
const groupsReported = 0.6

// groupsLead is how far after the PATCH the slot's new cut-off lies: inside the reminder's
// groupsRemind minutes, so that the reminder falls due at once.
const (
	groupsLead   = 20 * time.Minute
	groupsRemind = 30
)

// groupsBurstClients is how many phones send the burst's fever check-ins, each waiting for
// its answer (a closed loop), paced so that the burst spreads over about a minute.
const groupsBurstClients = 4

func runGroups(ctx context.Context, r *runner) error {
	nEnt, nWorkers, nBurst := r.Size(200, 20), r.Size(50_000, 2_000), r.Size(300, 40)
	t0 := time.Now()
	sc, release, err := r.seededPostgres(ctx, nEnt, nWorkers)
	if err != nil {
		return err
	}
	defer release()
	ds := sc.d
	slot, err := groupsSlot(ds.Township, time.Now())
	if errors.Is(err, errNearMidnight) {
		// Said, not failed: the quick run of the test suite may fall in this half hour.
		fmt.Printf("Not run: %v.\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	// No reminder may fall due before the PATCH: one written at the server's start, to no
	// robots yet, would keep the measured one from being written (its key is taken).
	zero := 0
	if _, err := sc.app.Services.Townships.Update(ctx, ds.Admin.Actor(), ds.Township.ID, domain.TownshipUpdate{RemindMinutes: &zero}); err != nil {
		return err
	}
	missing, err := groupsReport(ctx, sc.url, ds, slot)
	if err != nil {
		return fmt.Errorf("check-ins: %w", err)
	}
	loaded := time.Since(t0)

	robots, err := startGroupRobots(nEnt)
	if err != nil {
		return err
	}
	defer robots.Close()
	srv, err := r.StartServer(ctx, sc.url)
	if err != nil {
		return err
	}
	defer srv.Stop()
	sweep := checkinWaitFirstSweep(ctx, srv.LogPath(), 3*time.Minute)
	token, err := r.Tokens().Issue(ds.Admin.Actor())
	if err != nil {
		return err
	}
	api := groupsAPI{base: srv.URL, client: &http.Client{Timeout: checkinTimeout}}
	for i, e := range ds.Enterprises {
		// Alerts and the lists after the cut-off are muted: the robots hear the reminder alone.
		if err := api.call(ctx, token, http.MethodPost, "/api/v1/channels", map[string]any{"scope": "enterprise",
			"enterprise_id": e.ID, "name": fmt.Sprintf("企业%03d复工联络群", i), "kind": "wecom",
			"url": robots.enterpriseURL(i), "muted": []string{"alert", "missed"}}, http.StatusCreated); err != nil {
			return fmt.Errorf("channel of enterprise %d: %w", i, err)
		}
	}
	fmt.Printf("Seeded %d workers in %d enterprises and %d check-ins of the %s slot (%.0f%%; the product's upsert, 16 connections) in %s (loading path, not measured); the server's first sweep %s; %d channels made through the API.\n\n",
		nWorkers, nEnt, nWorkers-total(missing), slot, 100*groupsReported, loaded.Round(100*time.Millisecond), sweep, nEnt)

	errReminder := groupsReminder(ctx, sc, srv, api, token, ds, robots, slot, missing)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	errBurst := groupsBurst(ctx, r, sc, srv, api, token, ds, robots, slot, nBurst)
	return errors.Join(errReminder, errBurst)
}

// errNearMidnight: the reminder's cut-off would fall on the next day.
var errNearMidnight = errors.New("the reminder needs a cut-off 20 minutes after the PATCH on the same day, in the township's zone: run this scenario before 23:30 there, or after midnight")

// groupsSlot picks the slot whose cut-off the run moves to groupsLead from now: the morning's
// before its cut-off (the afternoon's reminder stays hours away), else the afternoon's (the
// morning's cut-off is then before it, as the township's policy requires). Near midnight the
// new cut-off would fall on the next day, when the seeded check-ins are of this one: the run
// says so rather than measuring something else.
func groupsSlot(t domain.Township, now time.Time) (domain.Slot, error) {
	today := t.Today(now)
	// The loading before the PATCH takes a few minutes at full size.
	if t.Today(now.Add(groupsLead+10*time.Minute)) != today {
		return "", fmt.Errorf("%w (%s)", errNearMidnight, t.Timezone)
	}
	if now.Before(t.Cutoff(today, domain.SlotAM)) {
		return domain.SlotAM, nil
	}
	return domain.SlotPM, nil
}

// groupsReport writes the check-ins of the slot of today of the workers who reported it (a
// fixed pseudo-random groupsReported of them) with the product's upsert straight into the
// database, as the check-in benchmark's baseline does, and returns each enterprise's number of
// due workers who did not.
func groupsReport(ctx context.Context, dbURL string, ds *loadtest.Dataset, slot domain.Slot) (map[int64]int, error) {
	upsert, closeDB, err := checkinPgUpsert(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	rng := rand.New(rand.NewPCG(20, 2))
	missing := map[int64]int{}
	var todo []*domain.Worker
	for i := range ds.Workers {
		w := &ds.Workers[i]
		if rng.Float64() < groupsReported {
			todo = append(todo, w)
		} else {
			missing[w.EnterpriseID]++
		}
	}
	var next atomic.Int64
	errs := make(chan error, checkinConns)
	var wg sync.WaitGroup
	for range checkinConns {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(todo)) && ctx.Err() == nil; i = next.Add(1) - 1 {
				w := todo[i]
				c := &domain.Checkin{TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
					Date: ds.Today, Slot: slot, Temperature: 365}
				if created, err := upsert(ctx, c, w.Generation); err != nil || !created {
					errs <- fmt.Errorf("worker %d: created %v, %v", w.ID, created, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return missing, errors.Join(<-errs, ctx.Err())
}

func total(m map[int64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// groupRobots are the scenario's group robots, local protocol servers (notifytest) on one
// loopback listener: one WeCom robot per enterprise at /e<i>, limited far above what the
// run sends, and the burst's at /burst, limited as WeCom limits (20 a minute), behind a
// clock of every request it is sent.
type groupRobots struct {
	srv      *http.Server
	base     string
	ent      []*notifytest.Server
	burst    *notifytest.Server
	attempts *attemptClock
}

func startGroupRobots(n int) (*groupRobots, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &groupRobots{base: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	for i := range n {
		robot := notifytest.New(notifytest.Config{Kind: notify.KindWeCom, Key: fmt.Sprintf("enterprise-%d", i), PerMinute: 1000})
		prefix := fmt.Sprintf("/e%d", i)
		mux.Handle(prefix+"/", http.StripPrefix(prefix, robot))
		g.ent = append(g.ent, robot)
	}
	g.burst = notifytest.New(notifytest.Config{Kind: notify.KindWeCom, Key: "burst", PerMinute: 20})
	g.attempts = &attemptClock{next: http.StripPrefix("/burst", g.burst)}
	mux.Handle("/burst/", g.attempts)
	g.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go g.srv.Serve(ln) //nolint:errcheck // Serve ends with ErrServerClosed at Close
	return g, nil
}

func (g *groupRobots) Close() { g.srv.Close() }

func (g *groupRobots) enterpriseURL(i int) string {
	return g.ent[i].ChannelAt(fmt.Sprintf("%s/e%d", g.base, i)).URL
}

func (g *groupRobots) burstURL() string { return g.burst.ChannelAt(g.base + "/burst").URL }

// attemptClock notes when each request reached the robot behind it, accepted or refused:
// the robot itself keeps only what it accepted.
type attemptClock struct {
	next http.Handler
	mu   sync.Mutex
	at   []time.Time
}

func (a *attemptClock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.at = append(a.at, time.Now())
	a.mu.Unlock()
	a.next.ServeHTTP(w, r)
}

func (a *attemptClock) times() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.at)
}

// mostInAMinute is the most of the times (in order) that fall within any 60 seconds.
func mostInAMinute(at []time.Time) int {
	most, from := 0, 0
	for i := range at {
		for at[i].Sub(at[from]) >= time.Minute {
			from++
		}
		most = max(most, i-from+1)
	}
	return most
}

// groupsAPI calls the server's API.
type groupsAPI struct {
	base   string
	client *http.Client
}

// send sends body as JSON with token and returns the answer's status and body.
func (a groupsAPI) send(ctx context.Context, token, method, path string, body any) (int, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// call is send wanting the status want.
func (a groupsAPI) call(ctx context.Context, token, method, path string, body any, want int) error {
	status, out, err := a.send(ctx, token, method, path, body)
	if err == nil && status != want {
		err = fmt.Errorf("%s %s: %d %s", method, path, status, bytes.TrimSpace(out))
	}
	return err
}

// reminderCount reads the figures of the reminder a robot received (after its first from
// messages): who is missing and who is due, as the text says them. Merged with others, the
// reminder is one part of the text, which the pattern finds all the same.
var reminderCount = regexp.MustCompile(`还有 \*\*(\d+)\*\* 人未完成(上午|下午)打卡（应打卡 (\d+) 人）`)

type reminderSeen struct {
	missing, due int
	at           time.Time
}

func firstReminder(rs []notifytest.Received, from int) (reminderSeen, bool) {
	for _, rc := range rs[min(from, len(rs)):] {
		if rc.MsgType != "markdown" {
			continue
		}
		if m := reminderCount.FindStringSubmatch(rc.Text); m != nil {
			missing, _ := strconv.Atoi(m[1])
			due, _ := strconv.Atoi(m[3])
			return reminderSeen{missing: missing, due: due, at: rc.At}, true
		}
	}
	return reminderSeen{}, false
}

// groupsReminder moves the slot's cut-off to groupsLead from now with the reminder
// groupsRemind minutes before it, times Fugong until every robot whose enterprise misses
// someone has the reminder, then the baseline, and prints both.
func groupsReminder(ctx context.Context, sc *scratch, srv *loadtest.Server, api groupsAPI, token string, ds *loadtest.Dataset, robots *groupRobots, slot domain.Slot, missing map[int64]int) error {
	t := ds.Township
	loc, err := time.LoadLocation(t.Timezone)
	if err != nil {
		return err
	}
	now := time.Now()
	cut := now.Add(groupsLead).In(loc).Format("15:04")
	if t.Today(now) != ds.Today || t.Today(now.Add(groupsLead)) != ds.Today {
		return fmt.Errorf("the day in %s changed since the check-ins were seeded, or the cut-off %s would fall on the next: run again", t.Timezone, cut)
	}
	body := map[string]any{"remind_minutes": groupsRemind, "checkin_cutoff_" + string(slot): cut}
	expected := 0
	for _, n := range missing {
		if n > 0 {
			expected++
		}
	}

	loadavg, _ := os.ReadFile("/proc/loadavg")
	cpu0 := srv.CPU()
	rss0, _ := srv.Memory()
	watch := srv.WatchMemory(20 * time.Millisecond)
	began := time.Now()
	if err := api.call(ctx, token, http.MethodPatch, fmt.Sprintf("/api/v1/townships/%d", t.ID), body, http.StatusOK); err != nil {
		watch()
		return err
	}
	seen, last := waitReminders(ctx, robots, expected, 2*time.Minute)
	elapsed := time.Since(began)
	if !last.IsZero() {
		elapsed = last.Sub(began)
	}
	peak, cpu := watch(), srv.CPU()-cpu0
	phases, err := reminderPhases(ctx, sc.url, began, seen)
	if err != nil {
		return err
	}

	// The baseline, once Fugong is done: the same robots, after what they received so far.
	patched, err := sc.app.Stores.Townships.Get(ctx, t.ID)
	if err != nil {
		return err
	}
	from := make([]int, len(robots.ent))
	for i, rb := range robots.ent {
		from[i] = len(rb.Received())
	}
	base, err := reminderBaseline(ctx, sc, patched, ds, robots, slot)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	baseReached := 0
	for i, rb := range robots.ent {
		if _, ok := firstReminder(rb.Received(), from[i]); ok {
			baseReached++
		}
	}

	mismatches := reminderMismatches(ds, seen, base.missing, missing)
	t1 := loadtest.Table{
		Title: fmt.Sprintf("Reminder before the %s cut-off: %d workers in %d enterprises, %.0f%% reported, one WeCom robot per enterprise on one local mux (cut-off moved to %s, reminder %d minutes before)",
			map[domain.Slot]string{domain.SlotAM: "morning", domain.SlotPM: "afternoon"}[slot], len(ds.Workers), len(ds.Enterprises), 100*groupsReported, cut, groupsRemind),
		Header: []string{"measure", "Fugong", "baseline (per enterprise: a SQL query, then notify.Sender.Send; one after the other)", "ratio"},
	}
	t1.Add("time to the last robot's reminder", fmt.Sprintf("%.2f s from the PATCH", elapsed.Seconds()),
		fmt.Sprintf("%.2f s (queries %.2f s, sends %.2f s)", base.elapsed.Seconds(), base.queries.Seconds(), (base.elapsed-base.queries).Seconds()),
		ratio(elapsed.Seconds(), base.elapsed.Seconds()))
	t1.Add("robots that received their reminder", fmt.Sprintf("%d of %d", len(seen), expected), fmt.Sprintf("%d of %d", baseReached, expected), "–")
	t1.Add("each message's count of missing = the baseline query's", fmt.Sprintf("%d of %d equal (%d missing of %d due in all)", len(seen)-len(mismatches), len(seen), sumSeen(seen, func(s reminderSeen) int { return s.missing }), sumSeen(seen, func(s reminderSeen) int { return s.due })),
		fmt.Sprintf("%d missing of %d due", total(base.missing), total(base.due)), verdict(len(mismatches) == 0 && len(seen) == expected))
	t1.Add("where Fugong's time went (from the PATCH)", phases, "–", "–")
	t1.Add("server CPU time over it", fmt.Sprintf("%.2f s", cpu.Seconds()), "–", "–")
	t1.Add("server RSS before / peak during", fmt.Sprintf("%.0f / %.0f MiB", rss0, peak), "–", "–")
	fmt.Printf("Load average before the PATCH: %s.\n\n", strings.Join(strings.Fields(string(loadavg))[:3], " "))
	t1.Print()
	for _, m := range mismatches {
		fmt.Println("MISMATCH:", m)
	}
	if len(mismatches) > 0 || len(seen) != expected {
		return fmt.Errorf("reminder: %d of %d robots reached, %d counts differ from the baseline query's", len(seen), expected, len(mismatches))
	}
	return nil
}

func sumSeen(seen map[int]reminderSeen, f func(reminderSeen) int) int {
	n := 0
	for _, s := range seen {
		n += f(s)
	}
	return n
}

// waitReminders polls the robots until expected of them hold a reminder, or limit passes; it
// returns what each one's says and when the last one arrived.
func waitReminders(ctx context.Context, robots *groupRobots, expected int, limit time.Duration) (map[int]reminderSeen, time.Time) {
	seen := map[int]reminderSeen{}
	deadline := time.Now().Add(limit)
	for len(seen) < expected && time.Now().Before(deadline) && ctx.Err() == nil {
		for i, rb := range robots.ent {
			if _, ok := seen[i]; ok {
				continue
			}
			if s, ok := firstReminder(rb.Received(), 0); ok {
				seen[i] = s
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	var last time.Time
	for _, s := range seen {
		if s.at.After(last) {
			last = s.at
		}
	}
	return seen, last
}

// reminderPhases says, as seconds from began, when the steps of the server's messenger that
// wrote the reminder's event and fanned it out began (the outbox stamps its rows with the
// step's time), and when the robots received the first and the last reminder.
func reminderPhases(ctx context.Context, dbURL string, began time.Time, seen map[int]reminderSeen) (string, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var created time.Time
	var done sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT created_at, done_at FROM outbox_events WHERE kind = 'reminder' ORDER BY id LIMIT 1").Scan(&created, &done); err != nil {
		return "", fmt.Errorf("the reminder's event: %w", err)
	}
	var first, last sql.NullTime
	for _, r := range seen {
		if !first.Valid || r.at.Before(first.Time) {
			first = sql.NullTime{Time: r.at, Valid: true}
		}
		if !last.Valid || r.at.After(last.Time) {
			last = sql.NullTime{Time: r.at, Valid: true}
		}
	}
	s := func(t sql.NullTime) string {
		if !t.Valid {
			return "never"
		}
		return fmt.Sprintf("+%.2f s", t.Time.Sub(began).Seconds())
	}
	return fmt.Sprintf("event written in the step of %s, fanned out in the step of %s; the robots received from %s to %s",
		s(sql.NullTime{Time: created, Valid: true}), s(done), s(first), s(last)), nil
}

// groupsMissingSQL is each enterprise's due workers and whether they reported the slot: due
// as domain.DueOn says (at work or in isolation observation, and back by the day), written
// against the schema.
const groupsMissingSQL = `SELECT w.name, c.id IS NOT NULL
FROM workers w
LEFT JOIN checkins c ON c.worker_id = w.id AND c.date = $2 AND c.slot = $3
WHERE w.enterprise_id = $1 AND w.status IN ('on_duty', 'isolating') AND w.arrived_on <= $2
ORDER BY w.id`

type reminderBase struct {
	elapsed, queries time.Duration
	missing, due     map[int64]int
}

// reminderBaseline does the reminder's work the cheapest way: for each enterprise one query
// of its due workers on one connection, the same text (domain.MissingText, masked names),
// and one send to its robot through package notify, the next enterprise after the last send.
func reminderBaseline(ctx context.Context, sc *scratch, t domain.Township, ds *loadtest.Dataset, robots *groupRobots, slot domain.Slot) (*reminderBase, error) {
	conn, err := pgx.Connect(ctx, sc.url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	links := domain.Links{Base: sc.app.Config.PublicURL}
	sender := &notify.Sender{}
	b := &reminderBase{missing: map[int64]int{}, due: map[int64]int{}}
	began := time.Now()
	for i, e := range ds.Enterprises {
		q0 := time.Now()
		names, due, err := missingOf(ctx, conn, e.ID, ds.Today, slot)
		b.queries += time.Since(q0)
		if err != nil {
			return nil, err
		}
		b.missing[e.ID], b.due[e.ID] = len(names), due
		if len(names) == 0 {
			continue
		}
		text := domain.MissingText(t, e, ds.Today, slot, domain.MsgReminder, names, due, links)
		if _, err := sender.Send(ctx, notify.Channel{Kind: notify.KindWeCom, URL: robots.enterpriseURL(i)},
			notify.Message{Title: text.Title, Markdown: text.Markdown, MentionPhones: []string{e.ContactPhone},
				Key: fmt.Sprintf("reminder:%d:%s:%s", t.ID, ds.Today, slot)}); err != nil {
			return nil, err
		}
	}
	b.elapsed = time.Since(began)
	return b, nil
}

// missingOf runs groupsMissingSQL: the masked names of those missing and how many are due.
func missingOf(ctx context.Context, conn *pgx.Conn, enterpriseID int64, d domain.Date, slot domain.Slot) ([]string, int, error) {
	rows, err := conn.Query(ctx, groupsMissingSQL, enterpriseID, d.Time(), string(slot))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var names []string
	due := 0
	for rows.Next() {
		var name string
		var reported bool
		if err := rows.Scan(&name, &reported); err != nil {
			return nil, 0, err
		}
		due++
		if !reported {
			names = append(names, domain.MaskName(name))
		}
	}
	return names, due, rows.Err()
}

// reminderMismatches lists every enterprise whose message count differs from the baseline
// query's or from what was seeded.
func reminderMismatches(ds *loadtest.Dataset, seen map[int]reminderSeen, query, seeded map[int64]int) []string {
	var out []string
	for i, e := range ds.Enterprises {
		s, ok := seen[i]
		switch {
		case !ok && query[e.ID] > 0:
			out = append(out, fmt.Sprintf("%s: no reminder, the query finds %d missing", e.Name, query[e.ID]))
		case ok && (s.missing != query[e.ID] || s.missing != seeded[e.ID]):
			out = append(out, fmt.Sprintf("%s: the message says %d missing, the query %d, the seed %d", e.Name, s.missing, query[e.ID], seeded[e.ID]))
		}
	}
	return out
}

// groupsBurst sends n fever check-ins of one enterprise's workers over about a minute, with
// one enterprise channel at a robot that takes 20 requests a minute and refuses the rest as
// WeCom does, and prints what reached the group and whether the robot ever had to refuse.
func groupsBurst(ctx context.Context, r *runner, sc *scratch, srv *loadtest.Server, api groupsAPI, adminToken string, ds *loadtest.Dataset, robots *groupRobots, slot domain.Slot, n int) error {
	e := ds.Enterprises[0]
	var workers []*domain.Worker
	for i := range ds.Workers {
		if ds.Workers[i].EnterpriseID == e.ID {
			workers = append(workers, &ds.Workers[i])
		}
	}
	if n > 2*len(workers) {
		return fmt.Errorf("burst: %d fevers need %d workers in one enterprise (one fever alert a worker a day, two days), it has %d", n, (n+1)/2, len(workers))
	}
	if err := api.call(ctx, adminToken, http.MethodPost, "/api/v1/channels", map[string]any{"scope": "enterprise",
		"enterprise_id": e.ID, "name": "企业000防疫预警群", "kind": "wecom", "url": robots.burstURL(),
		"muted": []string{"reminder", "missed"}}, http.StatusCreated); err != nil {
		return fmt.Errorf("burst channel: %w", err)
	}
	tokens := make([]string, len(workers))
	for i, w := range workers {
		var err error
		if tokens[i], err = r.Tokens().Issue(w.Actor()); err != nil {
			return err
		}
	}
	span := r.duration(time.Minute, 10*time.Second)
	sent := burstSend(ctx, api, ds, workers, tokens, slot, n, span)
	delivered, lastAt := waitAlerts(ctx, robots.burst, n, r.duration(15*time.Minute, 5*time.Minute))
	statuses, err := alertStatuses(ctx, sc.url)
	if err != nil {
		return err
	}

	attempts := robots.attempts.times()
	received := robots.burst.Received()
	accepted := make([]time.Time, len(received))
	sends := 0
	for i, rc := range received {
		accepted[i] = rc.At
		if rc.MsgType == "markdown" {
			sends++
		}
	}
	refused := len(attempts) - len(received)
	most := mostInAMinute(attempts)
	t := loadtest.Table{
		Title: fmt.Sprintf("A burst of %d fever alerts of one enterprise to one WeCom robot that takes 20 requests a minute (Fugong keeps to %d; a send with an @-mention is 2 requests)",
			n, domain.RateLimit),
		Header: []string{"measure", "Fugong", "target", "verdict"},
	}
	t.Add(fmt.Sprintf("fever check-ins sent by %d phones: 201 / 200 / errors", groupsBurstClients),
		fmt.Sprintf("%d / %d / %d in %.1f s", sent.created, sent.replaced, sent.errors, sent.elapsed.Seconds()), fmt.Sprintf("%d, no errors", n), verdict(sent.created+sent.replaced == n))
	t.Add("alerts that reached the group (【发热预警】 in the texts it received)", fmt.Sprintf("%d of %d", delivered, n), "all", verdict(delivered == n))
	t.Add("requests the robot was sent: accepted / refused", fmt.Sprintf("%d / %d", len(received), refused), "none refused", verdict(refused == 0))
	t.Add("most requests in any 60 s (accepted or refused)", most, "≤ 20", verdict(most <= 20))
	t.Add("messages the group saw (and @-mention reminders)", fmt.Sprintf("%d (+%d), %.1f alerts each", sends, len(received)-sends, float64(delivered)/float64(max(sends, 1))), "–", "–")
	t.Add("the alerts' messages in the outbox", statuses, "none failed or pending", verdict(!strings.Contains(statuses, "failed") && !strings.Contains(statuses, "pending")))
	last := "–"
	if !lastAt.IsZero() {
		last = fmt.Sprintf("%s from the first check-in, %s from the last", lastAt.Sub(sent.began).Round(100*time.Millisecond), lastAt.Sub(sent.ended).Round(100*time.Millisecond))
	}
	t.Add("time until the last alert was delivered", last, "–", "–")
	t.Print()
	fmt.Printf("Requests the robot was sent, per 10 s from the first check-in (refused ones in brackets): %s.\n\n", perTenSeconds(sent.began, attempts, accepted))
	fmt.Print("No baseline for the burst: it measures a limit held (the platform's 20 requests a minute), not a speed.\n")
	if sent.errors > 0 {
		fmt.Printf("\nThe check-ins' errors: %s\n\nThe server's log says: %s\n", sent.sample, srv.ErrorSummary())
	}
	// A robot's refusals are the product's finding, shown by the verdicts; an alert that never
	// arrived is a failure of the run.
	if delivered != n {
		return fmt.Errorf("burst: %d of %d alerts delivered", delivered, n)
	}
	return nil
}

// perTenSeconds counts the requests (attempts) and the refused ones (attempts not accepted)
// in each 10 s from began, the empty stretches left out: it shows the rate windows.
func perTenSeconds(began time.Time, attempts, accepted []time.Time) string {
	bucket := func(t time.Time) int { return int(t.Sub(began) / (10 * time.Second)) }
	sent, ok := map[int]int{}, map[int]int{}
	for _, t := range attempts {
		sent[bucket(t)]++
	}
	for _, t := range accepted {
		ok[bucket(t)]++
	}
	var parts []string
	for b := range slices.Max(append([]int{0}, slices.Collect(maps.Keys(sent))...)) + 1 {
		if sent[b] == 0 {
			continue
		}
		p := fmt.Sprintf("%ds %d", b*10, sent[b])
		if r := sent[b] - ok[b]; r > 0 {
			p += fmt.Sprintf(" (%d)", r)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// burstSent is how the burst's check-ins were answered.
type burstSent struct {
	created, replaced, errors int
	sample                    string
	began, ended              time.Time
	elapsed                   time.Duration
}

// burstSend posts n fever check-ins (38.5 °C) from groupsBurstClients phones, each taking
// the next as soon as its last is answered but none before its turn (n spread over span).
// Check-in k is worker k's of today's other slot, then again of yesterday's morning: the
// township raises one fever alert a worker a day, and these two are not slots in a row
// (which would add a repeated-fever alert).
func burstSend(ctx context.Context, api groupsAPI, ds *loadtest.Dataset, workers []*domain.Worker, tokens []string, slot domain.Slot, n int, span time.Duration) *burstSent {
	other := domain.SlotAM
	if slot == domain.SlotAM {
		other = domain.SlotPM
	}
	s := &burstSent{began: time.Now()}
	pace := span / time.Duration(n)
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for range groupsBurstClients {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n && ctx.Err() == nil; k = int(next.Add(1) - 1) {
				time.Sleep(time.Until(s.began.Add(time.Duration(k) * pace)))
				i, day, sl := k%len(workers), ds.Today, other
				if k >= len(workers) {
					day, sl = ds.Today.AddDays(-1), domain.SlotAM
				}
				status, out, err := api.send(ctx, tokens[i], http.MethodPost, "/api/v1/checkins",
					map[string]any{"slot": sl, "temperature": 38.5, "date": day.String()})
				mu.Lock()
				switch {
				case err == nil && status == http.StatusCreated:
					s.created++
				case err == nil && status == http.StatusOK:
					s.replaced++
				default:
					s.errors++
					s.sample = fmt.Sprintf("%d %v %s", status, err, bytes.TrimSpace(out))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	s.ended = time.Now()
	s.elapsed = s.ended.Sub(s.began)
	return s
}

// feverTitle marks a fever alert in a message: merged messages carry each under its title.
const feverTitle = "【发热预警】"

// waitAlerts polls the robot until n fever alerts have reached it, or limit passes; it
// returns how many did and when the last message with any arrived.
func waitAlerts(ctx context.Context, robot *notifytest.Server, n int, limit time.Duration) (int, time.Time) {
	deadline := time.Now().Add(limit)
	for {
		count, last := 0, time.Time{}
		for _, rc := range robot.Received() {
			if rc.MsgType != "markdown" {
				continue
			}
			c := strings.Count(rc.Text, feverTitle)
			if c == 0 && strings.Contains(rc.Title, feverTitle) {
				c = 1 // a message alone carries its title as the heading only
			}
			if c > 0 {
				count, last = count+c, rc.At
			}
		}
		if count >= n || !time.Now().Before(deadline) || ctx.Err() != nil {
			return count, last
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// alertStatuses counts the alert messages of the outbox by status.
func alertStatuses(ctx context.Context, dbURL string) (string, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT status, count(*), max(attempts) FROM messages WHERE type = 'alert' GROUP BY status ORDER BY status")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var status string
		var count, attempts int
		if err := rows.Scan(&status, &count, &attempts); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%d %s (attempts ≤ %d)", count, status, attempts))
	}
	return strings.Join(parts, ", "), rows.Err()
}
