// Package httperr is the one place that maps core's coded errors to HTTP
// statuses and JSON error bodies, for every gin handler of the server
// (the API and the runner protocol).
package httperr

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// Status maps err to its HTTP status.
func Status(err error) int {
	switch core.ErrorCode(err) {
	case core.CodeNotFound:
		return http.StatusNotFound
	case core.CodeConflict:
		return http.StatusConflict
	case core.CodeInvalid:
		return http.StatusBadRequest
	case core.CodeForbidden:
		return http.StatusForbidden
	case core.CodeUnauthenticated:
		return http.StatusUnauthorized
	case core.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// Body is every error response: {"error": "…", "code": "…"}. Code is
// core's error code, empty for internal errors and oversized bodies.
type Body struct {
	Error string    `json:"error"`
	Code  core.Code `json:"code,omitempty"`
}

// Fail answers the request with err's status and message and stops the
// handler chain. Internal errors are logged and answered without details.
func Fail(c *gin.Context, log *slog.Logger, err error) {
	status, body := Render(err)
	if status == http.StatusInternalServerError && log != nil {
		log.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	c.AbortWithStatusJSON(status, body)
}

// Render returns err's status and the body that answers it: internal
// errors without details (the caller logs them).
func Render(err error) (int, Body) {
	status := Status(err)
	msg := err.Error()
	switch status {
	case http.StatusInternalServerError:
		msg = "internal error"
	case http.StatusRequestEntityTooLarge:
		msg = "request body too large"
	}
	return status, Body{Error: msg, Code: core.ErrorCode(err)}
}
