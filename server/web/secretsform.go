package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// secretEvents are the events a secret may be given to, as the form
// offers them.
var secretEvents = []string{"push", "tag", "pull_request", "custom", "cron", "promote"}

// secretForm is the form adding a secret: what was typed (never the
// value, which is not shown again) and the errors by field.
type secretForm struct {
	Name   string
	Events map[string]bool
	Fork   bool
	Errors map[string]string
}

// Err is the error of the field ("" for none).
func (f *secretForm) Err(field string) string { return f.Errors[field] }

// AllEvents lists the events the form offers.
func (f *secretForm) AllEvents() []string { return secretEvents }

// addSecret is POST /{owner}/{name}/settings/secrets: served by POST
// /api/repos/{owner}/{name}/secrets. Without a chosen event the API's
// default applies (every event but pull requests).
func (w *Web) addSecret(c *gin.Context) {
	f := &secretForm{Name: strings.TrimSpace(c.PostForm("name")), Events: map[string]bool{}, Fork: c.PostForm("fork") == "on"}
	body := map[string]any{"name": f.Name, "fork": f.Fork}
	if v := c.PostForm("value"); v != "" {
		body["value"] = v // an empty one is no value: the API says it is missing
	}
	var events []string
	for _, e := range c.PostFormArray("events") {
		f.Events[e] = true
		events = append(events, e)
	}
	if len(events) > 0 {
		body["events"] = events
	}
	rec := w.callAPI(c, http.MethodPost, repoAPI(c, "/secrets", nil), c.PostForm("csrf_token"), body)
	switch {
	case rec.Code < 300:
		c.Redirect(http.StatusSeeOther, repoPage(c, "/settings", url.Values{"saved": {"secret"}})+"#secrets-heading")
	case rec.Code == http.StatusBadRequest || rec.Code == http.StatusConflict:
		f.Errors = fieldErrors(apiError(rec), "name", "value", "events", "fork")
		w.showSettings(c, rec.Code, nil, f)
	default:
		w.failAPI(c, rec)
	}
}

// deleteSecret is POST /{owner}/{name}/settings/secrets/delete with the
// secret's name: served by DELETE /api/repos/{owner}/{name}/secrets/{secret}.
func (w *Web) deleteSecret(c *gin.Context) {
	rec := w.callAPI(c, http.MethodDelete, repoAPI(c, "/secrets/"+url.PathEscape(c.PostForm("name")), nil), c.PostForm("csrf_token"), nil)
	if rec.Code >= 300 {
		w.failAPI(c, rec)
		return
	}
	c.Redirect(http.StatusSeeOther, repoPage(c, "/settings", url.Values{"saved": {"deleted"}})+"#secrets-heading")
}
