-- The builds list's filters (GET …/builds?branch=&status=): the builds of
-- a branch, or in a status, newest first, without reading the others.
CREATE INDEX builds_target ON builds (repo_id, target, number);
CREATE INDEX builds_status ON builds (repo_id, status, number);
