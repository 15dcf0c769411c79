package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
)

// Bind-parameter limits of the drivers: SQLite's in modern builds
// (SQLITE_MAX_VARIABLE_NUMBER) and Postgres's protocol limit. Statements
// stay under half of them, to be safe with older or differently built
// libraries.
const (
	sqliteMaxParams   = 32766
	postgresMaxParams = 65535
)

// maxRows returns how many rows of cols columns one statement may carry.
func (s *Store) maxRows(cols int) int {
	limit := sqliteMaxParams
	if s.dialect == Postgres {
		limit = postgresMaxParams
	}
	return max(limit/2/cols, 1)
}

// repoColumns and permColumns count the columns of one row's insert.
const (
	repoColumns = 24
	permColumns = 6
)

// repoUpsertSet is what a sync changes on a known repository: what the
// remote says about it. Id, activation, trust, settings, the build counter
// and created stay.
var repoUpsertSet = []string{
	"owner = EXCLUDED.owner", "name = EXCLUDED.name", "slug = EXCLUDED.slug",
	"clone_url = EXCLUDED.clone_url", "html_url = EXCLUDED.html_url", "branch = EXCLUDED.branch",
	"private = EXCLUDED.private", "visibility = EXCLUDED.visibility", "gone = FALSE",
	"updated = EXCLUDED.updated",
}

// Syncs returns the repository sync store.
func (s *Store) Syncs() core.SyncStore { return syncStore{s} }

type syncStore struct{ s *Store }

func (ss syncStore) Claim(ctx context.Context, userID int64, at, staleBefore time.Time) (time.Time, bool, error) {
	var prev time.Time
	claimed := false
	err := ss.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := new(userRow)
		q := tx.NewSelect().Model(row).Column("id", "synced").Where("id = ?", userID)
		if ss.s.dialect == Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return mapErr(err, "user")
		}
		prev = row.Synced
		if !prev.IsZero() && !prev.Before(staleBefore) {
			return nil
		}
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("synced = ?", stamp(at)).
			Where("id = ?", userID).Exec(ctx); err != nil {
			return mapErr(err, "user")
		}
		claimed = true
		return nil
	})
	return prev, claimed, err
}

func (ss syncStore) Release(ctx context.Context, userID int64, at, prev time.Time) error {
	_, err := ss.s.db.NewUpdate().Model((*userRow)(nil)).
		Set("synced = ?", bun.NullTime{Time: prev}).
		Where("id = ? AND synced = ?", userID, stamp(at)).Exec(ctx)
	return mapErr(err, "user")
}

// returnedID is what a repository upsert returns per row.
type returnedID struct {
	ID       int64  `bun:"id"`
	RemoteID string `bun:"remote_id"`
}

