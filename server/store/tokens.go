package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type tokenRow struct {
	bun.BaseModel `bun:"table:tokens"`

	ID       int64     `bun:"id,pk,autoincrement"`
	UserID   int64     `bun:"user_id"`
	Name     string    `bun:"name"`
	Hash     string    `bun:"hash"`
	Prefix   string    `bun:"prefix"`
	Expires  time.Time `bun:"expires,nullzero"`
	LastUsed time.Time `bun:"last_used,nullzero"`
	Created  time.Time `bun:"created"`
}

func (r *tokenRow) Core() *core.Token {
	return &core.Token{ID: r.ID, UserID: r.UserID, Name: r.Name, Hash: r.Hash, Prefix: r.Prefix,
		Expires: r.Expires, LastUsed: r.LastUsed, Created: r.Created}
}

type tokenStore struct{ s *Store }

func (ts tokenStore) FindHash(ctx context.Context, hash string) (*core.Token, error) {
	row := new(tokenRow)
	if err := ts.s.db.NewSelect().Model(row).Where("hash = ?", hash).Limit(1).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "token")
	}
	return row.Core(), nil
}

func (ts tokenStore) List(ctx context.Context, userID int64) ([]*core.Token, error) {
	var rows []*tokenRow
	if err := ts.s.db.NewSelect().Model(&rows).Where("user_id = ?", userID).Order("id").Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "tokens")
	}
	out := make([]*core.Token, len(rows))
	for i, r := range rows {
		out[i] = r.Core()
	}
	return out, nil
}

func (ts tokenStore) Create(ctx context.Context, t *core.Token) error {
	if t.Created.IsZero() {
		t.Created = time.Now().UTC()
	}
	row := &tokenRow{UserID: t.UserID, Name: t.Name, Hash: t.Hash, Prefix: t.Prefix,
		Expires: t.Expires, Created: t.Created}
	if _, err := ts.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "token "+t.Name)
	}
	t.ID = row.ID
	return nil
}

func (ts tokenStore) Touch(ctx context.Context, id int64, at time.Time) error {
	_, err := ts.s.db.NewUpdate().Model((*tokenRow)(nil)).Set("last_used = ?", at.UTC()).Where("id = ?", id).Exec(ctx)
	return dbutil.MapErr(err, "token")
}

func (ts tokenStore) Delete(ctx context.Context, userID, id int64) error {
	res, err := ts.s.db.NewDelete().Model((*tokenRow)(nil)).Where("id = ? AND user_id = ?", id, userID).Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "token")
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "token %d", id)
	}
	return nil
}
