package syncer

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// List returns the user's repositories — every one they can see when all
// is set, else the active ones — after syncing when flush is asked or the
// last sync started more than Age ago. A failed flush is an error; a
// failed sync because of age is logged (and recorded in the user's
// outcome) and the stored view is returned.
func (s *Syncer) List(ctx context.Context, user *core.User, all, flush bool) ([]*core.Repo, error) {
	var err error
	if flush {
		_, err = s.Sync(ctx, user, CauseFlush)
	} else {
		_, err = s.Refresh(ctx, user)
	}
	if err != nil {
		if flush || ctx.Err() != nil {
			return nil, err
		}
		s.o.Log.Warn("sync before listing failed; listing the stored view", "user", user.Login, "err", err)
	}
	return s.o.Store.Repos().ListUser(ctx, user.ID, !all)
}
