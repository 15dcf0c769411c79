// Package fake is an in-memory Gitea REST API on httptest, serving the
// documentation-derived fixtures under testdata/, for the remote's tests and
// its conformance kit run.
package fake

import (
	"embed"
	"net/http"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// Hook is a webhook installed on the fake.
type Hook = hostfake.ConfigHook

// Status is a commit status posted to the fake.
type Status = hostfake.CommitStatus

// Server is the fake Gitea (see hostfake.Host for what it keeps).
type Server struct {
	hostfake.Host[Hook, Status]
}

// New starts a fake Gitea on loopback; Close it when done.
func New() *Server {
	s := &Server{}
	s.RepoCount, s.MaxItems = 120, 50
	s.Start(s.routes(), hostfake.Route, s.failure)
	return s
}

// AddHook installs a webhook directly, as another tool would.
func (s *Server) AddHook(slug, url string) {
	s.PutHook(slug, Hook{Type: "gitea", Config: map[string]string{"url": url, "content_type": "json"}, Events: []string{"push"}, Active: true})
}

// login answers the token endpoint as Gitea does.
var login = hostfake.Login{
	BadClient: hostfake.Answer{Status: 400, Body: map[string]string{"error": "unauthorized_client", "error_description": "invalid client secret"}},
	BadGrant:  hostfake.Answer{Status: 400, Body: map[string]string{"error": "invalid_grant", "error_description": "the code or refresh token is not valid"}},
	Granted:   map[string]any{"token_type": "bearer", "expires_in": 3600},
}

// notFound is Gitea's 404 body.
var notFound = fixtures.Serve(404, "api_error_404.json")

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// auth accepts "Authorization: token <Token>" (and Bearer) only.
	auth := hostfake.Auth(func(w http.ResponseWriter) {
		hostfake.WriteJSON(w, 401, map[string]any{"message": "user does not exist [uid: 0, name: ]", "url": s.URL + "/api/swagger"})
	}, "token", "Bearer")
	// repo answers 404 for any repository but Slug.
	only := hostfake.Only(func(r *http.Request) bool { return hostfake.OwnerRepo(r) == Slug }, notFound)
	repo := func(h http.HandlerFunc) http.HandlerFunc { return auth(only(h)) }
	hooks := hostfake.ConfigHookRoutes(func(h *Hook) bool { return h.Type != "" && h.Config["url"] != "" })
	mux.HandleFunc("POST /login/oauth/access_token", login.TokenHandler)
	mux.HandleFunc("GET /api/v1/user", auth(fixtures.Serve(200, "api_user.json")))
	mux.HandleFunc("GET /api/v1/settings/api", func(w http.ResponseWriter, _ *http.Request) {
		hostfake.WriteJSON(w, 200, map[string]int{"max_response_items": s.MaxItems, "default_paging_num": 30})
	})
	mux.HandleFunc("GET /api/v1/user/repos", auth(s.ListRepos("/api/v1/user/repos", "limit", "gitea", fixtures.Object("api_repo.json"))))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}", repo(fixtures.Serve(200, "api_repo.json")))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/git/commits/{sha}", repo(s.commit))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/raw/{path...}", repo(s.raw))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/hooks", repo(s.ListHooks("limit")))
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/hooks", repo(hostfake.CreateHook(&s.Host, hooks)))
	mux.HandleFunc("PATCH /api/v1/repos/{owner}/{repo}/hooks/{id}", repo(hostfake.EditHook(&s.Host, hooks)))
	mux.HandleFunc("DELETE /api/v1/repos/{owner}/{repo}/hooks/{id}", repo(hostfake.DeleteHook(&s.Host, hooks)))
	mux.HandleFunc("POST /api/v1/repos/{owner}/{repo}/statuses/{sha}", repo(hostfake.PostStatus(&s.Host, "pending", "success", "error", "failure", "warning")))
	return mux
}

func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("sha") {
	case SHA, "develop", "master", "v1.0.0":
		fixtures.Serve(200, "api_commit.json")(w, r)
	default:
		notFound(w, r)
	}
}

func (s *Server) raw(w http.ResponseWriter, r *http.Request) {
	content, ok := s.Files[r.PathValue("path")]
	if !ok || r.URL.Query().Get("ref") == "" {
		notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(content))
}

//go:embed testdata/*.json
var embedded embed.FS

var fixtures = hostfake.Fixtures{FS: embedded}

// Fixture returns the named file of testdata/ (e.g. "hook_push.json").
var Fixture = fixtures.Get

// failure is Gitea's body of an injected failure.
func (s *Server) failure(status int) any {
	return map[string]any{"message": http.StatusText(status), "url": s.URL + "/api/swagger"}
}

// Slug and SHA are the repository and commit the fixtures describe.
const Slug, SHA = "gitea/webhooks", "bffeb74224043ba2feb48d137756c8a9331c449a"
