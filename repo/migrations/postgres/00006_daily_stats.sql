-- History: since migration 00016 the statistics' functions and triggers that run are those of
-- repo/stats/postgres.sql, which the program applies after the migrations. Edit them there.
--
-- Daily statistics (DESIGN.md): one row per enterprise and day, which the dashboard and the
-- Excel reports read instead of raw check-ins.
--
-- Two kinds of figures live in a row:
--   * activity (check-ins per slot, people with a fever or symptoms, alerts) is kept exact by
--     the triggers below, in the same transaction as the check-in or alert that changes it:
--     no code path can forget it, and concurrent writers cannot lose an update;
--   * the roster figures (on the roster, returned, on duty, isolating, from key areas, due to
--     report) are a snapshot the application takes from the workers table: today's is retaken
--     whenever a roster changes, past days keep theirs. snapshot is FALSE until one was taken.
--
-- checkins.fever stores whether the reading was a fever under the township's threshold at the
-- time: a later change of threshold does not rewrite history.

-- +goose Up
ALTER TABLE checkins ADD COLUMN fever BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE checkins c SET fever = (c.temperature >= t.fever_threshold * 10)
FROM townships t WHERE t.id = c.township_id;

CREATE TABLE daily_stats (
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    date          DATE NOT NULL,
    snapshot      BOOLEAN NOT NULL DEFAULT FALSE,
    roster        INTEGER NOT NULL DEFAULT 0,
    returned      INTEGER NOT NULL DEFAULT 0,
    on_duty       INTEGER NOT NULL DEFAULT 0,
    isolating     INTEGER NOT NULL DEFAULT 0,
    key_area      INTEGER NOT NULL DEFAULT 0,
    due           INTEGER NOT NULL DEFAULT 0,
    checkins_am   INTEGER NOT NULL DEFAULT 0,
    checkins_pm   INTEGER NOT NULL DEFAULT 0,
    fever         INTEGER NOT NULL DEFAULT 0,
    symptomatic   INTEGER NOT NULL DEFAULT 0,
    alerts        INTEGER NOT NULL DEFAULT 0,
    alerts_open   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (enterprise_id, date)
);
CREATE INDEX daily_stats_township_date ON daily_stats (township_id, date);

