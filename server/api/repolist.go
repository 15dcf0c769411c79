package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// maxNameFilter caps GET /api/repos?name=.
const maxNameFilter = 200

// repoListRoute serves GET /api/repos: every repository the caller may
// read, of every remote, whether the caller synced it or not.
func (s *Server) repoListRoute() {
	s.handle(route{method: "GET", path: "/api/repos", summary: "List the repositories you can read", access: accessUser, paged: true,
		doc: "The repositories you hold a permission on and the public ones, ordered by slug; a system admin sees every one. " +
			"Unlike GET /api/user/repos it does not sync from the remote first. Repositories deleted on the remote are not listed.",
		query: []param{
			queryString("name", "only the repositories whose owner/name contains this (ignoring case)"),
			queryBoolean("active", "only the active (true) or the inactive (false) repositories"),
		},
		answers: []answer{answerOK([]*core.Repo{})}, handlers: []gin.HandlerFunc{s.listRepos}})
}

// listRepos is GET /api/repos[?name=][&active=][&page=][&per_page=].
func (s *Server) listRepos(c *gin.Context) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := core.RepoFilter{Name: c.Query("name"), Limit: p.PerPage, Offset: p.Offset()}
	if len(f.Name) > maxNameFilter {
		s.fail(c, core.Errorf(core.CodeInvalid, "name: at most %d characters", maxNameFilter))
		return
	}
	if v := c.Query("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.fail(c, core.Errorf(core.CodeInvalid, "active: %q is not true or false", v))
			return
		}
		f.Active = &b
	}
	if user := currentUser(c); !user.Admin {
		f.ReaderID = user.ID
	}
	repos, total, err := s.store.Repos().List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageCounted(c, p, repos, total))
}
