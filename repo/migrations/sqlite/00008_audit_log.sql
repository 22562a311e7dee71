-- SQLite twin of the PostgreSQL migration: the audit log as a town admin reads it, newest
-- first, by township, enterprise, actor, action and time.

-- +goose Up
ALTER TABLE audit_events ADD COLUMN enterprise_id INTEGER;
UPDATE audit_events SET enterprise_id = entity_id WHERE entity_type = 'enterprise';
UPDATE audit_events SET enterprise_id = (SELECT p.enterprise_id FROM reopening_plans p WHERE p.id = audit_events.entity_id)
    WHERE entity_type = 'plan';
UPDATE audit_events SET enterprise_id = (SELECT w.enterprise_id FROM workers w WHERE w.id = audit_events.entity_id)
    WHERE entity_type = 'worker';
UPDATE audit_events SET enterprise_id = (SELECT i.enterprise_id FROM inspections i WHERE i.id = audit_events.entity_id)
    WHERE entity_type = 'inspection';

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
