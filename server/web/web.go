// Package web serves Drover's web UI: server-rendered pages (html/template,
// embedded) at Drone's URLs, with a small stylesheet, htmx and a script of
// our own for the log viewer. Pages read what the API reads and decide who
// may see what with the API's own checks (api.Server.Identify and
// RepoRights); their buttons post to the API's routes.
package web

import (
	"io"
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// Options configure the web UI.
type Options struct {
	// API authenticates requests and answers repository permissions; the
	// pages' actions are served by its routes.
	API *api.Server
	// Store is what the API reads.
	Store core.Store
	// Remotes lists the names of the enabled remotes (the login choices).
	Remotes func() []string
	// ServerURL is Drover's external URL (the badge snippet's links).
	ServerURL string
	// Log receives errors of pages; nil discards them.
	Log *slog.Logger
}

// Web is the web UI: call Mount to serve it.
type Web struct {
	api     *api.Server
	store   core.Store
	remotes func() []string
	log     *slog.Logger
	// serverURL is Options.ServerURL without a trailing slash.
	serverURL string
	assets    *assets
	pages     *pages
}

// New prepares the templates and the static assets.
func New(o Options) (*Web, error) {
	w := &Web{api: o.API, store: o.Store, remotes: o.Remotes, log: o.Log, serverURL: strings.TrimSuffix(o.ServerURL, "/")}
	if w.log == nil {
		w.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if w.remotes == nil {
		w.remotes = func() []string { return nil }
	}
	var err error
	if w.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if w.pages, err = loadPages(w.assets); err != nil {
		return nil, err
	}
	return w, nil
}

// Mount adds the pages and the static assets to the router (the API's),
// and answers unknown paths: with a page, or with JSON under the API's
// prefixes. A page's path asked with another method (GET of a form's
// address) is a page not found too.
func (w *Web) Mount(r *gin.Engine) {
	w.routes(r)
	r.NoRoute(w.notFound)
	r.NoMethod(w.noMethod)
}
