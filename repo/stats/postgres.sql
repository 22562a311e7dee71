-- The rules of the daily statistics as PostgreSQL runs them (FIGURES.md says what each figure
-- means). Each rule is written here once for PostgreSQL; repo/stats/sqlite.sql holds SQLite's
-- and domain/stats.go the Go twin, and one table of cases runs all three (TestFigureRules).
-- A change of a rule edits this file, sqlite.sql and the Go twin: never a copy in a migration.
--
-- The file is read into blocks (repo/stats_rules.go), each opened by a line of its own:
--
--   -- rule: NAME     SQL the stores put into their statements (repo/stats.go, checkins.go,
--                     people.go): a condition or list about a worker w on the day @d, or a
--                     whole statement. {{NAME}} inside a rule stands for another rule.
--   -- object: NAME   a function or trigger, one CREATE OR REPLACE statement. After the
--                     migrations, whenever this file changed or a migration ran, every object is
--                     created again in one transaction (rule_files, migration 00016, records the
--                     file applied), so that the database always runs this file's text.
--
-- The lines of comment that open a block are its documentation; the block's SQL follows.
-- Migrations keep the schema only. One that changes what an object reads may have to drop it
-- first (it is created again afterwards); an object that leaves this file is dropped by a
-- migration; one whose arguments or result change is dropped by a migration too, since CREATE
-- OR REPLACE cannot change them.

-- rule: back
-- Twin of back in domain/stats.go: the worker is marked back (not expected, not left) with an
-- arrival on or before the day.
(w.status NOT IN ('expected', 'left') AND w.arrived_on IS NOT NULL AND w.arrived_on <= @d)

-- rule: isolating
-- Twin of RosterFigures' isolating: back, and in isolation observation on the day (isolating,
-- or back at work with an isolation that has not ended yet).
({{back}} AND w.status IN ('isolating', 'on_duty') AND w.isolation_start IS NOT NULL
	AND w.isolation_start <= @d AND (w.status = 'isolating' OR COALESCE(w.isolation_until >= @d, FALSE)))

-- rule: due
-- Twin of domain.DueOn: due to report on the day, back and at work or isolating. The check-in
-- upsert stores it in checkins.due, and SnapshotRoster sets it again for today's rows.
({{back}} AND w.status IN ('on_duty', 'isolating'))

-- rule: roster_figures
-- Twin of domain.RosterFigures: the roster figures of the workers w on the day, summed, in the
-- order of daily_stats' columns roster, returned, on_duty, isolating, key_area, due.
SUM(CASE WHEN w.status <> 'left' THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{back}} THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{back}} AND w.status = 'on_duty' AND NOT {{isolating}} THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{isolating}} THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{back}} AND w.risk_level IN ('high', 'medium') THEN 1 ELSE 0 END),
	SUM(CASE WHEN {{due}} THEN 1 ELSE 0 END)

-- rule: people_listed
-- Who the daily report's people sheets may list, of a worker w with the day's check-ins am and
-- pm (NULL without one): a superset of domain's sheetsOf, which decides. It leaves out those no
-- sheet can list, in a township at work most people: both check-ins in and normal, low risk,
-- never isolated.
(am.id IS NULL OR pm.id IS NULL OR am.had_fever OR pm.had_fever OR am.had_symptoms OR pm.had_symptoms
	OR NOT am.due OR NOT pm.due OR am.late OR pm.late
	OR w.risk_level IN ('high', 'medium') OR w.isolation_start IS NOT NULL)

-- rule: recount_zero
-- RecountActivity's first step: the activity figures of a township's days (@t, @from to @to)
-- back to nothing, for the next two to count again.
UPDATE daily_stats SET checkins_am = 0, checkins_pm = 0, late = 0, fever = 0, symptomatic = 0, unregistered = 0,
	alerts = 0, alerts_open = 0
WHERE township_id = @t AND date >= @from AND date <= @to

