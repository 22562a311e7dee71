package main

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

// outcome is what the database holds, compared with what the phones were told.
type outcome struct {
	sent, acked, created, replaced int
	keysAcked                      int // distinct (worker, day, slot) acknowledged at least once
	found                          int // of those, present in the database
	lost                           int // acknowledged, not in the database: must be 0
	duplicated                     int // keys with more than one row: must be 0
	stale                          int // stored value neither the last acknowledged one nor a later unanswered one: must be 0
	unackedStored                  int // keys never acknowledged yet stored: a write that committed as its answer was lost (allowed)
	strays                         int // rows of keys nobody sent: must be 0
	statsOff                       int // daily_stats rows that differ from a recount: must be 0
	unexpected                     int // answers other than 2xx and 503: must be 0
	failures                       map[string]int
	failedMax                      time.Duration // the slowest report not acknowledged
}

// verify reads the check-ins and the daily statistics of dbURL and compares them with the
// attempts. Run it with the server stopped, or at least no phone sending.
func verify(ctx context.Context, dbURL string, d *dataset, attempts []attempt) (*outcome, error) {
	o := &outcome{failures: map[string]int{}}
	byKey := map[int][]attempt{}
	for _, a := range attempts {
		o.sent++
		byKey[a.key] = append(byKey[a.key], a)
		switch {
		case a.status == http.StatusCreated:
			o.acked++
			o.created++
		case a.status == http.StatusOK:
			o.acked++
			o.replaced++
		default:
			o.failures[a.err]++
			o.failedMax = max(o.failedMax, a.took)
			if a.answered() && a.status != http.StatusServiceUnavailable {
				o.unexpected++
			}
		}
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := storedCheckins(ctx, db, d)
	if err != nil {
		return nil, err
	}
	for k, stored := range rows {
		if _, sent := byKey[k]; !sent {
			o.strays += len(stored)
		} else if len(stored) > 1 {
			o.duplicated++
		}
	}
	for k, as := range byKey {
		o.check(as, rows[k])
	}
	if o.statsOff, err = statsMismatches(ctx, db); err != nil {
		return nil, err
	}
	return o, nil
}

// check compares the rows stored for one key with the reports sent for it. Its reports were
// sent one after another (one client owns the key), so the last acknowledged one is the value
// that must be stored, unless a report sent after it, never acknowledged, was written too.
func (o *outcome) check(as []attempt, stored []domain.Temperature) {
	slices.SortFunc(as, func(a, b attempt) int { return a.began.Compare(b.began) })
	last := -1
	for i, a := range as {
		if a.acked() {
			last = i
		}
	}
	if last < 0 {
		if len(stored) > 0 {
			o.unackedStored++
		}
		return
	}
	o.keysAcked++
	if len(stored) == 0 {
		o.lost++
		return
	}
	o.found++
	allowed := map[domain.Temperature]bool{}
	for _, a := range as[last:] {
		allowed[a.temp] = true
	}
	if !allowed[stored[0]] {
		o.stale++
	}
}

// storedCheckins reads every check-in of the township's workers, by key.
func storedCheckins(ctx context.Context, db *sql.DB, d *dataset) (map[int][]domain.Temperature, error) {
	index := map[int64]int{}
	for i, w := range d.Workers {
		index[w.ID] = i
	}
	rs, err := db.QueryContext(ctx, "SELECT worker_id, date, slot, temperature FROM checkins")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[int][]domain.Temperature{}
	for rs.Next() {
		var worker int64
		var date time.Time
		var slot string
		var temp int
		if err := rs.Scan(&worker, &date, &slot, &temp); err != nil {
			return nil, err
		}
		w, ok := index[worker]
		day := domain.DateFromTime(date).DaysUntil(d.Today)
		if !ok || day < 0 || day > 1 {
			out[-1] = append(out[-1], domain.Temperature(temp)) // nobody sent this
			continue
		}
		ds := 2 * day
		if slot == string(domain.SlotPM) {
			ds++
		}
		k := ds*len(d.Workers) + w
		out[k] = append(out[k], domain.Temperature(temp))
	}
	return out, rs.Err()
}

// statsMismatches counts the (enterprise, day) rows of daily_stats whose activity figures
// differ from a recount of the check-ins and alerts: the figures the triggers keep must stay
// exact through any fault, since they commit with the check-in. The recount is the one
// RecountActivity (repo/stats.go) runs.
func statsMismatches(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `
		WITH c AS (
			SELECT enterprise_id, date, SUM(am) AS am, SUM(pm) AS pm, SUM(lt) AS lt, SUM(f) AS f, SUM(sym) AS sym,
				SUM(u) AS u FROM (
				SELECT enterprise_id, date, worker_id,
					COUNT(*) FILTER (WHERE due AND slot = 'am') AS am, COUNT(*) FILTER (WHERE due AND slot = 'pm') AS pm,
					COUNT(*) FILTER (WHERE due AND late) AS lt, MAX(had_fever::INTEGER) AS f,
					MAX(had_symptoms::INTEGER) AS sym, MAX((NOT due)::INTEGER) AS u
				FROM checkins GROUP BY 1, 2, 3) per_worker
			GROUP BY 1, 2),
		a AS (SELECT enterprise_id, date, COUNT(*) AS n, COUNT(*) FILTER (WHERE status = 'open') AS open
			FROM alerts GROUP BY 1, 2),
		want AS (
			SELECT COALESCE(c.enterprise_id, a.enterprise_id) AS enterprise_id, COALESCE(c.date, a.date) AS date,
				COALESCE(c.am, 0) AS am, COALESCE(c.pm, 0) AS pm, COALESCE(c.lt, 0) AS lt, COALESCE(c.f, 0) AS f,
				COALESCE(c.sym, 0) AS sym, COALESCE(c.u, 0) AS u, COALESCE(a.n, 0) AS n, COALESCE(a.open, 0) AS open
			FROM c FULL JOIN a ON a.enterprise_id = c.enterprise_id AND a.date = c.date)
		SELECT COUNT(*) FROM want w FULL JOIN daily_stats s ON s.enterprise_id = w.enterprise_id AND s.date = w.date
		WHERE (COALESCE(w.am, 0), COALESCE(w.pm, 0), COALESCE(w.lt, 0), COALESCE(w.f, 0), COALESCE(w.sym, 0),
				COALESCE(w.u, 0), COALESCE(w.n, 0), COALESCE(w.open, 0))
			IS DISTINCT FROM (COALESCE(s.checkins_am, 0), COALESCE(s.checkins_pm, 0), COALESCE(s.late, 0), COALESCE(s.fever, 0),
				COALESCE(s.symptomatic, 0), COALESCE(s.unregistered, 0), COALESCE(s.alerts, 0), COALESCE(s.alerts_open, 0))`).Scan(&n)
	return n, err
}

