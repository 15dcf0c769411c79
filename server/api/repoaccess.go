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

// pathRepo finds the repository the path names (owner/name) on the
// remote the query names (by default the caller's); it also returns the
// slug and the remote's name.
func (s *Server) pathRepo(c *gin.Context) (*core.Repo, string, string, error) {
	slug := c.Param("owner") + "/" + c.Param("name")
	remote := c.Query("remote")
	if remote == "" {
		remote = currentUser(c).Remote
	}
	repo, err := s.store.Repos().FindSlug(c.Request.Context(), remote, slug)
	if errors.Is(err, core.ErrNotFound) {
		err = core.Errorf(core.CodeNotFound, "repository %s not found: list your repositories (GET /api/user/repos?flush=true) to sync it", slug)
	}
	return repo, slug, remote, err
}

// repoAccess loads the repository named in the path (of the user's
// remote, or ?remote=) and checks the caller may do what a needs. A
// caller who may not read it is told it does not exist (so private
// names do not leak); a reader lacking more is refused (403). System
// admins may do everything.
func (s *Server) repoAccess(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		user := currentUser(c)
		repo, slug, _, err := s.pathRepo(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		if !user.Admin {
			perm, err := s.perm(c.Request.Context(), user, repo)
			if err != nil {
				s.fail(c, err)
				return
			}
			readable := perm.Pull || perm.Push || perm.Admin || !repo.Private
			switch {
			case !readable:
				s.fail(c, core.Errorf(core.CodeNotFound, "repository %s not found", slug))
				return
			case a == accessPush && !perm.Push && !perm.Admin:
				s.fail(c, core.Errorf(core.CodeForbidden, "you need push access to %s for this", slug))
				return
			case a == accessRepoAdmin && !perm.Admin:
				s.fail(c, core.Errorf(core.CodeForbidden, "you need admin access to %s for this", slug))
				return
			}
		}
		c.Set(repoKey, repo)
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
