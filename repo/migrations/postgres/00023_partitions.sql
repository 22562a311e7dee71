-- Check-ins, their readings and alerts partitioned by month (issue 22: a city or province on
-- one PostgreSQL, 20 million check-ins a day). Each table becomes a parent PARTITION BY RANGE
-- (date) with one partition a month, named TABLE_YYYY_MM, and a DEFAULT partition, TABLE_default.
-- The retention then drops a month that every township's cut-off has passed as a whole
-- (repo/retention.go) instead of deleting its rows one by one, and the server keeps the current
-- month and the next three made ahead (repo/partitions.go).
--
-- The DEFAULT partition is a safety net, not a place rows are meant to live: a check-in for a
-- month that has no partition yet (a clock far ahead, a maintenance that has not run) must be
-- stored, never refused. month_partition moves such rows into their month's partition when it
-- makes it. While the default is empty, attaching a month to the parent scans nothing.
--
-- What stays as it was: every column in its order (the statistics cast transition rows to the
-- row type checkins), every row, the ids and their sequences (the new tables take the old
-- sequences over: ids keep increasing), the unique keys (they already include date), the other
-- indexes, the foreign keys these tables hold, and the triggers. What changes: a partitioned
-- table's primary key must include the partition key, so it is (id, date); its leading id keeps
-- lookups by id alone (an alert by id, the outbox's alert ids, GORM's primary key) an index
-- probe in each partition. No foreign key points at these tables, so none has to change.
--
-- daily_stats_apply (repo/stats/postgres.sql) takes checkins[], so it belongs to the old table's
-- row type and would go with it: its text is kept, it is dropped, and made again from that text
-- once the new table has the name (Up and Down alike), so the database works as soon as the
-- migration commits. The statistics' triggers on these tables are made here (statement triggers
-- with transition tables are allowed on a partitioned parent, and see the rows of every
-- partition) and again by applyStatsRules, which runs after any migration; 00020's
-- alerts_outbox, a row trigger, is made on the parent, which gives it to every partition.
--
-- Time: the rows are copied (INSERT … SELECT, one transaction), then the indexes are built and
-- the foreign keys validated. On the project's shared 2-core machine, under load, 5.6 million
-- check-ins with their 5.6 million readings (1.9 GB) took 81 s, the Down 128 s (BENCHMARKS.md,
-- issue 22): about 15 s a million check-ins. The tables are locked for writes throughout, so
-- run it in a maintenance window, with disk for a second copy of them.

-- +goose Up
-- +goose StatementBegin
-- month_partition makes PARENT's partition for the month of DAY unless it exists, and answers
-- whether it made it. Safe when two sessions run it at once: they queue on an advisory lock, and
-- the one that comes second finds the table (or, should its catalogue view be older, catches the
-- duplicate). The partition is made outside the parent and attached (with a CHECK of its range,
-- so that attaching scans nothing); rows of its month already waiting in the default partition
-- move into it first, with the statistics standing aside (the rows do not change, so their
-- figures must not).
CREATE FUNCTION month_partition(parent TEXT, day DATE) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
DECLARE
    first DATE := date_trunc('month', day)::DATE;
    next  DATE := (date_trunc('month', day) + INTERVAL '1 month')::DATE;
    part  TEXT := parent || '_' || to_char(day, 'YYYY_MM');
    keep  TEXT := current_setting('fugong.keep_stats', true);
BEGIN
    PERFORM pg_advisory_xact_lock(20261206);
    IF to_regclass(part) IS NOT NULL THEN
        RETURN FALSE;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
    EXCEPTION WHEN duplicate_table THEN
        RETURN FALSE;
    END;
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (date >= %L AND date < %L)', part, part || '_range', first, next);
    IF to_regclass(parent || '_default') IS NOT NULL THEN
        PERFORM set_config('fugong.keep_stats', 'on', true);
        EXECUTE format('WITH moved AS (DELETE FROM %I WHERE date >= %L AND date < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
            parent || '_default', first, next, part);
        PERFORM set_config('fugong.keep_stats', COALESCE(keep, ''), true);
    END IF;
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, first, next);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
    RETURN TRUE;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
-- partition_table turns TBL into a table partitioned by month holding the same rows: a new
-- parent of the same columns, the months its rows span and the three after the current one, the
-- rows copied, the old table dropped. Indexes and foreign keys are made after it (below).
CREATE FUNCTION pg_temp.partition_table(tbl TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    m DATE;
BEGIN
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, tbl || '_unpartitioned');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (date)',
        tbl, tbl || '_unpartitioned');
    EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.id', tbl || '_id_seq', tbl);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
    FOR m IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', date)::DATE FROM %I
            UNION SELECT generate_series(date_trunc(''month'', CURRENT_DATE), CURRENT_DATE + INTERVAL ''3 months'', INTERVAL ''1 month'')::DATE',
            tbl || '_unpartitioned') LOOP
        PERFORM month_partition(tbl, m);
    END LOOP;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, tbl || '_unpartitioned');
    EXECUTE format('DROP TABLE %I', tbl || '_unpartitioned');
END $$;
-- +goose StatementEnd

CREATE TEMP TABLE kept_stats_apply ON COMMIT DROP AS
    SELECT pg_get_functiondef('daily_stats_apply(checkins[], checkins[])'::regprocedure) AS def;
DROP FUNCTION daily_stats_apply(checkins[], checkins[]);

