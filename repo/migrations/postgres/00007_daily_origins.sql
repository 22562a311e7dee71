-- Where the returned workers of each enterprise come from (their home province), per day: a
-- part of the roster snapshot, taken with it, so that the dashboard's origin chart reads a few
-- hundred rows instead of grouping every worker of the township on each request.

-- +goose Up
CREATE TABLE daily_origins (
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id),
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
