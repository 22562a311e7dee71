-- A value sealed with the data key when the database first met it, opened again at every
-- start: a server given another FUGONG_DATA_KEY refuses to start, instead of answering
-- /readyz and then failing every roster read (issue 16). One row.

-- +goose Up
CREATE TABLE data_key_canary (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed TEXT NOT NULL
);

-- +goose Down
DROP TABLE data_key_canary;