SELECT pg_temp.partition_table('checkins');
ALTER TABLE checkins ADD PRIMARY KEY (id, date);
ALTER TABLE checkins ADD CONSTRAINT checkins_worker_id_date_slot_key UNIQUE (worker_id, date, slot);
CREATE INDEX checkins_enterprise_date ON checkins (enterprise_id, date);
ALTER TABLE checkins ADD FOREIGN KEY (township_id) REFERENCES townships (id);
ALTER TABLE checkins ADD FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
ALTER TABLE checkins ADD FOREIGN KEY (worker_id) REFERENCES workers (id);
ALTER TABLE checkins ADD FOREIGN KEY (submitted_by) REFERENCES users (id);

SELECT pg_temp.partition_table('checkin_readings');
ALTER TABLE checkin_readings ADD PRIMARY KEY (id, date);
CREATE INDEX checkin_readings_checkin ON checkin_readings (checkin_id, id);

SELECT pg_temp.partition_table('alerts');
ALTER TABLE alerts ADD PRIMARY KEY (id, date);
ALTER TABLE alerts ADD CONSTRAINT alerts_worker_id_date_type_slot_key UNIQUE (worker_id, date, type, slot);
CREATE UNIQUE INDEX alerts_enterprise_condition ON alerts (enterprise_id, date, type, COALESCE(shift_id, 0))
    WHERE type IN ('unapproved_work', 'shift_over_capacity');
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
ALTER TABLE alerts ADD FOREIGN KEY (township_id) REFERENCES townships (id);
ALTER TABLE alerts ADD FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
ALTER TABLE alerts ADD FOREIGN KEY (worker_id) REFERENCES workers (id);
ALTER TABLE alerts ADD FOREIGN KEY (handled_by) REFERENCES users (id);
ALTER TABLE alerts ADD FOREIGN KEY (shift_id) REFERENCES shifts (id) ON DELETE SET NULL;
CREATE TRIGGER alerts_outbox AFTER INSERT ON alerts FOR EACH ROW
    WHEN (NEW.type IN ('fever', 'symptoms', 'repeated_fever', 'early_arrival', 'discrepancy'))
    EXECUTE FUNCTION alerts_outbox();
CREATE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_inserted();
CREATE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_updated();
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_deleted();
CREATE TRIGGER alerts_daily_stats AFTER INSERT OR UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION daily_stats_alert();

-- daily_stats_apply again, as it was, now of the new table's row type.
-- +goose StatementBegin
DO $$ BEGIN EXECUTE (SELECT def FROM kept_stats_apply); END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
-- unpartition_table puts TBL's rows back into one plain table of the same columns.
CREATE FUNCTION pg_temp.unpartition_table(tbl TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, tbl || '_partitioned');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', tbl, tbl || '_partitioned');
    EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.id', tbl || '_id_seq', tbl);
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, tbl || '_partitioned');
    EXECUTE format('DROP TABLE %I', tbl || '_partitioned');
END $$;
-- +goose StatementEnd

CREATE TEMP TABLE kept_stats_apply ON COMMIT DROP AS
    SELECT pg_get_functiondef('daily_stats_apply(checkins[], checkins[])'::regprocedure) AS def;
DROP FUNCTION daily_stats_apply(checkins[], checkins[]);

SELECT pg_temp.unpartition_table('checkins');
ALTER TABLE checkins ADD PRIMARY KEY (id);
ALTER TABLE checkins ADD CONSTRAINT checkins_worker_id_date_slot_key UNIQUE (worker_id, date, slot);
CREATE INDEX checkins_enterprise_date ON checkins (enterprise_id, date);
ALTER TABLE checkins ADD FOREIGN KEY (township_id) REFERENCES townships (id);
ALTER TABLE checkins ADD FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
ALTER TABLE checkins ADD FOREIGN KEY (worker_id) REFERENCES workers (id);
ALTER TABLE checkins ADD FOREIGN KEY (submitted_by) REFERENCES users (id);

SELECT pg_temp.unpartition_table('checkin_readings');
ALTER TABLE checkin_readings ADD PRIMARY KEY (id);
CREATE INDEX checkin_readings_checkin ON checkin_readings (checkin_id, id);

SELECT pg_temp.unpartition_table('alerts');
ALTER TABLE alerts ADD PRIMARY KEY (id);
ALTER TABLE alerts ADD CONSTRAINT alerts_worker_id_date_type_slot_key UNIQUE (worker_id, date, type, slot);
CREATE UNIQUE INDEX alerts_enterprise_condition ON alerts (enterprise_id, date, type, COALESCE(shift_id, 0))
    WHERE type IN ('unapproved_work', 'shift_over_capacity');
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
ALTER TABLE alerts ADD FOREIGN KEY (township_id) REFERENCES townships (id);
ALTER TABLE alerts ADD FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
ALTER TABLE alerts ADD FOREIGN KEY (worker_id) REFERENCES workers (id);
ALTER TABLE alerts ADD FOREIGN KEY (handled_by) REFERENCES users (id);
ALTER TABLE alerts ADD FOREIGN KEY (shift_id) REFERENCES shifts (id) ON DELETE SET NULL;
CREATE TRIGGER alerts_outbox AFTER INSERT ON alerts FOR EACH ROW
    WHEN (NEW.type IN ('fever', 'symptoms', 'repeated_fever', 'early_arrival', 'discrepancy'))
    EXECUTE FUNCTION alerts_outbox();
CREATE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_inserted();
CREATE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_updated();
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_deleted();
CREATE TRIGGER alerts_daily_stats AFTER INSERT OR UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION daily_stats_alert();

-- daily_stats_apply again, as it was, now of the new table's row type.
-- +goose StatementBegin
DO $$ BEGIN EXECUTE (SELECT def FROM kept_stats_apply); END $$;
-- +goose StatementEnd
DROP FUNCTION month_partition(TEXT, DATE);
