package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// settingsForm is the repository settings form: the values shown, and
// after a refused submission the errors by field.
type settingsForm struct {
	Trusted, Protected, CancelPrevious, IgnoreForks, IgnorePulls, ForkSecrets bool
	Approval, Visibility, ConfigPath, Timeout                                 string
	Errors                                                                    map[string]string
}

// Err is the error of the field ("" for none).
func (f *settingsForm) Err(field string) string { return f.Errors[field] }

// settingsFields are the fields the API names in its errors.
var settingsFields = []string{"trusted", "protected", "approval", "visibility", "timeout", "config_path",
	"cancel_previous", "ignore_forks", "ignore_pulls", "fork_secrets"}

// formOfRepo is the form showing the repository's settings.
func formOfRepo(r *core.Repo) *settingsForm {
	f := &settingsForm{Trusted: r.Trusted, Protected: r.Protected, CancelPrevious: r.CancelPrevious, IgnoreForks: r.IgnoreForks,
		IgnorePulls: r.IgnorePulls, ForkSecrets: r.ForkSecrets, Approval: r.Approval, Visibility: r.Visibility,
		ConfigPath: r.ConfigPath, Timeout: strconv.Itoa(r.Timeout)}
	if f.Approval == "" {
		f.Approval = core.ApprovalForks
	}
	if f.Visibility == "" {
		f.Visibility = "public"
		if r.Private {
			f.Visibility = "private"
		}
	}
	return f
}

// saveSettings is POST /{owner}/{name}/settings, the settings form:
// served by PATCH /api/repos/{owner}/{name}, with every field of the
// form (an unchecked box is false) and trusted only from system admins
// (the API refuses it from others). Refused values are shown again with
// the errors next to their fields.
func (w *Web) saveSettings(c *gin.Context) {
	on := func(name string) bool { return c.PostForm(name) == "on" }
	f := &settingsForm{Trusted: on("trusted"), Protected: on("protected"), CancelPrevious: on("cancel_previous"),
		IgnoreForks: on("ignore_forks"), IgnorePulls: on("ignore_pulls"), ForkSecrets: on("fork_secrets"),
		Approval: c.PostForm("approval"), Visibility: c.PostForm("visibility"),
		ConfigPath: strings.TrimSpace(c.PostForm("config_path")), Timeout: strings.TrimSpace(c.PostForm("timeout"))}
	body := map[string]any{"protected": f.Protected, "cancel_previous": f.CancelPrevious, "ignore_forks": f.IgnoreForks,
		"ignore_pulls": f.IgnorePulls, "fork_secrets": f.ForkSecrets, "approval": f.Approval, "visibility": f.Visibility,
		"config_path": f.ConfigPath}
	if _, sent := c.GetPostForm("trusted_shown"); sent {
		body["trusted"] = f.Trusted // the box is drawn for system admins only
	}
	timeout, err := strconv.Atoi(f.Timeout)
	if f.Timeout == "" {
		timeout, err = 0, nil
	}
	if err != nil {
		f.Errors = map[string]string{"timeout": "timeout: " + strconv.Quote(f.Timeout) + " is not a number of minutes"}
		w.showSettings(c, http.StatusBadRequest, f, nil)
		return
	}
	body["timeout"] = timeout
	rec := w.callAPI(c, http.MethodPatch, repoAPI(c, "", nil), c.PostForm("csrf_token"), body)
	switch {
	case rec.Code < 300:
		c.Redirect(http.StatusSeeOther, repoPage(c, "/settings", url.Values{"saved": {"settings"}}))
	case rec.Code == http.StatusBadRequest:
		f.Errors = fieldErrors(apiError(rec), settingsFields...)
		w.showSettings(c, http.StatusBadRequest, f, nil)
	default:
		w.failAPI(c, rec)
	}
}
