-- Registration tokens, exchanged by runners for their own runner token.

CREATE TABLE runner_tokens (
    id        {{.ID}},
    hash      TEXT NOT NULL UNIQUE,
    prefix    TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT '',
    max_uses  INTEGER NOT NULL DEFAULT 0,
    uses      INTEGER NOT NULL DEFAULT 0,
    expires   {{.Time}},
    creator   BIGINT NOT NULL DEFAULT 0,
    created   {{.Time}} NOT NULL,
    last_used {{.Time}}
);
