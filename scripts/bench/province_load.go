package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fugong/domain"
	"fugong/scripts/internal/loadtest"
)

// A province is loaded in three steps: one township through the services (loadtest.Seed: its
// admin, enterprises, shifts and workers, the product's own paths), then every other township
// cloned from it in SQL, one transaction each (the services would take hours for ten million
// workers, and what is measured is the database they leave, not how it was filled), then the
// check-ins by COPY with the triggers off, as a restore loads history, and the statistics
// recounted by `fugong stats rebuild`.

// cloneOverrides are the columns a cloned township's rows take from elsewhere than their
// source row (x): the new township's id ($1), its own zones, enterprises and shifts (found by
// the keys unique within a township: zone and shift names, credit codes), codes unique across
// the platform made unique again ($2 is the clone's number; the township's own statement has
// only the clone's number, $1, and the source, $2).
var cloneOverrides = map[string]map[string]string{
	"townships": {"name": "x.name || $1::text", "code": "x.code || '-' || $1::text"},
	"zones":     {"township_id": "$1"},
	"enterprises": {"township_id": "$1", "code": "x.code || '-' || $2::text",
		"zone_id": "(SELECT nz.id FROM zones oz JOIN zones nz ON nz.township_id = $1 AND nz.name = oz.name WHERE oz.id = x.zone_id)"},
	"shifts": {"township_id": "$1", "enterprise_id": provinceEnterpriseOf},
	"workers": {"township_id": "$1", "enterprise_id": provinceEnterpriseOf, "batch_id": "NULL",
		"shift_id": `(SELECT ns.id FROM shifts os JOIN enterprises oe ON oe.id = os.enterprise_id
			JOIN enterprises ne ON ne.township_id = $1 AND ne.credit_code = oe.credit_code
			JOIN shifts ns ON ns.enterprise_id = ne.id AND ns.name = os.name WHERE os.id = x.shift_id)`},
}

const provinceEnterpriseOf = `(SELECT ne.id FROM enterprises oe JOIN enterprises ne ON ne.township_id = $1
	AND ne.credit_code = oe.credit_code WHERE oe.id = x.enterprise_id)`

// cloneTables are cloned in this order (each refers to the ones before it).
var cloneTables = []string{"zones", "enterprises", "shifts", "workers"}

