package main

import (
	"context"
	"fmt"

	"fugong/domain"
)

// The physical limit (issue 23): the same single-row upsert into a bare table with the same
// columns and the same key and nothing else (no trigger, no foreign key, no worker read, no
// other index), one statement per transaction, prepared, as pgbench runs a custom script. What
// Fugong adds on top (HTTP, the worker's token, the worker's standing, the statistics trigger)
// must be paid for by what it saves (group commit), for Fugong to reach it.

// checkinBareTable is made in the scenario's scratch database, beside checkins.
const checkinBareTable = `CREATE TABLE bare_checkins (LIKE checkins INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE bare_checkins ADD UNIQUE (worker_id, date, slot)`

// checkinBareUpsert writes every column checkins' upsert writes, from the values the phone's
// report has, and says whether the row is new as the product's statement does (xmax = 0).
const checkinBareUpsert = `INSERT INTO bare_checkins (township_id, enterprise_id, worker_id, date, slot, temperature,
	fever, had_fever, symptoms, had_symptoms, symptom_note, location, submitted_by, late, due, correction_note,
	created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, false, false, '', false, '', 'work', NULL, $7, true, '', now(), now())
ON CONFLICT (worker_id, date, slot) DO UPDATE SET temperature = excluded.temperature, updated_at = excluded.updated_at
RETURNING xmax = 0`

// checkinBarePgUpsert is the bare-table baseline: a pgx pool of checkinConns connections, each
// statement prepared once per connection by pgx's statement cache and committed on its own.
func checkinBarePgUpsert(ctx context.Context, dbURL string) (checkinUpsertFunc, func(), error) {
	pool, err := checkinPgPool(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	if _, err := pool.Exec(ctx, "DROP TABLE IF EXISTS bare_checkins"); err == nil {
		_, err = pool.Exec(ctx, checkinBareTable)
	}
	if err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("bare table: %w", err)
	}
	return func(ctx context.Context, c *domain.Checkin, _ int64) (bool, error) {
		var created bool
		err := pool.QueryRow(ctx, checkinBareUpsert, c.TownshipID, c.EnterpriseID, c.WorkerID, c.Date.Time(),
			string(c.Slot), int(c.Temperature), c.Late).Scan(&created)
		return created, err
	}, pool.Close, nil
}
