-- The statistics' functions and triggers leave the migrations for one file per engine,
-- repo/stats/postgres.sql, which the program applies after the migrations whenever that file
-- changed or a migration ran (repo/stats_rules.go). rule_files records the file applied, by its
-- SHA-256, so that a start with nothing new takes no lock on checkins and alerts.
--
-- Nothing is dropped or renamed: the file creates the objects of 00006, 00009 and 00011 under
-- their names, so a database from before has its own replaced by the file's at its first start.

-- +goose Up
CREATE TABLE rule_files (
    name   TEXT PRIMARY KEY, -- the file, e.g. repo/stats/postgres.sql
    sha256 TEXT NOT NULL
);

-- +goose Down
-- The functions and triggers stay as the file made them.
DROP TABLE rule_files;
