package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// repairView answers POST /api/repos/{owner}/{name}/repair: the
// repository as the remote now describes it, whether the webhook was
// installed again, and the caller's refreshed permission (nil when the
// caller is not a user of the repository's remote).
type repairView struct {
	Repo *core.Repo `json:"repo"`
	Hook bool       `json:"hook"`
	Perm *core.Perm `json:"perm,omitempty"`
}

// repair is POST /api/repos/{owner}/{name}/repair: re-fetch the
// repository from the remote with the caller's credentials, reinstall
// the webhook of an active repository with its secret, and store the
// caller's permission the remote answered.
func (h *activateHandlers) repair(c *gin.Context) {
	repo, remote, creds, ok := h.adminRepo(c)
	if !ok {
		return
	}
	ctx, user := c.Request.Context(), currentUser(c)
	rr, err := remote.Repo(ctx, creds, repo.Slug)
	if errors.Is(err, core.ErrNotFound) {
		err = core.Errorf(core.CodeNotFound, "%s does not show you repository %s any more: it was deleted, renamed or you lost access", repo.Remote, repo.Slug)
	}
	if err != nil {
		h.s.fail(c, err)
		return
	}
	if rr.ID != repo.RemoteID {
		h.s.fail(c, core.Errorf(core.CodeConflict, "the name %s now belongs to another repository on %s: list your repositories (GET /api/user/repos?flush=true) to sync them", repo.Slug, repo.Remote))
		return
	}
	repo.Owner, repo.Name, repo.Slug = rr.Owner, rr.Name, rr.Slug()
	repo.CloneURL, repo.HTMLURL, repo.Branch = rr.CloneURL, rr.HTMLURL, rr.Branch
	repo.Private, repo.Visibility = rr.Private, rr.Visibility
	view := &repairView{Repo: repo}
	if repo.Active {
		if repo.HookSecret == "" {
			repo.HookSecret = newHookSecret()
		}
		if err := remote.Activate(ctx, creds, repo.Slug, HookURL(h.d.ServerURL, repo.Remote), repo.HookSecret); err != nil {
			h.s.fail(c, err)
			return
		}
		view.Hook = true
	}
	if err := h.s.store.Repos().Update(ctx, repo); err != nil {
		h.s.fail(c, err)
		return
	}
	if user.Remote == repo.Remote {
		p := &core.Perm{UserID: user.ID, RepoID: repo.ID, Pull: true, Synced: time.Now().UTC()}
		if rr.Perm != nil {
			p.Pull, p.Push, p.Admin = rr.Perm.Pull || rr.Perm.Push || rr.Perm.Admin, rr.Perm.Push || rr.Perm.Admin, rr.Perm.Admin
		}
		if err := h.s.store.Perms().Upsert(ctx, p); err != nil {
			h.s.fail(c, err)
			return
		}
		view.Perm = p
	}
	h.s.log.Info("repository repaired", "repo", repo.Slug, "remote", repo.Remote, "user", user.Login, "hook", view.Hook)
	c.JSON(http.StatusOK, view)
}
