package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type runnerTokenRow struct {
	bun.BaseModel `bun:"table:runner_tokens"`

	ID       int64     `bun:"id,pk,autoincrement"`
	Hash     string    `bun:"hash"`
	Prefix   string    `bun:"prefix"`
	Note     string    `bun:"note"`
	MaxUses  int       `bun:"max_uses"`
	Uses     int       `bun:"uses"`
	Expires  time.Time `bun:"expires,nullzero"`
	Creator  int64     `bun:"creator"`
	Created  time.Time `bun:"created"`
	LastUsed time.Time `bun:"last_used,nullzero"`
}

func (r *runnerTokenRow) Core() *core.RunnerToken {
	return &core.RunnerToken{ID: r.ID, Hash: r.Hash, Prefix: r.Prefix, Note: r.Note, MaxUses: r.MaxUses,
		Uses: r.Uses, Expires: r.Expires, Creator: r.Creator, Created: r.Created, LastUsed: r.LastUsed}
}

type runnerTokenStore struct{ s *Store }

// RunnerTokens returns the registration token store.
func (s *Store) RunnerTokens() core.RunnerTokenStore { return runnerTokenStore{s} }

func (ts runnerTokenStore) Create(ctx context.Context, t *core.RunnerToken) error {
	if t.Created.IsZero() {
		t.Created = time.Now().UTC()
	}
	row := &runnerTokenRow{Hash: t.Hash, Prefix: t.Prefix, Note: t.Note, MaxUses: t.MaxUses,
		Expires: t.Expires, Creator: t.Creator, Created: t.Created}
	if _, err := ts.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "registration token")
	}
	t.ID = row.ID
	return nil
}

func (ts runnerTokenStore) List(ctx context.Context) ([]*core.RunnerToken, error) {
	var rows []*runnerTokenRow
	if err := ts.s.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "registration tokens")
	}
	out := make([]*core.RunnerToken, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

func (ts runnerTokenStore) Delete(ctx context.Context, id int64) error {
	res, err := ts.s.db.NewDelete().Model((*runnerTokenRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "registration token")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "registration token %d", id)
	}
	return nil
}

func (ts runnerTokenStore) Register(ctx context.Context, tokenHash string, r *core.Runner) error {
	return ts.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		tok := new(runnerTokenRow)
		if err := tx.NewSelect().Model(tok).Where("hash = ?", tokenHash).Limit(1).Scan(ctx); err != nil {
			if err := dbutil.MapErr(err, "registration token"); core.ErrorCode(err) == core.CodeNotFound {
				return core.Errorf(core.CodeUnauthenticated, "invalid or revoked registration token")
			} else if err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		if !tok.Core().Usable(now) {
			return core.Errorf(core.CodeUnauthenticated, "registration token %s is expired or used up", tok.Prefix)
		}
		// The guard on uses makes concurrent registrations with a
		// limited token count correctly on both databases.
		res, err := tx.NewUpdate().Model((*runnerTokenRow)(nil)).
			Set("uses = uses + 1").Set("last_used = ?", now).
			Where("id = ?", tok.ID).Where("max_uses = 0 OR uses < max_uses").Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "registration token")
		}
		if n, err := dbutil.Affected(res); err != nil || n == 0 {
			return dbutil.NoRowOr(err, core.CodeUnauthenticated, "registration token %s is used up", tok.Prefix)
		}
		return insertRunner(ctx, tx, r)
	})
}
