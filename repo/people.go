package repo

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"fugong/domain"
)

// dayPeopleQuery reads the workers of a township with their two check-ins of a day, in one
// statement: only the columns the daily report's people sheets show or decide with. It leaves
// out whoever no sheet can list (the rule people_listed of repo/stats), which in a township at
// work is most people; what each sheet lists is decided by the caller, which this only
// narrows: a quarter of a 50,000-worker report's time was reading the people it then dropped.
func dayPeopleQuery(r *statsRules) string {
	return `SELECT w.id, w.enterprise_id, w.name, w.id_number_sealed, w.phone, w.department,
  w.origin_region, w.arrived_on, w.risk_level, w.status, w.isolation_start, w.isolation_until,
  am.id, am.temperature, am.fever, am.symptoms, am.symptom_note, am.had_fever, am.had_symptoms, am.due, am.late,
  pm.id, pm.temperature, pm.fever, pm.symptoms, pm.symptom_note, pm.had_fever, pm.had_symptoms, pm.due, pm.late
FROM workers w
LEFT JOIN checkins am ON am.worker_id = w.id AND am.date = @d AND am.slot = 'am'
LEFT JOIN checkins pm ON pm.worker_id = w.id AND pm.date = @d AND pm.slot = 'pm'
WHERE w.township_id = @t
  AND ` + r.rule("people_listed")
}

