-- History: since migration 00016 the statistics' triggers that run are those of
-- repo/stats/sqlite.sql, which the program applies after the migrations. Edit them there.
--
-- SQLite twin of the PostgreSQL migration: retention_days per township, when a worker left,
-- and the statistics triggers standing aside while the retention removes old rows. SQLite has
-- no session settings: the retention inserts a row into stats_frozen inside its own
-- transaction and deletes it before committing, so no other connection ever sees it (one
-- writer at a time, readers see only what is committed).

-- +goose Up
ALTER TABLE townships ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 180
    CHECK (retention_days BETWEEN 30 AND 3650);
ALTER TABLE townships ADD COLUMN purged_before DATE;

ALTER TABLE workers ADD COLUMN left_on DATE;
-- (in the form the driver writes dates in, so that they compare as text)
UPDATE workers SET left_on = strftime('%Y-%m-%d 00:00:00+00:00', updated_at) WHERE status = 'left';
CREATE INDEX workers_township_left ON workers (township_id, left_on) WHERE status = 'left';

CREATE TABLE stats_frozen (frozen INTEGER PRIMARY KEY CHECK (frozen = 1));

DROP TRIGGER checkins_daily_stats_delete;
-- +goose StatementBegin
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.slot = 'am'), -(OLD.slot = 'pm'),
        -(OLD.fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.fever)),
        -(OLD.symptoms <> '' AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.symptoms <> ''))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic;
END;
-- +goose StatementEnd

DROP TRIGGER alerts_daily_stats_delete;
-- +goose StatementBegin
CREATE TRIGGER alerts_daily_stats_delete AFTER DELETE ON alerts
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER alerts_daily_stats_delete;
-- +goose StatementBegin
CREATE TRIGGER alerts_daily_stats_delete AFTER DELETE ON alerts BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd
DROP TRIGGER checkins_daily_stats_delete;
-- +goose StatementBegin
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.slot = 'am'), -(OLD.slot = 'pm'),
        -(OLD.fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.fever)),
        -(OLD.symptoms <> '' AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.symptoms <> ''))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic;
END;
-- +goose StatementEnd
DROP TABLE stats_frozen;
DROP INDEX workers_township_left;
ALTER TABLE workers DROP COLUMN left_on;
ALTER TABLE townships DROP COLUMN purged_before;
ALTER TABLE townships DROP COLUMN retention_days;
