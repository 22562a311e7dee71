-- Workers sign in too (enterprise code, phone, last six of the ID number): a refresh token
-- belongs to a staff user or to a worker, never both.

-- +goose Up
ALTER TABLE refresh_tokens ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE refresh_tokens ADD COLUMN worker_id BIGINT REFERENCES workers (id) ON DELETE CASCADE;
ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_one_subject
    CHECK ((user_id IS NULL) <> (worker_id IS NULL));
CREATE INDEX refresh_tokens_worker ON refresh_tokens (worker_id);

-- +goose Down
DELETE FROM refresh_tokens WHERE worker_id IS NOT NULL;
DROP INDEX refresh_tokens_worker;
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_one_subject;
ALTER TABLE refresh_tokens DROP COLUMN worker_id;
ALTER TABLE refresh_tokens ALTER COLUMN user_id SET NOT NULL;