-- +goose StatementBegin
-- daily_stats_apply adds to the days of the check-ins added, and takes from those of the
-- check-ins removed, what they change. The triggers run once per statement with its
-- transition tables, so that a statement that writes both slots of one person's day (a bulk
-- load) counts that person once: a person counts once a day for fever and for symptoms,
-- whichever slot reported them. Each worker-day is compared as it was before the statement
-- and as it is after. The advisory locks on the workers (in order, so never a deadlock) make
-- two concurrent statements about one person see each other's rows.
CREATE FUNCTION daily_stats_apply(added checkins[], removed checkins[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r           checkins;
    a           checkins;
    o           checkins;
    other_fever BOOLEAN;
    other_sym   BOOLEAN;
    d_am        INTEGER;
    d_pm        INTEGER;
    d_fever     INTEGER;
    d_sym       INTEGER;
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
            PERFORM pg_advisory_xact_lock(20260206, (r.worker_id % 2147483647)::INTEGER);
            SELECT coalesce(bool_or(c.fever), FALSE), coalesce(bool_or(c.symptoms <> ''), FALSE)
            INTO other_fever, other_sym
            FROM checkins c WHERE c.worker_id = r.worker_id AND c.date = r.date AND c.slot <> r.slot;
            d_am := coalesce(a.slot = 'am', FALSE)::INTEGER - coalesce(o.slot = 'am', FALSE)::INTEGER;
            d_pm := coalesce(a.slot = 'pm', FALSE)::INTEGER - coalesce(o.slot = 'pm', FALSE)::INTEGER;
            d_fever := (coalesce(a.fever, FALSE) OR other_fever)::INTEGER - (coalesce(o.fever, FALSE) OR other_fever)::INTEGER;
            d_sym := (coalesce(a.symptoms <> '', FALSE) OR other_sym)::INTEGER - (coalesce(o.symptoms <> '', FALSE) OR other_sym)::INTEGER;
            IF d_am <> 0 OR d_pm <> 0 OR d_fever <> 0 OR d_sym <> 0 THEN
                INSERT INTO daily_stats AS s (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
                VALUES (r.township_id, r.enterprise_id, r.date, d_am, d_pm, d_fever, d_sym)
                ON CONFLICT (enterprise_id, date) DO UPDATE SET
                    checkins_am = s.checkins_am + excluded.checkins_am,
                    checkins_pm = s.checkins_pm + excluded.checkins_pm,
                    fever = s.fever + excluded.fever,
                    symptomatic = s.symptomatic + excluded.symptomatic;
            END IF;
            RETURN;
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock(20260206, (w % 2147483647)::INTEGER)
    FROM (SELECT worker_id AS w FROM unnest(added) UNION SELECT worker_id FROM unnest(removed) ORDER BY 1) locks;

    WITH a AS (SELECT * FROM unnest(added)),
    r AS (SELECT * FROM unnest(removed)),
    days AS (
        SELECT township_id, enterprise_id, worker_id, date FROM a
        UNION SELECT township_id, enterprise_id, worker_id, date FROM r),
    after AS (
        SELECT d.township_id, d.enterprise_id, d.worker_id, d.date,
               coalesce(bool_or(c.fever), FALSE) AS fever, coalesce(bool_or(c.symptoms <> ''), FALSE) AS sym
        FROM days d LEFT JOIN checkins c ON c.worker_id = d.worker_id AND c.date = d.date
        GROUP BY 1, 2, 3, 4),
    before AS (
        SELECT d.worker_id, d.date,
               coalesce(bool_or(b.fever), FALSE) AS fever, coalesce(bool_or(b.symptoms <> ''), FALSE) AS sym
        FROM days d LEFT JOIN (
            SELECT c.worker_id, c.date, c.fever, c.symptoms FROM checkins c
            JOIN days d2 ON c.worker_id = d2.worker_id AND c.date = d2.date
            WHERE c.id NOT IN (SELECT id FROM a)
            UNION ALL SELECT worker_id, date, fever, symptoms FROM r) b
          ON b.worker_id = d.worker_id AND b.date = d.date
        GROUP BY 1, 2),
    people AS (
        SELECT af.township_id, af.enterprise_id, af.date,
               sum(af.fever::INTEGER - bf.fever::INTEGER) AS fever, sum(af.sym::INTEGER - bf.sym::INTEGER) AS sym
        FROM after af JOIN before bf ON bf.worker_id = af.worker_id AND bf.date = af.date
        GROUP BY 1, 2, 3),
    slots AS (
        SELECT enterprise_id, date, sum(n * (slot = 'am')::INTEGER) AS am, sum(n * (slot = 'pm')::INTEGER) AS pm
        FROM (SELECT enterprise_id, date, slot, 1 AS n FROM a UNION ALL SELECT enterprise_id, date, slot, -1 FROM r) x
        GROUP BY 1, 2)
    INSERT INTO daily_stats AS s (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
    SELECT p.township_id, p.enterprise_id, p.date, coalesce(sl.am, 0), coalesce(sl.pm, 0), p.fever, p.sym
    FROM people p LEFT JOIN slots sl ON sl.enterprise_id = p.enterprise_id AND sl.date = p.date
    WHERE coalesce(sl.am, 0) <> 0 OR coalesce(sl.pm, 0) <> 0 OR p.fever <> 0 OR p.sym <> 0
    ORDER BY p.enterprise_id, p.date -- row locks in one order: concurrent bulk loads do not deadlock
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = s.checkins_am + excluded.checkins_am,
        checkins_pm = s.checkins_pm + excluded.checkins_pm,
        fever = s.fever + excluded.fever,
        symptomatic = s.symptomatic + excluded.symptomatic;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION daily_stats_checkins_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_stats_apply(ARRAY(SELECT ROW(n.*)::checkins FROM new_rows n), '{}');
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION daily_stats_checkins_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_stats_apply(ARRAY(SELECT ROW(n.*)::checkins FROM new_rows n), ARRAY(SELECT ROW(o.*)::checkins FROM old_rows o));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION daily_stats_checkins_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_stats_apply('{}', ARRAY(SELECT ROW(o.*)::checkins FROM old_rows o));
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_inserted();
CREATE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_updated();
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_stats_checkins_deleted();

-- +goose StatementBegin
CREATE FUNCTION daily_stats_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
-- +goose StatementEnd

CREATE TRIGGER alerts_daily_stats AFTER INSERT OR UPDATE OR DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION daily_stats_alert();

-- Rows for the data already there; their roster figures are taken on first read.
INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
SELECT township_id, enterprise_id, date, sum(am), sum(pm), sum(f), sum(s)
FROM (SELECT township_id, enterprise_id, date, worker_id,
             count(*) FILTER (WHERE slot = 'am') AS am, count(*) FILTER (WHERE slot = 'pm') AS pm,
             max(fever::INTEGER) AS f, max((symptoms <> '')::INTEGER) AS s
      FROM checkins GROUP BY township_id, enterprise_id, date, worker_id) per_worker
GROUP BY township_id, enterprise_id, date;
INSERT INTO daily_stats AS s (township_id, enterprise_id, date, alerts, alerts_open)
SELECT township_id, enterprise_id, date, count(*), count(*) FILTER (WHERE status = 'open')
FROM alerts GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET alerts = excluded.alerts, alerts_open = excluded.alerts_open;

-- +goose Down
DROP TRIGGER alerts_daily_stats ON alerts;
DROP FUNCTION daily_stats_alert();
DROP TRIGGER checkins_daily_stats_delete ON checkins;
DROP TRIGGER checkins_daily_stats_update ON checkins;
DROP TRIGGER checkins_daily_stats_insert ON checkins;
DROP FUNCTION daily_stats_checkins_deleted();
DROP FUNCTION daily_stats_checkins_updated();
DROP FUNCTION daily_stats_checkins_inserted();
DROP FUNCTION daily_stats_apply(checkins[], checkins[]);
DROP TABLE daily_stats;
ALTER TABLE checkins DROP COLUMN fever;
