-- The queue: a stage's run policy for promotion, and indexes for claims,
-- leases and promotions.
ALTER TABLE stages ADD COLUMN run_policy TEXT NOT NULL DEFAULT '';
CREATE INDEX stages_build ON stages (build_id, status);
CREATE INDEX stages_runner ON stages (runner_id, status);
CREATE INDEX stages_lease ON stages (status, lease_expires);
