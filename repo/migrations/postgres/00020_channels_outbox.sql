-- Group robots (群机器人, issue 20). A township's channels are chat groups' robots, each with
-- its address and secret sealed (target_sealed: the pii Box's Seal of {"url","key","secret"},
-- purpose "channel") and the requests of its last minute, which every process shares
-- (robot_requests: ChannelStore.Take). What groups should hear of is an outbox event; the dispatcher claims
-- each (a lease, claimed_until), writes one message per channel that should get it and marks
-- the event done; messages are claimed, sent and recorded the same way. An alert's event is
-- written by the trigger alerts_outbox in the alert's own insert, so that no alert is raised
-- without it, whichever process or statement raised it. The township's policy gains when to
-- remind groups before a cut-off and when to send the morning summary.

-- +goose Up
ALTER TABLE townships ADD COLUMN remind_minutes INTEGER NOT NULL DEFAULT 30
    CHECK (remind_minutes BETWEEN 0 AND 180);
ALTER TABLE townships ADD COLUMN summary_at TEXT NOT NULL DEFAULT '08:30';

-- A channel goes with the zone, enterprise or supervisor it belongs to: its group is theirs.
CREATE TABLE channels (
    id            BIGSERIAL PRIMARY KEY,
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    scope         TEXT NOT NULL CHECK (scope IN ('township', 'zone', 'enterprise', 'supervisor')),
    zone_id       BIGINT REFERENCES zones (id) ON DELETE CASCADE,
    enterprise_id BIGINT REFERENCES enterprises (id) ON DELETE CASCADE,
    user_id       BIGINT REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
    target_sealed TEXT NOT NULL,
    hint          TEXT NOT NULL DEFAULT '',
    muted         TEXT NOT NULL DEFAULT '', -- message types switched off, comma-separated
    quiet_from    TEXT NOT NULL DEFAULT '',
    quiet_to      TEXT NOT NULL DEFAULT '',
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX channels_township_scope ON channels (township_id, scope);

-- The requests sent to each robot in the last minute (ChannelStore.Take): the platforms count any
-- 60 seconds, so the limit is held over a sliding minute, not a fixed window.
CREATE TABLE robot_requests (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL,
    n          INTEGER NOT NULL
);
CREATE INDEX robot_requests_channel_at ON robot_requests (channel_id, at);

CREATE TABLE outbox_events (
    id            BIGSERIAL PRIMARY KEY,
    township_id   BIGINT NOT NULL REFERENCES townships (id),
    kind          TEXT NOT NULL CHECK (kind IN ('alert', 'reminder', 'missed', 'summary', 'report')),
    alert_id      BIGINT, -- not a foreign key: the retention removes alerts
    day           DATE NOT NULL,
    slot          TEXT NOT NULL DEFAULT '',
    key           TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    done_at       TIMESTAMPTZ
);
-- The claim reads the events not done yet, oldest first: few among many done.
CREATE INDEX outbox_events_pending ON outbox_events (id) WHERE done_at IS NULL;
CREATE INDEX outbox_events_township_day ON outbox_events (township_id, day);

CREATE TABLE messages (
    id             BIGSERIAL PRIMARY KEY,
    township_id    BIGINT NOT NULL REFERENCES townships (id),
    channel_id     BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    event_id       BIGINT REFERENCES outbox_events (id) ON DELETE SET NULL,
    type           TEXT NOT NULL CHECK (type IN ('alert', 'reminder', 'missed', 'summary', 'report')),
    key            TEXT NOT NULL,
    enterprise_id  BIGINT,
    title          TEXT NOT NULL DEFAULT '',
    markdown       TEXT NOT NULL DEFAULT '',
    mention_phones TEXT NOT NULL DEFAULT '', -- comma-separated
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'merged')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        TIMESTAMPTZ NOT NULL,
    give_up_at     TIMESTAMPTZ NOT NULL,
    claimed_until  TIMESTAMPTZ,
    merged_into    BIGINT, -- the message it went out in; not a foreign key: the retention removes either
    last_status    INTEGER NOT NULL DEFAULT 0,
    last_code      INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    sent_at        TIMESTAMPTZ,
    UNIQUE (channel_id, key)
);
CREATE INDEX messages_status_next ON messages (status, next_at);
CREATE INDEX messages_township_created ON messages (township_id, created_at);

-- The alerts groups hear of at once. ON CONFLICT (key) DO NOTHING: an alert's event is written
-- once however often the trigger were to run for it. The trigger is AFTER INSERT FOR EACH ROW,
-- so it runs for the rows an insert wrote and not for those its ON CONFLICT DO NOTHING skipped
-- (AlertStore.Raise), nor for an upsert's updated rows.
-- +goose StatementBegin
CREATE FUNCTION alerts_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (township_id, kind, alert_id, day, slot, key, created_at)
    VALUES (NEW.township_id, 'alert', NEW.id, NEW.date, NEW.slot, 'alert:' || NEW.id, NEW.created_at)
    ON CONFLICT (key) DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER alerts_outbox AFTER INSERT ON alerts FOR EACH ROW
    WHEN (NEW.type IN ('fever', 'symptoms', 'repeated_fever', 'early_arrival', 'discrepancy'))
    EXECUTE FUNCTION alerts_outbox();

-- +goose Down
DROP TRIGGER alerts_outbox ON alerts;
DROP FUNCTION alerts_outbox();
DROP TABLE messages;
DROP TABLE outbox_events;
DROP TABLE robot_requests;
DROP TABLE channels;
ALTER TABLE townships DROP COLUMN summary_at;
ALTER TABLE townships DROP COLUMN remind_minutes;
