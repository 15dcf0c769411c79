package store

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

type repoStore struct{ s *Store }

func (rs repoStore) find(ctx context.Context, what, where string, args ...any) (*core.Repo, error) {
	row := new(tables.Repo)
	if err := rs.s.db.NewSelect().Model(row).Where(where, args...).Limit(1).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, what)
	}
	return rs.s.openRepo(row.Core())
}

func (rs repoStore) Find(ctx context.Context, id int64) (*core.Repo, error) {
	return rs.find(ctx, "repository", "id = ?", id)
}

func (rs repoStore) FindSlug(ctx context.Context, remote, slug string) (*core.Repo, error) {
	return rs.find(ctx, "repository "+slug, "remote = ? AND slug = ? AND NOT gone", remote, slug)
}

func (rs repoStore) FindRemoteID(ctx context.Context, remote, remoteID string) (*core.Repo, error) {
	return rs.find(ctx, "repository", "remote = ? AND remote_id = ?", remote, remoteID)
}

func (rs repoStore) Create(ctx context.Context, r *core.Repo) error {
	now := time.Now().UTC()
	r.Created, r.Updated, r.Version = now, now, 1
	if r.Slug == "" {
		r.Slug = r.Owner + "/" + r.Name
	}
	row := tables.FromRepo(r)
	row.ID = 0
	rs.s.sealRepoRow(row)
	if _, err := rs.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "repository "+r.Slug)
	}
	r.ID = row.ID
	return nil
}

// Update saves the repository's settings. The build counter is owned by
// build creation and never written here.
func (rs repoStore) Update(ctx context.Context, r *core.Repo) error {
	r.Updated = time.Now().UTC()
	row := tables.FromRepo(r)
	rs.s.sealRepoRow(row)
	res, err := rs.s.db.NewUpdate().Model(row).WherePK().
		ExcludeColumn("id", "created", "counter", "version").
		Set("version = version + 1").Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "repository "+r.Slug)
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "repository %d", r.ID)
	}
	r.Version++
	return nil
}

func (rs repoStore) ListUser(ctx context.Context, userID int64, activeOnly bool) ([]*core.Repo, error) {
	var rows []*tables.Repo
	q := rs.s.db.NewSelect().Model(&rows).
		Join("JOIN perms AS p ON p.repo_id = repo_row.id").
		Where("p.user_id = ? AND p.pull AND NOT repo_row.gone", userID).
		Order("repo_row.slug")
	if activeOnly {
		q = q.Where("repo_row.active")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "repositories")
	}
	out := make([]*core.Repo, len(rows))
	for i, r := range rows {
		repo, err := rs.s.openRepo(r.Core())
		if err != nil {
			return nil, err
		}
		out[i] = repo
	}
	return out, nil
}
