-- Repository schedules (cron builds).
CREATE TABLE crons (
    id       {{.ID}},
    repo_id  BIGINT NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    expr     TEXT NOT NULL,
    branch   TEXT NOT NULL DEFAULT '',
    next     {{.Time}} NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created  {{.Time}} NOT NULL,
    updated  {{.Time}} NOT NULL,
    UNIQUE (repo_id, name)
);
CREATE INDEX crons_next ON crons (disabled, next);
