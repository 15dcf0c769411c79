-- Permissions, step logs, secrets and runners.

CREATE TABLE perms (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    repo_id BIGINT NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    pull    BOOLEAN NOT NULL DEFAULT FALSE,
    push    BOOLEAN NOT NULL DEFAULT FALSE,
    admin   BOOLEAN NOT NULL DEFAULT FALSE,
    synced  {{.Time}} NOT NULL,
    PRIMARY KEY (user_id, repo_id)
);
CREATE INDEX perms_repo ON perms (repo_id);

CREATE TABLE logs (
    step_id BIGINT NOT NULL REFERENCES steps (id) ON DELETE CASCADE,
    number  BIGINT NOT NULL,
    time    BIGINT NOT NULL DEFAULT 0,
    text    TEXT NOT NULL,
    PRIMARY KEY (step_id, number)
);

CREATE TABLE secrets (
    id           {{.ID}},
    repo_id      BIGINT NOT NULL DEFAULT 0,
    namespace    TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    data         {{.Blob}} NOT NULL,
    pull_request BOOLEAN NOT NULL DEFAULT FALSE,
    created      {{.Time}} NOT NULL,
    updated      {{.Time}} NOT NULL,
    UNIQUE (repo_id, namespace, name)
);

CREATE TABLE runners (
    id         {{.ID}},
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    labels     TEXT NOT NULL DEFAULT '{}',
    engines    TEXT NOT NULL DEFAULT '[]',
    os         TEXT NOT NULL DEFAULT '',
    arch       TEXT NOT NULL DEFAULT '',
    capacity   INTEGER NOT NULL DEFAULT 0,
    version    TEXT NOT NULL DEFAULT '',
    local      BOOLEAN NOT NULL DEFAULT FALSE,
    last_seen  {{.Time}},
    created    {{.Time}} NOT NULL
);
