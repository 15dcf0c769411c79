-- Browser sessions of users logged in through a remote. Only the sha256 of
-- the session cookie's secret is stored, like API tokens.

CREATE TABLE sessions (
    id        {{.ID}},
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash      TEXT NOT NULL UNIQUE,
    expires   {{.Time}} NOT NULL,
    created   {{.Time}} NOT NULL,
    last_used {{.Time}}
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires);
