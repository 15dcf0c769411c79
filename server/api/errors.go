package api

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/server/httperr"
)

// errorBody is every error response: {"error": "…", "code": "…"}.
type errorBody = httperr.Body

// fail answers the request with err's status and message (mapped in
// server/httperr, shared with the runner protocol) and stops the handler
// chain. Internal errors are logged and answered without details.
func (s *Server) fail(c *gin.Context, err error) { httperr.Fail(c, s.log, err) }

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
