// Package api serves Drover's HTTP API with gin: health, version, the
// user's tokens, and (in later files) every other resource, one file each.
package api

import (
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/httpreq"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/syncer"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// MaxBodyBytes caps every request body the API reads.
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	store   core.Store
	log     *slog.Logger
	version string
	router  *gin.Engine
	syncer  *syncer.Syncer
	// sessions, when set (UseSessions), lets the session cookie
	// authenticate API requests beside Bearer tokens.
	sessions *login.Sessions
	secure   bool // cookies are Secure (the server URL is https)
	// access answers users' permissions on repositories (the syncer);
	// nil reads the stored permissions.
	access Access

	docMu    sync.Mutex
	routes   []route         // every route handle registered, for the document
	docCache []byte          // the document's JSON, built on first request
	pages    map[string]bool // "METHOD path" of the web pages (AddPage)
}

// Options configure a Server.
type Options struct {
	Store   core.Store
	Log     *slog.Logger
	Version string
	// Syncer syncs users' repositories; nil lists the stored view only.
	// It also answers permissions on repositories unless Access is set.
	Syncer *syncer.Syncer
	// Access answers users' permissions on repositories; nil: the
	// Syncer, or without one the stored permissions.
	Access Access
	// Middleware run first on every request (the request metrics).
	Middleware []gin.HandlerFunc
}

// New builds the API's router.
func New(o Options) *Server {
	s := &Server{store: o.Store, log: o.Log, version: o.Version, syncer: o.Syncer, access: o.Access}
	if s.access == nil && o.Syncer != nil {
		s.access = o.Syncer
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(o.Middleware...)
	r.Use(s.recovery(), s.logRequests(), httpreq.LimitBody(MaxBodyBytes))
	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, errorBody{Error: "no such endpoint: " + c.Request.Method + " " + c.Request.URL.Path})
	})
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, errorBody{Error: "method " + c.Request.Method + " not allowed on " + c.Request.URL.Path})
	})
	s.router = r
	s.health()
	s.openAPIRoute()
	s.userRoutes()
	s.repoRoutes()
	s.runnerRoutes()
	s.runnerStatusRoutes()
	s.adminUserRoutes()
	s.orgRoutes()
	return s
}

// Router returns the gin engine, for other packages to add their routes
// (outside the OpenAPI document: see undocumentedPrefixes).
func (s *Server) Router() *gin.Engine { return s.router }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }
