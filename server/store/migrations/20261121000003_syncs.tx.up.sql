-- Repository sync: each user's latest sync outcome, and the index the
-- prune of stale permissions uses.

CREATE TABLE syncs (
    user_id  BIGINT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    cause    TEXT NOT NULL DEFAULT '',
    started  {{.Time}} NOT NULL,
    finished {{.Time}},
    listed   INTEGER NOT NULL DEFAULT 0,
    repos    INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    error    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX perms_user_synced ON perms (user_id, synced);
