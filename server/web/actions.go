package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
)

// buildActions are the build page's buttons and the API route each posts
// to, under /api/repos/{owner}/{name}/builds/{number}.
var buildActions = map[string]string{"cancel": "/cancel", "restart": "", "approve": "/approve", "decline": "/decline"}

// buildAction is POST /{owner}/{name}/{number}/{action}, a form of the
// build page: it is served by the API's route for the action, with the
// caller's credentials and the form's CSRF token, so the API decides
// (push access, CSRF, the build's state). A restart with the form's
// stage reruns that stage only. Then back to the build (a restart: to
// the new build), or the error page with the API's answer.
func (w *Web) buildAction(c *gin.Context) {
	if c.Param("action") == "promote" {
		w.promoteBuild(c)
		return
	}
	suffix, ok := buildActions[c.Param("action")]
	if !ok {
		w.notFound(c)
		return
	}
	var q url.Values
	if st := c.PostForm("stage"); st != "" && c.Param("action") == "restart" {
		q = url.Values{"stage": {st}}
	}
	number := url.PathEscape(c.Param("number"))
	rec := w.callAPI(c, http.MethodPost, repoAPI(c, "/builds/"+number+suffix, q), c.PostForm("csrf_token"), nil)
	w.toBuild(c, rec, number)
}

// toBuild answers an API's answer about a build: a new build (201) is
// shown; a skipped one (200 with "skipped") goes back to the build
// number (or the repository, for none) saying so; another success goes
// back to the build number; an error is the error page with the API's
// message.
func (w *Web) toBuild(c *gin.Context, rec *httptest.ResponseRecorder, number string) {
	back := ""
	if number != "" {
		back = "/" + number
	}
	var skipped struct {
		Skipped string `json:"skipped"`
	}
	switch {
	case rec.Code == http.StatusCreated:
		if b, ok := decodeBuild(rec); ok {
			back = "/" + strconv.FormatInt(b.Number, 10)
		}
		c.Redirect(http.StatusSeeOther, repoPage(c, back, nil))
	case rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &skipped) == nil && skipped.Skipped != "":
		c.Redirect(http.StatusSeeOther, repoPage(c, back, url.Values{"skipped": {"1"}}))
	case rec.Code < 300:
		c.Redirect(http.StatusSeeOther, repoPage(c, back, nil))
	default:
		w.failAPI(c, rec)
	}
}