// cloneStatements builds, from the schema as it is (so a column added later is cloned too),
// the INSERT … SELECT of each table that copies the source township's ($3) rows into a clone.
// The $n are numbers written into the text (cloneTownships), not parameters: not every
// statement names every one, which PostgreSQL refuses of parameters.
func cloneStatements(ctx context.Context, conn *pgx.Conn) (map[string]string, error) {
	out := map[string]string{}
	for _, table := range append([]string{"townships"}, cloneTables...) {
		rows, err := conn.Query(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> 'id' ORDER BY ordinal_position`, table)
		if err != nil {
			return nil, err
		}
		cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = "x." + c
			if e, ok := cloneOverrides[table][c]; ok {
				exprs[i] = e
			}
		}
		where := "x.township_id = $3 ORDER BY x.id"
		if table == "townships" {
			where = "x.id = $2 RETURNING id"
		}
		out[table] = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s x WHERE %s",
			table, strings.Join(cols, ", "), strings.Join(exprs, ", "), table, where)
	}
	return out, nil
}

// cloneTownships makes n-1 more townships like src, each with its zones, enterprises, shifts
// and workers, and returns the ids of all n (src first).
func cloneTownships(ctx context.Context, dbURL string, src int64, n int) ([]int64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	stmts, err := cloneStatements(ctx, conn)
	if err != nil {
		return nil, err
	}
	ids := []int64{src}
	began := time.Now()
	for g := 2; g <= n; g++ {
		var id int64
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			sql := strings.NewReplacer("$1", strconv.Itoa(g), "$2", strconv.FormatInt(src, 10)).Replace(stmts["townships"])
			if err := tx.QueryRow(ctx, sql).Scan(&id); err != nil {
				return fmt.Errorf("township: %w", err)
			}
			params := strings.NewReplacer("$1", strconv.FormatInt(id, 10), "$2", strconv.Itoa(g), "$3", strconv.FormatInt(src, 10))
			for _, t := range cloneTables {
				if _, err := tx.Exec(ctx, params.Replace(stmts[t])); err != nil {
					return fmt.Errorf("%s: %w", t, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("clone %d of township %d: %w", g, src, err)
		}
		ids = append(ids, id)
		if g%200 == 0 {
			fmt.Printf("_… %d townships in %s_\n\n", g, time.Since(began).Round(time.Second))
		}
	}
	return ids, nil
}

// provinceWorker is what a check-in row needs of its worker.
type provinceWorker struct{ id, township, enterprise int64 }

// provinceWorkers reads every worker of the province, in id order.
func provinceWorkers(ctx context.Context, conn *pgx.Conn) ([]provinceWorker, error) {
	rows, err := conn.Query(ctx, `SELECT id, township_id, enterprise_id FROM workers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var out []provinceWorker
	var w provinceWorker
	_, err = pgx.ForEachRow(rows, []any{&w.id, &w.township, &w.enterprise}, func() error {
		out = append(out, w)
		return nil
	})
	return out, err
}

// makeMonths makes the month partitions of the days (migration 00023's month_partition) that do
// not exist yet: the server makes only the current month and three ahead.
func makeMonths(ctx context.Context, conn *pgx.Conn, days []domain.Date) error {
	for _, d := range days {
		for _, t := range []string{"checkin_readings", "checkins", "alerts"} {
			if _, err := conn.Exec(ctx, `SELECT month_partition($1, $2::date)`, t, d.Time()); err != nil {
				return fmt.Errorf("partition %s %s: %w", t, d, err)
			}
		}
	}
	return nil
}

// copyProvinceDay loads one day's two check-ins of every worker by COPY on a session whose
// triggers are off, except for the workers of township skip (-1: none), and then their
// readings (one each, as a check-in's first reading) with INSERT … SELECT, as migration 00011
// filled them. It returns how many check-ins.
func copyProvinceDay(ctx context.Context, conn *pgx.Conn, workers []provinceWorker, day domain.Date, skip int64, seed uint64) (int64, error) {
	if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(seed, 22))
	wi, slot := 0, 0
	cols := []string{"township_id", "enterprise_id", "worker_id", "date", "slot", "temperature", "fever",
		"symptoms", "symptom_note", "location", "created_at", "updated_at"}
	src := pgx.CopyFromFunc(func() ([]any, error) {
		for wi < len(workers) && workers[wi].township == skip {
			wi++
		}
		if wi == len(workers) {
			return nil, nil
		}
		w := workers[wi]
		at := day.Time().Add(time.Duration(1+9*slot) * time.Hour)
		temp, fever, sym := 360+rng.IntN(10), false, ""
		if rng.IntN(500) == 0 {
			temp, fever, sym = 375+rng.IntN(10), true, "fever"
		}
		row := []any{w.township, w.enterprise, w.id, day.Time(), []string{"am", "pm"}[slot], temp, fever, sym, "", "work", at, at}
		if slot++; slot == 2 {
			slot, wi = 0, wi+1
		}
		return row, nil
	})
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"checkins"}, cols, src)
	if err != nil {
		return 0, err
	}
	_, err = conn.Exec(ctx, `INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot,
			temperature, fever, symptoms, symptom_note, location, submitted_by, correction_note, at)
		SELECT id, township_id, enterprise_id, worker_id, date, slot, temperature, fever, symptoms, symptom_note, location,
			submitted_by, '', updated_at FROM checkins WHERE date = $1`, day.Time())
	return n, err
}

// townshipDataset is a cloned township's workers as a Dataset the check-in runs can use.
func townshipDataset(ctx context.Context, conn *pgx.Conn, township int64, today domain.Date) (*loadtest.Dataset, error) {
	rows, err := conn.Query(ctx, `SELECT id, enterprise_id, token_generation FROM workers WHERE township_id = $1 ORDER BY id`, township)
	if err != nil {
		return nil, err
	}
	d := &loadtest.Dataset{Township: domain.Township{ID: township}, Today: today}
	var w domain.Worker
	_, err = pgx.ForEachRow(rows, []any{&w.ID, &w.EnterpriseID, &w.Generation}, func() error {
		w.TownshipID = township
		d.Workers = append(d.Workers, w)
		return nil
	})
	return d, err
}
