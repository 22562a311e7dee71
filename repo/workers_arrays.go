package repo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// insertWorkerArrays inserts one row per array index: PostgreSQL unnests the 22 column arrays
// into rows. Sent as 21 parameters however many rows, it cost the 50,000-row import a tenth of
// what GORM's multi-row INSERT did, which bound 21,000 parameters a statement through
// reflection (BENCHMARKS.md). The rows come back with their IDs by enterprise and blind index,
// which are unique together.
const insertWorkerArrays = `INSERT INTO workers (township_id, enterprise_id, name, id_number_sealed, id_number_index,
  phone, department, shift_id, batch_id, origin_region, arrived_on, transport, key_area_exposure, contact_history,
  risk_level, risk_reason, status, isolation_place, isolation_start, isolation_until, created_at, updated_at)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
  $8::bigint[], $9::bigint[], $10::text[], $11::date[], $12::text[], $13::boolean[], $14::boolean[], $15::text[],
  $16::text[], $17::text[], $18::text[], $19::date[], $20::date[], $21::timestamptz[], $22::timestamptz[])
RETURNING id, enterprise_id, id_number_index`

// workerArrays holds workers column by column.
type workerArrays struct {
	township, enterprise                                []int64
	name, sealed, index, phone, department, origin      []string
	shift, batch                                        []pgtype.Int8
	transport, risk, riskReason, status, isolationPlace []string
	arrived, isoStart, isoUntil                         []pgtype.Date
	keyArea, contact                                    []bool
	created, updated                                    []time.Time
}

func (a *workerArrays) add(r workerRow) {
	a.township, a.enterprise = append(a.township, r.TownshipID), append(a.enterprise, r.EnterpriseID)
	a.name, a.sealed, a.index = append(a.name, r.Name), append(a.sealed, r.IDNumberSealed), append(a.index, r.IDNumberIndex)
	a.phone, a.department = append(a.phone, r.Phone), append(a.department, r.Department)
	a.shift = append(a.shift, pgtype.Int8{Int64: r.ShiftID.Int64, Valid: r.ShiftID.Valid})
	a.batch = append(a.batch, pgtype.Int8{Int64: r.BatchID.Int64, Valid: r.BatchID.Valid})
	a.origin, a.transport = append(a.origin, r.OriginRegion), append(a.transport, r.Transport)
	a.keyArea, a.contact = append(a.keyArea, r.KeyAreaExposure), append(a.contact, r.ContactHistory)
	a.risk, a.riskReason, a.status = append(a.risk, r.RiskLevel), append(a.riskReason, r.RiskReason), append(a.status, r.Status)
	a.isolationPlace = append(a.isolationPlace, r.IsolationPlace)
	a.arrived = append(a.arrived, pgtype.Date{Time: r.ArrivedOn.Time, Valid: r.ArrivedOn.Valid})
	a.isoStart = append(a.isoStart, pgtype.Date{Time: r.IsolationStart.Time, Valid: r.IsolationStart.Valid})
	a.isoUntil = append(a.isoUntil, pgtype.Date{Time: r.IsolationUntil.Time, Valid: r.IsolationUntil.Valid})
	a.created, a.updated = append(a.created, r.CreatedAt), append(a.updated, r.UpdatedAt)
}

func (a *workerArrays) args() []any {
	return []any{a.township, a.enterprise, a.name, a.sealed, a.index, a.phone, a.department, a.shift, a.batch, a.origin,
		a.arrived, a.transport, a.keyArea, a.contact, a.risk, a.riskReason, a.status, a.isolationPlace,
		a.isoStart, a.isoUntil, a.created, a.updated}
}

// createManyArrays inserts rows on PostgreSQL and sets their IDs. It goes to the connection
// (or the transaction) under GORM, as GORM would spread the slice parameters into lists.
func (s *WorkerStore) createManyArrays(ctx context.Context, rows []workerRow) error {
	var a workerArrays
	for _, r := range rows {
		a.add(r)
	}
	type key struct {
		enterprise int64
		index      string
	}
	at := make(map[key]int, len(rows))
	for i, r := range rows {
		at[key{r.EnterpriseID, r.IDNumberIndex}] = i
	}
	db := s.DB.conn(ctx)
	res, err := db.Statement.ConnPool.QueryContext(ctx, insertWorkerArrays, a.args()...)
	if err != nil {
		return translateDriver(db, err)
	}
	defer res.Close()
	n := 0
	for res.Next() {
		var id int64
		var k key
		if err := res.Scan(&id, &k.enterprise, &k.index); err != nil {
			return err
		}
		i, ok := at[k]
		if !ok {
			return fmt.Errorf("workers: the database returned a row that was not inserted (enterprise %d)", k.enterprise)
		}
		rows[i].ID = id
		n++
	}
	if err := res.Err(); err != nil {
		return translateDriver(db, err)
	}
	if n != len(rows) {
		return fmt.Errorf("workers: %d of %d rows inserted", n, len(rows))
	}
	return nil
}
