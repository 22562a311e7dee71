-- A worker's sign-in secret is a 6-digit PIN they chose, kept as a bcrypt hash (issue 16):
-- the ID number, which staff see in part, serves only to enrol. No row: not enrolled yet, or
-- HR reset the PIN, and the worker enrols again. A table of its own keeps the hash out of
-- every roster read.

-- +goose Up
CREATE TABLE worker_pins (
    worker_id BIGINT PRIMARY KEY REFERENCES workers (id) ON DELETE CASCADE,
    pin_hash  TEXT NOT NULL,
    set_at    TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE worker_pins;
