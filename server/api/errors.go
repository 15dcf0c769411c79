package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// statusOf is the one place that maps core's error codes to HTTP statuses.
func statusOf(err error) int {
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

// errorBody is every error response: {"error": "…"}.
type errorBody struct {
	Error string `json:"error"`
}

// fail answers the request with err's status and message and stops the
// handler chain. Internal errors are logged and answered without details.
func (s *Server) fail(c *gin.Context, err error) {
	status := statusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		msg = "internal error"
	}
	if status == http.StatusRequestEntityTooLarge {
		msg = "request body too large"
	}
	c.AbortWithStatusJSON(status, errorBody{Error: msg})
}

// recovery turns a panic in a handler into a logged 500, never a crash.
func (s *Server) recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
		s.log.Error("handler panicked", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", v)
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: "internal error"})
	})
}

// logRequests logs each request after it is served.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		s.log.Debug("http", "method", c.Request.Method, "path", c.Request.URL.Path,
			"status", c.Writer.Status(), slog.String("remote", c.ClientIP()))
	}
}
