-- Reopening plans (一企一策) with their versions and reviews, on-site inspections with their
-- rectifications, and the audit trail.

-- +goose Up
CREATE TABLE reopening_plans (
    id                  BIGSERIAL PRIMARY KEY,
    township_id         BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id       BIGINT NOT NULL REFERENCES enterprises (id),
    version             INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    planned_reopen_date DATE,
    expected_workers    INTEGER NOT NULL DEFAULT 0,
    lead_name           TEXT NOT NULL DEFAULT '',
    lead_phone          TEXT NOT NULL DEFAULT '',
    masks               INTEGER NOT NULL DEFAULT 0,
    thermometers        INTEGER NOT NULL DEFAULT 0,
    disinfectant_liters NUMERIC(10,1) NOT NULL DEFAULT 0,
    gloves              INTEGER NOT NULL DEFAULT 0,
    goggles             INTEGER NOT NULL DEFAULT 0,
    isolation_room      TEXT NOT NULL DEFAULT '',
    batches             TEXT NOT NULL DEFAULT '[]', -- JSON: [{"date": "YYYY-MM-DD", "workers": N}]
    shift_size          INTEGER NOT NULL DEFAULT 0,
    canteen             TEXT NOT NULL DEFAULT '',
    dormitory           TEXT NOT NULL DEFAULT '',
    disinfection        TEXT NOT NULL DEFAULT '',
    emergency_plan      TEXT NOT NULL DEFAULT '',
    pledge              BOOLEAN NOT NULL DEFAULT FALSE,
    created_by          BIGINT NOT NULL REFERENCES users (id),
    submitted_at        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (enterprise_id, version)
);
-- At most one plan of an enterprise is being worked on (draft) or waiting (submitted).
CREATE UNIQUE INDEX reopening_plans_one_open ON reopening_plans (enterprise_id)
    WHERE status IN ('draft', 'submitted');
CREATE INDEX reopening_plans_queue ON reopening_plans (township_id, status, submitted_at);

CREATE TABLE plan_reviews (
    id          BIGSERIAL PRIMARY KEY,
    township_id BIGINT NOT NULL REFERENCES townships (id),
    plan_id     BIGINT NOT NULL REFERENCES reopening_plans (id),
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    decision    TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
    comment     TEXT NOT NULL DEFAULT '',
    reviewed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_reviews_plan ON plan_reviews (plan_id);

CREATE TABLE inspections (
    id                     BIGSERIAL PRIMARY KEY,
    township_id            BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id          BIGINT NOT NULL REFERENCES enterprises (id),
    inspector_id           BIGINT NOT NULL REFERENCES users (id),
    visited_on             DATE NOT NULL,
    temperature_check      BOOLEAN NOT NULL,
    masks_worn             BOOLEAN NOT NULL,
    disinfection_log       BOOLEAN NOT NULL,
    isolation_room_ready   BOOLEAN NOT NULL,
    roster_up_to_date      BOOLEAN NOT NULL,
    canteen_staggered      BOOLEAN NOT NULL,
    findings               TEXT NOT NULL DEFAULT '',
    rectification_deadline DATE,
    closed_by              BIGINT REFERENCES inspections (id),
    closed_on              DATE,
    created_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX inspections_enterprise ON inspections (enterprise_id, visited_on);
CREATE INDEX inspections_open ON inspections (township_id, rectification_deadline)
    WHERE rectification_deadline IS NOT NULL AND closed_on IS NULL;

CREATE TABLE audit_events (
    id          BIGSERIAL PRIMARY KEY,
    township_id BIGINT REFERENCES townships (id),
    actor_id    BIGINT,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_township ON audit_events (township_id, created_at);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE inspections;
DROP TABLE plan_reviews;
DROP TABLE reopening_plans;
