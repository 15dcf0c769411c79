package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type permRow struct {
	bun.BaseModel `bun:"table:perms"`

	UserID int64     `bun:"user_id,pk"`
	RepoID int64     `bun:"repo_id,pk"`
	Pull   bool      `bun:"pull"`
	Push   bool      `bun:"push"`
	Admin  bool      `bun:"admin"`
	Synced time.Time `bun:"synced"`
}

func (r *permRow) Core() *core.Perm {
	return &core.Perm{UserID: r.UserID, RepoID: r.RepoID, Pull: r.Pull, Push: r.Push, Admin: r.Admin, Synced: r.Synced}
}

func toPermRow(p *core.Perm) *permRow {
	return &permRow{UserID: p.UserID, RepoID: p.RepoID, Pull: p.Pull, Push: p.Push, Admin: p.Admin, Synced: stamp(p.Synced)}
}

// stamp returns t in UTC at the microsecond precision both databases keep,
// so that a stamp compares equal to itself after a round trip.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// epoch is the Synced of an expired permission.
var epoch = time.Unix(0, 0).UTC()

// Perms returns the permission store.
func (s *Store) Perms() core.PermStore { return permStore{s} }

type permStore struct{ s *Store }

func (ps permStore) Find(ctx context.Context, userID, repoID int64) (*core.Perm, error) {
	row := new(permRow)
	err := ps.s.db.NewSelect().Model(row).Where("user_id = ? AND repo_id = ?", userID, repoID).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "permission")
	}
	return row.Core(), nil
}

// upsertPerms writes rows with ON CONFLICT DO UPDATE, in one statement.
func upsertPerms(ctx context.Context, db bun.IDB, rows []*permRow) error {
	_, err := db.NewInsert().Model(&rows).
		On("CONFLICT (user_id, repo_id) DO UPDATE").
		Set(permUpsertSet).
		Exec(ctx)
	return dbutil.MapErr(err, "permission")
}

func (ps permStore) Upsert(ctx context.Context, p *core.Perm) error {
	if p.Synced.IsZero() {
		p.Synced = time.Now()
	}
	p.Synced = stamp(p.Synced)
	return upsertPerms(ctx, ps.s.db, []*permRow{toPermRow(p)})
}

func (ps permStore) Delete(ctx context.Context, userID, repoID int64) error {
	_, err := ps.s.db.NewDelete().Model((*permRow)(nil)).Where("user_id = ? AND repo_id = ?", userID, repoID).Exec(ctx)
	return dbutil.MapErr(err, "permission")
}

func (ps permStore) List(ctx context.Context, userID int64) ([]*core.Perm, error) {
	var rows []*permRow
	if err := ps.s.db.NewSelect().Model(&rows).Where("user_id = ?", userID).Order("repo_id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "permissions")
	}
	out := make([]*core.Perm, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

func (ps permStore) Expire(ctx context.Context, repoID int64) error {
	_, err := ps.s.db.NewUpdate().Model((*permRow)(nil)).Set("synced = ?", epoch).Where("repo_id = ?", repoID).Exec(ctx)
	return dbutil.MapErr(err, "permissions")
}
