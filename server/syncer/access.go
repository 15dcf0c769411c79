package syncer

import (
	"context"
	"errors"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// Access is what a permission check asks for.
type Access int

// The levels of access, each implying the ones before.
const (
	Pull Access = iota + 1
	Push
	Admin
)

// String names the access level.
func (a Access) String() string {
	switch a {
	case Pull:
		return "pull"
	case Push:
		return "push"
	case Admin:
		return "admin"
	}
	return fmt.Sprintf("access(%d)", int(a))
}

// Has reports whether p grants a.
func Has(p *core.Perm, a Access) bool {
	switch a {
	case Pull:
		return p.Pull || p.Push || p.Admin
	case Push:
		return p.Push || p.Admin
	case Admin:
		return p.Admin
	}
	return false
}

// Perm returns the user's permission on the repository from the store,
// asking the remote again (Remote.Repo with the user's credentials) when
// the stored one is missing or older than PermAge; the answer is stored,
// also when it is "no access", so that it is not asked again before
// PermAge. When the remote cannot answer, a stored permission is used as
// it is. A user of another remote (or a local user) has only what is stored.
func (s *Syncer) Perm(ctx context.Context, user *core.User, repo *core.Repo) (*core.Perm, error) {
	stored, err := s.o.Store.Perms().Find(ctx, user.ID, repo.ID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	if stored != nil && s.now().Sub(stored.Synced) < s.o.PermAge {
		return stored, nil
	}
	if user.Remote == "" || user.Remote != repo.Remote {
		if stored != nil {
			return stored, nil
		}
		return &core.Perm{UserID: user.ID, RepoID: repo.ID}, nil
	}
	fresh, err := s.fetchPerm(ctx, user, repo)
	if err != nil {
		if stored != nil {
			s.o.Log.Warn("refresh permission; using the stored one", "user", user.Login, "repo", repo.Slug, "err", err)
			return stored, nil
		}
		return nil, err
	}
	return fresh, nil
}

// fetchPerm asks the remote for the user's permission on the repository
// and stores it. A repository the remote does not show the user, or whose
// name now belongs to another repository, is no access.
func (s *Syncer) fetchPerm(ctx context.Context, user *core.User, repo *core.Repo) (*core.Perm, error) {
	r, creds, err := s.remote(ctx, user)
	if err != nil {
		return nil, err
	}
	p := &core.Perm{UserID: user.ID, RepoID: repo.ID, Synced: s.now()}
	rr, err := r.Repo(ctx, creds, repo.Slug)
	switch {
	case errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrForbidden):
	case err != nil:
		return nil, fmt.Errorf("permission of %s on %s: %w", user.Login, repo.Slug, err)
	case rr.ID != repo.RemoteID:
	case rr.Perm == nil:
		p.Pull = true
	default:
		p.Pull, p.Push, p.Admin = Has(rr.Perm, Pull), Has(rr.Perm, Push), rr.Perm.Admin
	}
	if err := s.o.Store.Perms().Upsert(ctx, p); err != nil {
		return nil, fmt.Errorf("store permission of %s on %s: %w", user.Login, repo.Slug, err)
	}
	return p, nil
}

// Can returns nil when the user may do a with the repository. Without it,
// the error is ErrForbidden, or ErrNotFound when the user may not even see
// a private repository (so that its existence does not leak).
func (s *Syncer) Can(ctx context.Context, user *core.User, repo *core.Repo, a Access) error {
	p, err := s.Perm(ctx, user, repo)
	if err != nil {
		return err
	}
	if Has(p, a) {
		return nil
	}
	if repo.Restricted() && !Has(p, Pull) {
		return core.Errorf(core.CodeNotFound, "repository %s not found", repo.Slug)
	}
	return core.Errorf(core.CodeForbidden, "%s needs %s permission on %s", user.Login, a, repo.Slug)
}
