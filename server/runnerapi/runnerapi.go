// Package runnerapi serves the runner protocol: HTTP + JSON under /rpc/v1 on gin
// (paths and bodies in core/runnerproto). Runners register with a registration
// token, then long-poll for stages (answered with everything needed to
// run them), report step and stage status, ship logs with line offsets,
// watch for cancels (one long-poll per runner) and heartbeat — every call
// authenticated by the runner token, and served by a core.Scheduler.
package runnerapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/server/httperr"
	"github.com/drover-ci/drover/server/httplimits"
	"github.com/drover-ci/drover/server/httpreq"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// MaxBodyBytes caps every request body of the protocol (a log batch
// included; runners send at most 256 KiB of text per batch).
const MaxBodyBytes = 1 << 20

// Options configure a Server.
type Options struct {
	Scheduler core.Scheduler
	Store     core.Store
	Log       *slog.Logger
	// LongPoll is how long request and watch calls are held open before a
	// 204; default 30s.
	LongPoll time.Duration
	// TouchEvery limits how often a runner's last contact is written;
	// default 5s.
	TouchEvery time.Duration
	// Revoked, when set, receives a value (before the revocation's answer
	// is sent) whenever a runner is revoked, and every call first empties
	// the cache of runner lookups if a signal is waiting. Only for a
	// single server: a signal from another replica would arrive late.
	// Without it heartbeats, watches and details read the runner at every
	// call (see authenticate).
	Revoked <-chan struct{}
	// AuthTTL bounds how long a runner lookup is cached (default 30s).
	AuthTTL time.Duration
	// Lease is the scheduler's stage lease (default core.DefaultLease):
	// heartbeat answers tell runners to beat at a third of it.
	Lease time.Duration
	// Stopping, when done, answers open and new long-polls at once with
	// 204 (the server shuts down; runners poll again elsewhere or later).
	Stopping context.Context
	// Mirrors, when set, answers heartbeats' mirror offers and serves
	// fetch reports; without it mirror calls are refused (unavailable).
	Mirrors core.MirrorCoordinator
	// ParkAfter is how long a request waits on its goroutine before it is
	// parked (see parkRequest); default DefaultParkAfter, negative never.
	ParkAfter time.Duration
}

// Server holds the protocol's handlers.
type Server struct {
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	touched map[int64]time.Time
	due     map[int64]time.Time // contacts not written yet (see touch)
	auth    *authCache
	parked  parking
}

// New returns a Server for the options.
func New(o Options) *Server {
	if o.LongPoll <= 0 {
		o.LongPoll = runnerproto.LongPoll * time.Second
	}
	if o.TouchEvery <= 0 {
		o.TouchEvery = 5 * time.Second
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.AuthTTL <= 0 {
		o.AuthTTL = 30 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = core.DefaultLease
	}
	if o.ParkAfter == 0 {
		o.ParkAfter = DefaultParkAfter
	}
	s := &Server{o: o, log: log, touched: map[int64]time.Time{}, auth: &authCache{ttl: o.AuthTTL}}
	if o.Stopping != nil {
		context.AfterFunc(o.Stopping, s.stopParked)
	}
	return s
}

// Register adds the protocol's routes under /rpc/v1 to r, served by sched
// on st, and returns the Server.
func Register(r gin.IRouter, sched core.Scheduler, st core.Store, log *slog.Logger) *Server {
	s := New(Options{Scheduler: sched, Store: st, Log: log})
	s.Routes(r)
	return s
}

// Routes adds the protocol's routes under /rpc/v1 to r.
func (s *Server) Routes(r gin.IRouter) {
	g := r.Group(runnerproto.Prefix, httpreq.LimitBody(MaxBodyBytes))
	g.POST("/register", s.register)
	// The calls of a running stage, and requests (claims check the runner),
	// may authenticate from the cache; the others read the runner.
	fresh := g.Group("", s.authenticate(true))
	fresh.POST("/heartbeat", s.heartbeat)
	fresh.POST("/watch", s.holdOpen, s.watch)
	fresh.GET("/stages/:id", s.details)
	fresh.POST(runnerproto.MirrorFetchPath(":id"), s.mirrorFetch)
	hot := g.Group("", s.authenticate(false))
	hot.POST("/request", s.holdOpen, s.request)
	hot.PUT("/stages/:id", s.updateStage)
	hot.PUT("/steps/:id", s.updateStep)
	hot.POST("/steps/:id/logs", s.appendLogs)
}

// Handler returns a gin engine serving only the protocol (for tests and
// for a runner-only listener).
func (s *Server) Handler() http.Handler {
	r := gin.New()
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, v any) {
		s.log.Error("runner protocol handler panicked", "path", c.Request.URL.Path, "panic", v)
		c.AbortWithStatusJSON(http.StatusInternalServerError, httperr.Body{Error: "internal error"})
	}))
	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, httperr.Body{Error: "no such endpoint: " + c.Request.Method + " " + c.Request.URL.Path})
	})
	s.Routes(r)
	return r
}

// fail answers the error; a refusal of a runner revoked since its token
// was cached is answered as the revocation it is.
func (s *Server) fail(c *gin.Context, err error) {
	if s.revokedMeanwhile(c, err) {
		err = errRevoked
	}
	httperr.Fail(c, s.log, err)
}

// holdOpen lets an authenticated runner's long-poll outlast the HTTP
// server's write timeout (see httplimits).
func (s *Server) holdOpen(c *gin.Context) {
	httplimits.Extend(c.Writer, c.Request, s.o.LongPoll+10*time.Second)
	c.Next()
}

// pollContext is a long-poll's context: it ends after LongPoll, or at once
// when the server is stopping.
func (s *Server) pollContext(c *gin.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.o.LongPoll)
	if s.o.Stopping == nil {
		return ctx, cancel
	}
	stop := context.AfterFunc(s.o.Stopping, cancel)
	return ctx, func() { stop(); cancel() }
}
