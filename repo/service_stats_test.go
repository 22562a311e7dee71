package repo_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// The daily statistics are a second copy of what the check-ins, alerts and rosters say. These
// tests hold them to the first: whatever the services do, a count of the raw rows in Go gives
// the same numbers, and the dashboard shows them.

// services wires the dashboard, report and statistics services (and the others) on the
// world's stores with the test clock. They are built here rather than in newEnv so that this
// file stands alone; they share nothing with the world's services but the stores.
func (w *world) services() domain.Services {
	return domain.NewServices(w.stores, domain.Options{Clock: w.clock.Now})
}

// dayKey is one enterprise's day.
type dayKey struct {
	enterprise int64
	day        domain.Date
}

// everything is a page no list in these tests fills.
var everything = domain.Page{Limit: 1 << 20}

// recount counts a township's daily statistics from the raw rows, in Go: the activity figures
// of every day from one date to another from the check-ins and alerts, and the roster figures
// of rosterDays by domain.RosterFigures over the workers as they stand.
func (w *world) recount(t *testing.T, tw domain.Township, from, to domain.Date, rosterDays ...domain.Date) map[dayKey]domain.Figures {
	t.Helper()
	out := map[dayKey]domain.Figures{}
	in := func(d domain.Date) bool { return !d.Before(from) && !d.After(to) }
	cs, _, err := w.stores.Checkins.List(w.ctx, domain.CheckinFilter{Page: everything})
	must(t, err)
	// A person's day counts by the Go rule of the figures: ActivityFigures of its two slots.
	type personDay struct {
		enterprise, worker int64
		day                domain.Date
	}
	slots := map[personDay]*[2]*domain.Checkin{}
	for _, c := range cs {
		if c.TownshipID != tw.ID || !in(c.Date) {
			continue
		}
		if c.Fever != tw.Fever(c.Temperature) {
			t.Errorf("check-in %d at %v: got fever %v, want %v under threshold %v", c.ID, c.Temperature, c.Fever, !c.Fever, tw.Policy.FeverThreshold)
		}
		if (c.Fever && !c.HadFever) || (len(c.Symptoms) > 0 && !c.HadSymptoms) {
			t.Errorf("check-in %d: got a reading not kept in its slot's flags: %+v", c.ID, c)
		}
		p := personDay{c.EnterpriseID, c.WorkerID, c.Date}
		if slots[p] == nil {
			slots[p] = new([2]*domain.Checkin)
		}
		if c.Slot == domain.SlotAM {
			slots[p][0] = &c
		} else {
			slots[p][1] = &c
		}
	}
	for p, s := range slots {
		k := dayKey{p.enterprise, p.day}
		f := out[k]
		f.Add(domain.ActivityFigures(s[0], s[1]))
		out[k] = f
	}
	as, _, err := w.stores.Alerts.List(w.ctx, domain.AlertFilter{TownshipID: tw.ID, Page: everything})
	must(t, err)
	for _, a := range as {
		if !in(a.Date) {
			continue
		}
		k := dayKey{a.EnterpriseID, a.Date}
		f := out[k]
		f.Alerts++
		out[k] = f
	}
	for _, wk := range w.townshipWorkers(t, tw) {
		for _, d := range rosterDays {
			k := dayKey{wk.EnterpriseID, d}
			f := out[k]
			f.Add(domain.RosterFigures(wk, d))
			out[k] = f
		}
	}
	return out
}

// openAt counts, by enterprise, a township's alerts open at the end of day d from the raw
// rows: dated d or before and not taken in hand before d ended (the figure AlertsOpen).
func (w *world) openAt(t *testing.T, tw domain.Township, d domain.Date) map[int64]int {
	t.Helper()
	as, _, err := w.stores.Alerts.List(w.ctx, domain.AlertFilter{TownshipID: tw.ID, Page: everything})
	must(t, err)
	out := map[int64]int{}
	for _, a := range as {
		if (a.Status == domain.AlertOpen) != (a.TakenAt == nil) {
			t.Errorf("alert %d: got status %s with taken at %v", a.ID, a.Status, a.TakenAt)
		}
		// (one taken is not open now, whatever time the database stamped it with)
		if !a.Date.After(d) && (a.TakenAt == nil || (!a.TakenAt.Before(tw.DayEnd(d)) && d.Before(w.today()))) {
			out[a.EnterpriseID]++
		}
	}
	return out
}

// withOpen is want with the open alerts of day d, as the services add them to the rows.
func withOpen(want map[dayKey]domain.Figures, d domain.Date, open map[int64]int) map[dayKey]domain.Figures {
	out := make(map[dayKey]domain.Figures, len(want))
	for k, f := range want {
		out[k] = f
	}
	for e, n := range open {
		f := out[dayKey{e, d}]
		f.AlertsOpen = n
		out[dayKey{e, d}] = f
	}
	return out
}

// townshipWorkers returns every worker of a township as stored.
func (w *world) townshipWorkers(t *testing.T, tw domain.Township) []domain.Worker {
	t.Helper()
	ws, _, err := w.stores.Workers.List(w.ctx, domain.WorkerFilter{TownshipID: tw.ID, Page: everything})
	must(t, err)
	return ws
}

// wantDays fails the test unless the rows are in date and enterprise order, one per
// enterprise and day, each with the figures of want (zero where want has none), and every
// non-zero day of want has its row.
func wantDays(t *testing.T, got []domain.DayRow, want map[dayKey]domain.Figures) {
	t.Helper()
	if !slices.IsSortedFunc(got, func(a, b domain.DayRow) int {
		return cmp.Or(a.Date.Time().Compare(b.Date.Time()), cmp.Compare(a.EnterpriseID, b.EnterpriseID))
	}) {
		t.Errorf("got rows out of date and enterprise order: %+v", got)
	}
	seen := map[dayKey]bool{}
	for _, r := range got {
		k := dayKey{r.EnterpriseID, r.Date}
		if seen[k] {
			t.Errorf("enterprise %d on %v: got a second row, want one", r.EnterpriseID, r.Date)
		}
		seen[k] = true
		if r.Figures != want[k] {
			t.Errorf("enterprise %d on %v: got %+v, want %+v", r.EnterpriseID, r.Date, r.Figures, want[k])
		}
	}
	for k, f := range want {
		if !seen[k] && f != (domain.Figures{}) {
			t.Errorf("enterprise %d on %v: got no row, want %+v", k.enterprise, k.day, f)
		}
	}
}

// withoutRoster is want with the roster figures of day cleared: what a day shows that never
// had a snapshot taken.
func withoutRoster(want map[dayKey]domain.Figures, day domain.Date) map[dayKey]domain.Figures {
	out := make(map[dayKey]domain.Figures, len(want))
	for k, f := range want {
		if k.day == day {
			f.Roster, f.Returned, f.OnDuty, f.Isolating, f.KeyArea, f.Due = 0, 0, 0, 0, 0, 0
		}
		out[k] = f
	}
	return out
}

