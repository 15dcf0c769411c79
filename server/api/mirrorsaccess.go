package api

import (
	"context"
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
)

// need is what a caller needs of a mirror's repository.
type need int

const (
	needRead need = iota
	needPush
	needAdmin
)

// find loads the mirror of the path and checks the caller may do what n
// says: those who may not read it are told it does not exist.
func (h *mirrorHandlers) find(c *gin.Context, n need) (*core.Mirror, error) {
	id, err := httpreq.PathID(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	m, err := h.s.store.Mirrors().Find(ctx, id)
	if err != nil {
		return nil, err
	}
	user := currentUser(c)
	if user.Admin {
		return m, nil
	}
	repo, err := h.s.store.Repos().Find(ctx, m.RepoID)
	if err != nil {
		return nil, err
	}
	perm, err := h.s.perm(ctx, user, repo)
	if err != nil {
		return nil, err
	}
	switch {
	case !perm.Pull && !perm.Push && !perm.Admin && repo.Private:
		return nil, core.Errorf(core.CodeNotFound, "mirror %d not found", id)
	case n == needPush && !perm.Push && !perm.Admin:
		return nil, core.Errorf(core.CodeForbidden, "you need push access to %s for this", m.Repo)
	case n == needAdmin && !perm.Admin:
		return nil, core.Errorf(core.CodeForbidden, "you need admin access to %s for this", m.Repo)
	}
	return m, nil
}

// mayCreateUnder reports whether the user may add a mirror under owner:
// their own login, or an owner of whose repositories they administer one.
func (h *mirrorHandlers) mayCreateUnder(ctx context.Context, user *core.User, owner string) (bool, error) {
	if user.Admin || strings.EqualFold(user.Login, owner) {
		return true, nil
	}
	repos, err := h.s.store.Repos().ListUser(ctx, user.ID, false)
	if err != nil {
		return false, err
	}
	for _, r := range repos {
		if !strings.EqualFold(r.Owner, owner) {
			continue
		}
		p, err := h.s.store.Perms().Find(ctx, user.ID, r.ID)
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			return false, err
		}
		if p != nil && p.Admin {
			return true, nil
		}
	}
	return false, nil
}

// local refuses a URL on the runners' hosts to all but system admins.
func local(user *core.User, url string) error {
	if l, err := mirrorURL(url); err != nil || !l || user.Admin {
		return err
	}
	return core.Errorf(core.CodeForbidden, "url: file:// URLs and local paths are for system admins")
}
