package trigger

import (
	"context"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// CredsFunc returns a user's usable remote credentials, refreshing expired
// ones; nil uses the stored credentials as they are.
type CredsFunc func(ctx context.Context, user *core.User) (core.Creds, error)

// RemoteFor returns the repository's remote and the credentials of the
// user who activated it (none for a repository nobody activated). The
// trigger, the status reporter and the server's clone credentials all act
// on a repository this way.
func RemoteFor(ctx context.Context, store core.Store, remotes core.Remotes, credsOf CredsFunc, repo *core.Repo) (core.Remote, core.Creds, error) {
	remote, err := remotes.Remote(repo.Remote)
	if err != nil {
		return core.Remote{}, core.Creds{}, fmt.Errorf("remote %q of %s: %w", repo.Remote, repo.Slug, err)
	}
	if repo.UserID == 0 {
		return remote, core.Creds{}, nil
	}
	u, err := store.Users().Find(ctx, repo.UserID)
	if err != nil {
		return core.Remote{}, core.Creds{}, fmt.Errorf("owner of %s: %w", repo.Slug, err)
	}
	if credsOf == nil {
		return remote, u.Creds, nil
	}
	creds, err := credsOf(ctx, u)
	if err != nil {
		return core.Remote{}, core.Creds{}, fmt.Errorf("credentials of %s for %s: %w", u.Login, repo.Slug, err)
	}
	return remote, creds, nil
}