// expectedSummary is the summary a town admin must see for day, built from the recount, the
// enterprises as stored and the workers' home provinces.
func (w *world) expectedSummary(t *testing.T, tw domain.Township, day domain.Date, counts map[dayKey]domain.Figures) domain.Summary {
	t.Helper()
	es, _, err := w.stores.Enterprises.List(w.ctx, domain.EnterpriseFilter{TownshipID: tw.ID, Page: everything})
	must(t, err)
	want := domain.Summary{Date: day}
	zones := map[string]*domain.ZoneFigures{}
	for _, e := range es {
		f := counts[dayKey{e.ID, day}]
		addCount(&want.Enterprises, e.Status)
		want.Figures.Add(f)
		z := zones[e.Zone]
		if z == nil {
			z = &domain.ZoneFigures{Zone: e.Zone}
			zones[e.Zone] = z
		}
		addCount(&z.Enterprises, e.Status)
		z.Figures.Add(f)
	}
	for _, z := range tw.Zones {
		if zf := zones[z.Name]; zf != nil {
			want.Zones = append(want.Zones, *zf)
		}
	}
	provinces := map[string]int{}
	for _, wk := range w.townshipWorkers(t, tw) {
		if wk.OriginRegion != "" && domain.RosterFigures(wk, day).Returned == 1 {
			provinces[wk.OriginRegion[:2]+"0000"]++
		}
	}
	for p, n := range provinces {
		want.Origins = append(want.Origins, domain.OriginCount{Province: p, Workers: n})
	}
	return want
}

// addCount counts an enterprise of status s, as the dashboard does.
func addCount(c *domain.EnterpriseCounts, s domain.EnterpriseStatus) {
	c.Total++
	switch s {
	case domain.StatusNotApplied:
		c.NotApplied++
	case domain.StatusApplied:
		c.Applied++
	case domain.StatusApproved:
		c.Approved++
	case domain.StatusReopened:
		c.Reopened++
	case domain.StatusSuspended:
		c.Suspended++
	}
}

// wantSummary fails the test unless got is want. Origins must come most workers first; among
// equal counts the order is not specified, so both sides are compared sorted by province.
func wantSummary(t *testing.T, got, want domain.Summary) {
	t.Helper()
	if !slices.IsSortedFunc(got.Origins, func(a, b domain.OriginCount) int { return cmp.Compare(b.Workers, a.Workers) }) {
		t.Errorf("got origins %+v, want most workers first", got.Origins)
	}
	byProvince := func(os []domain.OriginCount) []domain.OriginCount {
		os = slices.Clone(os)
		slices.SortFunc(os, func(a, b domain.OriginCount) int { return cmp.Compare(a.Province, b.Province) })
		return os
	}
	if g, w := byProvince(got.Origins), byProvince(want.Origins); !slices.Equal(g, w) {
		t.Errorf("got origins %+v, want %+v", g, w)
	}
	if got.Date != want.Date {
		t.Errorf("got date %v, want %v", got.Date, want.Date)
	}
	if got.Enterprises != want.Enterprises {
		t.Errorf("got enterprises %+v, want %+v", got.Enterprises, want.Enterprises)
	}
	if got.Figures != want.Figures {
		t.Errorf("got figures %+v, want %+v", got.Figures, want.Figures)
	}
	if !slices.Equal(got.Zones, want.Zones) {
		t.Errorf("got zones %+v, want %+v", got.Zones, want.Zones)
	}
}

// statsWorld is a world whose township A has thirty workers over its three enterprises in
// every state the roster rule tells apart, and township B two, whose numbers must never mix.
type statsWorld struct {
	*world
	svc    domain.Services
	people []domain.Worker // of both townships, as created; statuses change as the test goes
	hrs    map[int64]domain.User
	sups   map[int64]domain.User
	next   int // the next person number for a new worker
}

func newStatsWorld(t *testing.T, db *repo.DB) *statsWorld {
	t.Helper()
	w := &statsWorld{world: newWorld(t, db), next: 1}
	w.svc = w.services()
	w.setKeyAreas(t, hubeiHigh, shanghaiMedium)
	w.hrs = map[int64]domain.User{w.ent.ID: w.hr, w.ent2.ID: w.hr2, w.ent3.ID: w.hr3, w.entB.ID: w.hrB}
	w.sups = map[int64]domain.User{w.ent.ID: w.sup, w.ent2.ID: w.sup2, w.ent3.ID: w.sup, w.entB.ID: w.supB}
	for i := range 30 {
		hr := []domain.User{w.hr, w.hr2, w.hr3}[i%3]
		w.people = append(w.people, w.newWorker(t, hr, i%10))
	}
	w.people = append(w.people, w.newWorker(t, w.hrB, 0), w.newWorker(t, w.hrB, 4))
	return w
}

// newWorker adds a worker of one of ten kinds to hr's roster.
func (w *statsWorld) newWorker(t *testing.T, hr domain.User, kind int) domain.Worker {
	t.Helper()
	n := w.next
	w.next++
	switch kind {
	case 3: // not back yet
		return w.addWorker(t, hr, workerForm(n, "371681", domain.Date{}))
	case 4: // back from Wuhan: isolating, high risk
		return w.addWorker(t, hr, workerForm(n, "420100", w.daysAgo(2)))
	case 5: // back from Shanghai: isolating, medium risk
		return w.addWorker(t, hr, workerForm(n, "310104", w.daysAgo(5)))
	case 6: // back from Wuhan, isolation ending today and put on duty: on duty, still isolating today
		wk := w.addWorker(t, hr, workerForm(n, "420100", w.daysAgo(14)))
		return w.setStatus(t, hr, wk, domain.WorkerOnDuty)
	case 7:
		return w.setStatus(t, hr, w.back(t, hr, n), domain.WorkerInHospital)
	case 8:
		return w.setStatus(t, hr, w.back(t, hr, n), domain.WorkerLeft)
	case 9: // from Wuhan, not back yet: no key-area figure until back
		return w.addWorker(t, hr, workerForm(n, "420100", domain.Date{}))
	default: // back, local, on duty
		return w.back(t, hr, n)
	}
}

// temperatures are the readings the random check-ins use: both sides of the 37.3 threshold.
var temperatures = []float64{36.2, 36.8, 37.2, 37.3, 37.8, 38.6}

// randomInput is a check-in of a random slot, today or yesterday, sometimes with symptoms
// (sometimes only "fever", which raises no symptom alert but still counts).
func (w *statsWorld) randomInput(r *rand.Rand) domain.CheckinInput {
	in := report([]domain.Slot{domain.SlotAM, domain.SlotPM}[r.IntN(2)], temperatures[r.IntN(len(temperatures))])
	if r.IntN(10) < 3 {
		in = on(in, w.daysAgo(1))
	}
	switch r.IntN(10) {
	case 0:
		in.Symptoms = []string{string(domain.SymptomDryCough)}
	case 1:
		in.Symptoms = []string{string(domain.SymptomFever)}
	case 2:
		in.Symptoms = []string{string(domain.SymptomFatigue), string(domain.SymptomSoreThroat)}
	}
	return in
}

// allowed fails the test unless err is nil or of one of kinds: the refusals a random operation
// may meet (a check-in of someone who left, a status change the rules forbid, an alert handled
// already).
func allowed(t *testing.T, op string, err error, kinds ...error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, k := range kinds {
		if errors.Is(err, k) {
			return
		}
	}
	t.Fatalf("%s: got error %v, want nil or one of %v", op, err, kinds)
}

// tally counts what a random sequence did, so that a test can tell it exercised every path.
type tally map[string]int

