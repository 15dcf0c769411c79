-- What the API manages beyond the builds: the events a secret is given to
-- and whether forks may use it, registry credentials (per repository or
-- per owner, the password sealed like secrets), and paused runners (a
-- table of their own, so that what a runner reports about itself never
-- overwrites an admin's pause).
ALTER TABLE secrets ADD COLUMN events TEXT NOT NULL DEFAULT '[]';
--bun:split
ALTER TABLE secrets ADD COLUMN fork BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
CREATE TABLE registries (
    id        {{.ID}},
    repo_id   BIGINT NOT NULL DEFAULT 0,
    namespace TEXT NOT NULL DEFAULT '',
    address   TEXT NOT NULL,
    username  TEXT NOT NULL DEFAULT '',
    password  {{.Blob}} NOT NULL,
    created   {{.Time}} NOT NULL,
    updated   {{.Time}} NOT NULL,
    UNIQUE (repo_id, namespace, address)
);
--bun:split
CREATE TABLE paused_runners (
    runner_id BIGINT NOT NULL PRIMARY KEY REFERENCES runners (id) ON DELETE CASCADE,
    paused_by BIGINT NOT NULL DEFAULT 0,
    created   {{.Time}} NOT NULL
);
