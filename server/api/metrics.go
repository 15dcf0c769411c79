package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// AddMetrics serves h at /metrics to a bearer of token (when set) and to
// admins' API tokens; anyone else is refused. A scraper that should not
// hold an admin token gets metrics_token, or metrics_addr (server.Run)
// serves the metrics on an address of their own.
func (s *Server) AddMetrics(h http.Handler, token string) {
	serve := gin.WrapH(h)
	byToken := func(c *gin.Context) {
		if token == "" {
			return
		}
		secret, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(secret)), []byte(token)) == 1 {
			serve(c)
			c.Abort() // the admin checks are not needed
		}
	}
	s.handle(route{method: "GET", path: "/metrics", summary: "Prometheus metrics (a system admin's token, or metrics_token)", access: accessSysAdmin,
		answers: []answer{{status: http.StatusOK, contentType: "text/plain"}}, pre: []gin.HandlerFunc{byToken}, handlers: []gin.HandlerFunc{serve}})
}