// DayPeople streams a township's workers with their check-ins of day d and returns those keep
// wants, by enterprise and worker ID, with their ID numbers opened. It scans rows by hand rather than through GORM's
// reflection, and opens the ID numbers of the kept people only: the daily report of a township
// of 50,000 read them all three ways and spent most of its time there (BENCHMARKS.md). The
// workers carry the fields the people sheets use; the check-ins their readings and symptoms.
func (s *WorkerStore) DayPeople(ctx context.Context, townshipID int64, d domain.Date, keep func(*domain.PersonDay) bool) ([]domain.PersonDay, error) {
	var kept keptPeople
	q := s.DB.conn(ctx).Raw(dayPeopleQuery(s.DB.stats()), map[string]any{"t": townshipID, "d": d.Time()})
	// Through pgx the rows are scanned into pgx's own types: database/sql turned every value
	// of the 25,000 rows into a driver.Value and converted it again into its destination, a
	// fifth of the daily report's reading (BENCHMARKS.md).
	scanRow := scanPersonRow
	if s.DB.pgxReads(ctx) {
		scanRow = scanPgxPersonRow
	}
	var r personRow
	var pr pgxPersonRow
	err := s.DB.eachRow(ctx, q, func(scan func(...any) error) error {
		row, err := scanRow(scan, &r, &pr)
		if err != nil {
			return err
		}
		p := kept.next()
		row.personDay(p, townshipID, d)
		if keep(p) {
			kept.sealed = append(kept.sealed, row.seal)
		} else {
			kept.drop()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.openInOrder(&kept)
}

// keptPeople are DayPeople's people, in blocks (rowBlocks): one slice of them, copied whole
// each time it grew, was a quarter of the read's time (a person is 432 bytes; the report's
// people are tens of thousands). A person not kept gives their place back to the next.
type keptPeople struct {
	rowBlocks[domain.PersonDay]
	sealed []string // their ID numbers, sealed
}

// scanPersonRow scans a row of dayPeopleQuery through database/sql, into r.
func scanPersonRow(scan func(...any) error, r *personRow, _ *pgxPersonRow) (*personRow, error) {
	return r, scan(r.dest()...)
}

// scanPgxPersonRow scans a row of dayPeopleQuery through pgx, into pr, and gives it as a
// personRow.
func scanPgxPersonRow(scan func(...any) error, _ *personRow, pr *pgxPersonRow) (*personRow, error) {
	if err := scan(pr.dest()...); err != nil {
		return nil, err
	}
	return pr.row(), nil
}

// openInOrder puts people in the order the sheets list them, by enterprise and worker ID, and
// opens their ID numbers. The order is not the statement's: with ORDER BY, PostgreSQL sorted
// every row (on disk, past work_mem) before sending the first, where without it the rows
// stream while it joins. Indexes are sorted, not the people, which are big to swap.
func (s *WorkerStore) openInOrder(kept *keptPeople) ([]domain.PersonDay, error) {
	n := len(kept.sealed)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		wa, wb := &kept.at(a).Worker, &kept.at(b).Worker
		return cmp.Or(cmp.Compare(wa.EnterpriseID, wb.EnterpriseID), cmp.Compare(wa.ID, wb.ID))
	})
	out := make([]domain.PersonDay, n)
	for i, k := range order {
		p := kept.at(k)
		id, err := s.Box.Open(kept.sealed[k], idPurpose)
		if err != nil {
			return nil, fmt.Errorf("worker %d: %w", p.Worker.ID, err)
		}
		out[i] = *p
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
	hadFever    sql.NullBool
	hadSymptoms sql.NullBool
	due         sql.NullBool
	late        sql.NullBool
}

func (c *dayCheckin) dest() []any {
	return []any{&c.id, &c.temperature, &c.fever, &c.symptoms, &c.note, &c.hadFever, &c.hadSymptoms, &c.due, &c.late}
}

// checkin is the reading, or nil without one.
func (c *dayCheckin) checkin(w domain.Worker, d domain.Date, slot domain.Slot) *domain.Checkin {
	if !c.id.Valid {
		return nil
	}
	out := &domain.Checkin{ID: c.id.Int64, TownshipID: w.TownshipID, EnterpriseID: w.EnterpriseID, WorkerID: w.ID,
		Date: d, Slot: slot, Temperature: domain.Temperature(c.temperature.Int64), Fever: c.fever.Bool,
		SymptomNote: c.note.String, Symptoms: []domain.Symptom{}, HadFever: c.hadFever.Bool,
		HadSymptoms: c.hadSymptoms.Bool, Due: c.due.Bool, Late: c.late.Bool}
	if c.symptoms.String == "" {
		return out // most readings: strings.Split would allocate for nothing
	}
	for _, s := range strings.Split(c.symptoms.String, ",") {
		if s != "" {
			out.Symptoms = append(out.Symptoms, domain.Symptom(s))
		}
	}
	return out
}

// personRow is one row of dayPeopleQuery as database/sql scans it; pgxPersonRow fills one too.
type personRow struct {
	w                           domain.Worker
	seal, risk, status          string
	arrived, isoStart, isoUntil sql.NullTime
	am, pm                      dayCheckin
}

func (r *personRow) dest() []any {
	dest := []any{&r.w.ID, &r.w.EnterpriseID, &r.w.Name, &r.seal, &r.w.Phone, &r.w.Department, &r.w.OriginRegion,
		&r.arrived, &r.risk, &r.status, &r.isoStart, &r.isoUntil}
	return append(append(dest, r.am.dest()...), r.pm.dest()...)
}

// personDay fills p with the person of the row, ID number still sealed.
func (r *personRow) personDay(p *domain.PersonDay, townshipID int64, d domain.Date) {
	w := &p.Worker
	*w = r.w
	w.TownshipID = townshipID
	w.ArrivedOn, w.IsolationStart, w.IsolationUntil = dateOf(r.arrived), dateOf(r.isoStart), dateOf(r.isoUntil)
	w.RiskLevel, w.Status = domain.RiskLevel(r.risk), domain.WorkerStatus(r.status)
	p.AM, p.PM = r.am.checkin(*w, d, domain.SlotAM), r.pm.checkin(*w, d, domain.SlotPM)
}

// pgxPersonRow is one row of dayPeopleQuery in pgx's types.
type pgxPersonRow struct {
	id, enterprise                        int64
	name, seal, phone, department, origin string
	risk, status                          pgtype.DriverBytes // read into the known words
	arrived, isoStart, isoUntil           pgtype.Date
	am, pm                                pgxCheckin
	out                                   personRow
}

// pgxCheckin is a LEFT JOINed check-in of dayPeopleQuery in pgx's types.
type pgxCheckin struct {
	id          pgtype.Int8
	temperature pgtype.Int2
	fever       pgtype.Bool
	symptoms    pgtype.Text
	note        pgtype.Text
	flags       [4]pgtype.Bool // had_fever, had_symptoms, due, late
}

func (r *pgxPersonRow) dest() []any {
	return []any{&r.id, &r.enterprise, &r.name, &r.seal, &r.phone, &r.department, &r.origin,
		&r.arrived, &r.risk, &r.status, &r.isoStart, &r.isoUntil,
		&r.am.id, &r.am.temperature, &r.am.fever, &r.am.symptoms, &r.am.note,
		&r.am.flags[0], &r.am.flags[1], &r.am.flags[2], &r.am.flags[3],
		&r.pm.id, &r.pm.temperature, &r.pm.fever, &r.pm.symptoms, &r.pm.note,
		&r.pm.flags[0], &r.pm.flags[1], &r.pm.flags[2], &r.pm.flags[3]}
}

// row is the row as personRow, for what both readers share.
func (r *pgxPersonRow) row() *personRow {
	o := &r.out
	o.w = domain.Worker{ID: r.id, EnterpriseID: r.enterprise, Name: r.name, Phone: r.phone, Department: r.department, OriginRegion: r.origin}
	o.seal = r.seal
	o.risk, o.status = string(intern(r.risk, riskLevels)), string(intern(r.status, workerStatuses))
	o.arrived, o.isoStart, o.isoUntil = nullTime(r.arrived), nullTime(r.isoStart), nullTime(r.isoUntil)
	o.am, o.pm = r.am.dayCheckin(), r.pm.dayCheckin()
	return o
}

func (c pgxCheckin) dayCheckin() dayCheckin {
	return dayCheckin{id: sql.NullInt64{Int64: c.id.Int64, Valid: c.id.Valid},
		temperature: sql.NullInt64{Int64: int64(c.temperature.Int16), Valid: c.temperature.Valid},
		fever:       sql.NullBool{Bool: c.fever.Bool, Valid: c.fever.Valid},
		symptoms:    sql.NullString{String: c.symptoms.String, Valid: c.symptoms.Valid},
		note:        sql.NullString{String: c.note.String, Valid: c.note.Valid},
		hadFever:    nullBool(c.flags[0]), hadSymptoms: nullBool(c.flags[1]), due: nullBool(c.flags[2]), late: nullBool(c.flags[3])}
}

func nullBool(b pgtype.Bool) sql.NullBool { return sql.NullBool{Bool: b.Bool, Valid: b.Valid} }

func nullTime(d pgtype.Date) sql.NullTime { return sql.NullTime{Time: d.Time, Valid: d.Valid} }
