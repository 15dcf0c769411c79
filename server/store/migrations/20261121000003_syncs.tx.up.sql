-- Repository sync: each user's latest sync outcome. (Pruning a user's stale
-- permissions reads them through the perms primary key's user_id prefix.)

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
