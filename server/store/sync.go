package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

// Syncs returns the repository sync store.
func (s *Store) Syncs() core.SyncStore { return syncStore{s} }

type syncStore struct{ s *Store }

func (ss syncStore) Claim(ctx context.Context, userID int64, at, staleBefore time.Time) (time.Time, bool, error) {
	var prev time.Time
	claimed := false
	err := ss.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := new(userRow)
		q := tx.NewSelect().Model(row).Column("id", "synced").Where("id = ?", userID)
		if ss.s.dialect == Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return dbutil.MapErr(err, "user")
		}
		prev = row.Synced
		if !prev.IsZero() && !prev.Before(staleBefore) {
			return nil
		}
		if _, err := tx.NewUpdate().Model((*userRow)(nil)).Set("synced = ?", stamp(at)).
			Where("id = ?", userID).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "user")
		}
		claimed = true
		return nil
	})
	return prev, claimed, err
}

func (ss syncStore) Release(ctx context.Context, userID int64, at, prev time.Time) error {
	_, err := ss.s.db.NewUpdate().Model((*userRow)(nil)).
		Set("synced = ?", bun.NullTime{Time: prev}).
		Where("id = ? AND synced = ?", userID, stamp(at)).Exec(ctx)
	return dbutil.MapErr(err, "user")
}

func (ss syncStore) Due(ctx context.Context, activeSince, syncedBefore time.Time, limit int) ([]*core.User, error) {
	var rows []*userRow
	err := ss.s.db.NewSelect().Model(&rows).
		Where("user_row.active AND user_row.remote <> ''").
		Where("(user_row.synced IS NULL OR user_row.synced < ?)", stamp(syncedBefore)).
		Where("(user_row.last_login >= ? OR EXISTS (SELECT 1 FROM tokens AS t WHERE t.user_id = user_row.id AND t.last_used >= ?))",
			stamp(activeSince), stamp(activeSince)).
		OrderExpr("user_row.synced IS NOT NULL, user_row.synced, user_row.id").
		Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbutil.MapErr(err, "users")
	}
	return ss.s.openUsers(rows)
}

type syncRow struct {
	bun.BaseModel `bun:"table:syncs"`

	UserID   int64     `bun:"user_id,pk"`
	Cause    string    `bun:"cause"`
	Started  time.Time `bun:"started"`
	Finished time.Time `bun:"finished,nullzero"`
	Listed   int       `bun:"listed"`
	Repos    int       `bun:"repos"`
	Requests int       `bun:"requests"`
	Error    string    `bun:"error"`
}

func (ss syncStore) SaveOutcome(ctx context.Context, o *core.SyncOutcome) error {
	row := &syncRow{
		UserID: o.UserID, Cause: o.Cause, Started: stamp(o.Started), Finished: o.Finished,
		Listed: o.Listed, Repos: o.Repos, Requests: o.Requests, Error: o.Error,
	}
	if !row.Finished.IsZero() {
		row.Finished = stamp(row.Finished)
	}
	_, err := ss.s.db.NewInsert().Model(row).On("CONFLICT (user_id) DO UPDATE").
		Set("cause = EXCLUDED.cause, started = EXCLUDED.started, finished = EXCLUDED.finished").
		Set("listed = EXCLUDED.listed, repos = EXCLUDED.repos, requests = EXCLUDED.requests, error = EXCLUDED.error").
		Exec(ctx)
	return dbutil.MapErr(err, "sync outcome")
}

func (ss syncStore) Outcome(ctx context.Context, userID int64) (*core.SyncOutcome, error) {
	row := new(syncRow)
	if err := ss.s.db.NewSelect().Model(row).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "sync outcome")
	}
	return &core.SyncOutcome{
		UserID: row.UserID, Cause: row.Cause, Started: row.Started, Finished: row.Finished,
		Listed: row.Listed, Repos: row.Repos, Requests: row.Requests, Error: row.Error,
	}, nil
}
