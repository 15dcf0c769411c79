package api

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// Access answers what a user may do with a repository (the syncer's
// permission check, which refreshes stale permissions from the remote).
type Access interface {
	Perm(ctx context.Context, user *core.User, repo *core.Repo) (*core.Perm, error)
}

const repoKey = "drover.repo"

// findRepo finds the repository of the slug (owner/name) on remote (by
// default the user's, then the mirrors').
func (s *Server) findRepo(ctx context.Context, user *core.User, remote, slug string) (*core.Repo, error) {
	mine := remote == ""
	if mine {
		remote = user.Remote
	}
	repo, err := s.store.Repos().FindSlug(ctx, remote, slug)
	if mine && errors.Is(err, core.ErrNotFound) && remote != core.RemoteMirror {
		// A mirror's repository belongs to no user's remote: found by its
		// name alone when the user's remote has none of that name.
		repo, err = s.store.Repos().FindSlug(ctx, core.RemoteMirror, slug)
	}
	if errors.Is(err, core.ErrNotFound) {
		err = core.Errorf(core.CodeNotFound, "repository %s not found: list your repositories (GET /api/user/repos?flush=true) to sync it", slug)
	}
	return repo, err
}

// rights finds the repository and what the user may do with it. A
// repository the user may not read is reported as not existing (so
// private names do not leak). System admins may do everything.
func (s *Server) rights(ctx context.Context, user *core.User, remote, slug string) (*Rights, error) {
	repo, err := s.findRepo(ctx, user, remote, slug)
	if err != nil {
		return nil, err
	}
	if user.Admin {
		return &Rights{Repo: repo, Pull: true, Push: true, Admin: true}, nil
	}
	perm, err := s.perm(ctx, user, repo)
	if err != nil {
		return nil, err
	}
	r := &Rights{Repo: repo, Pull: perm.Pull || perm.Push || perm.Admin || !repo.Restricted(), Push: perm.Push || perm.Admin, Admin: perm.Admin}
	if !r.Pull {
		return nil, core.Errorf(core.CodeNotFound, "repository %s not found", slug)
	}
	return r, nil
}

// repoAccess loads the repository named in the path (of the user's
// remote, or ?remote=) and checks the caller may do what a needs (see
// rights); a reader lacking more is refused (403).
func (s *Server) repoAccess(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		slug := c.Param("owner") + "/" + c.Param("name")
		r, err := s.rights(c.Request.Context(), currentUser(c), c.Query("remote"), slug)
		switch {
		case err != nil:
			s.fail(c, err)
			return
		case a == accessPush && !r.Push:
			s.fail(c, core.Errorf(core.CodeForbidden, "you need push access to %s for this", slug))
			return
		case a == accessRepoAdmin && !r.Admin:
			s.fail(c, core.Errorf(core.CodeForbidden, "you need admin access to %s for this", slug))
			return
		}
		c.Set(repoKey, r.Repo)
		c.Next()
	}
}

// perm is the user's permission on the repository: the Access check when
// the server has one, else the stored permission.
func (s *Server) perm(ctx context.Context, user *core.User, repo *core.Repo) (*core.Perm, error) {
	if s.access != nil {
		return s.access.Perm(ctx, user, repo)
	}
	p, err := s.store.Perms().Find(ctx, user.ID, repo.ID)
	if errors.Is(err, core.ErrNotFound) {
		return &core.Perm{}, nil
	}
	return p, err
}

// repoOf is the repository repoAccess loaded.
func repoOf(c *gin.Context) *core.Repo {
	r, _ := c.Get(repoKey)
	return r.(*core.Repo)
}