-- rule: recount_checkins
-- Twin of domain.ActivityFigures, counted from the rows: what daily_stats_apply below keeps
-- as check-ins come and go. Only due slots count as reports (and as late); a person counts
-- once a day for a kept fever, for kept symptoms, and as unregistered (not due) whichever slot
-- said so. The rows are found by the township's enterprises: the (enterprise_id, date) index
-- serves that, and no index leads with township_id (on a province's database, township_id
-- alone read every check-in of the dates for each township: the province benchmark).
INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
SELECT township_id, enterprise_id, date, SUM(am), SUM(pm), SUM(lt), SUM(f), SUM(sym), SUM(u) FROM (
	SELECT township_id, enterprise_id, date, worker_id,
		SUM(CASE WHEN due AND slot = 'am' THEN 1 ELSE 0 END) AS am, SUM(CASE WHEN due AND slot = 'pm' THEN 1 ELSE 0 END) AS pm,
		SUM(CASE WHEN due AND late THEN 1 ELSE 0 END) AS lt,
		MAX(CASE WHEN had_fever THEN 1 ELSE 0 END) AS f, MAX(CASE WHEN had_symptoms THEN 1 ELSE 0 END) AS sym,
		MAX(CASE WHEN due THEN 0 ELSE 1 END) AS u
	FROM checkins WHERE enterprise_id IN (SELECT id FROM enterprises WHERE township_id = @t) AND township_id = @t
		AND date >= @from AND date <= @to
	GROUP BY township_id, enterprise_id, date, worker_id) per_worker
GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET checkins_am = excluded.checkins_am,
	checkins_pm = excluded.checkins_pm, late = excluded.late, fever = excluded.fever,
	symptomatic = excluded.symptomatic, unregistered = excluded.unregistered

-- rule: recount_alerts
-- The alerts of each day (alerts_new) counted from the rows: what daily_stats_alert keeps.
INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
SELECT township_id, enterprise_id, date, COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
FROM alerts WHERE township_id = @t AND date >= @from AND date <= @to
GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET alerts = excluded.alerts, alerts_open = excluded.alerts_open

-- object: daily_stats_other_slot
-- What the worker's other check-in of the day says (none: all false), for daily_stats_apply's
-- one-row path. It is a function of its own for one setting: its query always runs the one
-- plan PostgreSQL keeps for it (plan_cache_mode = force_generic_plan). On the check-ins
-- partitioned by month a generic plan looks dearer than one made for the values (it lists every
-- partition, and prunes them only when it runs), so PostgreSQL planned this query afresh at
-- every check-in: the product's upsert took 1.7x as long as on a plain table (BENCHMARKS.md,
-- issue 23). The setting is not on daily_stats_apply itself: its many-row path needs plans made
-- for the arrays it is given (3.5x slower with a generic one for 5,000 rows).
-- Nor does it scan a partition whole (enable_seqscan = off): the one plan is made with the
-- statistics of the moment, and a month's partition analyzed while nearly empty (the first
-- minutes of a month, a fresh database) looks cheaper read whole than through its key, a plan
-- then kept while the partition fills up. The check-in benchmark after an ANALYZE of its
-- just-seeded database: every check-in read all of the month's check-ins (5 ms each at 100,000)
-- and took 3.8x the processor time (BENCHMARKS.md). Through the key it reads one row whatever
-- the statistics said (TestOtherSlotReadsByKey).
CREATE OR REPLACE FUNCTION daily_stats_other_slot(worker BIGINT, day DATE, slot TEXT,
    OUT fever BOOLEAN, OUT symptoms BOOLEAN, OUT undue BOOLEAN)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
-- (repo/stats/postgres.sql: edit it there, not here)
BEGIN
    SELECT coalesce(bool_or(c.had_fever), FALSE), coalesce(bool_or(c.had_symptoms), FALSE),
           coalesce(bool_or(NOT c.due), FALSE)
    INTO fever, symptoms, undue
    FROM checkins c WHERE c.worker_id = worker AND c.date = day AND c.slot <> daily_stats_other_slot.slot;
END $$;

-- object: daily_stats_apply
-- Twin of domain.ActivityFigures, kept as check-ins come and go: adds to the days of the
-- check-ins added, and takes from those of the check-ins removed, what they change. The
-- triggers run once per statement with its transition tables, so that a statement that writes
-- both slots of one person's day (a bulk load) counts that person once. Each worker-day is
-- compared as it was before the statement and as it is after. The advisory locks on the
-- workers (in order, so never a deadlock; their townships' shared first) make two concurrent
-- statements about one person see each other's rows.
CREATE OR REPLACE FUNCTION daily_stats_apply(added checkins[], removed checkins[]) RETURNS void LANGUAGE plpgsql AS $$
-- (repo/stats/postgres.sql: edit it there, not here)
DECLARE
    r           checkins;
    a           checkins;
    o           checkins;
    other_fever BOOLEAN;
    other_sym   BOOLEAN;
    other_undue BOOLEAN;
    d_am        INTEGER;
    d_pm        INTEGER;
    d_late      INTEGER;
    d_fever     INTEGER;
    d_sym       INTEGER;
    d_unreg     INTEGER;
    locked      INTEGER;
BEGIN
    IF cardinality(added) = 0 AND cardinality(removed) = 0 THEN
        RETURN;
    END IF;
    -- One check-in written or replaced (every report a phone sends): its worker's other slot
    -- is not in this statement, so two small queries do what the general case below does.
    IF cardinality(added) <= 1 AND cardinality(removed) <= 1 THEN
        a := added[1];
        o := removed[1];
        -- (a composite is NULL only when every field is: test the key, not the row)
        IF a.id IS NULL THEN
            r := o;
        ELSE
            r := a;
        END IF;
        IF a.id IS NULL OR o.id IS NULL OR (a.worker_id = o.worker_id AND a.date = o.date AND a.slot = o.slot) THEN
            PERFORM pg_advisory_xact_lock_shared(20260207, r.township_id::INTEGER),
                    pg_advisory_xact_lock(20260206, (r.worker_id % 2147483647)::INTEGER);
            SELECT other_slot.fever, other_slot.symptoms, other_slot.undue INTO other_fever, other_sym, other_undue
            FROM daily_stats_other_slot(r.worker_id, r.date, r.slot) other_slot;
            d_am := coalesce(a.due AND a.slot = 'am', FALSE)::INTEGER - coalesce(o.due AND o.slot = 'am', FALSE)::INTEGER;
            d_pm := coalesce(a.due AND a.slot = 'pm', FALSE)::INTEGER - coalesce(o.due AND o.slot = 'pm', FALSE)::INTEGER;
            d_late := coalesce(a.due AND a.late, FALSE)::INTEGER - coalesce(o.due AND o.late, FALSE)::INTEGER;
            d_fever := (coalesce(a.had_fever, FALSE) OR other_fever)::INTEGER - (coalesce(o.had_fever, FALSE) OR other_fever)::INTEGER;
            d_sym := (coalesce(a.had_symptoms, FALSE) OR other_sym)::INTEGER - (coalesce(o.had_symptoms, FALSE) OR other_sym)::INTEGER;
            d_unreg := (coalesce(NOT a.due, FALSE) OR other_undue)::INTEGER - (coalesce(NOT o.due, FALSE) OR other_undue)::INTEGER;
            IF d_am <> 0 OR d_pm <> 0 OR d_late <> 0 OR d_fever <> 0 OR d_sym <> 0 OR d_unreg <> 0 THEN
                INSERT INTO daily_stats AS s (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
                VALUES (r.township_id, r.enterprise_id, r.date, d_am, d_pm, d_late, d_fever, d_sym, d_unreg)
                ON CONFLICT (enterprise_id, date) DO UPDATE SET
                    checkins_am = s.checkins_am + excluded.checkins_am,
                    checkins_pm = s.checkins_pm + excluded.checkins_pm,
                    late = s.late + excluded.late,
                    fever = s.fever + excluded.fever,
                    symptomatic = s.symptomatic + excluded.symptomatic,
                    unregistered = s.unregistered + excluded.unregistered;
            END IF;
            RETURN;
        END IF;
    END IF;
    -- Each worker is locked, unless the transaction would then hold more locks than
    -- PostgreSQL's lock table has room for (max_locks_per_transaction x connections: 6,400 by
    -- default; "out of shared memory" past about 10,000 here, TestStatsManyWorkersAtOnce):
    -- past 2,000 workers (counted in the transaction's setting fugong.workers_locked) their
    -- townships are locked whole instead, which every statement about a worker of theirs
    -- locks shared first. A bulk load or a large roster change then holds up its townships'
    -- check-ins until it commits; a phone's report is never one.
    locked := coalesce(nullif(current_setting('fugong.workers_locked', true), '')::INTEGER, 0)
        + (SELECT count(DISTINCT worker_id) FROM (SELECT worker_id FROM unnest(added)
           UNION ALL SELECT worker_id FROM unnest(removed)) x);
    PERFORM set_config('fugong.workers_locked', locked::TEXT, true);
    IF locked > 2000 THEN
        PERFORM pg_advisory_xact_lock(20260207, t::INTEGER)
        FROM (SELECT township_id AS t FROM unnest(added) UNION SELECT township_id FROM unnest(removed) ORDER BY 1) locks;
    ELSE
        PERFORM pg_advisory_xact_lock_shared(20260207, t::INTEGER)
        FROM (SELECT township_id AS t FROM unnest(added) UNION SELECT township_id FROM unnest(removed) ORDER BY 1) locks;
        PERFORM pg_advisory_xact_lock(20260206, (w % 2147483647)::INTEGER)
        FROM (SELECT worker_id AS w FROM unnest(added) UNION SELECT worker_id FROM unnest(removed) ORDER BY 1) locks;
    END IF;

    WITH a AS (SELECT * FROM unnest(added)),
    r AS (SELECT * FROM unnest(removed)),
    days AS (
        SELECT township_id, enterprise_id, worker_id, date FROM a
        UNION SELECT township_id, enterprise_id, worker_id, date FROM r),
    after AS (
        SELECT d.township_id, d.enterprise_id, d.worker_id, d.date,
               coalesce(bool_or(c.had_fever), FALSE) AS fever, coalesce(bool_or(c.had_symptoms), FALSE) AS sym,
               coalesce(bool_or(NOT c.due), FALSE) AS undue
        FROM days d LEFT JOIN checkins c ON c.worker_id = d.worker_id AND c.date = d.date
        GROUP BY 1, 2, 3, 4),
    -- The rows of those worker-days before the statement: those it left as they were, found
    -- worker-day by worker-day through the unique key, and those it removed or replaced. Joined
    -- as a whole, PostgreSQL hashed every check-in in the database to find the statement's
    -- (48 s for one township's 10,000 in the province benchmark); a LATERAL subquery it would
    -- flatten into that same join, so OFFSET 0 keeps it a probe per worker-day.
    before_rows AS (
        SELECT d.worker_id, d.date, c.had_fever, c.had_symptoms, c.due
        FROM days d CROSS JOIN LATERAL (
            SELECT c.id, c.had_fever, c.had_symptoms, c.due FROM checkins c
            WHERE c.worker_id = d.worker_id AND c.date = d.date OFFSET 0) c
        WHERE c.id NOT IN (SELECT id FROM a)
        UNION ALL SELECT worker_id, date, had_fever, had_symptoms, due FROM r),
    before AS (
        SELECT d.worker_id, d.date,
               coalesce(bool_or(b.had_fever), FALSE) AS fever, coalesce(bool_or(b.had_symptoms), FALSE) AS sym,
               coalesce(bool_or(NOT b.due), FALSE) AS undue
        FROM days d LEFT JOIN before_rows b ON b.worker_id = d.worker_id AND b.date = d.date
        GROUP BY 1, 2),
    people AS (
        SELECT af.township_id, af.enterprise_id, af.date,
               sum(af.fever::INTEGER - bf.fever::INTEGER) AS fever, sum(af.sym::INTEGER - bf.sym::INTEGER) AS sym,
               sum(af.undue::INTEGER - bf.undue::INTEGER) AS unreg
        FROM after af JOIN before bf ON bf.worker_id = af.worker_id AND bf.date = af.date
        GROUP BY 1, 2, 3),
    slots AS (
        SELECT enterprise_id, date, sum(n * (due AND slot = 'am')::INTEGER) AS am,
               sum(n * (due AND slot = 'pm')::INTEGER) AS pm, sum(n * (due AND late)::INTEGER) AS late
        FROM (SELECT enterprise_id, date, slot, due, late, 1 AS n FROM a
              UNION ALL SELECT enterprise_id, date, slot, due, late, -1 FROM r) x
        GROUP BY 1, 2)
    INSERT INTO daily_stats AS s (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT p.township_id, p.enterprise_id, p.date, coalesce(sl.am, 0), coalesce(sl.pm, 0), coalesce(sl.late, 0),
           p.fever, p.sym, p.unreg
    FROM people p LEFT JOIN slots sl ON sl.enterprise_id = p.enterprise_id AND sl.date = p.date
    WHERE coalesce(sl.am, 0) <> 0 OR coalesce(sl.pm, 0) <> 0 OR coalesce(sl.late, 0) <> 0
       OR p.fever <> 0 OR p.sym <> 0 OR p.unreg <> 0
    ORDER BY p.enterprise_id, p.date -- row locks in one order: concurrent bulk loads do not deadlock
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = s.checkins_am + excluded.checkins_am,
        checkins_pm = s.checkins_pm + excluded.checkins_pm,
        late = s.late + excluded.late,
        fever = s.fever + excluded.fever,
        symptomatic = s.symptomatic + excluded.symptomatic,
        unregistered = s.unregistered + excluded.unregistered;
END $$;

-- object: daily_stats_checkins_inserted
-- New check-ins: counted (daily_stats_apply), their readings appended to checkin_readings, and
-- a slot's first report made after its cut-off (late) closes the slot's missed-check-in alert
-- by the system, in the same transaction: no extra round trip on the busiest path, and no path
-- that writes a check-in can forget it. The alert records it (resolved, no handler, the note,
-- the time); the audit log, which records what people did, does not.
CREATE OR REPLACE FUNCTION daily_stats_checkins_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
-- (repo/stats/postgres.sql: edit it there, not here)
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
        RETURN NULL; -- a phone's report that replaced its slot's: the upsert fires this trigger too
    END IF;
    PERFORM daily_stats_apply(ARRAY(SELECT ROW(n.*)::checkins FROM new_rows n), '{}');
    INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
        symptoms, symptom_note, location, submitted_by, correction_note, at)
    SELECT n.id, n.township_id, n.enterprise_id, n.worker_id, n.date, n.slot, n.temperature, n.fever, n.symptoms,
        n.symptom_note, n.location, n.submitted_by, n.correction_note, n.updated_at FROM new_rows n;
    IF EXISTS (SELECT 1 FROM new_rows WHERE late) THEN
        UPDATE alerts a SET status = 'resolved', note = '迟报已补报,系统自动关闭', handled_by = NULL,
            handled_at = n.created_at, taken_at = COALESCE(a.taken_at, n.created_at)
        FROM new_rows n
        WHERE n.late AND a.worker_id = n.worker_id AND a.date = n.date AND a.slot = n.slot
          AND a.type = 'missed_checkin' AND a.status <> 'resolved';
    END IF;
    RETURN NULL;
END $$;

-- object: daily_stats_checkins_updated
-- Check-ins written again: counted anew, and a new reading appended. A row written again with
-- the same updated_at is not a new reading: the roster's change of due, say. PostgreSQL fires
-- both statement triggers of an upsert whichever way it went, one with empty transition
-- tables: that one returns at once (it took 0.08 ms of the upsert's 0.94 in the database).
CREATE OR REPLACE FUNCTION daily_stats_checkins_updated() RETURNS trigger LANGUAGE plpgsql AS $$
-- (repo/stats/postgres.sql: edit it there, not here)
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows) THEN
        RETURN NULL; -- a new report: its upsert (INSERT … ON CONFLICT DO UPDATE) fires this trigger too
    END IF;
    PERFORM daily_stats_apply(ARRAY(SELECT ROW(n.*)::checkins FROM new_rows n), ARRAY(SELECT ROW(o.*)::checkins FROM old_rows o));
    INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
        symptoms, symptom_note, location, submitted_by, correction_note, at)
    SELECT n.id, n.township_id, n.enterprise_id, n.worker_id, n.date, n.slot, n.temperature, n.fever, n.symptoms,
        n.symptom_note, n.location, n.submitted_by, n.correction_note, n.updated_at
    FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.updated_at IS DISTINCT FROM o.updated_at;
    RETURN NULL;
END $$;

-- object: daily_stats_checkins_deleted
-- Check-ins removed: taken off their days, except while the retention removes old ones (the
-- transaction-local setting fugong.keep_stats, repo/retention.go): their days keep their
-- figures.
CREATE OR REPLACE FUNCTION daily_stats_checkins_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
-- (repo/stats/postgres.sql: edit it there, not here)
BEGIN
    IF current_setting('fugong.keep_stats', true) = 'on' THEN
        RETURN NULL; -- the retention removes old check-ins; their days keep their figures
    END IF;
    PERFORM daily_stats_apply('{}', ARRAY(SELECT ROW(o.*)::checkins FROM old_rows o));
    RETURN NULL;
END $$;

-- object: daily_stats_alert
-- The alerts of each day (alerts_new) and those of them still open, kept as alerts come, change
-- and go; what recount_alerts counts from the rows. The retention's removals stand aside, as
-- for check-ins. An alert changed on its own day (handled, or closed by a late report: every
-- late check-in after a sweep) writes its day's row once, with the difference, and not at all
-- when it stays as open as it was; taking it off and adding it again wrote the row twice.
CREATE OR REPLACE FUNCTION daily_stats_alert() RETURNS trigger LANGUAGE plpgsql AS $$
-- (repo/stats/postgres.sql: edit it there, not here)
DECLARE
    d_open INTEGER;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('fugong.keep_stats', true) = 'on' THEN
        RETURN NULL; -- the retention removes old alerts; their days keep their figures
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.enterprise_id = OLD.enterprise_id AND NEW.date = OLD.date
            AND NEW.township_id = OLD.township_id THEN
        d_open := (NEW.status = 'open')::INTEGER - (OLD.status = 'open')::INTEGER;
        IF d_open <> 0 THEN
            INSERT INTO daily_stats AS s (township_id, enterprise_id, date, alerts, alerts_open)
            VALUES (NEW.township_id, NEW.enterprise_id, NEW.date, 0, d_open)
            ON CONFLICT (enterprise_id, date) DO UPDATE SET alerts_open = s.alerts_open + excluded.alerts_open;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO daily_stats AS s (township_id, enterprise_id, date, alerts, alerts_open)
        VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open')::INTEGER)
        ON CONFLICT (enterprise_id, date) DO UPDATE SET
            alerts = s.alerts + excluded.alerts, alerts_open = s.alerts_open + excluded.alerts_open;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO daily_stats AS s (township_id, enterprise_id, date, alerts, alerts_open)
        VALUES (NEW.township_id, NEW.enterprise_id, NEW.date, 1, (NEW.status = 'open')::INTEGER)
        ON CONFLICT (enterprise_id, date) DO UPDATE SET
            alerts = s.alerts + excluded.alerts, alerts_open = s.alerts_open + excluded.alerts_open;
    END IF;
    RETURN NULL;
END $$;

-- object: checkins_daily_stats_insert
CREATE OR REPLACE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_inserted();

-- object: checkins_daily_stats_update
CREATE OR REPLACE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_updated();

-- object: checkins_daily_stats_delete
CREATE OR REPLACE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_deleted();

-- object: alerts_daily_stats
CREATE OR REPLACE TRIGGER alerts_daily_stats AFTER INSERT OR UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION daily_stats_alert();
