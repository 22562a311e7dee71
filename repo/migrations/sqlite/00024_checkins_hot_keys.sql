-- SQLite twin of PostgreSQL's 00024 (check-ins without foreign keys to townships and
-- enterprises). SQLite checks a foreign key without locking the row it points at (it has one
-- writer at a time), so the keys cost it nothing worth a rebuild of the table: they stay. The
-- migration exists so that both engines count the same versions.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
