-- History: since migration 00016 the statistics' triggers that run are those of
-- repo/stats/sqlite.sql, which the program applies after the migrations. Edit them there.
--
-- SQLite twin of the PostgreSQL migration: the slots' due, late and kept flags, every reading
-- kept in checkin_readings, unregistered and late in daily_stats, alerts' taken_at and the
-- unregistered_arrival type. SQLite cannot change a CHECK constraint, so alerts is rebuilt
-- (with its indexes and triggers). Its row triggers see each row's statement one row at a
-- time, so a statement that changes both slots of one person counts them right.

-- +goose Up
ALTER TABLE checkins ADD COLUMN due BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE checkins ADD COLUMN late BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE checkins ADD COLUMN had_fever BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE checkins ADD COLUMN had_symptoms BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE checkins ADD COLUMN correction_note TEXT NOT NULL DEFAULT '';
ALTER TABLE daily_stats ADD COLUMN unregistered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_stats ADD COLUMN late INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER checkins_daily_stats_insert;
DROP TRIGGER checkins_daily_stats_update;
DROP TRIGGER checkins_daily_stats_delete;

UPDATE checkins SET had_fever = fever, had_symptoms = symptoms <> '',
    due = COALESCE((SELECT w.status IN ('on_duty', 'isolating') AND w.arrived_on IS NOT NULL AND w.arrived_on <= checkins.date
                    FROM workers w WHERE w.id = checkins.worker_id), TRUE);

CREATE TABLE checkin_readings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    checkin_id      INTEGER NOT NULL,
    township_id     INTEGER NOT NULL,
    enterprise_id   INTEGER NOT NULL,
    worker_id       INTEGER NOT NULL,
    date            DATE NOT NULL,
    slot            TEXT NOT NULL,
    temperature     INTEGER NOT NULL,
    fever           BOOLEAN NOT NULL,
    symptoms        TEXT NOT NULL,
    symptom_note    TEXT NOT NULL,
    location        TEXT NOT NULL,
    submitted_by    INTEGER,
    correction_note TEXT NOT NULL,
    at              DATETIME NOT NULL
);
CREATE INDEX checkin_readings_checkin ON checkin_readings (checkin_id, id);
INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
    symptoms, symptom_note, location, submitted_by, correction_note, at)
SELECT id, township_id, enterprise_id, worker_id, date, slot, temperature, fever, symptoms, symptom_note, location,
    submitted_by, '', updated_at FROM checkins ORDER BY id;

-- +goose StatementBegin
CREATE TRIGGER checkins_daily_stats_insert AFTER INSERT ON checkins BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT NEW.township_id, NEW.enterprise_id, NEW.date, NEW.due AND NEW.slot = 'am', NEW.due AND NEW.slot = 'pm', NEW.due AND NEW.late,
        NEW.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_fever),
        NEW.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_symptoms),
        NOT NEW.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND NOT o.due)
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
    INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
        symptoms, symptom_note, location, submitted_by, correction_note, at)
    VALUES (NEW.id, NEW.township_id, NEW.enterprise_id, NEW.worker_id, NEW.date, NEW.slot, NEW.temperature, NEW.fever,
        NEW.symptoms, NEW.symptom_note, NEW.location, NEW.submitted_by, NEW.correction_note, NEW.updated_at);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER checkins_daily_stats_delete AFTER DELETE ON checkins
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.due AND OLD.slot = 'am'), -(OLD.due AND OLD.slot = 'pm'), -(OLD.due AND OLD.late),
        -(OLD.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_fever)),
        -(OLD.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_symptoms)),
        -(NOT OLD.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND NOT o.due))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER checkins_daily_stats_update AFTER UPDATE ON checkins BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT OLD.township_id, OLD.enterprise_id, OLD.date, -(OLD.due AND OLD.slot = 'am'), -(OLD.due AND OLD.slot = 'pm'), -(OLD.due AND OLD.late),
        -(OLD.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_fever)),
        -(OLD.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND o.had_symptoms)),
        -(NOT OLD.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = OLD.worker_id AND o.date = OLD.date AND o.slot <> OLD.slot AND NOT o.due))
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
    INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
    SELECT NEW.township_id, NEW.enterprise_id, NEW.date, NEW.due AND NEW.slot = 'am', NEW.due AND NEW.slot = 'pm', NEW.due AND NEW.late,
        NEW.had_fever AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_fever),
        NEW.had_symptoms AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND o.had_symptoms),
        NOT NEW.due AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.worker_id = NEW.worker_id AND o.date = NEW.date AND o.slot <> NEW.slot AND NOT o.due)
    WHERE TRUE
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        checkins_am = checkins_am + excluded.checkins_am, checkins_pm = checkins_pm + excluded.checkins_pm,
        late = late + excluded.late, fever = fever + excluded.fever, symptomatic = symptomatic + excluded.symptomatic,
        unregistered = unregistered + excluded.unregistered;