func (ss syncStore) Apply(ctx context.Context, rs *core.RepoSync) ([]int64, error) {
	at := stamp(rs.Time)
	rows := make([]*repoRow, 0, len(rs.Repos))
	seen := make(map[string]bool, len(rs.Repos))
	for _, r := range rs.Repos {
		if r.ID == "" {
			return nil, core.Errorf(core.CodeInvalid, "repository %s has no remote id", r.Slug())
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		rows = append(rows, &repoRow{
			Remote: rs.Remote, RemoteID: r.ID, Owner: r.Owner, Name: r.Name, Slug: r.Slug(),
			CloneURL: r.CloneURL, HTMLURL: r.HTMLURL, Branch: r.Branch, Private: r.Private,
			Visibility: r.Visibility, Version: 1, Created: at, Updated: at,
		})
	}
	ids := make(map[string]int64, len(rows))
	err := ss.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, chunk := range chunks(rows, ss.s.maxRows(repoColumns)) {
			var got []returnedID
			q := tx.NewInsert().Model(&chunk).On("CONFLICT (remote, remote_id) DO UPDATE")
			for _, set := range repoUpsertSet {
				q = q.Set(set)
			}
			if err := q.Returning("id, remote_id").Scan(ctx, &got); err != nil {
				return mapErr(err, "repositories")
			}
			for _, g := range got {
				ids[g.RemoteID] = g.ID
			}
		}
		if rs.UserID == 0 {
			return nil
		}
		perms := make([]*permRow, 0, len(rows))
		for _, r := range rs.Repos {
			if !seen[r.ID] {
				continue
			}
			seen[r.ID] = false
			p := &permRow{UserID: rs.UserID, RepoID: ids[r.ID], Pull: true, Synced: at}
			if r.Perm != nil {
				p.Pull, p.Push, p.Admin = r.Perm.Pull || r.Perm.Push || r.Perm.Admin, r.Perm.Push || r.Perm.Admin, r.Perm.Admin
			}
			perms = append(perms, p)
		}
		for _, chunk := range chunks(perms, ss.s.maxRows(permColumns)) {
			if err := upsertPerms(ctx, tx, chunk); err != nil {
				return err
			}
		}
		if rs.Prune {
			if _, err := tx.NewDelete().Model((*permRow)(nil)).
				Where("user_id = ? AND synced < ?", rs.UserID, at).Exec(ctx); err != nil {
				return mapErr(err, "permissions")
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

func (ss syncStore) Due(ctx context.Context, activeSince, syncedBefore time.Time, limit int) ([]*core.User, error) {
	var rows []*userRow
	err := ss.s.db.NewSelect().Model(&rows).
		Where("user_row.active AND user_row.remote <> ''").
		Where("(user_row.synced IS NULL OR user_row.synced < ?)", stamp(syncedBefore)).
		Where("(user_row.last_login >= ? OR EXISTS (SELECT 1 FROM tokens AS t WHERE t.user_id = user_row.id AND t.last_used >= ?))",
			stamp(activeSince), stamp(activeSince)).
		OrderExpr("user_row.synced IS NOT NULL, user_row.synced, user_row.id").
		Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "users")
	}
	out := make([]*core.User, len(rows))
	for i, r := range rows {
		out[i] = r.core()
	}
	return out, nil
}

type syncRow struct {
	bun.BaseModel `bun:"table:syncs"`

	UserID   int64     `bun:"user_id,pk"`
	Cause    string    `bun:"cause"`
	Started  time.Time `bun:"started"`
	Finished time.Time `bun:"finished,nullzero"`
	Listed   int       `bun:"listed"`
	Repos    int       `bun:"repos"`
	Requests int       `bun:"requests"`
	Error    string    `bun:"error"`
}

func (ss syncStore) SaveOutcome(ctx context.Context, o *core.SyncOutcome) error {
	row := &syncRow{
		UserID: o.UserID, Cause: o.Cause, Started: stamp(o.Started), Finished: o.Finished,
		Listed: o.Listed, Repos: o.Repos, Requests: o.Requests, Error: o.Error,
	}
	if !row.Finished.IsZero() {
		row.Finished = stamp(row.Finished)
	}
	_, err := ss.s.db.NewInsert().Model(row).On("CONFLICT (user_id) DO UPDATE").
		Set("cause = EXCLUDED.cause, started = EXCLUDED.started, finished = EXCLUDED.finished").
		Set("listed = EXCLUDED.listed, repos = EXCLUDED.repos, requests = EXCLUDED.requests, error = EXCLUDED.error").
		Exec(ctx)
	return mapErr(err, "sync outcome")
}

func (ss syncStore) Outcome(ctx context.Context, userID int64) (*core.SyncOutcome, error) {
	row := new(syncRow)
	if err := ss.s.db.NewSelect().Model(row).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, mapErr(err, "sync outcome")
	}
	return &core.SyncOutcome{
		UserID: row.UserID, Cause: row.Cause, Started: row.Started, Finished: row.Finished,
		Listed: row.Listed, Repos: row.Repos, Requests: row.Requests, Error: row.Error,
	}, nil
}
