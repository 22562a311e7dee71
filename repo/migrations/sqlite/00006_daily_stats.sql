-- History: since migration 00016 the statistics' triggers that run are those of
-- repo/stats/sqlite.sql, which the program applies after the migrations. Edit them there.
--
-- SQLite twin of the PostgreSQL migration: daily statistics per enterprise and day, whose
-- activity figures triggers keep exact and whose roster figures the application snapshots.
-- SQLite has one writer at a time, so the triggers need no lock to see a worker's other slot.

-- +goose Up
ALTER TABLE checkins ADD COLUMN fever BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE checkins SET fever = temperature >= (SELECT round(t.fever_threshold * 10) FROM townships t WHERE t.id = checkins.township_id);

CREATE TABLE daily_stats (
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
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
CREATE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
    SELECT NEW.township_id, NEW.enterprise_id, NEW.date, NEW.slot = 'am', NEW.slot = 'pm',
        NEW.fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.fever),
        NEW.symptoms <> '' AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.symptoms <> '')
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic;
END;
-- +goose StatementEnd

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

-- A replaced reading changes only the person's fever and symptoms; a change of worker, day or
-- slot (which the application never makes) would be a delete and an insert.
-- +goose StatementBegin
CREATE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.slot = 'am'), -(OLD.slot = 'pm'),
        -(OLD.fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.fever)),
        -(OLD.symptoms <> '' AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.symptoms <> ''))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic;
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
    SELECT NEW.township_id, NEW.enterprise_id, NEW.date, NEW.slot = 'am', NEW.slot = 'pm',
        NEW.fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.fever),
        NEW.symptoms <> '' AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.symptoms <> '')
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alerts_daily_stats_insert AFTER INSERT ON alerts BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (NEW.township_id, NEW.enterprise_id, NEW.date, 1, NEW.status = 'open')
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alerts_daily_stats_update AFTER UPDATE ON alerts BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (NEW.township_id, NEW.enterprise_id, NEW.date, 1, NEW.status = 'open')
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER alerts_daily_stats_delete AFTER DELETE ON alerts BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd

-- Rows for the data already there; their roster figures are taken on first read.
INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
SELECT township_id, enterprise_id, date, sum(am), sum(pm), sum(f), sum(s)
FROM (SELECT township_id, enterprise_id, date, worker_id, sum(slot = 'am') AS am, sum(slot = 'pm') AS pm,
             max(fever) AS f, max(symptoms <> '') AS s
      FROM checkins GROUP BY township_id, enterprise_id, date, worker_id)
GROUP BY township_id, enterprise_id, date;
INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
SELECT township_id, enterprise_id, date, count(*), sum(status = 'open') FROM alerts
WHERE TRUE GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET alerts = excluded.alerts, alerts_open = excluded.alerts_open;

-- +goose Down
DROP TRIGGER alerts_daily_stats_delete;
DROP TRIGGER alerts_daily_stats_update;
DROP TRIGGER alerts_daily_stats_insert;
DROP TRIGGER checkins_daily_stats_update;
DROP TRIGGER checkins_daily_stats_delete;
DROP TRIGGER checkins_daily_stats_insert;
DROP TABLE daily_stats;
ALTER TABLE checkins DROP COLUMN fever;
