-- RSS/Atom feeds polled by the bot, and every item seen in them. An item is recorded only
-- once it is settled (stored, found to duplicate an article, or skipped), so a crash mid-poll
-- retries the rest and never ingests one twice: the duplicate check catches an item stored
-- just before a crash.
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL DEFAULT '',
    title TEXT,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    next_poll_at TEXT NOT NULL,
    last_poll_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    failing_since TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    items_ingested INTEGER NOT NULL DEFAULT 0,
    polled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE feed_items (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    url TEXT,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    outcome TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, guid)
);

CREATE INDEX feed_items_url ON feed_items(url);
