package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// reserved are first path segments that belong to the server, never to
// a repository's owner (gin would otherwise fall back to the repository
// routes for, say, an unknown /api/x/y).
var reserved = map[string]bool{
	"-": true, "api": true, "rpc": true, "hook": true, "login": true, "logout": true,
	"metrics": true, "cli": true, "healthz": true, "readyz": true, "version": true, "mirrors": true, "runners": true,
}

// routes lists every page and asset, in Drone's URL scheme, and
// registers them on r and with the API (as pages outside its document).
func (w *Web) routes(r *gin.Engine) {
	add := func(method, path string, h ...gin.HandlerFunc) {
		r.Handle(method, path, h...)
		w.api.AddPage(method, path)
	}
	const repo = "/:owner/:name"
	add("GET", staticPrefix+"*file", w.serveAsset)
	add("GET", "/login", w.loginPage)
	add("GET", "/", w.dashboard)
	add("GET", "/cli/login", w.cliLoginPage)
	add("POST", "/cli/login", w.cliLoginConfirm)
	add("GET", "/repos", w.reposPage)
	add("POST", "/repos/sync", w.syncRepos)
	add("GET", "/mirrors", w.mirrorsPage)
	add("POST", "/mirrors", w.addMirror)
	add("GET", "/mirrors/:id", w.mirrorPage)
	add("POST", "/mirrors/:id", w.saveMirror)
	add("POST", "/mirrors/:id/fetch", w.fetchMirror)
	add("POST", "/mirrors/:id/resume", w.resumeMirror)
	add("POST", "/mirrors/:id/delete", w.deleteMirror)
	add("GET", "/runners", w.runnersPage)
	add("GET", repo, w.ownerGuard, w.repoBuilds)
	add("GET", repo+"/settings", w.ownerGuard, w.settings)
	add("POST", repo+"/settings", w.ownerGuard, w.saveSettings)
	add("POST", repo+"/settings/secrets", w.ownerGuard, w.addSecret)
	add("POST", repo+"/settings/secrets/delete", w.ownerGuard, w.deleteSecret)
	add("GET", repo+"/new", w.ownerGuard, w.newBuildPage)
	add("POST", repo+"/new", w.ownerGuard, w.createBuild)
	add("GET", repo+"/:number", w.ownerGuard, w.buildPage)
	add("GET", repo+"/:number/:stage/:step", w.ownerGuard, w.logPage)
	add("POST", repo+"/activate", w.ownerGuard, w.repoSwitch(http.MethodPost))
	add("POST", repo+"/deactivate", w.ownerGuard, w.repoSwitch(http.MethodDelete))
	add("POST", repo+"/:number/:action", w.ownerGuard, w.buildAction)
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
