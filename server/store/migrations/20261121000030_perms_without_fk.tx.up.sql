-- Permissions are written 5,000 at a time by a sync; on Postgres their two
-- foreign keys cost two trigger lookups per row (about 80 ms of the 200 ms
-- budget for such a sync). The rows are only ever written for a user and a
-- repository that exist, repositories are never deleted (they are marked
-- gone), and deleting a user deletes its permissions in the same
-- transaction (store/users.go), so the constraints go on Postgres.
{{if .Postgres}}ALTER TABLE perms DROP CONSTRAINT IF EXISTS perms_user_id_fkey;
--bun:split
ALTER TABLE perms DROP CONSTRAINT IF EXISTS perms_repo_id_fkey;{{else}}SELECT 1;{{end}}
