-- SQLite twin of the PostgreSQL migration: the statistics' triggers leave the migrations for
-- repo/stats/sqlite.sql, applied by the program after the migrations whenever it changed or a
-- migration ran; rule_files records the file applied.

-- +goose Up
CREATE TABLE rule_files (
    name   TEXT PRIMARY KEY, -- the file, e.g. repo/stats/sqlite.sql
    sha256 TEXT NOT NULL
);

-- +goose Down
-- The triggers stay as the file made them.
DROP TABLE rule_files;
