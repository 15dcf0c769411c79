package web

import (
	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// settingsData is the settings page's content.
type settingsData struct {
	Rights     *api.Rights
	Secrets    []*core.Secret // names and events; values are never read
	Registries []*core.Registry
	Crons      []*core.Cron
	BadgeURL   string
	RepoURL    string
}

// settings is GET /{owner}/{name}/settings, for the repository's admins:
// its settings, secrets (names only), registry credentials, cron
// schedules with their next runs, and the badge snippet.
func (w *Web) settings(c *gin.Context) {
	v, rights, ok := w.repoFor(c, "Settings")
	if !ok {
		return
	}
	if !rights.Admin {
		w.fail(c, core.Errorf(core.CodeForbidden, "you need admin access to %s to see its settings", rights.Repo.Slug))
		return
	}
	ctx, repo := c.Request.Context(), rights.Repo
	d := &settingsData{Rights: rights, RepoURL: w.absURL(c, "/"+repo.Slug), BadgeURL: w.absURL(c, "/api/badges/"+repo.Slug+"/status.svg")}
	var err error
	if d.Secrets, err = w.store.Secrets().List(ctx, repo.ID, ""); err == nil {
		if d.Registries, err = w.store.Registries().List(ctx, repo.ID, ""); err == nil {
			d.Crons, err = w.store.Crons().List(ctx, repo.ID)
		}
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	v.Title = repo.Slug + " · settings"
	v.Data = d
	w.render(c, 200, "settings", v)
}

// absURL is the path under the server's external URL (or, without one
// configured, the host the request named).
func (w *Web) absURL(c *gin.Context, path string) string {
	if w.serverURL != "" {
		return w.serverURL + path
	}
	return "http://" + c.Request.Host + path
}
