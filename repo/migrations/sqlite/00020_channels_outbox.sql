-- SQLite twin of the PostgreSQL migration (issue 20: group robots, the outbox, messages); see
-- there for what each table is. The trigger alerts_outbox is the migration's, not a rule of
-- repo/stats: it must not outlive outbox_events. SQLite drops a table's triggers with it, so a
-- later migration that rebuilds alerts (as 00017 and 00018 did) must create it again, with
-- this text; TestOutboxAlertTrigger fails if it does not.

-- +goose Up
ALTER TABLE townships ADD COLUMN remind_minutes INTEGER NOT NULL DEFAULT 30
    CHECK (remind_minutes BETWEEN 0 AND 180);
ALTER TABLE townships ADD COLUMN summary_at TEXT NOT NULL DEFAULT '08:30';

CREATE TABLE channels (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    scope         TEXT NOT NULL CHECK (scope IN ('township', 'zone', 'enterprise', 'supervisor')),
    zone_id       INTEGER REFERENCES zones (id) ON DELETE CASCADE,
    enterprise_id INTEGER REFERENCES enterprises (id) ON DELETE CASCADE,
    user_id       INTEGER REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
    target_sealed TEXT NOT NULL,
    hint          TEXT NOT NULL DEFAULT '',
    muted         TEXT NOT NULL DEFAULT '',
    quiet_from    TEXT NOT NULL DEFAULT '',
    quiet_to      TEXT NOT NULL DEFAULT '',
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX channels_township_scope ON channels (township_id, scope);

-- The requests sent to each robot in the last minute (ChannelStore.Take): the platforms count any
-- 60 seconds, so the limit is held over a sliding minute, not a fixed window.
CREATE TABLE robot_requests (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    at         DATETIME NOT NULL,
    n          INTEGER NOT NULL
);
CREATE INDEX robot_requests_channel_at ON robot_requests (channel_id, at);

CREATE TABLE outbox_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id   INTEGER NOT NULL REFERENCES townships (id),
    kind          TEXT NOT NULL CHECK (kind IN ('alert', 'reminder', 'missed', 'summary', 'report')),
    alert_id      INTEGER,
    day           DATE NOT NULL,
    slot          TEXT NOT NULL DEFAULT '',
    key           TEXT NOT NULL UNIQUE,
    created_at    DATETIME NOT NULL,
    claimed_until DATETIME,
    done_at       DATETIME
);
CREATE INDEX outbox_events_pending ON outbox_events (id) WHERE done_at IS NULL;
CREATE INDEX outbox_events_township_day ON outbox_events (township_id, day);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    township_id    INTEGER NOT NULL REFERENCES townships (id),
    channel_id     INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    event_id       INTEGER REFERENCES outbox_events (id) ON DELETE SET NULL,
    type           TEXT NOT NULL CHECK (type IN ('alert', 'reminder', 'missed', 'summary', 'report')),
    key            TEXT NOT NULL,
    enterprise_id  INTEGER,
    title          TEXT NOT NULL DEFAULT '',
    markdown       TEXT NOT NULL DEFAULT '',
    mention_phones TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'merged')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        DATETIME NOT NULL,
    give_up_at     DATETIME NOT NULL,
    claimed_until  DATETIME,
    merged_into    INTEGER,
    last_status    INTEGER NOT NULL DEFAULT 0,
    last_code      INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    sent_at        DATETIME,
    UNIQUE (channel_id, key)
);
CREATE INDEX messages_status_next ON messages (status, next_at);
CREATE INDEX messages_township_created ON messages (township_id, created_at);

-- AFTER INSERT runs for the rows an insert wrote, not for those its ON CONFLICT DO NOTHING
-- skipped (AlertStore.Raise) nor for an upsert's updated rows. ON CONFLICT (key) DO NOTHING
-- rather than INSERT OR IGNORE: OR IGNORE would also swallow a NOT NULL or CHECK failure,
-- and an alert must not go in without its event.
-- +goose StatementBegin
CREATE TRIGGER alerts_outbox AFTER INSERT ON alerts
WHEN NEW.type IN ('fever', 'symptoms', 'repeated_fever', 'early_arrival', 'discrepancy') BEGIN
    INSERT INTO outbox_events (township_id, kind, alert_id, day, slot, key, created_at)
    VALUES (NEW.township_id, 'alert', NEW.id, NEW.date, NEW.slot, 'alert:' || NEW.id, NEW.created_at)
    ON CONFLICT (key) DO NOTHING;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER alerts_outbox;
DROP TABLE messages;
DROP TABLE outbox_events;
DROP TABLE robot_requests;
DROP TABLE channels;
ALTER TABLE townships DROP COLUMN summary_at;
ALTER TABLE townships DROP COLUMN remind_minutes;
