-- SQLite twin of PostgreSQL's 00023 (issue 22: check-ins, readings and alerts partitioned by
-- month). SQLite has no partitioning, and a SQLite Fugong is one township's: its tables stay as
-- they are. The migration exists so that both engines count the same versions.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
