package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/server/api"
)

// viewFor is the page's view of the logged-in user: the API's
// authentication (session cookie or token). Without one a GET is sent to
// the login page (false: the request was answered).
func (w *Web) viewFor(c *gin.Context, title, nav string) (*view, bool) {
	if c.Request.Method != http.MethodGet && c.GetHeader(api.CSRFHeader) == "" {
		// A form's answer drawn as a page: the form carries the token.
		c.Request.Header.Set(api.CSRFHeader, c.PostForm("csrf_token"))
	}
	user, sess, err := w.api.Identify(c)
	if err != nil {
		w.fail(c, err)
		return nil, false
	}
	v := &view{Title: title, User: user, Nav: nav, Path: c.Request.URL.RequestURI()}
	if sess != nil {
		v.CSRF = sess.CSRF
	}
	return v, true
}

// repoFor is the page's view and the repository of the path with what
// the user may do with it, by the API's rule (one the user may not read
// is not found).
func (w *Web) repoFor(c *gin.Context, title string) (*view, *api.Rights, bool) {
	v, ok := w.viewFor(c, title, "repos")
	if !ok {
		return nil, nil, false
	}
	r, err := w.api.RepoRights(c.Request.Context(), v.User, c.Query("remote"), c.Param("owner"), c.Param("name"))
	if err != nil {
		w.fail(c, err)
		return nil, nil, false
	}
	return v, r, true
}
