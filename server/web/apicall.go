package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/server/api"
)

// callAPI serves an API request in-process for the browser's request c:
// its cookies, Authorization and Sec-Fetch-Site headers, csrf as
// X-CSRF-Token, and body (when not nil) as JSON. The API's routes decide
// (permissions, CSRF, validation); the pages only show their answers.
func (w *Web) callAPI(c *gin.Context, method, target, csrf string, body any) *httptest.ResponseRecorder {
	var rd io.Reader = http.NoBody
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			rec := httptest.NewRecorder()
			rec.Code = http.StatusInternalServerError
			w.log.Error("encode an API request", "target", target, "err", err)
			return rec
		}
		rd = bytes.NewReader(buf)
	}
	r, _ := http.NewRequestWithContext(c.Request.Context(), method, target, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
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

// apiError is the message of an API's error answer ("" when it has none).
func apiError(rec *httptest.ResponseRecorder) string {
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Error
}

// failAPI answers with the error page of the API's error answer.
func (w *Web) failAPI(c *gin.Context, rec *httptest.ResponseRecorder) {
	w.failStatus(c, rec.Code, apiError(rec))
}

// repoAPI is the API's path of the path's repository with suffix
// ("/builds/3/cancel") and the query q (may be nil), keeping ?remote=.
func repoAPI(c *gin.Context, suffix string, q url.Values) string {
	return withQuery(c, "/api/repos/"+url.PathEscape(c.Param("owner"))+"/"+url.PathEscape(c.Param("name"))+suffix, q)
}

// repoPage is the page's path of the path's repository with suffix
// ("/3") and the query q (may be nil), keeping ?remote=.
func repoPage(c *gin.Context, suffix string, q url.Values) string {
	return withQuery(c, "/"+url.PathEscape(c.Param("owner"))+"/"+url.PathEscape(c.Param("name"))+suffix, q)
}

// withQuery adds q and the request's ?remote= to path.
func withQuery(c *gin.Context, path string, q url.Values) string {
	all := url.Values{}
	for k, v := range q {
		all[k] = v
	}
	if r := c.Query("remote"); r != "" {
		all.Set("remote", r)
	}
	if len(all) == 0 {
		return path
	}
	return path + "?" + all.Encode()
}
