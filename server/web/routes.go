package web

import (
	"github.com/gin-gonic/gin"
)

// reserved are first path segments that belong to the server, never to
// a repository's owner (gin would otherwise fall back to the repository
// routes for, say, an unknown /api/x/y).
var reserved = map[string]bool{
	"-": true, "api": true, "rpc": true, "hook": true, "login": true, "logout": true,
	"metrics": true, "healthz": true, "readyz": true, "version": true,
}

// routes lists every page and asset, in Drone's URL scheme.
func (w *Web) routes(r *gin.Engine) {
	r.GET(staticPrefix+"*file", w.serveAsset)
	r.GET("/login", w.loginPage)
	r.GET("/", w.dashboard)
	repo := r.Group("/:owner/:name", w.ownerGuard)
	repo.GET("", w.repoBuilds)
	repo.GET("/settings", w.settings)
	repo.GET("/:number", w.buildPage)
	repo.GET("/:number/:stage/:step", w.logPage)
	repo.POST("/:number/:action", w.buildAction)
}

// ownerGuard sends paths of the server's own prefixes to notFound.
func (w *Web) ownerGuard(c *gin.Context) {
	if reserved[c.Param("owner")] {
		w.notFound(c)
		c.Abort()
		return
	}
	c.Next()
}
