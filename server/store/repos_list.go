package store

import (
	"context"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// likeEscaper escapes LIKE's wildcards (and the escape character) so that
// a name filter matches what it says.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// List serves GET /api/repos: the repositories a user may read (or every
// one), filtered by name and activity, one page of them.
func (rs repoStore) List(ctx context.Context, f core.RepoFilter) ([]*core.Repo, int, error) {
	var rows []*tables.Repo
	q := rs.s.db.NewSelect().Model(&rows).Where("NOT repo_row.gone").Order("repo_row.slug", "repo_row.remote")
	if f.ReaderID != 0 {
		q = q.Where("((NOT repo_row.private AND repo_row.visibility <> 'private') OR EXISTS (SELECT 1 FROM perms AS p WHERE p.repo_id = repo_row.id AND p.user_id = ? AND (p.pull OR p.push OR p.admin)))", f.ReaderID)
	}
	if f.Name != "" {
		q = q.Where(`LOWER(repo_row.slug) LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(strings.ToLower(f.Name))+"%")
	}
	if f.Slug != "" {
		q = q.Where("repo_row.slug = ?", f.Slug)
	}
	if f.Active != nil {
		q = q.Where("repo_row.active = ?", *f.Active)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if f.Offset > 0 {
		q = q.Offset(int64(f.Offset))
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, dbutil.MapErr(err, "repositories")
	}
	out := make([]*core.Repo, len(rows))
	for i, r := range rows {
		repo, err := rs.s.openRepo(r.Core())
		if err != nil {
			return nil, 0, err
		}
		out[i] = repo
	}
	return out, int(total), nil
}
