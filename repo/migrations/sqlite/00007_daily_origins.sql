-- SQLite twin of the PostgreSQL migration: returned workers per enterprise, day and home
-- province, taken with the roster snapshot.

-- +goose Up
CREATE TABLE daily_origins (
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    date          DATE NOT NULL,
    province      TEXT NOT NULL, -- GB/T 2260 code of the province, e.g. 420000
    workers       INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, date, province)
);
CREATE INDEX daily_origins_township_date ON daily_origins (township_id, date);

-- Snapshots taken before this table existed have no origins until they are taken again
-- (today's at the next roster change); past snapshots stand as they were.

-- The township's workers in ID order: the daily report and the sweep walk them in batches
-- (keyset paging), which otherwise sorts the township's whole roster for every batch.
CREATE INDEX workers_township_id ON workers (township_id, id);

-- +goose Down
DROP INDEX workers_township_id;
DROP TABLE daily_origins;