END;
-- +goose StatementEnd

-- A row written again with the same updated_at is not a new reading (the roster's due).
-- +goose StatementBegin
CREATE TRIGGER checkins_readings_update AFTER UPDATE ON checkins WHEN NEW.updated_at IS NOT OLD.updated_at BEGIN
    INSERT INTO checkin_readings (checkin_id, township_id, enterprise_id, worker_id, date, slot, temperature, fever,
        symptoms, symptom_note, location, submitted_by, correction_note, at)
    VALUES (NEW.id, NEW.township_id, NEW.enterprise_id, NEW.worker_id, NEW.date, NEW.slot, NEW.temperature, NEW.fever,
        NEW.symptoms, NEW.symptom_note, NEW.location, NEW.submitted_by, NEW.correction_note, NEW.updated_at);
END;
-- +goose StatementEnd

-- alerts, rebuilt for its CHECK: the same columns, taken_at added.
DROP TRIGGER alerts_daily_stats_insert;
DROP TRIGGER alerts_daily_stats_update;
DROP TRIGGER alerts_daily_stats_delete;
CREATE TABLE alerts_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    worker_id     INTEGER NOT NULL REFERENCES workers (id),
    type          TEXT NOT NULL CHECK (type IN ('fever', 'symptoms', 'missed_checkin', 'isolation_ending', 'repeated_fever',
                                                'key_area_arrival', 'unregistered_arrival')),
    date          DATE NOT NULL,
    slot          TEXT NOT NULL DEFAULT '',
    escalated     BOOLEAN NOT NULL DEFAULT FALSE,
    detail        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    note          TEXT NOT NULL DEFAULT '',
    handled_by    INTEGER REFERENCES users (id),
    handled_at    DATETIME,
    created_at    DATETIME NOT NULL,
    taken_at      DATETIME,
    UNIQUE (worker_id, date, type, slot)
);
INSERT INTO alerts_new (id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status, note,
    handled_by, handled_at, created_at, taken_at)
SELECT id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status, note,
    handled_by, handled_at, created_at, CASE WHEN status <> 'open' THEN handled_at END FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);

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
CREATE TRIGGER alerts_daily_stats_delete AFTER DELETE ON alerts
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd

-- A slot's first report after its cut-off closes its missed-check-in alert by the system, in
-- the same transaction (the PostgreSQL function does the same; the alert records it).
-- +goose StatementBegin
CREATE TRIGGER checkins_close_missed AFTER INSERT ON checkins WHEN NEW.late BEGIN
    UPDATE alerts SET status = 'resolved', note = '迟报已补报,系统自动关闭', handled_by = NULL, handled_at = NEW.created_at,
        taken_at = COALESCE(taken_at, NEW.created_at)
    WHERE worker_id = NEW.worker_id AND date = NEW.date AND slot = NEW.slot AND type = 'missed_checkin'
        AND status <> 'resolved';
END;
-- +goose StatementEnd

-- Recount what the triggers keep, by the new rules.
UPDATE daily_stats SET checkins_am = 0, checkins_pm = 0, late = 0, fever = 0, symptomatic = 0, unregistered = 0;
INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, late, fever, symptomatic, unregistered)
SELECT township_id, enterprise_id, date, sum(am), sum(pm), sum(lt), sum(f), sum(sy), sum(u)
FROM (SELECT township_id, enterprise_id, date, worker_id, sum(due AND slot = 'am') AS am, sum(due AND slot = 'pm') AS pm,
             sum(due AND late) AS lt, max(had_fever) AS f, max(had_symptoms) AS sy, max(NOT due) AS u
      FROM checkins GROUP BY township_id, enterprise_id, date, worker_id)
