-- Mirrors: repositories Drover watches itself. A mirror is a repository
-- (remote 'mirror') plus its upstream and schedule; one runner holds
-- each by lease; each runner's lease changes wait in mirror_lease_events
-- until it has learned them; mirror_builds makes one build per (mirror,
-- branch, commit) however many reports race.
CREATE TABLE mirrors (
    id          {{.ID}},
    repo_id     BIGINT NOT NULL UNIQUE REFERENCES repos (id),
    url         TEXT NOT NULL,
    username    TEXT NOT NULL DEFAULT '',
    credential  {{.Blob}},
    branches    TEXT NOT NULL DEFAULT '[]',
    interval_s  INTEGER NOT NULL,
    last_fetch  {{.Time}},
    last_error  TEXT NOT NULL DEFAULT '',
    failures    INTEGER NOT NULL DEFAULT 0,
    paused      BOOLEAN NOT NULL DEFAULT FALSE,
    imported    BOOLEAN NOT NULL DEFAULT FALSE,
    next_fetch  {{.Time}} NOT NULL,
    changed     {{.Time}},
    created     {{.Time}} NOT NULL,
    updated     {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE mirror_heads (
    mirror_id  BIGINT NOT NULL REFERENCES mirrors (id) ON DELETE CASCADE,
    branch     TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    PRIMARY KEY (mirror_id, branch)
);
--bun:split
CREATE TABLE mirror_builds (
    mirror_id  BIGINT NOT NULL REFERENCES mirrors (id) ON DELETE CASCADE,
    branch     TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    created    {{.Time}} NOT NULL,
    PRIMARY KEY (mirror_id, branch, commit_sha)
);
--bun:split
CREATE TABLE mirror_runners (
    runner_id BIGINT NOT NULL PRIMARY KEY REFERENCES runners (id) ON DELETE CASCADE,
    capacity  INTEGER NOT NULL,
    seen      {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE mirror_leases (
    mirror_id BIGINT NOT NULL PRIMARY KEY REFERENCES mirrors (id) ON DELETE CASCADE,
    runner_id BIGINT NOT NULL REFERENCES runners (id) ON DELETE CASCADE,
    expires   {{.Time}} NOT NULL,
    created   {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX mirror_leases_runner ON mirror_leases (runner_id);
--bun:split
CREATE TABLE mirror_lease_events (
    id        {{.ID}},
    runner_id BIGINT NOT NULL REFERENCES runners (id) ON DELETE CASCADE,
    mirror_id BIGINT NOT NULL,
    added     BOOLEAN NOT NULL,
    created   {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX mirror_lease_events_runner ON mirror_lease_events (runner_id, id);
