package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// Bind-parameter limits of the drivers: SQLite's in modern builds
// (SQLITE_MAX_VARIABLE_NUMBER) and Postgres's protocol limit. A multi-row
// statement stays under half of its driver's limit, to be safe with older
// or differently built libraries. On Postgres the rows travel as arrays
// (one parameter per column), so its chunks are bounded by size instead.
const (
	sqliteMaxParams   = 32766
	postgresMaxParams = 65535
	postgresChunkRows = 5000
)

// repoSyncColumns are the columns a sync writes to a repository: what the
// remote says about it. Id, activation, trust, settings, the build counter
// and version are left to their defaults on insert and untouched on update.
var repoSyncColumns = []string{
	"remote", "remote_id", "owner", "name", "slug", "clone_url", "html_url",
	"branch", "private", "visibility", "created", "updated",
}

// permColumns counts the columns of one permission row.
const permColumns = 6

// repoUpsertSet is what a sync changes on a known repository; a listed
// repository is no longer gone. Its visibility, which an admin may have
// set, follows the remote only when the remote's privacy changed.
const repoUpsertSet = "owner = EXCLUDED.owner, name = EXCLUDED.name, slug = EXCLUDED.slug, " +
	"clone_url = EXCLUDED.clone_url, html_url = EXCLUDED.html_url, branch = EXCLUDED.branch, " +
	"visibility = CASE WHEN repo_row.private = EXCLUDED.private THEN repo_row.visibility ELSE EXCLUDED.visibility END, " +
	"private = EXCLUDED.private, gone = FALSE, updated = EXCLUDED.updated"

// permUpsertSet is what a sync changes on a known permission.
const permUpsertSet = "pull = EXCLUDED.pull, push = EXCLUDED.push, admin = EXCLUDED.admin, synced = EXCLUDED.synced"

// maxRows returns how many rows of cols columns one statement may carry.
func (s *Store) maxRows(cols int) int {
	if s.dialect == Postgres {
		return postgresChunkRows
	}
	return max(sqliteMaxParams/2/cols, 1)
}

// returnedID is what a repository upsert returns per row.
type returnedID struct {
	ID       int64  `bun:"id"`
	RemoteID string `bun:"remote_id"`
}

