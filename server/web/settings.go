package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// settingsData is the settings page's content.
type settingsData struct {
	Rights     *api.Rights
	SysAdmin   bool // may change trusted
	Form       *settingsForm
	Secret     *secretForm
	Secrets    []*core.Secret // names and events; values are never read
	Registries []*core.Registry
	Crons      []*core.Cron
	BadgeURL   string
	RepoURL    string
	Saved      string // what the last change did, to say so
}

// savedNotices are the ?saved= of the settings page after a change.
var savedNotices = map[string]string{
	"settings": "Settings saved.", "secret": "Secret added.", "deleted": "Secret deleted.",
}

// settings is GET /{owner}/{name}/settings, for the repository's admins:
// its settings (a form), secrets (names only, a form to add one, a
// button to delete each), registry credentials, cron schedules with
// their next runs, and the badge snippet.
func (w *Web) settings(c *gin.Context) {
	w.showSettings(c, http.StatusOK, nil, nil)
}

// showSettings draws the settings page, with a refused form's values
// and errors when form or secret is not nil.
func (w *Web) showSettings(c *gin.Context, status int, form *settingsForm, secret *secretForm) {
	v, rights, ok := w.repoFor(c, "Settings")
	if !ok {
		return
	}
	if !rights.Admin {
		w.fail(c, core.Errorf(core.CodeForbidden, "you need admin access to %s to see its settings", rights.Repo.Slug))
		return
	}
	ctx, repo := c.Request.Context(), rights.Repo
	if form == nil {
		form = formOfRepo(repo)
	}
	if secret == nil {
		secret = &secretForm{}
	}
	d := &settingsData{Rights: rights, SysAdmin: v.User.Admin, Form: form, Secret: secret, Saved: savedNotices[c.Query("saved")],
		RepoURL: w.absURL(c, "/"+repo.Slug), BadgeURL: w.absURL(c, "/api/badges/"+repo.Slug+"/status.svg")}
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
	w.render(c, status, "settings", v)
}

// absURL is the path under the server's external URL (or, without one
// configured, the host the request named).
func (w *Web) absURL(c *gin.Context, path string) string {
	if w.serverURL != "" {
		return w.serverURL + path
	}
	return "http://" + c.Request.Host + path
}
