package store

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// ListRef serves the status badge (the last build of a branch) and
// cancel_previous (the unfinished builds of a branch or pull request).
func (bs buildStore) ListRef(ctx context.Context, repoID int64, ref string, statuses []core.Status, limit int) ([]*core.Build, error) {
	var rows []*tables.Build
	q := bs.s.db.NewSelect().Model(&rows).Where("repo_id = ? AND ref = ?", repoID, ref).Order("number DESC")
	if len(statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(statuses))
	}
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "builds")
	}
	out := make([]*core.Build, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}
