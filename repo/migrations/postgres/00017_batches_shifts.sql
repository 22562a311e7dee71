-- Staggered return (错峰返岗) and small shifts (小班制), issue 18. An approved plan's batches
-- become the enterprise's return batches, to which HR assigns workers; shifts (班组) replace the
-- free-text shift group of a worker, each with its hours, staggered meal time and capacity.
-- Alerts gain three kinds: early_arrival (back before their batch), unapproved_work (checked in
-- at work at an enterprise not approved to reopen) and shift_over_capacity; the last two are of
-- an enterprise (and a shift), raised once a day however many check-ins find them: they name
-- the worker whose check-in found them, and a unique index of their own keeps them single.

-- +goose Up
CREATE TABLE return_batches (
    id              BIGSERIAL PRIMARY KEY,
    township_id     BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id),
    plan_id         BIGINT NOT NULL REFERENCES reopening_plans (id),
    number          INTEGER NOT NULL CHECK (number > 0),
    date            DATE NOT NULL,
    planned_workers INTEGER NOT NULL CHECK (planned_workers >= 0),
    departments     TEXT NOT NULL DEFAULT '', -- the departments of the batch, joined by '、'
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (enterprise_id, number)
);
CREATE INDEX return_batches_township ON return_batches (township_id, date);

CREATE TABLE shifts (
    id             BIGSERIAL PRIMARY KEY,
    township_id    BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id),
    name           TEXT NOT NULL,
    workshop       TEXT NOT NULL DEFAULT '',
    starts_at      TEXT NOT NULL DEFAULT '', -- HH:MM, local time of the township
    ends_at        TEXT NOT NULL DEFAULT '',
    meal_starts_at TEXT NOT NULL DEFAULT '',
    meal_ends_at   TEXT NOT NULL DEFAULT '',
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (enterprise_id, name)
);

ALTER TABLE workers ADD COLUMN batch_id BIGINT REFERENCES return_batches (id) ON DELETE SET NULL;
ALTER TABLE workers ADD COLUMN shift_id BIGINT REFERENCES shifts (id);
CREATE INDEX workers_batch ON workers (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX workers_shift ON workers (shift_id) WHERE shift_id IS NOT NULL;

-- Each enterprise's free-text groups become its shifts, as large as the group or the plan's
-- shift size, whichever is more, so that nobody is over capacity by the upgrade.
INSERT INTO shifts (township_id, enterprise_id, name, capacity, created_at, updated_at)
SELECT w.township_id, w.enterprise_id, w.shift_group,
    GREATEST(COUNT(*), COALESCE((SELECT p.shift_size FROM reopening_plans p WHERE p.enterprise_id = w.enterprise_id
        ORDER BY p.version DESC LIMIT 1), 0)), now(), now()
FROM workers w WHERE w.shift_group <> ''
GROUP BY w.township_id, w.enterprise_id, w.shift_group;
UPDATE workers w SET shift_id = s.id FROM shifts s
WHERE s.enterprise_id = w.enterprise_id AND s.name = w.shift_group AND w.shift_group <> '';
ALTER TABLE workers DROP COLUMN shift_group;

-- The batches of each enterprise's latest approved plan, numbered by date.
INSERT INTO return_batches (township_id, enterprise_id, plan_id, number, date, planned_workers, created_at, updated_at)
SELECT p.township_id, p.enterprise_id, p.id,
    ROW_NUMBER() OVER (PARTITION BY p.enterprise_id ORDER BY (b.value ->> 'date'), b.ordinality),
    (b.value ->> 'date')::date, (b.value ->> 'workers')::int, now(), now()
FROM reopening_plans p
CROSS JOIN LATERAL json_array_elements(p.batches::json) WITH ORDINALITY AS b (value, ordinality)
WHERE p.status = 'approved' AND p.version = (SELECT MAX(version) FROM reopening_plans q
    WHERE q.enterprise_id = p.enterprise_id AND q.status = 'approved');

ALTER TABLE alerts ADD COLUMN shift_id BIGINT REFERENCES shifts (id) ON DELETE SET NULL;
ALTER TABLE alerts DROP CONSTRAINT alerts_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN ('fever', 'symptoms', 'missed_checkin',
    'isolation_ending', 'repeated_fever', 'key_area_arrival', 'unregistered_arrival',
    'early_arrival', 'unapproved_work', 'shift_over_capacity'));
CREATE UNIQUE INDEX alerts_enterprise_condition ON alerts (enterprise_id, date, type, COALESCE(shift_id, 0))
    WHERE type IN ('unapproved_work', 'shift_over_capacity');

-- +goose Down
DROP INDEX alerts_enterprise_condition;
DELETE FROM alerts WHERE type IN ('early_arrival', 'unapproved_work', 'shift_over_capacity');
ALTER TABLE alerts DROP CONSTRAINT alerts_type_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN ('fever', 'symptoms', 'missed_checkin',
    'isolation_ending', 'repeated_fever', 'key_area_arrival', 'unregistered_arrival'));
ALTER TABLE alerts DROP COLUMN shift_id;
ALTER TABLE workers ADD COLUMN shift_group TEXT NOT NULL DEFAULT '';
UPDATE workers w SET shift_group = s.name FROM shifts s WHERE s.id = w.shift_id;
ALTER TABLE workers DROP COLUMN shift_id;
ALTER TABLE workers DROP COLUMN batch_id;
DROP TABLE shifts;
DROP TABLE return_batches;
