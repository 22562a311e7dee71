package repo

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"fugong/domain"
)

// dayPeopleQuery reads the workers of a township with their two check-ins of a day, in one
// statement: only the columns the daily report's people sheets show or decide with. It leaves
// out whoever no sheet can list,
// which in a township at work is most people: both check-ins in and normal, low risk, never
// isolated (what each sheet lists is decided by the caller, which this only narrows: a
// quarter of a 50,000-worker report's time was reading the people it then dropped).
const dayPeopleQuery = `SELECT w.id, w.enterprise_id, w.name, w.id_number_sealed, w.phone, w.department,
  w.origin_region, w.arrived_on, w.risk_level, w.status, w.isolation_start, w.isolation_until,
  am.id, am.temperature, am.fever, am.symptoms, am.symptom_note,
  pm.id, pm.temperature, pm.fever, pm.symptoms, pm.symptom_note
FROM workers w
LEFT JOIN checkins am ON am.worker_id = w.id AND am.date = @d AND am.slot = 'am'
LEFT JOIN checkins pm ON pm.worker_id = w.id AND pm.date = @d AND pm.slot = 'pm'
WHERE w.township_id = @t
  AND (am.id IS NULL OR pm.id IS NULL OR am.fever OR pm.fever OR COALESCE(am.symptoms, '') <> ''
    OR COALESCE(pm.symptoms, '') <> '' OR w.risk_level IN ('high', 'medium') OR w.isolation_start IS NOT NULL)`

// DayPeople streams a township's workers with their check-ins of day d and returns those keep
// wants, by enterprise and worker ID, with their ID numbers opened. It scans rows by hand rather than through GORM's
// reflection, and opens the ID numbers of the kept people only: the daily report of a township
// of 50,000 read them all three ways and spent most of its time there (BENCHMARKS.md). The
// workers carry the fields the people sheets use; the check-ins their readings and symptoms.
func (s *WorkerStore) DayPeople(ctx context.Context, townshipID int64, d domain.Date, keep func(*domain.PersonDay) bool) ([]domain.PersonDay, error) {
	rows, err := s.DB.conn(ctx).Raw(dayPeopleQuery, map[string]any{"t": townshipID, "d": d.Time()}).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var kept []domain.PersonDay
	var sealed []string
	for rows.Next() {
		p, seal, err := scanPersonDay(rows, townshipID, d)
		if err != nil {
			return nil, err
		}
		if keep(&p) {
			kept, sealed = append(kept, p), append(sealed, seal)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.openInOrder(kept, sealed)
}

// openInOrder puts people in the order the sheets list them, by enterprise and worker ID, and
// opens their ID numbers. The order is not the statement's: with ORDER BY, PostgreSQL sorted
// every row (on disk, past work_mem) before sending the first, where without it the rows
// stream while it joins. Indexes are sorted, not the people, which are big to swap.
func (s *WorkerStore) openInOrder(kept []domain.PersonDay, sealed []string) ([]domain.PersonDay, error) {
	order := make([]int, len(kept))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		wa, wb := &kept[a].Worker, &kept[b].Worker
		return cmp.Or(cmp.Compare(wa.EnterpriseID, wb.EnterpriseID), cmp.Compare(wa.ID, wb.ID))
	})
	out := make([]domain.PersonDay, len(kept))
	for i, k := range order {
		id, err := s.Box.Open(sealed[k], idPurpose)
		if err != nil {
			return nil, fmt.Errorf("worker %d: %w", kept[k].Worker.ID, err)
		}
		out[i] = kept[k]
		out[i].Worker.IDNumber = domain.IDNumber(id)
	}
	return out, nil
}

// dayCheckin is one LEFT JOINed check-in of dayPeopleQuery: all NULL when there is none.
type dayCheckin struct {
	id          sql.NullInt64
	temperature sql.NullInt64
	fever       sql.NullBool
	symptoms    sql.NullString
	note        sql.NullString
}

func (c *dayCheckin) dest() []any {
	return []any{&c.id, &c.temperature, &c.fever, &c.symptoms, &c.note}
}

// checkin is the reading, or nil without one.
func (c *dayCheckin) checkin(w domain.Worker, d domain.Date, slot domain.Slot) *domain.Checkin {
	if !c.id.Valid {
		return nil
	}
	out := &domain.Checkin{ID: c.id.Int64, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
		Date: d, Slot: slot, Temperature: domain.Temperature(c.temperature.Int64), Fever: c.fever.Bool,
		SymptomNote: c.note.String, Symptoms: []domain.Symptom{}}
	for _, s := range strings.Split(c.symptoms.String, ",") {
		if s != "" {
			out.Symptoms = append(out.Symptoms, domain.Symptom(s))
		}
	}
	return out
}

// scanPersonDay reads one row of dayPeopleQuery, and the worker's sealed ID number.
func scanPersonDay(rows *sql.Rows, townshipID int64, d domain.Date) (domain.PersonDay, string, error) {
	var (
		w                           domain.Worker
		seal, risk, status          string
		arrived, isoStart, isoUntil sql.NullTime
		am, pm                      dayCheckin
	)
	w.TownshipID = townshipID
	dest := []any{&w.ID, &w.EnterpriseID, &w.Name, &seal, &w.Phone, &w.Department, &w.OriginRegion,
		&arrived, &risk, &status, &isoStart, &isoUntil}
	dest = append(append(dest, am.dest()...), pm.dest()...)
	if err := rows.Scan(dest...); err != nil {
		return domain.PersonDay{}, "", err
	}
	w.ArrivedOn, w.IsolationStart, w.IsolationUntil = dateOf(arrived), dateOf(isoStart), dateOf(isoUntil)
	w.RiskLevel, w.Status = domain.RiskLevel(risk), domain.WorkerStatus(status)
	p := domain.PersonDay{Worker: w, AM: am.checkin(w, d, domain.SlotAM), PM: pm.checkin(w, d, domain.SlotPM)}
	return p, seal, nil
}