// randomOps runs n random operations through the services and counts those that went through.
func (w *statsWorld) randomOps(t *testing.T, r *rand.Rand, n int) tally {
	t.Helper()
	ctx := w.ctx
	today := w.today()
	done := tally{}
	ok := func(what string, err error) {
		if err == nil {
			done[what]++
		}
	}
	for i := range n {
		w.clock.Advance(time.Minute)
		wk := w.people[r.IntN(len(w.people))]
		switch op := r.IntN(100); {
		case op < 40: // a worker's own check-in, or a repeat that replaces it
			in := w.randomInput(r)
			d, _ := domain.ParseDate(in.Date)
			if d.IsZero() {
				d = today
			}
			before, beforeErr := w.stores.Checkins.Get(ctx, wk.ID, d, in.Slot)
			c, created, err := w.checkins.Submit(ctx, wk.Actor(), in)
			allowed(t, fmt.Sprintf("op %d: check in worker %d", i, wk.ID), err, domain.ErrInvalid)
			ok("checkin", err)
			if err == nil && !created {
				done["repeat"]++
				if beforeErr == nil && before.Fever != c.Fever {
					done["fever flipped"]++
				}
			}
		case op < 55: // HR reports for a few workers of the enterprise, now and then one of another
			var items []domain.CheckinInput
			for range 1 + r.IntN(4) {
				in := w.randomInput(r)
				in.WorkerID = w.people[r.IntN(len(w.people))].ID
				if r.IntN(4) > 0 {
					in.WorkerID = w.sameEnterprise(r, wk).ID
				}
				in.Overwrite = r.IntN(3) > 0 // HR confirmed replacing a worker's own report
				items = append(items, in)
			}
			res, err := w.checkins.SubmitForWorkers(ctx, w.hrs[wk.EnterpriseID].Actor(), wk.EnterpriseID, items)
			must(t, err)
			for _, it := range res {
				allowed(t, fmt.Sprintf("op %d: item %d", i, it.Index), it.Err, domain.ErrInvalid, domain.ErrConflict)
				if errors.Is(it.Err, domain.ErrConflict) && items[it.Index].Overwrite {
					t.Errorf("op %d: item %d: got %v though HR confirmed the overwrite", i, it.Index, it.Err)
				}
				ok("batch item", it.Err)
			}
		case op < 67: // someone takes an alert in hand or closes it
			as, _, err := w.stores.Alerts.List(ctx, domain.AlertFilter{Page: everything})
			must(t, err)
			if len(as) == 0 {
				continue
			}
			a := as[r.IntN(len(as))]
			actor := w.hrs[a.EnterpriseID].Actor()
			if r.IntN(2) == 0 {
				actor = w.sups[a.EnterpriseID].Actor()
			}
			if r.IntN(2) == 0 {
				_, err = w.checkins.Acknowledge(ctx, actor, a.ID, "已电话联系")
			} else {
				_, err = w.checkins.Resolve(ctx, actor, a.ID, "复测正常")
			}
			allowed(t, fmt.Sprintf("op %d: handle alert %d", i, a.ID), err, domain.ErrConflict)
			ok("alert handled", err)
		case op < 72: // the sweep, past one cut-off or both
			at := []time.Time{local(today, 10, 0), local(today, 16, 0), local(today, 23, 59)}[r.IntN(3)]
			n, err := w.checkins.Sweep(ctx, at, &w.swept)
			must(t, err)
			done["swept alert"] += n
		case op < 90: // HR changes a worker
			ok("worker update", w.randomUpdate(t, r, i, wk))
		case op < 93: // HR adds a worker
			hr := w.hrs[wk.EnterpriseID]
			w.people = append(w.people, w.newWorker(t, hr, r.IntN(10)))
			done["worker added"]++
		default: // the enterprise's plan moves a step
			w.planStep(t, r, wk.EnterpriseID)
			done["plan step"]++
		}
	}
	return done
}

// sameEnterprise returns a random worker of wk's enterprise.
func (w *statsWorld) sameEnterprise(r *rand.Rand, wk domain.Worker) domain.Worker {
	var same []domain.Worker
	for _, x := range w.people {
		if x.EnterpriseID == wk.EnterpriseID {
			same = append(same, x)
		}
	}
	return same[r.IntN(len(same))]
}

// randomUpdate makes HR change a worker's status or return; the rules may refuse.
func (w *statsWorld) randomUpdate(t *testing.T, r *rand.Rand, i int, wk domain.Worker) error {
	t.Helper()
	today := w.today()
	var u domain.WorkerUpdate
	switch r.IntN(7) {
	case 0:
		u.Status = ptr(domain.WorkerLeft)
	case 1, 2:
		u.Status = ptr(domain.WorkerOnDuty)
	case 3:
		u.Status, u.IsolationUntil = ptr(domain.WorkerIsolating), ptr(today.AddDays(1+r.IntN(14)))
	case 4:
		u.Status = ptr(domain.WorkerInHospital)
	case 5:
		u.ArrivedOn = ptr(today.AddDays(-r.IntN(3)).String())
	case 6:
		u.KeyAreaExposure = ptr(r.IntN(2) == 0)
	}
	_, _, err := w.workers.Update(w.ctx, w.hrs[wk.EnterpriseID].Actor(), wk.ID, u)
	allowed(t, fmt.Sprintf("op %d: update worker %d with %+v", i, wk.ID, u), err, domain.ErrInvalid)
	return err
}

// planStep moves an enterprise's plan one step along the workflow: submitted, then approved
// or rejected (and resubmitted as the next version), then the reopening confirmed.
func (w *statsWorld) planStep(t *testing.T, r *rand.Rand, enterpriseID int64) {
	t.Helper()
	ctx := w.ctx
	hr, sup := w.hrs[enterpriseID], w.sups[enterpriseID]
	e := w.enterpriseNow(t, enterpriseID)
	switch e.Status {
	case domain.StatusNotApplied:
		w.submitted(t, hr)
	case domain.StatusApplied:
		ps, _, err := w.stores.Plans.List(ctx, domain.PlanFilter{EnterpriseID: enterpriseID, Page: domain.Page{Limit: 1}})
		must(t, err)
		switch p := ps[0]; {
		case p.Status == domain.PlanRejected:
			w.submitted(t, hr)
		case r.IntN(3) == 0:
			_, err = w.plans.Reject(ctx, sup.Actor(), p.ID, "请补充隔离室位置")
		default:
			_, err = w.plans.Approve(ctx, sup.Actor(), p.ID, "同意")
		}
		must(t, err)
	case domain.StatusApproved:
		_, err := w.plans.ConfirmReopening(ctx, sup.Actor(), enterpriseID, w.today(), "统计测试:不按返岗批次复工")
		must(t, err)
	}
}

// checkAgainstRecount compares township tw's statistics of yesterday and today, and the
// summary its admin sees, with a recount of the raw rows. Before a rebuild yesterday has no
// roster snapshot (the test began today, and only today's is ever retaken); after one,
// rebuilt says so and yesterday shows the roster rule applied to the roster as it stands.
func (w *statsWorld) checkAgainstRecount(t *testing.T, tw domain.Township, admin domain.User, rebuilt bool) {
	t.Helper()
	today := w.today()
	yesterday := today.AddDays(-1)
	want := w.recount(t, tw, yesterday, today, today, yesterday)
	if !rebuilt {
		want = withoutRoster(want, yesterday)
	}
	got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: tw.ID}, yesterday, today)
	must(t, err)
	wantDays(t, got, want)
	w.checkAlertColumns(t, tw)
	sum, err := dashSummary(w.ctx, w.svc.Dashboard, admin.Actor(), domain.DashboardQuery{})
	must(t, err)
	wantSummary(t, sum, w.expectedSummary(t, tw, today, withOpen(want, today, w.openAt(t, tw, today))))
	if sum.MissingAM() != max(sum.Due-sum.CheckinsAM, 0) || sum.MissingPM() != max(sum.Due-sum.CheckinsPM, 0) {
		t.Errorf("got missing %d/%d, want due minus check-ins of %+v", sum.MissingAM(), sum.MissingPM(), sum.Figures)
	}
}