func (ss syncStore) Apply(ctx context.Context, rs *core.RepoSync) ([]int64, error) {
	at := stamp(rs.Time)
	rows := make([]*tables.Repo, 0, len(rs.Repos))
	seen := make(map[string]bool, len(rs.Repos))
	for _, r := range rs.Repos {
		if r.ID == "" {
			return nil, core.Errorf(core.CodeInvalid, "repository %s has no remote id", r.Slug())
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		rows = append(rows, &tables.Repo{
			Remote: rs.Remote, RemoteID: r.ID, Owner: r.Owner, Name: r.Name, Slug: r.Slug(),
			CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Branch: r.Branch, Private: r.Private,
			Visibility: r.Visibility, Created: at, Updated: at,
		})
	}
	ids := make(map[string]int64, len(rows))
	err := ss.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		view, err := ss.view(ctx, tx, rs)
		if err != nil {
			return err
		}
		// Repositories the user already sees as the remote describes them
		// are not written again: a re-sync writes only what changed.
		changed := rows[:0:0]
		for _, r := range rows {
			if v, ok := view[r.RemoteID]; ok && v.sameRepo(r) {
				ids[r.RemoteID] = v.ID
				continue
			}
			changed = append(changed, r)
		}
		for _, chunk := range chunks(changed, ss.s.maxRows(len(repoSyncColumns))) {
			if err := ss.upsertRepos(ctx, tx, chunk, at, ids); err != nil {
				return dbutil.MapErr(err, "repositories")
			}
		}
		if rs.UserID == 0 {
			return nil
		}
		var perms []*permRow
		var same []int64
		for _, r := range rs.Repos {
			if !seen[r.ID] {
				continue
			}
			seen[r.ID] = false
			p := &permRow{UserID: rs.UserID, RepoID: ids[r.ID], Pull: true, Synced: at}
			if r.Perm != nil {
				p.Pull, p.Push, p.Admin = r.Perm.Pull || r.Perm.Push || r.Perm.Admin, r.Perm.Push || r.Perm.Admin, r.Perm.Admin
			}
			if v, ok := view[r.ID]; ok && v.ID == p.RepoID && v.Pull == p.Pull && v.Push == p.Push && v.Admin == p.Admin {
				same = append(same, p.RepoID)
				continue
			}
			perms = append(perms, p)
		}
		for _, chunk := range chunks(same, ss.s.maxRows(1)) {
			if err := ss.restamp(ctx, tx, rs.UserID, chunk, at); err != nil {
				return err
			}
		}
		for _, chunk := range chunks(perms, ss.s.maxRows(permColumns)) {
			if err := ss.upsertPerms(ctx, tx, chunk); err != nil {
				return err
			}
		}
		if rs.Prune {
			if _, err := tx.NewDelete().Model((*permRow)(nil)).
				Where("user_id = ? AND synced < ?", rs.UserID, at).Exec(ctx); err != nil {
				return dbutil.MapErr(err, "permissions")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(rs.Repos))
	for i, r := range rs.Repos {
		out[i] = ids[r.ID]
	}
	return out, nil
}

// upsertRepos writes one chunk of repositories and records their ids by
// remote id. Postgres gets the rows as one array per column (unnest), which
// it parses far faster than thousands of literal rows.
func (ss syncStore) upsertRepos(ctx context.Context, tx bun.Tx, rows []*tables.Repo, at time.Time, ids map[string]int64) error {
	var got []returnedID
	if ss.s.dialect == Postgres {
		n := len(rows)
		remoteIDs, owners, names, slugs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		clones, htmls, branches, vis := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		private := make([]bool, n)
		for i, r := range rows {
			remoteIDs[i], owners[i], names[i], slugs[i] = r.RemoteID, r.Owner, r.Name, r.Slug
			clones[i], htmls[i], branches[i], vis[i], private[i] = r.CloneURL, r.HTMLURL, r.Branch, r.Visibility, r.Private
		}
		err := tx.NewRaw(`INSERT INTO repos AS repo_row (remote, remote_id, owner, name, slug, clone_url, html_url, branch, private, visibility, created, updated)
SELECT ?, u.*, ?, ? FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[]) AS u
ON CONFLICT (remote, remote_id) DO UPDATE SET `+repoUpsertSet+` RETURNING id, remote_id`,
			rows[0].Remote, at, at,
			pgdialect.Array(remoteIDs), pgdialect.Array(owners), pgdialect.Array(names), pgdialect.Array(slugs),
			pgdialect.Array(clones), pgdialect.Array(htmls), pgdialect.Array(branches), pgdialect.Array(private), pgdialect.Array(vis),
		).Scan(ctx, &got)
		if err != nil {
			return err
		}
	} else {
		err := tx.NewInsert().Model(&rows).Column(repoSyncColumns...).
			On("CONFLICT (remote, remote_id) DO UPDATE").Set(repoUpsertSet).
			Returning("id, remote_id").Scan(ctx, &got)
		if err != nil {
			return err
		}
	}
	for _, g := range got {
		ids[g.RemoteID] = g.ID
	}
	return nil
}

// upsertPerms writes one chunk of permissions, as arrays on Postgres.
func (ss syncStore) upsertPerms(ctx context.Context, tx bun.Tx, rows []*permRow) error {
	if ss.s.dialect != Postgres {
		return upsertPerms(ctx, tx, rows)
	}
	n := len(rows)
	repoIDs := make([]int64, n)
	pull, push, admin := make([]bool, n), make([]bool, n), make([]bool, n)
	for i, p := range rows {
		repoIDs[i], pull[i], push[i], admin[i] = p.RepoID, p.Pull, p.Push, p.Admin
	}
	_, err := tx.NewRaw(`INSERT INTO perms (user_id, repo_id, pull, push, admin, synced)
SELECT ?, u.r, u.pl, u.ps, u.ad, ? FROM unnest(?::bigint[], ?::boolean[], ?::boolean[], ?::boolean[]) AS u (r, pl, ps, ad)
ON CONFLICT (user_id, repo_id) DO UPDATE SET `+permUpsertSet,
		rows[0].UserID, rows[0].Synced,
		pgdialect.Array(repoIDs), pgdialect.Array(pull), pgdialect.Array(push), pgdialect.Array(admin),
	).Exec(ctx)
	return dbutil.MapErr(err, "permissions")
}

// chunks splits s into slices of at most n elements.
func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// viewRow is one repository of a user's stored view, with the permission.
type viewRow struct {
	ID         int64  `bun:"id"`
	RemoteID   string `bun:"remote_id"`
	Owner      string `bun:"owner"`
	Name       string `bun:"name"`
	CloneURL   string `bun:"clone_url"`
	HTMLURL    string `bun:"html_url"`
	Branch     string `bun:"branch"`
	Private    bool   `bun:"private"`
	Visibility string `bun:"visibility"`
	Gone       bool   `bun:"gone"`
	Pull       bool   `bun:"pull"`
	Push       bool   `bun:"push"`
	Admin      bool   `bun:"admin"`
}

// sameRepo reports whether the stored repository already says what r says.
func (v *viewRow) sameRepo(r *tables.Repo) bool {
	return !v.Gone && v.Owner == r.Owner && v.Name == r.Name && v.CloneURL == r.CloneURL &&
		v.HTMLURL == r.HTMLURL && v.Branch == r.Branch && v.Private == r.Private
}

// view returns the user's stored view of the remote by remote id (none
// for a sync without a user).
func (ss syncStore) view(ctx context.Context, tx bun.Tx, rs *core.RepoSync) (map[string]*viewRow, error) {
	out := map[string]*viewRow{}
	if rs.UserID == 0 {
		return out, nil
	}
	var rows []*viewRow
	err := tx.NewRaw(`SELECT r.id, r.remote_id, r.owner, r.name, r.clone_url, r.html_url, r.branch, r.private,
r.visibility, r.gone, p.pull, p.push, p.admin FROM perms AS p JOIN repos AS r ON r.id = p.repo_id
WHERE p.user_id = ? AND r.remote = ?`, rs.UserID, rs.Remote).Scan(ctx, &rows)
	if err != nil {
		return nil, dbutil.MapErr(err, "permissions")
	}
	for _, r := range rows {
		out[r.RemoteID] = r
	}
	return out, nil
}

// restamp marks the user's unchanged permissions on the repositories as
// synced at.
func (ss syncStore) restamp(ctx context.Context, tx bun.Tx, userID int64, repoIDs []int64, at time.Time) error {
	q := tx.NewUpdate().Model((*permRow)(nil)).Set("synced = ?", at)
	if ss.s.dialect == Postgres {
		q = q.Where("user_id = ? AND repo_id = ANY(?::bigint[])", userID, pgdialect.Array(repoIDs))
	} else {
		q = q.Where("user_id = ? AND repo_id IN (?)", userID, bun.List(repoIDs))
	}
	_, err := q.Exec(ctx)
	return dbutil.MapErr(err, "permissions")
}
