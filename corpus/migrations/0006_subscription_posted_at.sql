-- When a subscription's digest was last posted (UTC), for `status`: last_slot names the
-- schedule slot and marker the newest article covered, neither says when the post went out.
ALTER TABLE subscriptions ADD COLUMN posted_at TEXT;