// checkAlertColumns compares daily_stats' alerts and alerts_open of every day of township tw
// with a count of its alert rows, as recount_alerts counts them. alerts_open is no figure
// (Stats.Days does not read it), so checkAgainstRecount's other comparisons would not see it
// go wrong; the triggers keep it all the same, and the fault scripts hold it to a recount.
func (w *statsWorld) checkAlertColumns(t *testing.T, tw domain.Township) {
	t.Helper()
	q := `SELECT COUNT(*) FROM (
		SELECT a.enterprise_id FROM (
			SELECT enterprise_id, date, COUNT(*) AS n, SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open
			FROM alerts WHERE township_id = $1 GROUP BY enterprise_id, date) a
		LEFT JOIN daily_stats s ON s.enterprise_id = a.enterprise_id AND s.date = a.date
		WHERE s.enterprise_id IS NULL OR s.alerts <> a.n OR s.alerts_open <> a.open
		UNION ALL
		SELECT s.enterprise_id FROM daily_stats s WHERE s.township_id = $1 AND (s.alerts <> 0 OR s.alerts_open <> 0)
			AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.enterprise_id = s.enterprise_id AND a.date = s.date)) bad`
	if n := scalar[int](t, w.db, q, tw.ID); n != 0 {
		t.Errorf("got %d days of township %d whose daily_stats alerts or alerts_open differ from a count of the alerts, want 0", n, tw.ID)
	}
}

// TestStatsEqualRecount is the core property of the daily statistics: after any sequence of
// check-ins, repeats, batch reports, alert handling, sweeps, roster changes and plan steps,
// they are what a count of the raw rows says, and recounting changes nothing.
func TestStatsEqualRecount(t *testing.T) {
	for _, seed := range []uint64{20200210, 1, 2, 3} {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, db *repo.DB) {
				w := newStatsWorld(t, db)
				r := rand.New(rand.NewPCG(seed, 0x5eed))
				done := w.randomOps(t, r, 200)
				t.Logf("the sequence did %v", done)
				// A sequence that never took a path proves nothing about it.
				for _, what := range []string{"checkin", "repeat", "fever flipped", "batch item", "alert handled", "swept alert", "worker update", "plan step"} {
					if done[what] == 0 {
						t.Errorf("got no %s in the sequence, want some", what)
					}
				}
				towns := []struct {
					tw    domain.Township
					admin domain.User
				}{{w.tw, w.admin}, {w.twB, w.adminB}}
				t.Run("OK", func(t *testing.T) {
					for _, x := range towns {
						w.checkAgainstRecount(t, x.tw, x.admin, false)
					}
				})
				t.Run("OKRecountActivity", func(t *testing.T) {
					today := w.today()
					for _, x := range towns {
						must(t, w.stores.Stats.RecountActivity(w.ctx, x.tw.ID, today.AddDays(-1), today))
						w.checkAgainstRecount(t, x.tw, x.admin, false)
					}
				})
				t.Run("OKRebuild", func(t *testing.T) {
					n, err := w.svc.Stats.Rebuild(w.ctx, w.daysAgo(1), w.today())
					must(t, err)
					if n != 2 {
						t.Errorf("got %d townships rebuilt, want 2", n)
					}
					for _, x := range towns {
						w.checkAgainstRecount(t, x.tw, x.admin, true)
					}
				})
			})
		})
	}
}

// TestStatsConcurrentCheckins sends a worker's morning and afternoon reports at the same time
// as everyone else's: on PostgreSQL the trigger must still see the person's other slot (its
// advisory lock), or a fever would count twice or not at all.
func TestStatsConcurrentCheckins(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		const people = 10
		var ws []domain.Worker
		for n := range people {
			ws = append(ws, w.back(t, w.hr, n+1))
		}
		// Each round is every person's two slots at once; the readings turn fevers on and off so
		// that replacements (the trigger's update path) race too.
		rounds := []struct {
			name           string
			am, pm         func(n int) domain.CheckinInput
			fever, symptom int
		}{
			{
				name: "OKAllFever",
				am:   func(int) domain.CheckinInput { return report(domain.SlotAM, 38.5) },
				pm: func(n int) domain.CheckinInput {
					in := report(domain.SlotPM, 38.0)
					if n%2 == 0 {
						in.Symptoms = []string{string(domain.SymptomFatigue)}
					}
					return in
				},
				fever: people, symptom: people / 2,
			},
			{
				name: "OKNoneFever",
				am:   func(int) domain.CheckinInput { return report(domain.SlotAM, 36.5) },
				pm:   func(int) domain.CheckinInput { return report(domain.SlotPM, 36.6) },
				// Readings are kept: the fevers and symptoms of the round before stay the day's.
				fever: people, symptom: people / 2,
			},
			{
				name: "OKOneSlotEach",
				am: func(n int) domain.CheckinInput {
					if n%2 == 1 {
						in := report(domain.SlotAM, 38.2)
						in.Symptoms = []string{string(domain.SymptomDryCough)}
						return in
					}
					return report(domain.SlotAM, 36.4)
				},
				pm: func(n int) domain.CheckinInput {
					if n%2 == 0 {
						return report(domain.SlotPM, 37.5)
					}
					return report(domain.SlotPM, 36.9)
				},
				fever: people, symptom: people, // the first round's symptoms stay too
			},
		}
		for _, round := range rounds {
			t.Run(round.name, func(t *testing.T) {
				var wg sync.WaitGroup
				ready := make(chan struct{})
				errs := make([]error, 2*people)
				for i := range 2 * people {
					wg.Add(1)
					go func() {
						defer wg.Done()
						n := i % people
						in := round.am(n)
						if i >= people {
							in = round.pm(n)
						}
						<-ready
						_, _, errs[i] = w.checkins.Submit(w.ctx, ws[n].Actor(), in)
					}()
				}
				close(ready)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Errorf("submission %d: got error %v, want nil", i, err)
					}
				}
				today := w.today()
				want := w.recount(t, w.tw, today, today, today)
				got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, today, today)
				must(t, err)
				wantDays(t, got, want)
				f := want[dayKey{w.ent.ID, today}]
				if f.CheckinsAM != people || f.CheckinsPM != people || f.Fever != round.fever || f.Symptomatic != round.symptom {
					t.Errorf("recount: got %+v, want %d and %d check-ins, %d with fever, %d with symptoms", f, people, people, round.fever, round.symptom)
				}
			})
		}
	})
}

// TestStatsInsertMany loads history in bulk, as the demo does: a person's two slots of a day
// in one statement still count once for a fever and once for symptoms.
func TestStatsInsertMany(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		a, b := w.back(t, w.hr, 1), w.back(t, w.hr, 2)
		yesterday := w.daysAgo(1)
		checkin := func(wk domain.Worker, s domain.Slot, temp domain.Temperature, syms ...domain.Symptom) domain.Checkin {
			return domain.Checkin{
				TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Date: yesterday, Slot: s,
				Temperature: temp, Fever: w.tw.Fever(temp), Symptoms: syms, Location: domain.AtWork,
				CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now(), Due: domain.DueOn(wk, yesterday),
			}
		}
		err := w.stores.Tx.InTx(w.ctx, func(ctx context.Context) error {
			return w.stores.Checkins.InsertMany(ctx, []domain.Checkin{
				checkin(a, domain.SlotAM, 381, domain.SymptomDryCough),
				checkin(a, domain.SlotPM, 379, domain.SymptomDryCough),
				checkin(b, domain.SlotAM, 365),
				checkin(b, domain.SlotPM, 385),
			})
		})
		must(t, err)
		got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, yesterday, yesterday)
		must(t, err)
		want := map[dayKey]domain.Figures{{w.ent.ID, yesterday}: {CheckinsAM: 2, CheckinsPM: 2, Fever: 2, Symptomatic: 1}}
		if recounted := w.recount(t, w.tw, yesterday, yesterday); recounted[dayKey{w.ent.ID, yesterday}] != want[dayKey{w.ent.ID, yesterday}] {
			t.Fatalf("recount: got %+v, want %+v", recounted, want)
		}
		wantDays(t, got, want)
	})
}

