package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type cronRow struct {
	bun.BaseModel `bun:"table:crons"`

	ID       int64     `bun:"id,pk,autoincrement"`
	RepoID   int64     `bun:"repo_id"`
	Name     string    `bun:"name"`
	Expr     string    `bun:"expr"`
	Branch   string    `bun:"branch"`
	Next     time.Time `bun:"next"`
	Disabled bool      `bun:"disabled"`
	Created  time.Time `bun:"created"`
	Updated  time.Time `bun:"updated"`
}

func (r *cronRow) Core() *core.Cron {
	return &core.Cron{ID: r.ID, RepoID: r.RepoID, Name: r.Name, Expr: r.Expr, Branch: r.Branch,
		Next: r.Next, Disabled: r.Disabled, Created: r.Created, Updated: r.Updated}
}

// Crons returns the schedule store.
func (s *Store) Crons() core.CronStore { return cronStore{s} }

type cronStore struct{ s *Store }

func (cs cronStore) list(ctx context.Context, q *bun.SelectQuery) ([]*core.Cron, error) {
	var rows []*cronRow
	if err := q.Model(&rows).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "schedules")
	}
	out := make([]*core.Cron, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

func (cs cronStore) List(ctx context.Context, repoID int64) ([]*core.Cron, error) {
	return cs.list(ctx, cs.s.db.NewSelect().Where("repo_id = ?", repoID).Order("name"))
}

func (cs cronStore) Due(ctx context.Context, now time.Time, limit int) ([]*core.Cron, error) {
	return cs.list(ctx, cs.s.db.NewSelect().Where("NOT disabled AND next <= ?", now.UTC()).Order("next").Limit(int64(limit)))
}

func (cs cronStore) Create(ctx context.Context, c *core.Cron) error {
	now := time.Now().UTC()
	row := &cronRow{RepoID: c.RepoID, Name: c.Name, Expr: c.Expr, Branch: c.Branch, Next: c.Next.UTC(),
		Disabled: c.Disabled, Created: now, Updated: now}
	if _, err := cs.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "schedule "+c.Name)
	}
	c.ID, c.Created, c.Updated = row.ID, now, now
	return nil
}

func (cs cronStore) Update(ctx context.Context, c *core.Cron) error {
	now := time.Now().UTC()
	res, err := cs.s.db.NewUpdate().Model((*cronRow)(nil)).
		Set("expr = ?", c.Expr).Set("branch = ?", c.Branch).Set("next = ?", c.Next.UTC()).
		Set("disabled = ?", c.Disabled).Set("updated = ?", now).
		Where("id = ? AND repo_id = ?", c.ID, c.RepoID).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "schedule "+c.Name)
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return dbutil.NoRowOr(err, core.CodeNotFound, "schedule %s", c.Name)
	}
	c.Updated = now
	return nil
}

func (cs cronStore) Delete(ctx context.Context, id int64) error {
	res, err := cs.s.db.NewDelete().Model((*cronRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "schedule")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return dbutil.NoRowOr(err, core.CodeNotFound, "schedule %d", id)
	}
	return nil
}

func (cs cronStore) Advance(ctx context.Context, c *core.Cron, next time.Time) (bool, error) {
	res, err := cs.s.db.NewUpdate().Model((*cronRow)(nil)).
		Set("next = ?", next.UTC()).Set("updated = ?", time.Now().UTC()).
		Where("id = ? AND next = ?", c.ID, c.Next.UTC()).Exec(ctx)
	if err != nil {
		return false, dbutil.MapErr(err, "schedule")
	}
	n, err := dbutil.Affected(res)
	return n == 1, err
}
