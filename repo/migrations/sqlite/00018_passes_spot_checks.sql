-- SQLite twin of the PostgreSQL migration (issue 19: passes and spot checks). SQLite cannot
-- change a CHECK constraint, so alerts is rebuilt once more, as 00017 did and for the same
-- reasons (see there); its triggers come back from the rule files (repo/stats) after the
-- migrations. The gate role is 00019, a Go migration: users is referenced by many tables.

-- +goose Up
ALTER TABLE townships ADD COLUMN pass_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE townships ADD COLUMN spot_check_percent INTEGER NOT NULL DEFAULT 10
    CHECK (spot_check_percent BETWEEN 1 AND 100);

CREATE TABLE pass_revocations (
    worker_id     INTEGER PRIMARY KEY REFERENCES workers (id) ON DELETE CASCADE,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    reason        TEXT NOT NULL,
    revoked_by    INTEGER NOT NULL REFERENCES users (id),
    revoked_at    DATETIME NOT NULL
);

CREATE TABLE spot_checks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id      INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id    INTEGER NOT NULL REFERENCES enterprises (id),
    worker_id        INTEGER NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    checker_id       INTEGER NOT NULL REFERENCES users (id),
    date             DATE NOT NULL,
    slot             TEXT NOT NULL CHECK (slot IN ('am', 'pm')),
    checked_at       DATETIME NOT NULL,
    present          BOOLEAN NOT NULL,
    temperature      INTEGER,
    fever            BOOLEAN NOT NULL DEFAULT FALSE,
    color            TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    self_temperature INTEGER,
    self_location    TEXT NOT NULL DEFAULT '',
    self_at          DATETIME,
    discrepancy      TEXT NOT NULL DEFAULT '',
    alert_id         INTEGER,
    note             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX spot_checks_township_date ON spot_checks (township_id, date);
CREATE INDEX spot_checks_enterprise_date ON spot_checks (enterprise_id, date);
CREATE INDEX spot_checks_worker_date ON spot_checks (worker_id, date);

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
                                                'early_arrival', 'unapproved_work', 'shift_over_capacity',
                                                'discrepancy')),
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
INSERT INTO alerts_new SELECT id, township_id, enterprise_id, worker_id, type, date, slot, escalated, detail, status,
    note, handled_by, handled_at, created_at, taken_at, shift_id FROM alerts;
DROP TABLE alerts;
PRAGMA legacy_alter_table = ON;
ALTER TABLE alerts_new RENAME TO alerts;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
CREATE UNIQUE INDEX alerts_enterprise_condition ON alerts (enterprise_id, date, type, COALESCE(shift_id, 0))
    WHERE type IN ('unapproved_work', 'shift_over_capacity');

-- +goose Down
DROP TABLE spot_checks;
DROP TABLE pass_revocations;
ALTER TABLE townships DROP COLUMN spot_check_percent;
ALTER TABLE townships DROP COLUMN pass_rules;
DROP TRIGGER IF EXISTS alerts_daily_stats_insert;
DROP TRIGGER IF EXISTS alerts_daily_stats_update;
DROP TRIGGER IF EXISTS alerts_daily_stats_delete;
DELETE FROM alerts WHERE type = 'discrepancy';
CREATE TABLE alerts_old (
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
INSERT INTO alerts_old SELECT * FROM alerts;
DROP TABLE alerts;
PRAGMA legacy_alter_table = ON;
ALTER TABLE alerts_old RENAME TO alerts;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);
CREATE UNIQUE INDEX alerts_enterprise_condition ON alerts (enterprise_id, date, type, COALESCE(shift_id, 0))
    WHERE type IN ('unapproved_work', 'shift_over_capacity');
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
