-- Notices: what a staff user must learn of, shown until they mark it read. The first kinds tell
-- a township's town admins that the platform admin made or reset a town admin account of
-- theirs, and why (issue 16, item 8): the operator keeps the way to recover an account, and the
-- township sees each use of it. Names are read through actor_id and subject_id.

-- +goose Up
CREATE TABLE notices (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    township_id BIGINT REFERENCES townships (id),
    kind        TEXT NOT NULL,
    actor_id    BIGINT REFERENCES users (id),
    subject_id  BIGINT REFERENCES users (id),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);
-- A reader's notices, newest first; the unread ones, which every page of the UI asks for.
CREATE INDEX notices_user_time ON notices (user_id, created_at, id);
CREATE INDEX notices_user_unread ON notices (user_id, created_at, id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notices;
