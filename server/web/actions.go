package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// buildActions are the build page's buttons and the API route each posts
// to, under /api/repos/{owner}/{name}/builds/{number}.
var buildActions = map[string]string{"cancel": "/cancel", "restart": "", "approve": "/approve", "decline": "/decline"}

// buildAction is POST /{owner}/{name}/{number}/{action}, a form of the
// build page: it is served by the API's route for the action, with the
// caller's credentials and the form's CSRF token, so the API decides
// (push access, CSRF, the build's state). Then back to the build (a
// restart: to the new build), or the error page with the API's answer.
func (w *Web) buildAction(c *gin.Context) {
	suffix, ok := buildActions[c.Param("action")]
	if !ok {
		w.notFound(c)
		return
	}
	number := url.PathEscape(c.Param("number"))
	rec := w.callAPI(c, http.MethodPost, repoAPI(c, "/builds/"+number+suffix), c.PostForm("csrf_token"), nil)
	w.toBuild(c, rec, number)
}

// toBuild answers an API's answer about a build: a new build (201) is
// shown, another success goes back to the build number, an error is the
// error page with the API's message.
func (w *Web) toBuild(c *gin.Context, rec *httptest.ResponseRecorder, number string) {
	var b core.Build
	switch {
	case rec.Code == http.StatusCreated && json.Unmarshal(rec.Body.Bytes(), &b) == nil && b.Number > 0:
		c.Redirect(http.StatusSeeOther, repoPage(c, "/"+strconv.FormatInt(b.Number, 10)))
	case rec.Code < 300:
		c.Redirect(http.StatusSeeOther, repoPage(c, "/"+number))
	default:
		w.failAPI(c, rec)
	}
}
