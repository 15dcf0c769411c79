package queue

import (
	"context"
	"hash/fnv"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

// withinLimits checks the stage's concurrency.limit (running stages of the
// same pipeline name in the repository) and the repository's and owner's
// limits. On Postgres the repository row, and an advisory lock per owner,
// are taken for the rest of the transaction, so two claimers cannot both
// count the same free slot.
func (s *Queue) withinLimits(ctx context.Context, tx bun.Tx, st *core.Stage, limits core.LimitsFunc) (bool, error) {
	perRepo, perOwner := 0, 0
	var repo *tables.Repo
	if limits != nil || st.Limit > 0 {
		repo = new(tables.Repo)
		q := tx.NewSelect().Model(repo).Where("id = ?", st.RepoID)
		if s.postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return false, dbutil.MapErr(err, "repository")
		}
		if limits != nil {
			var err error
			if perRepo, perOwner, err = limits(ctx, repo.Core()); err != nil {
				return false, err
			}
		}
	}
	running := func(q *bun.SelectQuery) (int, error) {
		n, err := q.Model((*tables.Stage)(nil)).Where("stage_row.status = ?", core.StatusRunning).Count(ctx)
		return int(n), dbutil.MapErr(err, "running stages")
	}
	if st.Limit > 0 {
		n, err := running(tx.NewSelect().Where("stage_row.repo_id = ? AND stage_row.name = ?", st.RepoID, st.Name))
		if err != nil || n >= st.Limit {
			return false, err
		}
	}
	if perRepo > 0 {
		n, err := running(tx.NewSelect().Where("stage_row.repo_id = ?", st.RepoID))
		if err != nil || n >= perRepo {
			return false, err
		}
	}
	if perOwner > 0 {
		if s.postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", ownerLockKey(repo.Owner)); err != nil {
				return false, dbutil.MapErr(err, "owner lock")
			}
		}
		n, err := running(tx.NewSelect().
			Where("stage_row.repo_id IN (SELECT id FROM repos WHERE remote = ? AND owner = ?)", repo.Remote, repo.Owner))
		if err != nil || n >= perOwner {
			return false, err
		}
	}
	return true, nil
}

func ownerLockKey(owner string) int64 {
	h := fnv.New64a()
	h.Write([]byte("owner:" + owner))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}
