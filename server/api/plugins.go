package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/sdk/host"
)

// PluginLister lists the plugin instances and their state: *host.Host.
type PluginLister interface {
	Status() []host.Status
}

// AddPlugins serves GET /api/plugins (admins only) from l: every remote
// and engine instance with its binary, version, sha256, state, pid,
// restarts and last error. Call it once, before serving.
func (s *Server) AddPlugins(l PluginLister) {
	s.handle(route{method: "GET", path: "/api/plugins", summary: "List the plugin instances and their state", access: accessSysAdmin,
		answers: []answer{answerOK([]host.Status{})}, handlers: []gin.HandlerFunc{func(c *gin.Context) {
			list := l.Status()
			if list == nil {
				list = []host.Status{}
			}
			c.JSON(http.StatusOK, list)
		}}})
}
