package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

func (ts tokenStore) CreateUser(ctx context.Context, u *core.User, t *core.Token) error {
	now := time.Now().UTC()
	u.Created, u.Updated = now, now
	if t.Created.IsZero() {
		t.Created = now
	}
	user := toUserRow(u)
	user.ID = 0
	ts.s.sealUserRow(user)
	return ts.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(user).Returning("id").Exec(ctx); err != nil {
			return dbutil.MapErr(err, "user "+u.Login)
		}
		tok := &tokenRow{UserID: user.ID, Name: t.Name, Hash: t.Hash, Prefix: t.Prefix, Expires: t.Expires, Created: t.Created}
		if _, err := tx.NewInsert().Model(tok).Returning("id").Exec(ctx); err != nil {
			return dbutil.MapErr(err, "token "+t.Name)
		}
		u.ID, t.ID, t.UserID = user.ID, tok.ID, user.ID
		return nil
	})
}
