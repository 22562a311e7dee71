-- Check-ins no longer hold foreign keys to townships and enterprises (issue 23: the check-in
-- upsert against the bare table). A foreign key check takes FOR KEY SHARE on the row it
-- points at; every check-in of a township pointed at one townships row and every check-in of
-- an enterprise at one enterprises row, so concurrent check-ins piled their locks on the same
-- few rows: PostgreSQL records several lockers of a row in a MultiXact and writes the lock into
-- the row, a WAL record each time. pgbench with the product's upsert, 16 clients: 2,613/s and
-- 2,634/s with these two keys, 3,108/s and 3,698/s without (BENCHMARKS.md).
--
-- What keeps the two columns right without them: the upsert (repo.CheckinStatement) takes
-- township_id and enterprise_id from the worker's own row (INSERT … SELECT … FROM workers),
-- whose foreign keys hold; the foreign key to workers stays (one row per worker, nobody else
-- locks it); townships and enterprises are never deleted; and the bulk load (InsertMany: the
-- demo, the benchmarks) is given check-ins made from workers it read. Alerts, written far less
-- often, keep theirs. IF EXISTS: a database whose keys someone dropped by hand (to measure
-- this) migrates all the same.

-- +goose Up
ALTER TABLE checkins DROP CONSTRAINT IF EXISTS checkins_township_id_fkey;
ALTER TABLE checkins DROP CONSTRAINT IF EXISTS checkins_enterprise_id_fkey;

-- +goose Down
ALTER TABLE checkins ADD FOREIGN KEY (township_id) REFERENCES townships (id);
ALTER TABLE checkins ADD FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
