-- Logs within bytes (issue: limits count lines, not bytes): each step
-- counts the bytes of text its log stores, so the queue cuts it at
-- max_log_bytes without summing its lines.
ALTER TABLE steps ADD COLUMN log_bytes BIGINT NOT NULL DEFAULT 0;

-- The lines of earlier attempts of a step: when a stage is requeued its
-- steps run again from the start, and the lines the attempt printed move
-- here instead of being deleted (GET …/logs/{stage}/{step}?attempt=N).
CREATE TABLE log_attempts (
    step_id BIGINT NOT NULL REFERENCES steps (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    number  BIGINT NOT NULL,
    time    BIGINT NOT NULL DEFAULT 0,
    text    TEXT NOT NULL,
    PRIMARY KEY (step_id, attempt, number)
);
