package api

import (
	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// settingsRoutes serve what a repository admin manages beside the
// builds: secrets, registry credentials and cron schedules.
func (h *buildHandlers) settingsRoutes() {
	const repo = "/api/repos/:owner/:name"
	remote := queryString("remote", "the remote of the repository (default: the caller's)")
	routes := append(secretRoutes(secretHandlers{s: h.s, scopeOf: repoScope}, repo+"/secrets", accessRepoAdmin),
		registryRoutes(registryHandlers{s: h.s, scopeOf: repoScope}, repo+"/registries", accessRepoAdmin)...)
	routes = append(routes, h.cronRoutes(repo+"/cron")...)
	for _, r := range routes {
		r.query = append(r.query, remote)
		h.s.handle(r)
	}
}

// orgRoutes serve an owner's (organisation's) secrets and registry
// credentials, given to every repository of the owner unless the
// repository has its own of the same name. The remote tells Drover
// nothing of organisation membership, so they are a system admin's.
func (s *Server) orgRoutes() {
	routes := append(secretRoutes(secretHandlers{s: s, scopeOf: orgScope}, "/api/secrets/:owner", accessSysAdmin),
		registryRoutes(registryHandlers{s: s, scopeOf: orgScope}, "/api/registries/:owner", accessSysAdmin)...)
	for _, r := range routes {
		s.handle(r)
	}
}

// orgScope is the owner the path names.
func orgScope(c *gin.Context) secretScope { return secretScope{Namespace: c.Param("owner")} }

// repoScope is the repository the route's middleware found.
func repoScope(c *gin.Context) secretScope { return secretScope{RepoID: repoOf(c).ID} }

func secretRoutes(h secretHandlers, base string, a access) []route {
	value := "hunter2"
	return []route{
		{method: "GET", path: base, summary: "List secrets (their values are never shown)", access: a, paged: true,
			answers: []answer{answerOK([]*core.Secret{})}, handlers: []gin.HandlerFunc{h.list}},
		{method: "POST", path: base, summary: "Add a secret", access: a,
			doc:     "`value` is write-only. `events` defaults to every event but pull_request; `fork` lets forks' pull requests use it.",
			body:    secretRequest{Name: "DOCKER_PASSWORD", Value: &value, Events: []string{"push", "tag"}},
			answers: []answer{answerCreated(&core.Secret{})}, handlers: []gin.HandlerFunc{h.create}},
		{method: "GET", path: base + "/:secret", summary: "Get a secret (without its value)", access: a,
			answers: []answer{answerOK(&core.Secret{})}, handlers: []gin.HandlerFunc{h.get}},
		{method: "PATCH", path: base + "/:secret", summary: "Change a secret's value, events or fork flag", access: a,
			body:    secretRequest{Value: &value},
			answers: []answer{answerOK(&core.Secret{})}, handlers: []gin.HandlerFunc{h.update}},
		{method: "DELETE", path: base + "/:secret", summary: "Delete a secret", access: a,
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{h.delete}},
	}
}

func registryRoutes(h registryHandlers, base string, a access) []route {
	user, pass := "bot", "s3cret"
	return []route{
		{method: "GET", path: base, summary: "List registry credentials (their passwords are never shown)", access: a, paged: true,
			answers: []answer{answerOK([]*core.Registry{})}, handlers: []gin.HandlerFunc{h.list}},
		{method: "POST", path: base, summary: "Add a registry credential, given to engines that pull images from the address", access: a,
			body:    registryRequest{Address: "ghcr.io", Username: &user, Password: &pass},
			answers: []answer{answerCreated(&core.Registry{})}, handlers: []gin.HandlerFunc{h.create}},
		{method: "GET", path: base + "/:address", summary: "Get a registry credential (without its password)", access: a,
			answers: []answer{answerOK(&core.Registry{})}, handlers: []gin.HandlerFunc{h.get}},
		{method: "PATCH", path: base + "/:address", summary: "Change a registry credential's username or password", access: a,
			body:    registryRequest{Password: &pass},
			answers: []answer{answerOK(&core.Registry{})}, handlers: []gin.HandlerFunc{h.update}},
		{method: "DELETE", path: base + "/:address", summary: "Delete a registry credential", access: a,
			answers: []answer{answerNoContent()}, handlers: []gin.HandlerFunc{h.delete}},
	}
}
