package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// access is what a route needs of its caller. Server.handle turns it into
// the route's authentication and authorisation middleware, and the
// OpenAPI document states it (x-drover-access), so that what a route
// declares is what it enforces.
type access int

const (
	// accessPublic routes need no credentials.
	accessPublic access = iota
	// accessWebhook routes need no credentials: the handler checks the
	// remote's signature.
	accessWebhook
	// accessUser routes need a logged-in user (token or session).
	accessUser
	// accessPull routes read the repository in the path: its pull
	// permission, or any logged-in user for a public repository.
	accessPull
	// accessPush routes change the repository's builds.
	accessPush
	// accessRepoAdmin routes change the repository's settings.
	accessRepoAdmin
	// accessSysAdmin routes need a system admin.
	accessSysAdmin
)

// accessNames name the access levels in the document and the docs.
var accessNames = map[access]string{
	accessPublic: "anonymous", accessWebhook: "webhook", accessUser: "user",
	accessPull: "pull", accessPush: "push", accessRepoAdmin: "admin", accessSysAdmin: "system admin",
}

func (a access) String() string { return accessNames[a] }

// route is one HTTP route and its OpenAPI operation, declared together
// in the resource's file and registered by Server.handle.
type route struct {
	method string
	// path is in gin syntax (/api/repos/:owner/:name); its parameters are
	// described from their names (see pathParams).
	path    string
	summary string
	doc     string // longer description, Markdown
	access  access
	// query lists the query parameters (page and per_page come with paged).
	query []param
	// header lists the request headers the route reads (beyond
	// authentication), such as Last-Event-ID.
	header []param
	// paged routes take ?page=&per_page= and answer Link headers (paging.go).
	paged bool
	// body is a value of the request body's Go type; its schema is
	// reflected from the type and the value is the documented example.
	// Fields a client may leave out carry omitempty.
	body any
	// bodyOptional: an empty request body is allowed.
	bodyOptional bool
	// answers are the successful responses; errors are documented once
	// for every route (the default response).
	answers []answer
	// handlers serve the route after the access middleware.
	handlers []gin.HandlerFunc
	// pre run before the access checks (a handler there that answers and
	// aborts grants access by other means, as /metrics' scrape token does).
	pre []gin.HandlerFunc
}

// param is a query or header parameter.
type param struct {
	name, typ, doc string // typ: string, integer or boolean
}

func queryString(name, doc string) param  { return param{name: name, typ: "string", doc: doc} }
func queryBoolean(name, doc string) param { return param{name: name, typ: "boolean", doc: doc} }
func queryInteger(name, doc string) param { return param{name: name, typ: "integer", doc: doc} }

// answer is a successful response: its status, and a value of its JSON
// body's Go type (nil: no body), or a content type other than JSON.
type answer struct {
	status      int
	body        any
	contentType string // default application/json when body is set
	doc         string
}

func answerOK(body any) answer      { return answer{status: http.StatusOK, body: body} }
func answerCreated(body any) answer { return answer{status: http.StatusCreated, body: body} }
func answerNoContent() answer       { return answer{status: http.StatusNoContent} }

// handle registers the route on the router with the middleware its
// access needs, and records it for the OpenAPI document.
func (s *Server) handle(r route) {
	chain := append(append(append([]gin.HandlerFunc{}, r.pre...), s.accessChain(r.access)...), r.handlers...)
	s.router.Handle(r.method, r.path, chain...)
	s.docMu.Lock()
	s.routes = append(s.routes, r)
	s.docCache = nil
	s.docMu.Unlock()
}

// accessChain is the middleware enforcing a.
func (s *Server) accessChain(a access) []gin.HandlerFunc {
	switch a {
	case accessPublic, accessWebhook:
		return nil
	case accessUser:
		return []gin.HandlerFunc{s.authenticate()}
	case accessSysAdmin:
		return []gin.HandlerFunc{s.authenticate(), s.requireAdmin()}
	default:
		return []gin.HandlerFunc{s.authenticate(), s.repoAccess(a)}
	}
}
