package hostfake

import "net/http"

// GitHubAPI is how a GitHub-style REST API (GitHub, Gitea) differs from
// host to host in the routes they share.
type GitHubAPI struct {
	// Prefix is the API root ("/api/v3"); SizeParam the page-size query
	// parameter; Owner the owner of the generated repositories.
	Prefix, SizeParam, Owner string
	// Auth wraps a handler that needs the user's token, Repo one of the
	// fixtures' repository.
	Auth, Repo func(http.HandlerFunc) http.HandlerFunc
	// ValidHook accepts a hook to create; States are the commit states.
	ValidHook func(*ConfigHook) bool
	States    []string
}

// GitHubRoutes adds the routes GitHub-style hosts share: the user and the
// listing (fixtures api_user.json and api_repo.json first), the
// repository, its webhooks and commit statuses.
func GitHubRoutes(h *Host[ConfigHook, CommitStatus], mux *http.ServeMux, a GitHubAPI) {
	repos := a.Prefix + "/repos/{owner}/{repo}"
	hooks := ConfigHookRoutes(a.ValidHook)
	mux.HandleFunc("GET "+a.Prefix+"/user", a.Auth(h.Fixtures.Serve(200, "api_user.json")))
	mux.HandleFunc("GET "+a.Prefix+"/user/repos", a.Auth(h.ListRepos(a.Prefix+"/user/repos", a.SizeParam, a.Owner, h.Fixtures.Object("api_repo.json"))))
	mux.HandleFunc("GET "+repos, a.Repo(h.Fixtures.Serve(200, "api_repo.json")))
	mux.HandleFunc("GET "+repos+"/hooks", a.Repo(h.ListHooks(a.SizeParam)))
	mux.HandleFunc("POST "+repos+"/hooks", a.Repo(CreateHook(h, hooks)))
	mux.HandleFunc("PATCH "+repos+"/hooks/{id}", a.Repo(EditHook(h, hooks)))
	mux.HandleFunc("DELETE "+repos+"/hooks/{id}", a.Repo(DeleteHook(h, hooks)))
	mux.HandleFunc("POST "+repos+"/statuses/{sha}", a.Repo(PostStatus(h, a.States...)))
}
