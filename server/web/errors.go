package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httperr"
)

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// apiPrefixes are the paths whose unknown routes answer JSON, as the API
// always did.
var apiPrefixes = []string{"/api/", "/rpc/", "/hook/", "/login/"}

// notFound answers an unknown path: JSON under the API's prefixes, else
// the not-found page.
func (w *Web) notFound(c *gin.Context) {
	p := c.Request.URL.Path
	for _, prefix := range apiPrefixes {
		if strings.HasPrefix(p, prefix) {
			httperr.Fail(c, w.log, core.Errorf(core.CodeNotFound, "no such endpoint: %s %s", c.Request.Method, p))
			return
		}
	}
	w.fail(c, core.Errorf(core.CodeNotFound, "there is no page at %s", p))
}

// noMethod answers a path served for other methods: the API's JSON 405
// under its prefixes, else the not-found page.
func (w *Web) noMethod(c *gin.Context) {
	p := c.Request.URL.Path
	for _, prefix := range apiPrefixes {
		if strings.HasPrefix(p, prefix) {
			c.JSON(http.StatusMethodNotAllowed, gin.H{"error": "method " + c.Request.Method + " not allowed on " + p})
			return
		}
	}
	w.fail(c, core.Errorf(core.CodeNotFound, "there is no page at %s", p))
}

// fail answers with the error page of err's status (its message for
// users' errors; internal errors are logged, not shown). A GET that needs
// a login is sent to the login page and back.
func (w *Web) fail(c *gin.Context, err error) {
	status := httperr.Status(err)
	if status >= 500 {
		w.log.Error("page failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	w.failStatus(c, status, err.Error())
}

// headings name the error page's statuses.
var headings = map[int]string{
	http.StatusNotFound: "Page not found", http.StatusForbidden: "Not allowed", http.StatusBadRequest: "Bad request",
	http.StatusConflict: "Not possible now", http.StatusUnauthorized: "Please log in",
}

// failStatus answers with the error page of the status and message.
func (w *Web) failStatus(c *gin.Context, status int, msg string) {
	c.Abort()
	if status == http.StatusUnauthorized && c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		return
	}
	if status >= 500 {
		msg = "Something went wrong on the server; it has been logged. Try again in a moment."
	}
	heading := headings[status]
	if heading == "" {
		heading = http.StatusText(status)
	}
	v := &view{Title: heading, Data: errorPage{Status: status, Heading: heading, Message: msg}}
	if user, sess, err := w.api.Identify(c); err == nil {
		v.User = user
		if sess != nil {
			v.CSRF = sess.CSRF
		}
	}
	w.render(c, status, "error", v)
}
