-- History: since migration 00016 the statistics' functions and triggers that run are those of
-- repo/stats/postgres.sql, which the program applies after the migrations. Edit them there.
--
-- Data retention (`fugong retention run`): a township keeps personal data for retention_days
-- (default 180) and then removes it — check-ins and alerts older than that, and the files of
-- workers who left longer ago (DESIGN.md: personal data is kept no longer than it is needed).
-- The daily statistics hold no personal data and stay as they were, so that past reports keep
-- their numbers: the retention removes rows with the statistics triggers told to stand aside
-- (the transaction-local setting fugong.keep_stats), and purged_before records the day before
-- which check-ins are gone, which `stats rebuild` then leaves alone.

-- +goose Up
ALTER TABLE townships ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 180
    CHECK (retention_days BETWEEN 30 AND 3650);
ALTER TABLE townships ADD COLUMN purged_before DATE;

-- When a worker left: a file is removed retention_days after it. Those who left before this
-- column existed take the day of their file's last change.
ALTER TABLE workers ADD COLUMN left_on DATE;
UPDATE workers SET left_on = CAST(updated_at AS DATE) WHERE status = 'left';
CREATE INDEX workers_township_left ON workers (township_id, left_on) WHERE status = 'left';
-- Old check-ins are found by (enterprise_id, date), a worker's by (worker_id, date, slot) and
-- alerts by (worker_id, …) and (township_id, status, date): the indexes they have. The
-- busiest table gets no index to keep for a job that runs once a day.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION daily_stats_checkins_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fugong.keep_stats', true) = 'on' THEN
        RETURN NULL; -- the retention removes old check-ins; their days keep their figures
    END IF;
    PERFORM daily_stats_apply('{}', ARRAY(SELECT ROW(o.*)::checkins FROM old_rows o));
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION daily_stats_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('fugong.keep_stats', true) = 'on' THEN
        RETURN NULL; -- the retention removes old alerts; their days keep their figures
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
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION daily_stats_alert() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION daily_stats_checkins_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_stats_apply('{}', ARRAY(SELECT ROW(o.*)::checkins FROM old_rows o));
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP INDEX workers_township_left;
ALTER TABLE workers DROP COLUMN left_on;
ALTER TABLE townships DROP COLUMN purged_before;
ALTER TABLE townships DROP COLUMN retention_days;
