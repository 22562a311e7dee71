-- A token generation for every staff account and every worker: an access token carries the
-- generation it was issued in, and the authentication refuses one of an earlier generation.
-- A password change or reset, a logout, a disabled account, a stolen refresh token, a worker's
-- sign-in reset move it on, so that access tokens end at once instead of living on for their
-- quarter of an hour (issue 16). Tokens issued before this migration carry none, which reads
-- as 0, the generation every account starts in.

-- +goose Up
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE workers DROP COLUMN token_generation;
ALTER TABLE users DROP COLUMN token_generation;
