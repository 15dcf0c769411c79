package web

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/server/api"
)

// loginChoice is one remote to log in with.
type loginChoice struct {
	Name string
	URL  string // /login/{remote}?next=…
}

// loginPage is GET /login: a button per enabled remote, each starting
// the OAuth2 login at /login/{remote} (which comes back to ?next=, or to
// the dashboard). A logged-in user goes straight on.
func (w *Web) loginPage(c *gin.Context) {
	next := c.Query("next")
	if user, _, err := w.api.Identify(c); err == nil && user != nil {
		c.Redirect(303, api.LocalPath(next))
		return
	}
	var choices []loginChoice
	for _, name := range w.remotes() {
		u := "/login/" + url.PathEscape(name)
		if next != "" {
			u += "?next=" + url.QueryEscape(api.LocalPath(next))
		}
		choices = append(choices, loginChoice{Name: name, URL: u})
	}
	w.render(c, 200, "login", &view{Title: "Log in", Data: choices})
}
