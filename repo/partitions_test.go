package repo_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"fugong/domain"
	"fugong/repo"
	"fugong/repo/dbtest"
)

// postgresOnly returns the PostgreSQL engine, or skips the test saying why: partitions are
// PostgreSQL's (migration 00023); on SQLite the tables stay whole.
func postgresOnly(t *testing.T) dbtest.Engine {
	t.Helper()
	for _, e := range dbtest.Engines(t) {
		if e.Name == "postgres" {
			return e
		}
	}
	t.Skip("partitions are PostgreSQL's: " + dbtest.PostgresURLEnv + " is not set")
	return dbtest.Engine{}
}

// partitionsOf lists the partitions of a partitioned table, by name.
func partitionsOf(t *testing.T, db *repo.DB, table string) []string {
	t.Helper()
	pool, err := db.Pool()
	must(t, err)
	rs, err := pool.Query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`, table)
	must(t, err)
	defer rs.Close()
	var out []string
	for rs.Next() {
		var n string
		must(t, rs.Scan(&n))
		out = append(out, n)
	}
	must(t, rs.Err())
	return out
}

// scalar runs a query of one value on PostgreSQL.
func scalar[T any](t *testing.T, db *repo.DB, q string, args ...any) T {
	t.Helper()
	pool, err := db.Pool()
	must(t, err)
	var v T
	if err := pool.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// TestEnsurePartitions: the maintenance makes the current month and the three after it for
// each partitioned table, makes nothing the second time, and two processes running it at once
// (two connection pools, as two servers) make each month once, both without error.
func TestEnsurePartitions(t *testing.T) {
	t.Parallel()
	db := postgresOnly(t).Open(t)
	ctx := context.Background()
	made, err := db.EnsurePartitions(ctx, time.Date(2031, 5, 31, 23, 0, 0, 0, time.UTC))
	must(t, err)
	if made != 3*4 {
		t.Errorf("made %d partitions, want 12 (3 tables, May to August)", made)
	}
	want := []string{"checkins_2031_05", "checkins_2031_06", "checkins_2031_07", "checkins_2031_08"}
	if got := partitionsOf(t, db, "checkins"); !containsAll(got, want) {
		t.Errorf("got partitions %v, want them to include %v", got, want)
	}
	if made, err := db.EnsurePartitions(ctx, time.Date(2031, 5, 2, 0, 0, 0, 0, time.UTC)); err != nil || made != 0 {
		t.Errorf("again: made %d, %v; want 0, nil", made, err)
	}

	t.Run("Concurrent", func(t *testing.T) {
		other := dbtest.Reopen(t, db)
		when := time.Date(2033, 1, 15, 0, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		counts, errs := make([]int, 2), make([]error, 2)
		for i, d := range []*repo.DB{db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = d.EnsurePartitions(ctx, when)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || counts[0]+counts[1] != 12 {
			t.Errorf("got %v made and errors %v, want 12 made between them and no error", counts, errs)
		}
	})

	t.Run("SQLiteNothing", func(t *testing.T) {
		lite := dbtest.Engines(t)[0].Open(t)
		if made, err := lite.EnsurePartitions(ctx, time.Now()); made != 0 || err != nil {
			t.Errorf("on SQLite got %d, %v; want 0, nil", made, err)
		}
	})
}

func containsAll(got, want []string) bool {
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}

// TestCheckinWithoutPartition: a check-in for a month no partition exists for yet (a clock far
// ahead) is stored, in the default partition, and counted; when its month's partition is made
// the row moves into it, the upsert of the same worker, day and slot still replaces it, and the
// figures stay those of a recount.
func TestCheckinWithoutPartition(t *testing.T) {
	t.Parallel()
	db := postgresOnly(t).Open(t)
	w := newWorld(t, db)
	wk := w.addWorker(t, w.hr, workerForm(1, "371681", w.today()))
	day := domain.NewDate(2040, 7, 9)
	// write upserts the worker's morning check-in of day and says whether it was new.
	write := func(temp domain.Temperature) bool {
		t.Helper()
		c := domain.Checkin{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Date: day,
			Slot: domain.SlotAM, Temperature: temp, Fever: temp >= 373, Location: domain.AtWork}
		created, err := w.stores.Checkins.Upsert(w.ctx, &c)
		must(t, err)
		return created
	}
	if !write(365) {
		t.Error("the first check-in of the slot: got not new, want new")
	}
	if n := scalar[int](t, db, `SELECT COUNT(*) FROM checkins_default WHERE date = '2040-07-09'`); n != 1 {
		t.Fatalf("got %d rows in the default partition, want the check-in there", n)
	}
	figures := func() domain.Figures {
		rows, err := w.stores.Stats.Days(w.ctx, domain.StatsFilter{TownshipID: w.tw.ID}, day, day)
		must(t, err)
		var f domain.Figures
		for _, r := range rows {
			if r.EnterpriseID == wk.EnterpriseID {
				f = r.Figures
			}
		}
		return f
	}
	before := figures()
	if before.CheckinsAM != 1 {
		t.Fatalf("got %+v, want the check-in counted", before)
	}
	made, err := db.EnsurePartitions(w.ctx, day.Time())
	must(t, err)
	if made != 12 {
		t.Errorf("made %d partitions, want 12", made)
	}
	if n := scalar[int](t, db, `SELECT COUNT(*) FROM checkins_2040_07`); n != 1 {
		t.Errorf("got %d rows in July 2040's partition, want the check-in moved there", n)
	}
	if n := scalar[int](t, db, `SELECT COUNT(*) FROM checkin_readings_2040_07`); n != 1 {
		t.Errorf("got %d readings in July 2040's partition, want its reading moved there", n)
	}
	if got := figures(); got != before {
		t.Errorf("moving the row changed the figures: got %+v, want %+v", got, before)
	}
	if write(381) { // the same worker, day and slot: replaces
		t.Error("the second check-in of the slot: got new, want it to replace the first")
	}
	if n := scalar[int](t, db, `SELECT COUNT(*) FROM checkins WHERE worker_id = $1`, wk.ID); n != 1 {
		t.Errorf("got %d check-ins of the worker, want the upsert to replace the one", n)
	}
	if got := figures(); got.CheckinsAM != 1 || got.Fever != 1 {
		t.Errorf("after the fever got %+v, want one morning check-in with a fever", got)
	}
	must(t, w.stores.Stats.RecountActivity(w.ctx, w.tw.ID, day, day))
	if got := figures(); got.CheckinsAM != 1 || got.Fever != 1 {
		t.Errorf("a recount gives %+v, want what the triggers kept", got)
	}
}

// TestRetentionDropsMonths runs one world through the retention twice: on a database with its
// months as partitions (February goes whole: every township's cut-off, 11 March, is past it)
// and on one whose rows all wait in the default partition (every row is deleted one by one).
// The dry run, the run's counts, the rows left and daily_stats agree between the two.
func TestRetentionDropsMonths(t *testing.T) {
	t.Parallel()
	e := postgresOnly(t)
	type outcome struct {
		dry, run []domain.RetentionCounts
		counts   map[string]int
		stats    string
		months   []string
	}
	// runOn builds the world, with its months as partitions or not, and runs the retention;
	// with locked, another session reads check-ins meanwhile, so that the drop cannot have
	// its lock.
	runOn := func(t *testing.T, months, locked bool) outcome {
		db := e.Open(t)
		w := newRetentionWorld(t, db)
		_, err := w.townships.Update(w.ctx, w.adminB.Actor(), w.twB.ID, domain.TownshipUpdate{RetentionDays: ptr(30)})
		must(t, err)
		if months {
			_, err := db.EnsurePartitions(w.ctx, w.t0.Time())
			must(t, err)
		}
		var o outcome
		dry, err := w.svc.Retention.Run(w.ctx, true)
		must(t, err)
		stats := w.statsRows(t)
		if locked {
			pool, err := db.Pool()
			must(t, err)
			reader, err := pool.BeginTx(w.ctx, nil)
			must(t, err)
			defer reader.Rollback() //nolint:errcheck // a reader's transaction, nothing to keep
			var n int
			must(t, reader.QueryRow(`SELECT COUNT(*) FROM checkins`).Scan(&n))
		}
		run, err := w.svc.Retention.Run(w.ctx, false)
		must(t, err)
		for i := range run {
			o.dry, o.run = append(o.dry, dry[i].Removed), append(o.run, run[i].Removed)
		}
		if got := w.statsRows(t); got != stats {
			t.Errorf("daily_stats changed:\ngot\n%s\nwant\n%s", got, stats)
		}
		o.counts, o.stats, o.months = w.counts(t), stats, partitionsOf(t, db, "checkins")
		o.counts["readings"] = rows(t, db, "checkin_readings")
		return o
	}
	months, rowsOnly := runOn(t, true, false), runOn(t, false, false)
	if !reflect.DeepEqual(months.dry, months.run) || !reflect.DeepEqual(rowsOnly.dry, rowsOnly.run) {
		t.Errorf("dry runs %v and %v, runs %v and %v: want each run as its dry run", months.dry, rowsOnly.dry, months.run, rowsOnly.run)
	}
	if !reflect.DeepEqual(months.run, rowsOnly.run) || months.run[1].Checkins == 0 {
		t.Errorf("removed %v by months, %v by rows: want the same, and B's February among it", months.run, rowsOnly.run)
	}
	if !reflect.DeepEqual(months.counts, rowsOnly.counts) {
		t.Errorf("left %v by months, %v by rows: want the same", months.counts, rowsOnly.counts)
	}
	if months.stats != rowsOnly.stats {
		t.Errorf("daily_stats differ:\nby months\n%s\nby rows\n%s", months.stats, rowsOnly.stats)
	}
	if containsAll(months.months, []string{"checkins_2020_02"}) || !containsAll(months.months, []string{"checkins_2020_03", "checkins_2020_04"}) {
		t.Errorf("got partitions %v, want February 2020 dropped and March and April kept", months.months)
	}

	// A drop that cannot have its lock within dropLockTimeout drops nothing; the row deletes
	// take February's rows as they take the rest, with the same counts.
	t.Run("Locked", func(t *testing.T) {
		locked := runOn(t, true, true)
		if !reflect.DeepEqual(locked.run, rowsOnly.run) || !reflect.DeepEqual(locked.counts, rowsOnly.counts) || locked.stats != rowsOnly.stats {
			t.Errorf("with the lock held: removed %v, left %v; want %v and %v as by rows", locked.run, locked.counts, rowsOnly.run, rowsOnly.counts)
		}
		if !containsAll(locked.months, []string{"checkins_2020_02"}) {
			t.Errorf("got partitions %v, want February kept (its drop could not lock)", locked.months)
		}
	})
}

// TestPartitionMigration migrates a database with three months of check-ins, readings and
// alerts (February to April 2020) down to 00022 and up again: every row and id stays, the
// tables are partitioned by month again with each row in its month, the sequences go on, the
// unique key still makes an upsert replace, the triggers still count, and daily_stats equal a
// recount.
func TestPartitionMigration(t *testing.T) {
	t.Parallel()
	postgresOnly(t)
	ctx := context.Background()
	db, err := repo.Open(ctx, dbtest.EmptyPostgres(t), dbtest.Quiet)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Migrate(ctx)
	must(t, err)
	w := newRetentionWorld(t, db)
	type shape struct {
		Rows, MaxID int
		Kind        string
	}
	read := func() map[string]shape {
		out := map[string]shape{}
		for _, tbl := range []string{"checkins", "checkin_readings", "alerts"} {
			out[tbl] = shape{
				Rows:  scalar[int](t, db, `SELECT COUNT(*) FROM `+tbl),
				MaxID: scalar[int](t, db, `SELECT MAX(id) FROM `+tbl),
				Kind:  scalar[string](t, db, `SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)`, tbl),
			}
		}
		return out
	}
	before, stats := read(), w.statsRows(t)
	if before["checkins"].Rows < 200 || before["alerts"].Rows == 0 || before["checkins"].Kind != "p" {
		t.Fatalf("got %+v, want a partitioned world with history", before)
	}
	fresh := func() { // connections made before the change may hold plans of the old tables
		pool, err := db.Pool()
		must(t, err)
		pool.SetMaxIdleConns(0)
		pool.SetMaxIdleConns(2)
	}

	migrateDownTo(t, db, 22)
	fresh()
	down := read()
	for tbl, s := range before {
		if want := (shape{s.Rows, s.MaxID, "r"}); down[tbl] != want {
			t.Errorf("%s after Down: got %+v, want %+v", tbl, down[tbl], want)
		}
	}
	if got := w.statsRows(t); got != stats {
		t.Errorf("daily_stats changed by Down:\ngot\n%s\nwant\n%s", got, stats)
	}

	_, err = db.Migrate(ctx)
	must(t, err)
	fresh()
	if got := read(); !reflect.DeepEqual(got, before) {
		t.Errorf("after Up again: got %+v, want %+v", got, before)
	}
	want := []string{"checkins_2020_02", "checkins_2020_03", "checkins_2020_04"}
	if got := partitionsOf(t, db, "checkins"); !containsAll(got, want) {
		t.Errorf("got partitions %v, want the months of the data %v", got, want)
	}
	for _, tbl := range []string{"checkins_default", "checkin_readings_default", "alerts_default"} {
		if n := scalar[int](t, db, `SELECT COUNT(*) FROM `+tbl); n != 0 {
			t.Errorf("%s holds %d rows, want every row in its month", tbl, n)
		}
	}
	if n := scalar[int](t, db, `SELECT COUNT(*) FROM alerts_2020_02`); n == 0 {
		t.Error("February's alerts are not in February's partition")
	}

	// The triggers count, the unique key replaces, and the ids go on from where they were.
	day := w.today().AddDays(-1)
	c := domain.Checkin{TownshipID: w.stay.TownshipID, EnterpriseID: w.stay.EnterpriseID, WorkerID: w.stay.ID, Date: day,
		Slot: domain.SlotAM, Temperature: 382, Fever: true, Location: domain.AtWork}
	created, err := w.stores.Checkins.Upsert(ctx, &c)
	must(t, err)
	if created || scalar[int](t, db, `SELECT COUNT(*) FROM checkins`) != before["checkins"].Rows {
		t.Errorf("an upsert of an existing slot: got created %v and %d rows, want a replacement", created, scalar[int](t, db, `SELECT COUNT(*) FROM checkins`))
	}
	c2 := c
	c2.Date = w.today()
	_, err = w.stores.Checkins.Upsert(ctx, &c2)
	must(t, err)
	if c2.ID <= int64(before["checkins"].MaxID) {
		t.Errorf("a new check-in got id %d, want more than %d", c2.ID, before["checkins"].MaxID)
	}
	kept := w.statsRows(t)
	if kept == stats {
		t.Error("the triggers did not count the new check-ins")
	}
	must(t, w.stores.Stats.RecountActivity(ctx, w.tw.ID, w.t0, w.today()))
	if got := w.statsRows(t); got != kept {
		t.Errorf("a recount differs from what the triggers kept:\ngot\n%s\nwant\n%s", got, kept)
	}
}

// TestOtherSlotReadsByKey: the statistics trigger reads a worker's other check-in of the day
// through the check-ins' key, whatever the month's partition's statistics said when its plan
// was made. One session keeps one plan of it (plan_cache_mode = force_generic_plan, repo/stats/
// postgres.sql): made while the partition was analyzed empty, it scanned the partition whole
// at every check-in as it filled up (the check-in benchmark after an ANALYZE: 5 ms a check-in).
func TestOtherSlotReadsByKey(t *testing.T) {
	t.Parallel()
	db := postgresOnly(t).Open(t)
	w := newWorld(t, db)
	wk := w.addWorker(t, w.hr, workerForm(1, "371681", w.today()))
	day := domain.NewDate(2040, 7, 9)
	_, err := db.EnsurePartitions(w.ctx, day.Time())
	must(t, err)
	pool, err := db.Pool()
	must(t, err)
	conn, err := pool.Conn(w.ctx) // one session: the plan it makes first is the one it keeps
	must(t, err)
	defer conn.Close()
	otherSlot := `SELECT fever FROM daily_stats_other_slot($1, $2, 'pm')`
	var fever bool
	_, err = conn.ExecContext(w.ctx, `ANALYZE checkins_2040_07`)
	must(t, err)
	must(t, conn.QueryRowContext(w.ctx, otherSlot, wk.ID, day.Time()).Scan(&fever)) // planned on the empty month

	c := domain.Checkin{TownshipID: wk.TownshipID, EnterpriseID: wk.EnterpriseID, WorkerID: wk.ID, Date: day,
		Slot: domain.SlotAM, Temperature: 381, Fever: true, Location: domain.AtWork}
	_, err = w.stores.Checkins.Upsert(w.ctx, &c)
	must(t, err)

	// The session's counts of scans not yet reported (pg_stat_xact_user_tables), before and
	// after the read, in one transaction, say how it read.
	tx, err := conn.BeginTx(w.ctx, nil)
	must(t, err)
	defer func() { _ = tx.Rollback() }()
	scans := func() (seq, idx int64) {
		must(t, tx.QueryRowContext(w.ctx, `SELECT coalesce(seq_scan, 0), coalesce(idx_scan, 0)
			FROM pg_stat_xact_user_tables WHERE relname = 'checkins_2040_07'`).Scan(&seq, &idx))
		return seq, idx
	}
	seq0, idx0 := scans()
	must(t, tx.QueryRowContext(w.ctx, otherSlot, wk.ID, day.Time()).Scan(&fever))
	seq1, idx1 := scans()
	if !fever {
		t.Errorf("the evening's other slot: got no fever, want the morning's fever")
	}
	if seq1 != seq0 || idx1 != idx0+1 {
		t.Errorf("the other-slot read: %d scans of the whole partition and %d through an index, want none and one",
			seq1-seq0, idx1-idx0)
	}
}
