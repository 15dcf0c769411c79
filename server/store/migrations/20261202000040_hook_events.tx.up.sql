-- Webhook events already turned into builds, by identity (a hash of the
-- remote, repository, event, ref, commit and pull request head), so that a
-- signed body sent again with another or no delivery id builds nothing
-- (server/replay). Rows older than the window are deleted as new ones come.

CREATE TABLE hook_events (
    event_key TEXT PRIMARY KEY,
    created   {{.Time}} NOT NULL
);

CREATE INDEX hook_events_created ON hook_events (created);
