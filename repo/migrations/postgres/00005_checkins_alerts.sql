-- Daily health check-ins (每日健康打卡) and the alerts they raise. One check-in per worker, day
-- and slot: a repeat replaces it. One alert per worker, day, type and slot: a condition
-- detected again raises nothing new. Check-ins are range-partitionable by date.

-- +goose Up
CREATE TABLE checkins (
    id            BIGSERIAL PRIMARY KEY,
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    worker_id     BIGINT NOT NULL REFERENCES workers (id),
    date          DATE NOT NULL,
    slot          TEXT NOT NULL CHECK (slot IN ('am', 'pm')),
    temperature   SMALLINT NOT NULL CHECK (temperature BETWEEN 350 AND 420), -- tenths of a degree
    symptoms      TEXT NOT NULL DEFAULT '',                                  -- comma-separated
    symptom_note  TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL CHECK (location IN ('work', 'home', 'isolation')),
    submitted_by  BIGINT REFERENCES users (id),                              -- NULL: the worker
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (worker_id, date, slot)
);
CREATE INDEX checkins_enterprise_date ON checkins (enterprise_id, date);

CREATE TABLE alerts (
    id            BIGSERIAL PRIMARY KEY,
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
    worker_id     BIGINT NOT NULL REFERENCES workers (id),
    type          TEXT NOT NULL CHECK (type IN ('fever', 'symptoms', 'missed_checkin', 'isolation_ending', 'repeated_fever', 'key_area_arrival')),
    date          DATE NOT NULL,
    slot          TEXT NOT NULL DEFAULT '',
    escalated     BOOLEAN NOT NULL DEFAULT FALSE,
    detail        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    note          TEXT NOT NULL DEFAULT '',
    handled_by    BIGINT REFERENCES users (id),
    handled_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (worker_id, date, type, slot)
);
CREATE INDEX alerts_township_status ON alerts (township_id, status, date);
CREATE INDEX alerts_enterprise_status ON alerts (enterprise_id, status, date);

-- +goose Down
DROP TABLE alerts;
DROP TABLE checkins;
