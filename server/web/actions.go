package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
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
	owner, name, number := c.Param("owner"), c.Param("name"), c.Param("number")
	target := "/api/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/builds/" + url.PathEscape(number) + suffix
	if r := c.Query("remote"); r != "" {
		target += "?remote=" + url.QueryEscape(r)
	}
	rec := w.callAPI(c, http.MethodPost, target, c.PostForm("csrf_token"))
	back := "/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/" + url.PathEscape(number)
	switch {
	case rec.Code == http.StatusCreated:
		var b core.Build
		if json.Unmarshal(rec.Body.Bytes(), &b) == nil && b.Number > 0 {
			back = "/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/" + strconv.FormatInt(b.Number, 10)
		}
		c.Redirect(http.StatusSeeOther, back)
	case rec.Code < 300:
		c.Redirect(http.StatusSeeOther, back)
	default:
		var body struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		w.failStatus(c, rec.Code, body.Error)
	}
}

// callAPI serves an API request in-process for the browser's request c:
// its cookies, Authorization and Sec-Fetch-Site headers, and csrf as
// X-CSRF-Token.
func (w *Web) callAPI(c *gin.Context, method, target, csrf string) *httptest.ResponseRecorder {
	r, _ := http.NewRequestWithContext(c.Request.Context(), method, target, http.NoBody)
	for _, h := range []string{"Cookie", "Authorization", "Sec-Fetch-Site", "Origin"} {
		if v := c.GetHeader(h); v != "" {
			r.Header.Set(h, v)
		}
	}
	if csrf != "" {
		r.Header.Set(api.CSRFHeader, csrf)
	}
	r.RemoteAddr = c.Request.RemoteAddr
	rec := httptest.NewRecorder()
	w.api.ServeHTTP(rec, r)
	return rec
}
