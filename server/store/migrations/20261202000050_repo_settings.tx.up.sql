-- Repository settings of the API: every build needs approval (protected),
-- newer pushes cancel older builds of the branch or pull request
-- (cancel_previous), pull requests from forks or all pull requests are
-- ignored.
ALTER TABLE repos ADD COLUMN protected BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE repos ADD COLUMN cancel_previous BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE repos ADD COLUMN ignore_forks BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE repos ADD COLUMN ignore_pulls BOOLEAN NOT NULL DEFAULT FALSE;

-- The last build of a branch (status badge) and the unfinished builds of
-- a ref (cancel_previous).
CREATE INDEX builds_ref ON builds (repo_id, ref, number);
