-- The roster (一人一档). ID numbers are never stored in the clear: id_number_sealed holds them
-- encrypted (AES-256-GCM), id_number_index a keyed HMAC by which one person is found and kept
-- unique per enterprise.

-- +goose Up
ALTER TABLE townships ADD COLUMN isolation_levels TEXT NOT NULL DEFAULT 'high,medium';

CREATE TABLE workers (
    id                BIGSERIAL PRIMARY KEY,
    township_id       BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id     BIGINT NOT NULL REFERENCES enterprises (id),
    name              TEXT NOT NULL,
    id_number_sealed  TEXT NOT NULL,
    id_number_index   TEXT NOT NULL,
    phone             TEXT NOT NULL,
    department        TEXT NOT NULL DEFAULT '',
    shift_group       TEXT NOT NULL DEFAULT '',
    origin_region     TEXT NOT NULL DEFAULT '',
    arrived_on        DATE,
    transport         TEXT NOT NULL DEFAULT '',
    key_area_exposure BOOLEAN NOT NULL DEFAULT FALSE,
    contact_history   BOOLEAN NOT NULL DEFAULT FALSE,
    risk_level        TEXT NOT NULL CHECK (risk_level IN ('high', 'medium', 'low')),
    risk_reason       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL
        CHECK (status IN ('expected', 'isolating', 'on_duty', 'left', 'in_hospital')),
    isolation_place   TEXT NOT NULL DEFAULT '',
    isolation_start   DATE,
    isolation_until   DATE,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (enterprise_id, id_number_index)
);
CREATE INDEX workers_enterprise_status ON workers (enterprise_id, status);
CREATE INDEX workers_township_risk ON workers (township_id, risk_level);
CREATE INDEX workers_phone ON workers (phone);

-- +goose Down
DROP TABLE workers;
ALTER TABLE townships DROP COLUMN isolation_levels;
