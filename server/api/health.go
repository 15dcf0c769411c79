package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// healthView answers the health and readiness probes.
type healthView struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// versionView answers GET /version.
type versionView struct {
	Version string `json:"version"`
}

func (s *Server) health() {
	s.handle(route{method: "GET", path: "/healthz", summary: "Liveness: the process serves requests", access: accessPublic,
		answers: []answer{answerOK(healthView{Status: "ok"})}, handlers: []gin.HandlerFunc{func(c *gin.Context) {
			c.JSON(http.StatusOK, healthView{Status: "ok"})
		}}})
	s.handle(route{method: "GET", path: "/readyz", summary: "Readiness: the database answers", access: accessPublic,
		answers: []answer{answerOK(healthView{Status: "ready"}), {status: http.StatusServiceUnavailable, body: healthView{}, doc: "the database does not answer"}},
		handlers: []gin.HandlerFunc{func(c *gin.Context) {
			ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
			defer cancel()
			if err := s.store.Ping(ctx); err != nil {
				c.JSON(http.StatusServiceUnavailable, healthView{Status: "unavailable", Error: err.Error()})
				return
			}
			c.JSON(http.StatusOK, healthView{Status: "ready"})
		}}})
	s.handle(route{method: "GET", path: "/version", summary: "The server's version", access: accessPublic,
		answers: []answer{answerOK(versionView{})}, handlers: []gin.HandlerFunc{func(c *gin.Context) {
			c.JSON(http.StatusOK, versionView{Version: s.version})
		}}})
}
