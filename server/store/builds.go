package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
	"github.com/drover-ci/drover/server/store/internal/tables"
)

type buildStore struct{ s *Store }

func (bs buildStore) find(ctx context.Context, where string, args ...any) (*core.Build, error) {
	row := new(tables.Build)
	if err := bs.s.db.NewSelect().Model(row).Where(where, args...).Limit(1).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "build")
	}
	return row.Core(), nil
}

func (bs buildStore) Find(ctx context.Context, id int64) (*core.Build, error) {
	return bs.find(ctx, "id = ?", id)
}

func (bs buildStore) FindNumber(ctx context.Context, repoID, number int64) (*core.Build, error) {
	return bs.find(ctx, "repo_id = ? AND number = ?", repoID, number)
}

func (bs buildStore) List(ctx context.Context, repoID int64, limit, offset int) ([]*core.Build, error) {
	var rows []*tables.Build
	err := bs.s.db.NewSelect().Model(&rows).Where("repo_id = ?", repoID).
		Order("number DESC").Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "builds")
	}
	out := make([]*core.Build, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

// Create takes the repository's next number by incrementing its counter in
// the same transaction that inserts the build: the row lock (Postgres) or
// the write lock taken at BEGIN (SQLite) orders concurrent creators, and a
// failed insert rolls the counter back, so numbers stay gapless.
func (bs buildStore) Create(ctx context.Context, b *core.Build, stages []*core.Stage) error {
	now := time.Now().UTC()
	return bs.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var number int64
		q := tx.NewUpdate().Model((*tables.Repo)(nil)).Set("counter = counter + 1").Where("id = ?", b.RepoID)
		if b.Number > 0 {
			q = q.Where("counter = ?", b.Number-1)
		}
		err := q.Returning("counter").Scan(ctx, &number)
		if errors.Is(err, sql.ErrNoRows) && b.Number > 0 {
			exists, ferr := tx.NewSelect().Model((*tables.Repo)(nil)).Where("id = ?", b.RepoID).Exists(ctx)
			if ferr != nil {
				return dbutil.MapErr(ferr, "repository")
			}
			if !exists {
				return core.Errorf(core.CodeNotFound, "repository %d not found", b.RepoID)
			}
			return core.Errorf(core.CodeConflict, "build %d: %w", b.Number, core.ErrNumberTaken)
		}
		if err != nil {
			return dbutil.MapErr(err, "repository")
		}
		row := tables.FromBuild(b)
		row.ID, row.Number, row.Version = 0, number, 1
		row.Created, row.Updated = now, now
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return dbutil.MapErr(err, "build (delivery "+b.Delivery+")")
		}
		if err := insertStages(ctx, tx, row.ID, b.RepoID, stages, now); err != nil {
			return err
		}
		b.ID, b.Number, b.Version, b.Created, b.Updated = row.ID, number, 1, now, now
		return nil
	})
}

func (bs buildStore) Update(ctx context.Context, b *core.Build) error {
	b.Updated = time.Now().UTC()
	row := tables.FromBuild(b)
	res, err := bs.s.db.NewUpdate().Model(row).
		ExcludeColumn("id", "repo_id", "number", "created", "version", "delivery", "logs_purged").
		Set("version = version + 1").
		Where("id = ? AND version = ?", b.ID, b.Version).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "build")
	}
	n, err := dbutil.Affected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		return bs.staleOrMissing(ctx, b.ID)
	}
	b.Version++
	return nil
}

func (bs buildStore) staleOrMissing(ctx context.Context, id int64) error {
	if _, err := bs.Find(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.CodeConflict, "build %d was changed by someone else; reload and retry", id)
}