// entFigures is an enterprise's row of EnterpriseDays, reduced to what the tests compare.
type entFigures struct {
	ID int64
	domain.Figures
}

func entRows(days []domain.EnterpriseDay) []entFigures {
	out := make([]entFigures, 0, len(days))
	for _, d := range days {
		out = append(out, entFigures{d.Enterprise.ID, d.Figures})
	}
	return out
}

// TestDashboardHandBuilt builds a small township over three days and writes out every number
// the dashboard must show. Day one (2020-02-10): eight workers, a plan approved, one
// submitted. Day two: the reopening confirmed, a worker leaves, one late-morning check-in. Day
// three (today): five check-ins, a fever and a symptom, the fever alert taken in hand.
func TestDashboardHandBuilt(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		svc := w.services()
		ctx, admin := w.ctx, w.admin.Actor()
		d0, d1, d2 := domain.NewDate(2020, 2, 10), domain.NewDate(2020, 2, 11), domain.NewDate(2020, 2, 12)
		am, pm := domain.SlotAM, domain.SlotPM

		w.setKeyAreas(t, hubeiHigh, shanghaiMedium)
		// ent (一区): on duty; isolating from Wuhan; expected from Wuhan, not back.
		w1 := w.back(t, w.hr, 1)
		w2 := w.addWorker(t, w.hr, workerForm(2, "420100", w.daysAgo(2)))
		w.addWorker(t, w.hr, workerForm(3, "420100", domain.Date{}))
		// ent2 (二区): on duty; isolating from Shanghai; on duty, leaves on day two.
		w4 := w.back(t, w.hr2, 4)
		w.addWorker(t, w.hr2, workerForm(5, "310104", w.daysAgo(3)))
		w6 := w.back(t, w.hr2, 6)
		// ent3 (二区): in hospital; from Wuhan, isolation over, on duty (still a key-area worker).
		w.setStatus(t, w.hr3, w.back(t, w.hr3, 7), domain.WorkerInHospital)
		w8 := w.setStatus(t, w.hr3, w.addWorker(t, w.hr3, workerForm(8, "420100", w.daysAgo(20))), domain.WorkerOnDuty)
		plan := w.submitted(t, w.hr)
		_, err := w.plans.Approve(ctx, w.sup.Actor(), plan.ID, "同意")
		must(t, err)
		w.submitted(t, w.hr2)
		// sup3 watches ent2 alone (sup watches ent and ent3).
		sup3 := w.staff(t, admin, domain.RoleSupervisor, "supervisor3", 0)
		_, err = w.enterprises.SetSupervisors(ctx, admin, w.ent2.ID, []int64{w.sup2.ID, sup3.ID})
		must(t, err)
		must(t, svc.Stats.EnsureToday(ctx))

		w.setDay(d1)
		must(t, svc.Stats.EnsureToday(ctx)) // what the sweep does first thing every day
		_, err = w.plans.ConfirmReopening(ctx, w.sup.Actor(), w.ent.ID, d1, "统计测试:不按返岗批次复工")
		must(t, err)
		w.setStatus(t, w.hr2, w6, domain.WorkerLeft)
		// ent2 and ent3 are not approved: their people report from home (home), or each day
		// would add a 未批先复 alert to the alerts counted here.
		w.submit(t, w4, home(report(am, 36.5)))

		w.setDay(d2)
		must(t, svc.Stats.EnsureToday(ctx))
		w.submit(t, w1, report(am, 36.5))
		w.submit(t, w2, report(am, 38.0))
		cough := report(am, 36.4)
		cough.Symptoms = []string{string(domain.SymptomDryCough)}
		w.submit(t, w4, home(cough))
		w.clock.Set(local(d2, 15, 0))
		w.submit(t, w1, report(pm, 36.6))
		w.submit(t, w8, home(report(pm, 36.8)))
		_, err = w.checkins.Acknowledge(ctx, w.hr.Actor(), w.wantAlerts(t, w2, domain.AlertFever, 1)[0].ID, "已送隔离观察室")
		must(t, err)

		// Today's figures, per enterprise.
		// Open alerts are every day's not taken in hand: the key-area arrival alerts of 职工2
		// (ent), 职工5 (ent2) and 职工8 (ent3), raised on d0, stay open; 职工4's symptoms too;
		// 职工2's fever was acknowledged.
		ent := domain.Figures{Roster: 3, Returned: 2, OnDuty: 1, Isolating: 1, KeyArea: 1, Due: 2, CheckinsAM: 2, CheckinsPM: 1, Fever: 1, Alerts: 1, AlertsOpen: 1}
		ent2 := domain.Figures{Roster: 2, Returned: 2, OnDuty: 1, Isolating: 1, KeyArea: 1, Due: 2, CheckinsAM: 1, Symptomatic: 1, Alerts: 1, AlertsOpen: 2}
		ent3 := domain.Figures{Roster: 2, Returned: 2, OnDuty: 1, KeyArea: 1, Due: 1, CheckinsPM: 1, AlertsOpen: 1}
		zone2 := domain.Figures{Roster: 4, Returned: 4, OnDuty: 2, Isolating: 1, KeyArea: 2, Due: 3, CheckinsAM: 1, CheckinsPM: 1, Symptomatic: 1, Alerts: 1, AlertsOpen: 3}
		all := domain.Figures{Roster: 7, Returned: 6, OnDuty: 3, Isolating: 2, KeyArea: 3, Due: 5, CheckinsAM: 3, CheckinsPM: 2, Fever: 1, Symptomatic: 1, Alerts: 2, AlertsOpen: 4}
		supFigures := domain.Figures{Roster: 5, Returned: 4, OnDuty: 2, Isolating: 1, KeyArea: 2, Due: 3, CheckinsAM: 2, CheckinsPM: 2, Fever: 1, Alerts: 1, AlertsOpen: 2}

		tests := []struct {
			name    string
			actor   domain.Actor
			summary domain.Summary
			missing [2]int // MissingAM, MissingPM
			days    []entFigures
			trend   []domain.TrendPoint
		}{
			{
				name: "OKTownAdmin", actor: admin,
				summary: domain.Summary{
					Date: d2, Enterprises: domain.EnterpriseCounts{Total: 3, NotApplied: 1, Applied: 1, Reopened: 1}, Figures: all,
					Zones: []domain.ZoneFigures{
						{Zone: "一区", Enterprises: domain.EnterpriseCounts{Total: 1, Reopened: 1}, Figures: ent},
						{Zone: "二区", Enterprises: domain.EnterpriseCounts{Total: 2, NotApplied: 1, Applied: 1}, Figures: zone2},
					},
					Origins: []domain.OriginCount{{Province: "370000", Workers: 3}, {Province: "420000", Workers: 2}, {Province: "310000", Workers: 1}},
				},
				missing: [2]int{2, 3},
				days:    []entFigures{{w.ent.ID, ent}, {w.ent2.ID, ent2}, {w.ent3.ID, ent3}},
				trend: []domain.TrendPoint{
					{Date: d0, Reopened: 0, Figures: domain.Figures{Roster: 8, Returned: 7, OnDuty: 4, Isolating: 2, KeyArea: 3, Due: 6, AlertsOpen: 3}},
					{Date: d1, Reopened: 1, Figures: domain.Figures{Roster: 7, Returned: 6, OnDuty: 3, Isolating: 2, KeyArea: 3, Due: 5, CheckinsAM: 1, AlertsOpen: 3}},
					{Date: d2, Reopened: 1, Figures: all},
				},
			},
			{
				name: "OKSupervisorOfOne", actor: sup3.Actor(),
				summary: domain.Summary{
					Date: d2, Enterprises: domain.EnterpriseCounts{Total: 1, Applied: 1}, Figures: ent2,
					Zones:   []domain.ZoneFigures{{Zone: "二区", Enterprises: domain.EnterpriseCounts{Total: 1, Applied: 1}, Figures: ent2}},
					Origins: []domain.OriginCount{{Province: "370000", Workers: 1}, {Province: "310000", Workers: 1}},
				},
				missing: [2]int{1, 2},
				days:    []entFigures{{w.ent2.ID, ent2}},
				trend: []domain.TrendPoint{
					{Date: d0, Figures: domain.Figures{Roster: 3, Returned: 3, OnDuty: 2, Isolating: 1, KeyArea: 1, Due: 3, AlertsOpen: 1}},
					{Date: d1, Figures: domain.Figures{Roster: 2, Returned: 2, OnDuty: 1, Isolating: 1, KeyArea: 1, Due: 2, CheckinsAM: 1, AlertsOpen: 1}},
					{Date: d2, Figures: ent2},
				},
			},
			{
				name: "OKSupervisorOfTwo", actor: w.sup.Actor(),
				summary: domain.Summary{
					Date: d2, Enterprises: domain.EnterpriseCounts{Total: 2, NotApplied: 1, Reopened: 1}, Figures: supFigures,
					Zones: []domain.ZoneFigures{
						{Zone: "一区", Enterprises: domain.EnterpriseCounts{Total: 1, Reopened: 1}, Figures: ent},
						{Zone: "二区", Enterprises: domain.EnterpriseCounts{Total: 1, NotApplied: 1}, Figures: ent3},
					},
					Origins: []domain.OriginCount{{Province: "370000", Workers: 2}, {Province: "420000", Workers: 2}},
				},
				missing: [2]int{1, 1},
				days:    []entFigures{{w.ent.ID, ent}, {w.ent3.ID, ent3}},
				trend: []domain.TrendPoint{
					{Date: d0, Figures: domain.Figures{Roster: 5, Returned: 4, OnDuty: 2, Isolating: 1, KeyArea: 2, Due: 3, AlertsOpen: 2}},
					{Date: d1, Reopened: 1, Figures: domain.Figures{Roster: 5, Returned: 4, OnDuty: 2, Isolating: 1, KeyArea: 2, Due: 3, AlertsOpen: 2}},
					{Date: d2, Reopened: 1, Figures: supFigures},
				},
			},
			{
				name: "OKOtherTownAdminSeesNone", actor: w.adminB.Actor(),
				summary: domain.Summary{
					Date: d2, Enterprises: domain.EnterpriseCounts{Total: 1, NotApplied: 1},
					Zones: []domain.ZoneFigures{{Zone: "一区", Enterprises: domain.EnterpriseCounts{Total: 1, NotApplied: 1}}},
				},
				days:  []entFigures{{w.entB.ID, domain.Figures{}}},
				trend: []domain.TrendPoint{{Date: d0}, {Date: d1}, {Date: d2}},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sum, err := dashSummary(ctx, svc.Dashboard, tt.actor, domain.DashboardQuery{})
				must(t, err)
				wantSummary(t, sum, tt.summary)
				if got := [2]int{sum.MissingAM(), sum.MissingPM()}; got != tt.missing {
					t.Errorf("got missing am/pm %v, want %v", got, tt.missing)
				}
				days, day, err := dashDays(ctx, svc.Dashboard, tt.actor, domain.DashboardQuery{})
				must(t, err)
				if got := entRows(days); day != d2 || !slices.Equal(got, tt.days) {
					t.Errorf("got %v %+v, want %v %+v", day, got, d2, tt.days)
				}
				trend, err := dashTrend(ctx, svc.Dashboard, tt.actor, domain.DashboardQuery{}, d0, d2)
				must(t, err)
				if !slices.Equal(trend, tt.trend) {
					t.Errorf("got trend %+v, want %+v", trend, tt.trend)
				}
			})
		}
		t.Run("OKPastDay", func(t *testing.T) {
			sum, err := dashSummary(ctx, svc.Dashboard, admin, domain.DashboardQuery{Date: d1})
			must(t, err)
			want := domain.Figures{Roster: 7, Returned: 6, OnDuty: 3, Isolating: 2, KeyArea: 3, Due: 5, CheckinsAM: 1, AlertsOpen: 3}
			if sum.Date != d1 || sum.Figures != want {
				t.Errorf("got %v %+v, want %v %+v", sum.Date, sum.Figures, d1, want)
			}
		})
		t.Run("OKZone", func(t *testing.T) {
			days, _, err := dashDays(ctx, svc.Dashboard, admin, domain.DashboardQuery{Zone: "二区"})
			must(t, err)
			if got, want := entRows(days), []entFigures{{w.ent2.ID, ent2}, {w.ent3.ID, ent3}}; !slices.Equal(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, actor := range []domain.Actor{w.hr.Actor(), w1.Actor(), w.platform} {
				_, err := dashSummary(ctx, svc.Dashboard, actor, domain.DashboardQuery{})
				wantErr(t, err, domain.ErrForbidden)
				_, _, err = dashDays(ctx, svc.Dashboard, actor, domain.DashboardQuery{})
				wantErr(t, err, domain.ErrForbidden)
				_, err = dashTrend(ctx, svc.Dashboard, actor, domain.DashboardQuery{}, d0, d2)
				wantErr(t, err, domain.ErrForbidden)
			}
		})
		t.Run("ErrInvalidTrend", func(t *testing.T) {
			_, err := dashTrend(ctx, svc.Dashboard, admin, domain.DashboardQuery{}, d2, d0)
			wantErr(t, err, domain.ErrInvalid, "from")
		})
	})
}