WHERE TRUE GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET checkins_am = excluded.checkins_am, checkins_pm = excluded.checkins_pm,
    late = excluded.late, fever = excluded.fever, symptomatic = excluded.symptomatic, unregistered = excluded.unregistered;

-- +goose Down
-- Back to the triggers of 00006 and 00009 and the alerts table of 00005: the new columns and
-- readings are dropped, unregistered-arrival alerts with them.
DROP TRIGGER checkins_close_missed;
DROP TRIGGER checkins_readings_update;
DROP TRIGGER checkins_daily_stats_insert;
DROP TRIGGER checkins_daily_stats_update;
DROP TRIGGER checkins_daily_stats_delete;
DROP TRIGGER alerts_daily_stats_insert;
DROP TRIGGER alerts_daily_stats_update;
DROP TRIGGER alerts_daily_stats_delete;
DROP TABLE checkin_readings;
DELETE FROM alerts WHERE type = 'unregistered_arrival';
CREATE TABLE alerts_old (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    worker_id     INTEGER NOT NULL REFERENCES workers (id),
    type          TEXT NOT NULL CHECK (type IN ('fever', 'symptoms', 'missed_checkin', 'isolation_ending', 'repeated_fever', 'key_area_arrival')),
    date          DATE NOT NULL,
    slot          TEXT NOT NULL DEFAULT '',
    escalated     BOOLEAN NOT NULL DEFAULT FALSE,
    detail        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    note          TEXT NOT NULL DEFAULT '',
    handled_by    INTEGER REFERENCES users (id),
    handled_at    DATETIME,
    created_at    DATETIME NOT NULL,
    UNIQUE (worker_id, date, type, slot)
);
INSERT INTO alerts_old (id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status, note,
    handled_by, handled_at, created_at)
SELECT id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status, note,
    handled_by, handled_at, created_at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_old RENAME TO alerts;
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
ALTER TABLE daily_stats DROP COLUMN late;
ALTER TABLE daily_stats DROP COLUMN unregistered;
ALTER TABLE checkins DROP COLUMN correction_note;
ALTER TABLE checkins DROP COLUMN had_symptoms;
ALTER TABLE checkins DROP COLUMN had_fever;
ALTER TABLE checkins DROP COLUMN late;
ALTER TABLE checkins DROP COLUMN due;
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
CREATE TRIGGER alerts_daily_stats_delete AFTER DELETE ON alerts
WHEN NOT EXISTS (SELECT 1 FROM stats_frozen) BEGIN
    INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
    VALUES (OLD.township_id, OLD.enterprise_id, OLD.date, -1, -(OLD.status = 'open'))
    ON CONFLICT (enterprise_id, date) DO UPDATE SET
        alerts = alerts + excluded.alerts, alerts_open = alerts_open + excluded.alerts_open;
END;
-- +goose StatementEnd
-- The statistics as the rules of 00006 count them.
UPDATE daily_stats SET checkins_am = 0, checkins_pm = 0, fever = 0, symptomatic = 0;
INSERT INTO daily_stats (township_id, enterprise_id, date, checkins_am, checkins_pm, fever, symptomatic)
SELECT township_id, enterprise_id, date, sum(am), sum(pm), sum(f), sum(sy)
FROM (SELECT township_id, enterprise_id, date, worker_id, sum(slot = 'am') AS am, sum(slot = 'pm') AS pm,
             max(fever) AS f, max(symptoms <> '') AS sy
      FROM checkins GROUP BY township_id, enterprise_id, date, worker_id)
WHERE TRUE GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET checkins_am = excluded.checkins_am, checkins_pm = excluded.checkins_pm,
    fever = excluded.fever, symptomatic = excluded.symptomatic;
UPDATE daily_stats SET alerts = 0, alerts_open = 0;
INSERT INTO daily_stats (township_id, enterprise_id, date, alerts, alerts_open)
SELECT township_id, enterprise_id, date, count(*), sum(status = 'open') FROM alerts
WHERE TRUE GROUP BY township_id, enterprise_id, date
ON CONFLICT (enterprise_id, date) DO UPDATE SET alerts = excluded.alerts, alerts_open = excluded.alerts_open;
