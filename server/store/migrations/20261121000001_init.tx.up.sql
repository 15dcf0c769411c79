-- Users, API tokens, repositories, builds, stages and steps.
-- The column types ID, Time and Blob are template fields filled in per dialect (migrate.go).

CREATE TABLE users (
    id          {{.ID}},
    remote      TEXT NOT NULL DEFAULT '',
    remote_id   TEXT NOT NULL DEFAULT '',
    login       TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    avatar      TEXT NOT NULL DEFAULT '',
    admin       BOOLEAN NOT NULL DEFAULT FALSE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    token       TEXT NOT NULL DEFAULT '',
    refresh     TEXT NOT NULL DEFAULT '',
    expiry      {{.Time}},
    synced      {{.Time}},
    last_login  {{.Time}},
    created     {{.Time}} NOT NULL,
    updated     {{.Time}} NOT NULL,
    UNIQUE (remote, login)
);

CREATE TABLE tokens (
    id          {{.ID}},
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL DEFAULT '',
    expires     {{.Time}},
    last_used   {{.Time}},
    created     {{.Time}} NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE repos (
    id           {{.ID}},
    remote       TEXT NOT NULL,
    remote_id    TEXT NOT NULL,
    owner        TEXT NOT NULL,
    name         TEXT NOT NULL,
    slug         TEXT NOT NULL,
    clone_url    TEXT NOT NULL DEFAULT '',
    html_url     TEXT NOT NULL DEFAULT '',
    branch       TEXT NOT NULL DEFAULT '',
    private      BOOLEAN NOT NULL DEFAULT FALSE,
    visibility   TEXT NOT NULL DEFAULT '',
    active       BOOLEAN NOT NULL DEFAULT FALSE,
    gone         BOOLEAN NOT NULL DEFAULT FALSE,
    trusted      BOOLEAN NOT NULL DEFAULT FALSE,
    approval     TEXT NOT NULL DEFAULT '',
    fork_secrets BOOLEAN NOT NULL DEFAULT FALSE,
    config_path  TEXT NOT NULL DEFAULT '',
    timeout      INTEGER NOT NULL DEFAULT 0,
    hook_secret  TEXT NOT NULL DEFAULT '',
    user_id      BIGINT NOT NULL DEFAULT 0,
    counter      BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL DEFAULT 1,
    created      {{.Time}} NOT NULL,
    updated      {{.Time}} NOT NULL,
    UNIQUE (remote, remote_id)
);
CREATE INDEX repos_slug ON repos (remote, slug);

CREATE TABLE builds (
    id        {{.ID}},
    repo_id   BIGINT NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    number    BIGINT NOT NULL,
    parent    BIGINT NOT NULL DEFAULT 0,
    status    TEXT NOT NULL,
    error     TEXT NOT NULL DEFAULT '',
    event     TEXT NOT NULL,
    action    TEXT NOT NULL DEFAULT '',
    link      TEXT NOT NULL DEFAULT '',
    message   TEXT NOT NULL DEFAULT '',
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT '',
    ref       TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT '',
    target    TEXT NOT NULL DEFAULT '',
    fork      TEXT NOT NULL DEFAULT '',
    author    TEXT NOT NULL DEFAULT '',
    email     TEXT NOT NULL DEFAULT '',
    sender    TEXT NOT NULL DEFAULT '',
    deploy    TEXT NOT NULL DEFAULT '',
    cron      TEXT NOT NULL DEFAULT '',
    params    TEXT NOT NULL DEFAULT '{}',
    delivery  TEXT NOT NULL DEFAULT '',
    started   {{.Time}},
    finished  {{.Time}},
    created   {{.Time}} NOT NULL,
    updated   {{.Time}} NOT NULL,
    version   BIGINT NOT NULL DEFAULT 1,
    UNIQUE (repo_id, number)
);
CREATE UNIQUE INDEX builds_delivery ON builds (repo_id, delivery) WHERE delivery <> '';

CREATE TABLE stages (
    id            {{.ID}},
    build_id      BIGINT NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    repo_id       BIGINT NOT NULL,
    number        INTEGER NOT NULL,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL DEFAULT '',
    os            TEXT NOT NULL DEFAULT '',
    arch          TEXT NOT NULL DEFAULT '',
    labels        TEXT NOT NULL DEFAULT '{}',
    depends_on    TEXT NOT NULL DEFAULT '[]',
    lim           INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    error         TEXT NOT NULL DEFAULT '',
    exit_code     INTEGER NOT NULL DEFAULT 0,
    runner_id     BIGINT NOT NULL DEFAULT 0,
    machine       TEXT NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_expires {{.Time}},
    spec          {{.Blob}},
    started       {{.Time}},
    finished      {{.Time}},
    created       {{.Time}} NOT NULL,
    updated       {{.Time}} NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    UNIQUE (build_id, number)
);
CREATE INDEX stages_status ON stages (status, id);

CREATE TABLE steps (
    id         {{.ID}},
    stage_id   BIGINT NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    exit_code  INTEGER NOT NULL DEFAULT 0,
    detached   BOOLEAN NOT NULL DEFAULT FALSE,
    depends_on TEXT NOT NULL DEFAULT '[]',
    started    {{.Time}},
    finished   {{.Time}},
    version    BIGINT NOT NULL DEFAULT 1,
    UNIQUE (stage_id, number)
);
