package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	ID       int64     `bun:"id,pk,autoincrement"`
	UserID   int64     `bun:"user_id"`
	Hash     string    `bun:"hash"`
	Expires  time.Time `bun:"expires"`
	Created  time.Time `bun:"created"`
	LastUsed time.Time `bun:"last_used,nullzero"`
}

func (r *sessionRow) Core() *core.Session {
	return &core.Session{ID: r.ID, UserID: r.UserID, Hash: r.Hash, Expires: r.Expires, Created: r.Created, LastUsed: r.LastUsed}
}

type sessionStore struct{ s *Store }

// Sessions returns the browser session store.
func (s *Store) Sessions() core.SessionStore { return sessionStore{s} }

func (ss sessionStore) Create(ctx context.Context, se *core.Session) error {
	row := &sessionRow{UserID: se.UserID, Hash: se.Hash, Expires: se.Expires, Created: se.Created, LastUsed: se.LastUsed}
	if _, err := ss.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "session")
	}
	se.ID = row.ID
	return nil
}

func (ss sessionStore) FindHash(ctx context.Context, hash string) (*core.Session, error) {
	row := new(sessionRow)
	if err := ss.s.db.NewSelect().Model(row).Where("hash = ?", hash).Limit(1).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "session")
	}
	return row.Core(), nil
}

func (ss sessionStore) Touch(ctx context.Context, id int64, at time.Time) error {
	_, err := ss.s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_used = ?", at.UTC()).Where("id = ?", id).Exec(ctx)
	return dbutil.MapErr(err, "session")
}

func (ss sessionStore) DeleteHash(ctx context.Context, hash string) error {
	_, err := ss.s.db.NewDelete().Model((*sessionRow)(nil)).Where("hash = ?", hash).Exec(ctx)
	return dbutil.MapErr(err, "session")
}

func (ss sessionStore) DeleteUser(ctx context.Context, userID int64) error {
	_, err := ss.s.db.NewDelete().Model((*sessionRow)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return dbutil.MapErr(err, "sessions")
}

func (ss sessionStore) Prune(ctx context.Context, t time.Time) (int64, error) {
	res, err := ss.s.db.NewDelete().Model((*sessionRow)(nil)).Where("expires < ?", t.UTC()).Exec(ctx)
	if err != nil {
		return 0, dbutil.MapErr(err, "sessions")
	}
	n, _ := res.RowsAffected()
	return n, nil
}