// TestStatsPastDaysKeepTheirSnapshot: a day's roster figures are what the roster was that
// day; a change on the next day, and a rebuild, leave them as they were.
func TestStatsPastDaysKeepTheirSnapshot(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		svc := w.services()
		ctx := w.ctx
		day := w.today()
		a, b := w.back(t, w.hr, 1), w.back(t, w.hr, 2) // the roster change that takes day's snapshot
		// From home: at work, at an enterprise not approved, it would add a 未批先复 alert.
		w.submit(t, a, home(report(domain.SlotAM, 36.5)))
		days := func(t *testing.T) map[domain.Date]domain.Figures {
			t.Helper()
			rows, err := w.stores.Stats.Days(ctx, domain.StatsFilter{TownshipID: w.tw.ID}, day.AddDays(-1), day.AddDays(1))
			must(t, err)
			out := map[domain.Date]domain.Figures{}
			for _, r := range rows {
				if r.EnterpriseID != w.ent.ID {
					t.Fatalf("got a row of enterprise %d, want only %d's", r.EnterpriseID, w.ent.ID)
				}
				out[r.Date] = r.Figures
			}
			return out
		}
		onDay := domain.Figures{Roster: 2, Returned: 2, OnDuty: 2, Due: 2, CheckinsAM: 1}
		nextDay := domain.Figures{Roster: 1, Returned: 1, OnDuty: 1, Due: 1}

		t.Run("OKSnapshot", func(t *testing.T) {
			want := map[domain.Date]domain.Figures{day: onDay}
			if got := days(t); !maps.Equal(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
		t.Run("OKNextDayChange", func(t *testing.T) {
			w.setDay(day.AddDays(1))
			w.setStatus(t, w.hr, b, domain.WorkerLeft)
			want := map[domain.Date]domain.Figures{day: onDay, day.AddDays(1): nextDay}
			if got := days(t); !maps.Equal(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			sum, err := dashSummary(ctx, svc.Dashboard, w.admin.Actor(), domain.DashboardQuery{Date: day})
			must(t, err)
			if sum.Figures != onDay {
				t.Errorf("got summary of %v %+v, want %+v", day, sum.Figures, onDay)
			}
		})
		t.Run("OKRebuild", func(t *testing.T) {
			_, err := svc.Stats.Rebuild(ctx, day.AddDays(-1), day.AddDays(1))
			must(t, err)
			// The day before had no snapshot: the rebuild takes the rule over the roster as it
			// stands (b has left by now; a was back three days before the test began).
			want := map[domain.Date]domain.Figures{day.AddDays(-1): nextDay, day: onDay, day.AddDays(1): nextDay}
			if got := days(t); !maps.Equal(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	})
}

// personNames names the people of a report list; with slots, each with the slots they
// missed.
func personNames(list []domain.PersonDay, slots bool) []string {
	out := []string{}
	for _, p := range list {
		line := p.Worker.Name
		if slots {
			line += fmt.Sprint(p.MissedSlots)
		}
		out = append(out, line)
	}
	return out
}

// TestDailyReportPeople checks the people sheets of the daily report, which read the roster
// and the raw check-ins rather than the statistics, and the range export.
func TestDailyReportPeople(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		svc := w.services()
		ctx, admin := w.ctx, w.admin.Actor()
		am, pm := domain.SlotAM, domain.SlotPM
		w.setKeyAreas(t, hubeiHigh, shanghaiMedium)
		today, yesterday := w.today(), w.daysAgo(1)
		a := w.back(t, w.hr, 1)
		w.back(t, w.hr, 2)                                               // 职工2 never reports
		c := w.addWorker(t, w.hr, workerForm(3, "420100", w.daysAgo(2))) // isolating, high risk
		d := w.back(t, w.hr, 4)
		w.addWorker(t, w.hr, workerForm(5, "371681", domain.Date{})) // not back: not due
		w.setStatus(t, w.hr, w.back(t, w.hr, 6), domain.WorkerLeft)
		w.setStatus(t, w.hr, w.back(t, w.hr, 7), domain.WorkerInHospital)
		w.addWorker(t, w.hr2, workerForm(8, "310104", w.daysAgo(3))) // isolating, medium risk; never reports
		i := w.back(t, w.hr2, 9)
		w.back(t, w.hrB, 10) // township B's: never in A's report
		w.submit(t, a, on(report(am, 36.5), yesterday))
		w.submit(t, a, report(am, 36.5))
		w.submit(t, c, report(am, 38.2))
		tired := report(pm, 36.6)
		tired.Symptoms = []string{string(domain.SymptomFatigue)}
		w.submit(t, d, tired)
		w.submit(t, i, report(am, 36.4))

		// In clock order: the audit trail lists the newest event first.
		tests := []struct {
			name     string
			at       time.Time
			day      domain.Date
			abnormal []string
			missed   []string
		}{
			// 未打卡 lists who has not reported a slot yet, cut-off or not: the people MissingAM
			// and MissingPM count.
			{"OKBeforeMorningCutoff", local(today, 9, 59), today, []string{"职工3", "职工4"},
				[]string{"职工1[pm]", "职工2[am pm]", "职工3[pm]", "职工4[am]", "职工8[am pm]", "职工9[pm]"}},
			{"OKAfterMorningCutoff", local(today, 10, 0), today, []string{"职工3", "职工4"},
				[]string{"职工1[pm]", "职工2[am pm]", "职工3[pm]", "职工4[am]", "职工8[am pm]", "职工9[pm]"}},
			{"OKAfterAfternoonCutoff", local(today, 16, 0), today, []string{"职工3", "职工4"},
				[]string{"职工1[pm]", "职工2[am pm]", "职工3[pm]", "职工4[am]", "职工8[am pm]", "职工9[pm]"}},
			{"OKYesterday", local(today, 16, 30), yesterday, []string{},
				[]string{"职工1[pm]", "职工2[am pm]", "职工3[am pm]", "职工4[am pm]", "职工8[am pm]", "职工9[am pm]"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w.clock.Set(tt.at)
				before := w.audit(t)
				r, err := svc.Reports.DailyReport(ctx, admin, tt.day)
				must(t, err)
				if r.Date != tt.day || r.Township.ID != w.tw.ID {
					t.Errorf("got %v of township %d, want %v of %d", r.Date, r.Township.ID, tt.day, w.tw.ID)
				}
				for _, l := range []struct {
					name      string
					got, want []string
				}{
					{"abnormal", personNames(r.Abnormal, false), tt.abnormal},
					{"missed", personNames(r.Missed, true), tt.missed},
					{"key area", personNames(r.KeyArea, false), []string{"职工3", "职工8"}},
					{"isolating", personNames(r.Isolating, false), []string{"职工3", "职工8"}},
				} {
					if !slices.Equal(l.got, l.want) {
						t.Errorf("%s: got %v, want %v", l.name, l.got, l.want)
					}
				}
				sum, err := dashSummary(ctx, svc.Dashboard, admin, domain.DashboardQuery{Date: tt.day})
				must(t, err)
				if r.Summary.Figures != sum.Figures {
					t.Errorf("got report figures %+v, want the dashboard's %+v", r.Summary.Figures, sum.Figures)
				}
				if got := w.audit(t); got != before+1 {
					t.Fatalf("got %d audit events, want %d", got, before+1)
				}
				ev := w.lastEvent(t, "report.daily")
				if ev.ActorID != w.admin.ID || ev.EntityType != "township" || ev.EntityID != w.tw.ID || !ev.At.Equal(tt.at) {
					t.Errorf("got event %+v, want report.daily of township %d by %d at %v", ev, w.tw.ID, w.admin.ID, tt.at)
				}
			})
		}
		t.Run("OKAbnormalDetail", func(t *testing.T) {
			r, err := svc.Reports.DailyReport(ctx, admin, today)
			must(t, err)
			if len(r.Abnormal) != 2 {
				t.Fatalf("got %d abnormal, want 2", len(r.Abnormal))
			}
			fever, tired := r.Abnormal[0], r.Abnormal[1]
			if fever.AM == nil || !fever.AM.Fever || fever.PM != nil || fever.Worker.EnterpriseName != w.ent.Name {
				t.Errorf("got %+v, want a morning fever at %s", fever, w.ent.Name)
			}
			if len(fever.Alerts) != 1 || fever.Alerts[0].Type != domain.AlertFever {
				t.Errorf("got alerts %+v, want today's fever alert only", fever.Alerts)
			}
			if tired.AM != nil || tired.PM == nil || len(tired.PM.Symptoms) != 1 || len(tired.Alerts) != 1 || tired.Alerts[0].Type != domain.AlertSymptoms {
				t.Errorf("got %+v, want an afternoon report with fatigue and its alert", tired)
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			before := w.audit(t)
			for _, actor := range []domain.Actor{w.sup.Actor(), w.hr.Actor(), a.Actor()} {
				_, err := svc.Reports.DailyReport(ctx, actor, today)
				wantErr(t, err, domain.ErrForbidden)
				err = svc.Reports.RangeReport(ctx, actor, yesterday, today, func(domain.RangeRow) error { return nil })
				wantErr(t, err, domain.ErrForbidden)
			}
			if got := w.audit(t); got != before {
				t.Errorf("got %d audit events, want %d", got, before)
			}
		})

		// The range export: every enterprise-day with statistics, by date then enterprise. 职工8's
		// arrival alert dates (D-3, ent2), 职工3's (D-2, ent), 职工1's late report (D-1, ent);
		// today has both enterprises' snapshots.
		from := w.daysAgo(3)
		t.Run("OKRange", func(t *testing.T) {
			before := w.audit(t)
			var got []dayKey
			stats, err := w.stores.Stats.Days(ctx, domain.StatsFilter{TownshipID: w.tw.ID}, from, today)
			must(t, err)
			err = svc.Reports.RangeReport(ctx, admin, from, today, func(r domain.RangeRow) error {
				got = append(got, dayKey{r.EnterpriseID, r.Date})
				if r.Enterprise.ID != r.EnterpriseID || r.Enterprise.Name == "" {
					t.Errorf("got enterprise %+v on row of %d, want it named", r.Enterprise, r.EnterpriseID)
				}
				if i := len(got) - 1; i < len(stats) {
					want := stats[i]
					want.AlertsOpen = w.openAt(t, w.tw, want.Date)[want.EnterpriseID]
					if r.DayRow != want {
						t.Errorf("row %d: got %+v, want %+v", i, r.DayRow, want)
					}
				}
				return nil
			})
			must(t, err)
			want := []dayKey{{w.ent2.ID, from}, {w.ent.ID, w.daysAgo(2)}, {w.ent.ID, yesterday}, {w.ent.ID, today}, {w.ent2.ID, today}}
			if !slices.Equal(got, want) {
				t.Errorf("got rows %v, want %v", got, want)
			}
			if n := w.audit(t); n != before+1 {
				t.Fatalf("got %d audit events, want %d", n, before+1)
			}
			if ev := w.lastEvent(t, "report.range"); ev.ActorID != w.admin.ID || ev.EntityID != w.tw.ID {
				t.Errorf("got event %+v, want report.range of township %d by %d", ev, w.tw.ID, w.admin.ID)
			}
		})
		t.Run("ErrInvalidRange", func(t *testing.T) {
			before := w.audit(t)
			noRows := func(domain.RangeRow) error { t.Error("got a row, want none"); return nil }
			wantErr(t, svc.Reports.RangeReport(ctx, admin, today, yesterday, noRows), domain.ErrInvalid, "from")
			wantErr(t, svc.Reports.RangeReport(ctx, admin, domain.Date{}, domain.Date{}, noRows), domain.ErrInvalid, "from", "to")
			if got := w.audit(t); got != before {
				t.Errorf("got %d audit events, want %d", got, before)
			}
		})
	})
}

// TestStatsRecountDuringCheckin runs RecountActivity while a check-in's transaction is still
// open, the check-in being its enterprise's first of the day (so its statistics row is new and
// uncommitted). RecountActivity promises that such a check-in "waits for the rows this locks
// and then adds itself, so nothing is counted twice or lost".
func TestStatsRecountDuringCheckin(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		wk := w.back(t, w.hr, 1)
		yesterday := w.daysAgo(1) // no statistics row yet: today's has the roster snapshot
		inserted, release := make(chan struct{}), make(chan struct{})
		checkedIn := make(chan error, 1)
		go func() {
			checkedIn <- w.stores.Tx.InTx(w.ctx, func(ctx context.Context) error {
				c := domain.Checkin{
					TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Date: yesterday,
					Slot: domain.SlotPM, Temperature: 385, Fever: true, Location: domain.AtWork,
				}
				if _, err := w.stores.Checkins.Upsert(ctx, &c); err != nil {
					return err
				}
				close(inserted)
				<-release
				return nil
			})
		}()
		select {
		case <-inserted:
		case err := <-checkedIn:
			t.Fatalf("got error %v, want the check-in's transaction open", err)
		}
		recounted := make(chan error, 1)
		go func() { recounted <- w.stores.Stats.RecountActivity(w.ctx, w.tw.ID, yesterday, w.today()) }()
		// Give the recount time to reach the uncommitted row. Were it slower, it would start
		// after the commit and count the check-in anyway: the sleep cannot make the test fail.
		time.Sleep(300 * time.Millisecond)
		close(release)
		must(t, <-checkedIn)
		must(t, <-recounted)
		got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, yesterday, yesterday)
		must(t, err)
		wantDays(t, got, map[dayKey]domain.Figures{{w.ent.ID, yesterday}: {CheckinsPM: 1, Fever: 1}})
	})
}

// TestStatsManyWorkersAtOnce writes, in one transaction, the check-ins of more workers than
// PostgreSQL's lock table has room for locks (max_locks_per_transaction × connections, 6,400
// by default): the statistics' many-row path locked each worker, and such a write (a bulk
// load, a day's check-ins turned due by a roster change of a large enterprise) failed with
// "out of shared memory". It must count them all.
func TestStatsManyWorkersAtOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *repo.DB) {
		w := newWorld(t, db)
		n := 20_000 // the default lock table took about 10,000 here
		if db.Dialect != repo.Postgres {
			n = 1000 // SQLite has no lock table; the figures are checked all the same
		}
		yesterday := w.daysAgo(1)
		ws := make([]domain.Worker, n)
		for i := range ws {
			ws[i] = domain.Worker{TownshipID: w.tw.ID, EnterpriseID: w.ent.ID, Name: fmt.Sprintf("职工%d", i),
				IDNumber: domain.IDNumber(fmt.Sprintf("37168119900101%04d", i)), Phone: fmt.Sprintf("139%08d", i),
				RiskLevel: domain.RiskLow, Status: domain.WorkerOnDuty, ArrivedOn: w.daysAgo(3)}
		}
		must(t, w.stores.Workers.CreateMany(w.ctx, ws))
		cs := make([]domain.Checkin, 0, 2*n)
		for i, wk := range ws {
			for _, slot := range []domain.Slot{domain.SlotAM, domain.SlotPM} {
				temp := domain.Temperature(365)
				if i%10 == 0 && slot == domain.SlotPM {
					temp = 385
				}
				cs = append(cs, domain.Checkin{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID,
					Date: yesterday, Slot: slot, Temperature: temp, Fever: w.tw.Fever(temp), Location: domain.AtWork,
					CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now(), Due: domain.DueOn(wk, yesterday)})
			}
		}
		must(t, w.stores.Tx.InTx(w.ctx, func(ctx context.Context) error { return w.stores.Checkins.InsertMany(ctx, cs) }))
		got, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, yesterday, yesterday)
		must(t, err)
		want := map[dayKey]domain.Figures{{w.ent.ID, yesterday}: {CheckinsAM: n, CheckinsPM: n, Fever: n / 10}}
		if recounted := w.recount(t, w.tw, yesterday, yesterday); recounted[dayKey{w.ent.ID, yesterday}] != want[dayKey{w.ent.ID, yesterday}] {
			t.Fatalf("recount: got %+v, want %+v", recounted, want)
		}
		wantDays(t, got, want)
	})
}
