-- Foundation: townships (the tenants), their zones and key areas, enterprises, staff accounts,
-- supervisor assignments, refresh tokens and failed sign-ins.
-- SQLite twin of the PostgreSQL migration: same tables and constraints, SQLite types.

-- +goose Up
CREATE TABLE townships (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL,
    code              TEXT NOT NULL UNIQUE,
    population        INTEGER NOT NULL DEFAULT 0,
    timezone          TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    fever_threshold   REAL NOT NULL DEFAULT 37.3,
    isolation_days    INTEGER NOT NULL DEFAULT 14,
    checkin_cutoff_am TEXT NOT NULL DEFAULT '10:00',
    checkin_cutoff_pm TEXT NOT NULL DEFAULT '16:00',
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);

CREATE TABLE zones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id INTEGER NOT NULL REFERENCES townships (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (township_id, name)
);

CREATE TABLE key_areas (
    township_id INTEGER NOT NULL REFERENCES townships (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL,
    risk_level  TEXT NOT NULL CHECK (risk_level IN ('high', 'medium', 'low')),
    PRIMARY KEY (township_id, region_code)
);

CREATE TABLE enterprises (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credit_code   TEXT NOT NULL,
    industry      TEXT NOT NULL,
    zone_id       INTEGER NOT NULL REFERENCES zones (id),
    address       TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    headcount     INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'not_applied'
        CHECK (status IN ('not_applied', 'applied', 'approved', 'reopened', 'suspended')),
    reopened_on   DATE,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (township_id, credit_code)
);
CREATE INDEX enterprises_township_zone ON enterprises (township_id, zone_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL
        CHECK (role IN ('platform_admin', 'town_admin', 'supervisor', 'enterprise_hr')),
    township_id   INTEGER REFERENCES townships (id),
    enterprise_id INTEGER REFERENCES enterprises (id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX users_township ON users (township_id, id);
CREATE INDEX users_enterprise ON users (enterprise_id);

CREATE TABLE enterprise_supervisors (
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (enterprise_id, user_id)
);
CREATE INDEX enterprise_supervisors_user ON enterprise_supervisors (user_id);

CREATE TABLE refresh_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id  TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    revoked_at DATETIME,
    created_at DATETIME NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE login_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL,
    failed_at  DATETIME NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, failed_at);
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE enterprise_supervisors;
DROP TABLE users;
DROP TABLE enterprises;
DROP TABLE key_areas;
DROP TABLE zones;
DROP TABLE townships;
