-- A subscription whose channel the platform says is gone or closed to the bot (Slack's
-- not_in_channel, channel_not_found, is_archived) is paused with the reason, reported once,
-- and skipped until someone subscribes the channel again; it is not retried every minute.
ALTER TABLE subscriptions ADD COLUMN paused TEXT;
