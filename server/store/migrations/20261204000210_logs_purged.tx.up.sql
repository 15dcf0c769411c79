-- When a build's logs were purged (DELETE …/builds/{number}/logs): later
-- reads of its steps' logs answer 410 Gone saying so.
ALTER TABLE builds ADD COLUMN logs_purged {{.Time}};
