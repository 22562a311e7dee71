-- SQLite twin of the PostgreSQL migration (issue 18: return batches, shifts, their alerts).
-- SQLite cannot change a CHECK constraint, so alerts is rebuilt as in 00011; its own triggers
-- are dropped first, and the rule files (repo/stats) create them again after the migrations,
-- as after every migration. The rename runs with legacy_alter_table on: otherwise SQLite checks
-- every trigger as it renames, and checkins_close_missed, which writes to alerts, names a table
-- that is gone for that moment.

-- +goose Up
CREATE TABLE return_batches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id     INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises (id),
    plan_id         INTEGER NOT NULL REFERENCES reopening_plans (id),
    number          INTEGER NOT NULL CHECK (number > 0),
    date            DATE NOT NULL,
    planned_workers INTEGER NOT NULL CHECK (planned_workers >= 0),
    departments     TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (enterprise_id, number)
);
CREATE INDEX return_batches_township ON return_batches (township_id, date);

CREATE TABLE shifts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id    INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises (id),
    name           TEXT NOT NULL,
    workshop       TEXT NOT NULL DEFAULT '',
    starts_at      TEXT NOT NULL DEFAULT '',
    ends_at        TEXT NOT NULL DEFAULT '',
    meal_starts_at TEXT NOT NULL DEFAULT '',
    meal_ends_at   TEXT NOT NULL DEFAULT '',
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    UNIQUE (enterprise_id, name)
);

ALTER TABLE workers ADD COLUMN batch_id INTEGER REFERENCES return_batches (id) ON DELETE SET NULL;
ALTER TABLE workers ADD COLUMN shift_id INTEGER REFERENCES shifts (id);
CREATE INDEX workers_batch ON workers (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX workers_shift ON workers (shift_id) WHERE shift_id IS NOT NULL;

INSERT INTO shifts (township_id, enterprise_id, name, capacity, created_at, updated_at)
SELECT w.township_id, w.enterprise_id, w.shift_group,
    MAX(COUNT(*), COALESCE((SELECT p.shift_size FROM reopening_plans p WHERE p.enterprise_id = w.enterprise_id
        ORDER BY p.version DESC LIMIT 1), 0)), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
FROM workers w WHERE w.shift_group <> ''
GROUP BY w.township_id, w.enterprise_id, w.shift_group;
UPDATE workers SET shift_id = (SELECT s.id FROM shifts s
    WHERE s.enterprise_id = workers.enterprise_id AND s.name = workers.shift_group)
WHERE shift_group <> '';
ALTER TABLE workers DROP COLUMN shift_group;

INSERT INTO return_batches (township_id, enterprise_id, plan_id, number, date, planned_workers, created_at, updated_at)
SELECT p.township_id, p.enterprise_id, p.id,
    ROW_NUMBER() OVER (PARTITION BY p.enterprise_id ORDER BY json_extract(b.value, '$.date'), b.key),
    json_extract(b.value, '$.date') || ' 00:00:00+00:00', json_extract(b.value, '$.workers'), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
FROM reopening_plans p, json_each(p.batches) b
WHERE p.status = 'approved' AND p.version = (SELECT MAX(version) FROM reopening_plans q
    WHERE q.enterprise_id = p.enterprise_id AND q.status = 'approved');

DROP TRIGGER IF EXISTS alerts_daily_stats_insert;
DROP TRIGGER IF EXISTS alerts_daily_stats_update;
DROP TRIGGER IF EXISTS alerts_daily_stats_delete;
CREATE TABLE alerts_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    worker_id     INTEGER NOT NULL REFERENCES workers (id),
    type          TEXT NOT NULL CHECK (type IN ('fever', 'symptoms', 'missed_checkin', 'isolation_ending', 'repeated_fever',
                                                'key_area_arrival', 'unregistered_arrival',
                                                'early_arrival', 'unapproved_work', 'shift_over_capacity')),
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
    shift_id      INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    UNIQUE (worker_id, date, type, slot)
);
INSERT INTO alerts_new (id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status, note,
    handled_by, handled_at, created_at, taken_at)
SELECT id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status, note,
    handled_by, handled_at, created_at, taken_at FROM alerts;
DROP TABLE alerts;
PRAGMA legacy_alter_table = ON;
ALTER TABLE alerts_new RENAME TO alerts;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
CREATE UNIQUE INDEX alerts_enterprise_condition ON alerts (enterprise_id, date, type, COALESCE(shift_id, 0))
    WHERE type IN ('unapproved_work', 'shift_over_capacity');

-- +goose Down
DROP TRIGGER IF EXISTS alerts_daily_stats_insert;
DROP TRIGGER IF EXISTS alerts_daily_stats_update;
DROP TRIGGER IF EXISTS alerts_daily_stats_delete;
DELETE FROM alerts WHERE type IN ('early_arrival', 'unapproved_work', 'shift_over_capacity');
CREATE TABLE alerts_old (
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
INSERT INTO alerts_old SELECT id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status,
    note, handled_by, handled_at, created_at, taken_at FROM alerts;
DROP TABLE alerts;
PRAGMA legacy_alter_table = ON;
ALTER TABLE alerts_old RENAME TO alerts;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
-- The triggers the earlier migrations' Downs expect, as the rule file last made them.
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
ALTER TABLE workers ADD COLUMN shift_group TEXT NOT NULL DEFAULT '';
UPDATE workers SET shift_group = COALESCE((SELECT s.name FROM shifts s WHERE s.id = workers.shift_id), '');
DROP INDEX workers_shift;
DROP INDEX workers_batch;
ALTER TABLE workers DROP COLUMN shift_id;
ALTER TABLE workers DROP COLUMN batch_id;
DROP TABLE shifts;
DROP TABLE return_batches;
