package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// ListFilter serves the builds list's ?branch=&event=&status=&author=.
// The branch and status filters walk indexes (builds_target,
// builds_status); event and author filter the repository's builds.
func (bs buildStore) ListFilter(ctx context.Context, repoID int64, f core.BuildFilter, limit, offset int) ([]*core.Build, error) {
	var rows []*tables.Build
	q := bs.s.db.NewSelect().Model(&rows).Where("repo_id = ?", repoID)
	for _, w := range []struct{ col, v string }{{"target", f.Branch}, {"event", f.Event}, {"status", string(f.Status)}, {"author", f.Author}} {
		if w.v != "" {
			q = q.Where("? = ?", bun.Ident(w.col), w.v)
		}
	}
	err := q.Order("number DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "builds")
	}
	out := make([]*core.Build, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}
