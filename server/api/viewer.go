package api

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/login"
)

// Identify authenticates the request as every API route does (a Bearer
// token, else the session cookie, whose CSRF token a state-changing
// request must carry) without answering it, for pages served beside the
// API (server/web). A request without credentials is a
// core.CodeUnauthenticated error; sess is nil when a token authenticated it.
func (s *Server) Identify(c *gin.Context) (user *core.User, sess *login.Session, err error) {
	return s.identify(c)
}

// Rights is what a user may do with a repository, by the rule of every
// repository route (system admins may do everything).
type Rights struct {
	Repo  *core.Repo
	Pull  bool // read builds and logs
	Push  bool // start, cancel, restart, approve and decline builds
	Admin bool // change settings, secrets, registries and schedules
}

// RepoRights finds the repository owner/name on remote (empty: the
// user's) and what user may do with it, as the repository routes decide:
// one the user may not read is core.CodeNotFound, so that private names
// do not leak.
func (s *Server) RepoRights(ctx context.Context, user *core.User, remote, owner, name string) (*Rights, error) {
	return s.rights(ctx, user, remote, owner+"/"+name)
}

// Unmatched explains why none of the registered runners can take a
// pending stage, or returns "" when one can (the build page's reason a
// stage waits).
func Unmatched(runners []*core.Runner, st *core.Stage) string { return unmatched(runners, st) }

// LocalPath keeps a destination after login on this server: a path,
// never another host; anything else is "/".
func LocalPath(p string) string { return localPath(p) }

// AddPage records a route another package serves on the router (a web
// page of server/web) as one the OpenAPI document leaves out on purpose
// (see CheckDocument).
func (s *Server) AddPage(method, path string) {
	s.docMu.Lock()
	defer s.docMu.Unlock()
	if s.pages == nil {
		s.pages = map[string]bool{}
	}
	s.pages[method+" "+path] = true
}
