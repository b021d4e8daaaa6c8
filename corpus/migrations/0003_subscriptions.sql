-- Digest subscriptions per chat channel. ``last_slot`` is the scheduled time of the last
-- digest the platform accepted; ``marker`` is the added_at of the newest article it
-- covered. Both move only after a post succeeded, so a restart never posts twice.
CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,               -- "discord:<channel id>", "slack:<channel id>"
    kind        TEXT NOT NULL,               -- daily | weekly | new
    weekday     INTEGER,                     -- 0 = Monday, for weekly
    at_time     TEXT,                        -- HH:MM UTC, for daily/weekly
    topic       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_slot   TEXT,
    marker      TEXT,
    UNIQUE (channel, kind, topic)
);
