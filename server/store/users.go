package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/internal/dbutil"
)

type userRow struct {
	bun.BaseModel `bun:"table:users"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Remote    string    `bun:"remote"`
	RemoteID  string    `bun:"remote_id"`
	Login     string    `bun:"login"`
	Email     string    `bun:"email"`
	Avatar    string    `bun:"avatar"`
	Admin     bool      `bun:"admin"`
	Active    bool      `bun:"active"`
	Token     string    `bun:"token"`
	Refresh   string    `bun:"refresh"`
	Expiry    time.Time `bun:"expiry,nullzero"`
	Synced    time.Time `bun:"synced,nullzero"`
	LastLogin time.Time `bun:"last_login,nullzero"`
	Created   time.Time `bun:"created"`
	Updated   time.Time `bun:"updated"`
}

func (r *userRow) Core() *core.User {
	return &core.User{
		ID: r.ID, Remote: r.Remote, RemoteID: r.RemoteID, Login: r.Login, Email: r.Email,
		Avatar: r.Avatar, Admin: r.Admin, Active: r.Active,
		Creds:  core.Creds{Token: r.Token, Refresh: r.Refresh, Expiry: r.Expiry},
		Synced: r.Synced, LastLogin: r.LastLogin, Created: r.Created, Updated: r.Updated,
	}
}

func toUserRow(u *core.User) *userRow {
	return &userRow{
		ID: u.ID, Remote: u.Remote, RemoteID: u.RemoteID, Login: u.Login, Email: u.Email,
		Avatar: u.Avatar, Admin: u.Admin, Active: u.Active,
		Token: u.Creds.Token, Refresh: u.Creds.Refresh, Expiry: u.Creds.Expiry,
		Synced: u.Synced, LastLogin: u.LastLogin, Created: u.Created, Updated: u.Updated,
	}
}

type userStore struct{ s *Store }

func (us userStore) find(ctx context.Context, what string, where string, args ...any) (*core.User, error) {
	row := new(userRow)
	if err := us.s.db.NewSelect().Model(row).Where(where, args...).Limit(1).Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, what)
	}
	return us.s.openUser(row.Core())
}

func (us userStore) Find(ctx context.Context, id int64) (*core.User, error) {
	return us.find(ctx, "user", "id = ?", id)
}

func (us userStore) FindLogin(ctx context.Context, remote, login string) (*core.User, error) {
	return us.find(ctx, "user "+login, "remote = ? AND login = ?", remote, login)
}

func (us userStore) List(ctx context.Context) ([]*core.User, error) {
	return us.ListPage(ctx, 0, 0)
}

// ListPage returns a page of users ordered by id; limit 0 is all of them.
func (us userStore) ListPage(ctx context.Context, limit, offset int) ([]*core.User, error) {
	var rows []*userRow
	q := us.s.db.NewSelect().Model(&rows).Order("id")
	if limit > 0 {
		q = q.Limit(int64(limit)).Offset(int64(offset))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, dbutil.MapErr(err, "users")
	}
	return us.s.openUsers(rows)
}

func (us userStore) Count(ctx context.Context) (int, error) {
	n, err := us.s.db.NewSelect().Model((*userRow)(nil)).Count(ctx)
	return int(n), dbutil.MapErr(err, "users")
}

func (us userStore) Create(ctx context.Context, u *core.User) error {
	now := time.Now().UTC()
	if u.Created.IsZero() {
		u.Created = now
	}
	u.Updated = now
	row := toUserRow(u)
	row.ID = 0
	us.s.sealUserRow(row)
	if _, err := us.s.db.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
		return dbutil.MapErr(err, "user "+u.Login)
	}
	u.ID = row.ID
	return nil
}

func (us userStore) Update(ctx context.Context, u *core.User) error {
	u.Updated = time.Now().UTC()
	row := toUserRow(u)
	us.s.sealUserRow(row)
	res, err := us.s.db.NewUpdate().Model(row).WherePK().ExcludeColumn("id", "created").Exec(ctx)
	if err != nil {
		return dbutil.MapErr(err, "user "+u.Login)
	}
	if n, err := dbutil.Affected(res); err != nil || n == 0 {
		return notFoundOr(err, "user %d", u.ID)
	}
	return nil
}

// Delete removes the user; its tokens and sessions go by cascade, and its
// permissions explicitly (they carry no foreign key on Postgres, see the
// perms_without_fk migration).
func (us userStore) Delete(ctx context.Context, id int64) error {
	return us.s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*permRow)(nil)).Where("user_id = ?", id).Exec(ctx); err != nil {
			return dbutil.MapErr(err, "permissions")
		}
		res, err := tx.NewDelete().Model((*userRow)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return dbutil.MapErr(err, "user")
		}
		if n, err := dbutil.Affected(res); err != nil || n == 0 {
			return notFoundOr(err, "user %d", id)
		}
		return nil
	})
}

// notFoundOr returns err when set, else a not-found error for the thing.
func notFoundOr(err error, format string, args ...any) error {
	return dbutil.NoRowOr(err, core.CodeNotFound, format+" not found", args...)
}
