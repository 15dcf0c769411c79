-- Whether a runner's last mirror beat said the disk of its clones is
-- full (it then offers no capacity): shown with the runner.
ALTER TABLE mirror_runners ADD COLUMN disk_full BOOLEAN NOT NULL DEFAULT FALSE;
