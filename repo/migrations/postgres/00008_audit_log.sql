-- The audit log as a town admin reads it (GET /api/v1/audit): newest first, by township, and
-- narrowed to one enterprise, one actor, an action or a time range. enterprise_id ties an
-- event about a plan, a worker or an inspection to its enterprise, so that "everything about
-- this enterprise" is one indexed filter.

-- +goose Up
ALTER TABLE audit_events ADD COLUMN enterprise_id BIGINT;
UPDATE audit_events SET enterprise_id = entity_id WHERE entity_type = 'enterprise';
UPDATE audit_events a SET enterprise_id = p.enterprise_id FROM reopening_plans p
    WHERE a.entity_type = 'plan' AND p.id = a.entity_id;
UPDATE audit_events a SET enterprise_id = w.enterprise_id FROM workers w
    WHERE a.entity_type = 'worker' AND w.id = a.entity_id;
UPDATE audit_events a SET enterprise_id = i.enterprise_id FROM inspections i
    WHERE a.entity_type = 'inspection' AND i.id = a.entity_id;

-- Each index ends with the order of the log (created_at, id), so that a page is read in
-- order from the index instead of sorting the township's whole history.
DROP INDEX audit_events_township;
CREATE INDEX audit_events_township_time ON audit_events (township_id, created_at, id);
CREATE INDEX audit_events_time ON audit_events (created_at, id);
CREATE INDEX audit_events_enterprise_time ON audit_events (enterprise_id, created_at, id) WHERE enterprise_id IS NOT NULL;
CREATE INDEX audit_events_actor_time ON audit_events (actor_id, created_at, id) WHERE actor_id IS NOT NULL;

-- +goose Down
DROP INDEX audit_events_actor_time;
DROP INDEX audit_events_enterprise_time;
DROP INDEX audit_events_time;
DROP INDEX audit_events_township_time;
CREATE INDEX audit_events_township ON audit_events (township_id, created_at);
ALTER TABLE audit_events DROP COLUMN enterprise_id;
