package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// ActivateDeps are what activation needs.
type ActivateDeps struct {
	Remotes core.Remotes
	// Access answers the caller's permission (the syncer's check, which
	// asks the remote when the stored one is stale).
	Access Access
	// Creds returns the caller's usable remote credentials (refreshed).
	Creds func(ctx context.Context, user *core.User) (core.Creds, error)
	// ServerURL is Drover's external URL, the base of the webhook URL.
	ServerURL string
}

type activateHandlers struct {
	s *Server
	d ActivateDeps
}

// AddActivation serves POST /api/repos/{owner}/{name} (activate: install
// the webhook with a fresh secret through the remote, with the caller's
// credentials; the caller must administer the repository on the remote)
// and DELETE (deactivate: remove the webhook; builds are kept). ?remote=
// picks the remote as for the other repository routes. Call it once,
// before serving.
func (s *Server) AddActivation(d ActivateDeps) {
	h := &activateHandlers{s: s, d: d}
	if d.Access != nil {
		s.access = d.Access
	}
	remote := []param{queryString("remote", "the remote of the repository (default: the caller's)")}
	s.handle(route{method: "POST", path: "/api/repos/:owner/:name", summary: "Activate a repository", access: accessRepoAdmin,
		doc:   "Installs the webhook with a fresh secret through the remote, with your credentials: you must administer the repository there.",
		query: remote, answers: []answer{answerOK(&core.Repo{})}, handlers: []gin.HandlerFunc{h.activate}})
	s.handle(route{method: "DELETE", path: "/api/repos/:owner/:name", summary: "Deactivate a repository", access: accessRepoAdmin,
		doc:   "Removes the webhook; the builds are kept.",
		query: remote, answers: []answer{answerOK(&core.Repo{})}, handlers: []gin.HandlerFunc{h.deactivate}})
	s.handle(route{method: "POST", path: "/api/repos/:owner/:name/repair", summary: "Repair a repository", access: accessRepoAdmin,
		doc: "Reads the repository from the remote again (name, clone URL, default branch, visibility), installs its webhook again " +
			"when it is active (keeping the secret), and refreshes your permission on it, with your credentials.",
		query: remote, answers: []answer{answerOK(&repairView{})}, handlers: []gin.HandlerFunc{h.repair}})
}

// adminRepo returns the repository repoAccess checked the caller
// administers, its remote and the caller's credentials.
func (h *activateHandlers) adminRepo(c *gin.Context) (*core.Repo, core.Remote, core.Creds, bool) {
	user, repo := currentUser(c), repoOf(c)
	remote, err := h.d.Remotes.Remote(repo.Remote)
	if err != nil {
		h.s.fail(c, err)
		return nil, core.Remote{}, core.Creds{}, false
	}
	creds := user.Creds
	if h.d.Creds != nil {
		if creds, err = h.d.Creds(c.Request.Context(), user); err != nil {
			h.s.fail(c, err)
			return nil, core.Remote{}, core.Creds{}, false
		}
	}
	return repo, remote, creds, true
}

func (h *activateHandlers) activate(c *gin.Context) {
	repo, remote, creds, ok := h.adminRepo(c)
	if !ok {
		return
	}
	if repo.Gone {
		h.s.fail(c, core.Errorf(core.CodeNotFound, "repository %s was deleted on %s", repo.Slug, repo.Remote))
		return
	}
	ctx := c.Request.Context()
	secret := newHookSecret()
	if err := remote.Activate(ctx, creds, repo.Slug, HookURL(h.d.ServerURL, repo.Remote), secret); err != nil {
		h.s.fail(c, err)
		return
	}
	repo.Active, repo.HookSecret, repo.UserID = true, secret, currentUser(c).ID
	if err := h.s.store.Repos().Update(ctx, repo); err != nil {
		h.s.fail(c, err)
		return
	}
	h.s.log.Info("repository activated", "repo", repo.Slug, "remote", repo.Remote, "user", currentUser(c).Login)
	c.JSON(http.StatusOK, repo)
}

func (h *activateHandlers) deactivate(c *gin.Context) {
	repo, remote, creds, ok := h.adminRepo(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if !repo.Gone {
		err := remote.Deactivate(ctx, creds, repo.Slug, HookURL(h.d.ServerURL, repo.Remote))
		if err != nil && !errors.Is(err, core.ErrNotFound) {
			h.s.fail(c, err)
			return
		}
	}
	repo.Active, repo.HookSecret = false, ""
	if err := h.s.store.Repos().Update(ctx, repo); err != nil {
		h.s.fail(c, err)
		return
	}
	h.s.log.Info("repository deactivated", "repo", repo.Slug, "remote", repo.Remote, "user", currentUser(c).Login)
	c.JSON(http.StatusOK, repo)
}

// newHookSecret returns a fresh random webhook secret.
func newHookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
