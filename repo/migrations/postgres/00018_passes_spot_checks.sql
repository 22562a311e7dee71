-- The return-to-work pass (复工码) and spot checks at the gate, issue 19. A township sets which
-- conditions give which pass colour (pass_rules, empty: the defaults of domain.DefaultPassRules)
-- and the share of on-duty workers its supervisors check each day. A revoked pass is a row of
-- pass_revocations until it is restored. A spot check is one measurement at the gate, with the
-- same slot's self-report as it was then and what the comparison found; a discrepancy raises an
-- alert of a new type. Gate accounts (role gate) are an enterprise's guards: migration 00019.

-- +goose Up
ALTER TABLE townships ADD COLUMN pass_rules TEXT NOT NULL DEFAULT '';
ALTER TABLE townships ADD COLUMN spot_check_percent INTEGER NOT NULL DEFAULT 10
    CHECK (spot_check_percent BETWEEN 1 AND 100);

CREATE TABLE pass_revocations (
    worker_id     BIGINT PRIMARY KEY REFERENCES workers (id) ON DELETE CASCADE,
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    reason        TEXT NOT NULL,
    revoked_by    BIGINT NOT NULL REFERENCES users (id),
    revoked_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE spot_checks (
    id               BIGSERIAL PRIMARY KEY,
    township_id      BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id    BIGINT NOT NULL REFERENCES enterprises (id),
    worker_id        BIGINT NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    checker_id       BIGINT NOT NULL REFERENCES users (id),
    date             DATE NOT NULL,
    slot             TEXT NOT NULL CHECK (slot IN ('am', 'pm')),
    checked_at       TIMESTAMPTZ NOT NULL,
    present          BOOLEAN NOT NULL,
    temperature      INTEGER, -- tenths of a degree; NULL when the person was not there
    fever            BOOLEAN NOT NULL DEFAULT FALSE,
    color            TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
    self_temperature INTEGER, -- the slot's self-report when checked; NULL: none
    self_location    TEXT NOT NULL DEFAULT '',
    self_at          TIMESTAMPTZ,
    discrepancy      TEXT NOT NULL DEFAULT '',
    alert_id         BIGINT, -- the discrepancy alert; not a foreign key: retention removes alerts first
    note             TEXT NOT NULL DEFAULT ''
);
CREATE INDEX spot_checks_township_date ON spot_checks (township_id, date);
CREATE INDEX spot_checks_enterprise_date ON spot_checks (enterprise_id, date);
CREATE INDEX spot_checks_worker_date ON spot_checks (worker_id, date);

ALTER TABLE alerts DROP CONSTRAINT alerts_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN ('fever', 'symptoms', 'missed_checkin',
    'isolation_ending', 'repeated_fever', 'key_area_arrival', 'unregistered_arrival',
    'early_arrival', 'unapproved_work', 'shift_over_capacity', 'discrepancy'));

-- +goose Down
DELETE FROM alerts WHERE type = 'discrepancy';
ALTER TABLE alerts DROP CONSTRAINT alerts_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN ('fever', 'symptoms', 'missed_checkin',
    'isolation_ending', 'repeated_fever', 'key_area_arrival', 'unregistered_arrival',
    'early_arrival', 'unapproved_work', 'shift_over_capacity'));
DROP TABLE spot_checks;
DROP TABLE pass_revocations;
ALTER TABLE townships DROP COLUMN spot_check_percent;
ALTER TABLE townships DROP COLUMN pass_rules;
