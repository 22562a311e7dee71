-- SQLite twin of the PostgreSQL migration. SQLite cannot drop a NOT NULL, so the table is
-- rebuilt with the new column and check, and its rows copied over.

-- +goose Up
CREATE TABLE refresh_tokens_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id  TEXT NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    worker_id  INTEGER REFERENCES workers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    revoked_at DATETIME,
    created_at DATETIME NOT NULL,
    CONSTRAINT refresh_tokens_one_subject CHECK ((user_id IS NULL) <> (worker_id IS NULL))
);
INSERT INTO refresh_tokens_new (id, family_id, user_id, token_hash, expires_at, used_at, revoked_at, created_at)
    SELECT id, family_id, user_id, token_hash, expires_at, used_at, revoked_at, created_at FROM refresh_tokens;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_new RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_worker ON refresh_tokens (worker_id);

-- +goose Down
CREATE TABLE refresh_tokens_old (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id  TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    revoked_at DATETIME,
    created_at DATETIME NOT NULL
);
INSERT INTO refresh_tokens_old SELECT id, family_id, user_id, token_hash, expires_at, used_at, revoked_at, created_at
    FROM refresh_tokens WHERE user_id IS NOT NULL;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_old RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
