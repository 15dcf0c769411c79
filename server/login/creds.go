package login

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/drover-ci/drover/core"
)

// DefaultSkew is how long before their expiry credentials are refreshed.
const DefaultSkew = 2 * time.Minute

// Refresher hands out a user's remote credentials, refreshing them through
// the remote (RemoteLogin.Refresh) and storing the new ones when they
// expire within Skew. Concurrent calls for one user refresh once. Safe for
// concurrent use; the zero value needs Users and Remotes.
type Refresher struct {
	Users   core.UserStore
	Remotes core.Remotes
	Skew    time.Duration // 0 is DefaultSkew
	Log     *slog.Logger
	Now     func() time.Time // the clock (tests); nil is time.Now

	group singleflight.Group
}

// Creds returns usable credentials of the user: the stored ones, or fresh
// ones when those expire soon. The user value is not changed. Failing to
// refresh is ErrUnauthenticated (the user must log in again) or the
// remote's error (ErrUnavailable when it is down).
func (r *Refresher) Creds(ctx context.Context, user *core.User) (core.Creds, error) {
	if user == nil {
		return core.Creds{}, nil
	}
	if user.Remote == "" || user.Creds.Refresh == "" || !user.Creds.Expired(r.now(), r.skew()) {
		return user.Creds, nil
	}
	v, err, _ := r.group.Do(strconv.FormatInt(user.ID, 10), func() (any, error) {
		return r.refresh(context.WithoutCancel(ctx), user)
	})
	if err != nil {
		return core.Creds{}, err
	}
	return v.(core.Creds), nil
}

// refresh reloads the user (another process may have refreshed already)
// and renews their credentials when still needed.
func (r *Refresher) refresh(ctx context.Context, user *core.User) (core.Creds, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	fresh, err := r.Users.Find(ctx, user.ID)
	if err != nil {
		return core.Creds{}, fmt.Errorf("reload user %s: %w", user.Login, err)
	}
	if !fresh.Creds.Expired(r.now(), r.skew()) {
		return fresh.Creds, nil
	}
	remote, err := r.Remotes.Remote(fresh.Remote)
	if err != nil {
		return core.Creds{}, fmt.Errorf("remote %q of user %s: %w", fresh.Remote, fresh.Login, err)
	}
	creds, err := remote.Refresh(ctx, fresh.Creds)
	if err != nil {
		if core.ErrorCode(err) == core.CodeUnauthenticated {
			return core.Creds{}, core.Errorf(core.CodeUnauthenticated, "the %s credentials of %s cannot be refreshed; log in again: %w", fresh.Remote, fresh.Login, err)
		}
		return core.Creds{}, fmt.Errorf("refresh the %s credentials of %s: %w", fresh.Remote, fresh.Login, err)
	}
	if creds.Refresh == "" {
		creds.Refresh = fresh.Creds.Refresh // the remote kept the refresh token
	}
	fresh.Creds = creds
	if err := r.Users.Update(ctx, fresh); err != nil {
		return core.Creds{}, fmt.Errorf("store the refreshed credentials of %s: %w", fresh.Login, err)
	}
	r.log().Debug("refreshed remote credentials", "user", fresh.Login, "remote", fresh.Remote, "expiry", creds.Expiry)
	return creds, nil
}

func (r *Refresher) skew() time.Duration {
	if r.Skew > 0 {
		return r.Skew
	}
	return DefaultSkew
}

func (r *Refresher) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Refresher) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}
