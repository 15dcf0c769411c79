-- Outgoing webhooks (system admin): endpoints that receive build events,
-- the secret sealed like other credentials (credentials.go); their
-- deliveries, a queue claimed under a lease as stages are, so that one
-- replica sends each; and the changes of builds and stages already
-- turned into deliveries (and counted in the metrics), so that a change
-- seen twice, or by two replicas, is sent once.
CREATE TABLE webhooks (
    id      {{.ID}},
    url     TEXT NOT NULL,
    events  TEXT NOT NULL DEFAULT '[]',
    secret  TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created {{.Time}} NOT NULL,
    updated {{.Time}} NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              {{.ID}},
    webhook_id      BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    guid            TEXT NOT NULL,
    event           TEXT NOT NULL,
    action          TEXT NOT NULL,
    build_id        BIGINT NOT NULL DEFAULT 0,
    redelivery_of   BIGINT NOT NULL DEFAULT 0,
    payload         {{.Blob}} NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt    {{.Time}} NOT NULL,
    lease_until     {{.Time}},
    url             TEXT NOT NULL DEFAULT '',
    response_status INTEGER NOT NULL DEFAULT 0,
    response_body   TEXT NOT NULL DEFAULT '',
    duration_ms     BIGINT NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    last_attempt    {{.Time}},
    created         {{.Time}} NOT NULL
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

CREATE TABLE build_changes (
    build_id BIGINT NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
    stage_id BIGINT NOT NULL DEFAULT 0,
    status   TEXT NOT NULL,
    PRIMARY KEY (build_id, stage_id, status)
);

-- Pending and running builds are counted at every scrape of /metrics.
CREATE INDEX builds_active ON builds (status) WHERE status IN ('pending', 'running');