// failureSummary lists the kinds of failed reports, most frequent first.
func (o *outcome) failureSummary() string {
	if len(o.failures) == 0 {
		return "none"
	}
	kinds := slices.SortedFunc(maps.Keys(o.failures), func(a, b string) int { return o.failures[b] - o.failures[a] })
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d× %s", o.failures[k], k))
	}
	return strings.Join(parts, ", ")
}

// rows adds the comparison to a scenario's table; it returns the invariants that failed.
func (o *outcome) rows(t *loadtest.Table) (failed []string) {
	t.Add("check-ins sent", o.sent, "–", "–")
	t.Add("acknowledged (2xx): 201 new / 200 replaced", fmt.Sprintf("%d: %d / %d", o.acked, o.created, o.replaced), "> 0", verdict(o.acked > 0, &failed, "nothing acknowledged"))
	t.Add("distinct check-ins acknowledged (worker, day, slot)", o.keysAcked, "–", "–")
	t.Add("… found in the database after recovery", o.found, "all", verdict(o.found == o.keysAcked, &failed, "acknowledged check-ins missing"))
	t.Add("… lost", o.lost, "0", verdict(o.lost == 0, &failed, "lost check-ins"))
	t.Add("… duplicated (more than one row)", o.duplicated, "0", verdict(o.duplicated == 0, &failed, "duplicated check-ins"))
	t.Add("… stored value not the last acknowledged (nor a later unanswered) report", o.stale, "0", verdict(o.stale == 0, &failed, "stale values"))
	t.Add("rows nobody sent", o.strays, "0", verdict(o.strays == 0, &failed, "rows nobody sent"))
	t.Add("never acknowledged, yet stored (its answer was lost)", o.unackedStored, "allowed", "–")
	t.Add("daily_stats rows that differ from a recount", o.statsOff, "0", verdict(o.statsOff == 0, &failed, "daily_stats differs from a recount"))
	t.Add("not acknowledged, by kind", o.failureSummary(), "–", "–")
	t.Add("answers other than 2xx and 503", o.unexpected, "0", verdict(o.unexpected == 0, &failed, "answers other than 2xx and 503"))
	return failed
}
