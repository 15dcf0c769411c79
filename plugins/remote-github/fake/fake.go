// Package fake is an in-memory GitHub REST API (Enterprise-style, under
// /api/v3) on httptest, serving the
// documentation-derived fixtures under testdata/, for the remote's tests and
// its conformance kit run.
package fake

import (
	"embed"
	"encoding/base64"
	"net/http"
	"path"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// Hook is a webhook installed on the fake.
type Hook = hostfake.ConfigHook

// Status is a commit status posted to the fake.
type Status = hostfake.CommitStatus

// Server is the fake GitHub (see hostfake.Host for what it keeps).
type Server struct {
	hostfake.Host[Hook, Status]
}

// New starts a fake GitHub on loopback; Close it when done.
func New() *Server {
	s := &Server{}
	s.RepoCount, s.MaxItems = 250, 100
	s.Start(s.routes(), hostfake.Route, s.failure)
	return s
}

// AddHook installs a webhook directly, as another tool would.
func (s *Server) AddHook(slug, url string) {
	s.PutHook(slug, Hook{Name: "web", Config: map[string]string{"url": url, "content_type": "json"}, Events: []string{"push"}, Active: true})
}

// login is the OAuth2 application the fake knows.
var login = hostfake.Login{
	BadClient: hostfake.Answer{Status: 200, Body: map[string]string{"error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect."}},
	BadGrant:  hostfake.Answer{Status: 200, Body: map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}},
	Granted:   map[string]any{"token_type": "bearer", "expires_in": 3600},
}

// notFound is GitHub's 404 body.
var notFound = fixtures.Serve(404, "api_error_404.json")

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const api = "/api/v3"
	// auth accepts "Authorization: Bearer <Token>" (and token) only.
	auth := hostfake.Auth(func(w http.ResponseWriter) {
		hostfake.WriteJSON(w, 401, map[string]any{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
	}, "token", "Bearer")
	// repo answers 404 for any repository but Slug.
	only := hostfake.Only(func(r *http.Request) bool { return hostfake.OwnerRepo(r) == Slug }, notFound)
	repo := func(h http.HandlerFunc) http.HandlerFunc { return auth(only(h)) }
	hooks := hostfake.ConfigHookRoutes(func(h *Hook) bool { return h.Config["url"] != "" })
	mux.HandleFunc("POST /login/oauth/access_token", login.TokenHandler)
	mux.HandleFunc("GET "+api+"/user", auth(fixtures.Serve(200, "api_user.json")))
	mux.HandleFunc("GET "+api+"/user/repos", auth(s.ListRepos(api+"/user/repos", "per_page", "octocat", fixtures.Object("api_repo.json"))))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}", repo(fixtures.Serve(200, "api_repo.json")))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}/commits/{sha...}", repo(s.commit))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}/contents/{path...}", repo(s.raw))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}/hooks", repo(s.ListHooks("per_page")))
	mux.HandleFunc("POST "+api+"/repos/{owner}/{repo}/hooks", repo(hostfake.CreateHook(&s.Host, hooks)))
	mux.HandleFunc("PATCH "+api+"/repos/{owner}/{repo}/hooks/{id}", repo(hostfake.EditHook(&s.Host, hooks)))
	mux.HandleFunc("DELETE "+api+"/repos/{owner}/{repo}/hooks/{id}", repo(hostfake.DeleteHook(&s.Host, hooks)))
	mux.HandleFunc("POST "+api+"/repos/{owner}/{repo}/statuses/{sha}", repo(hostfake.PostStatus(&s.Host, "pending", "success", "error", "failure")))
	return mux
}

func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("sha") {
	case SHA, "master", "heads/master", "v1.0.0":
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
	hostfake.WriteJSON(w, 200, map[string]any{
		"type": "file", "encoding": "base64", "size": len(content), "name": path.Base(r.PathValue("path")),
		"path": r.PathValue("path"), "content": base64.StdEncoding.EncodeToString([]byte(content)), "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
	})
}

//go:embed testdata/*.json
var embedded embed.FS

var fixtures = hostfake.Fixtures{FS: embedded}

// Fixture returns the named file of testdata/ (e.g. "hook_push.json").
var Fixture = fixtures.Get

// failure is GitHub's body of an injected failure.
func (s *Server) failure(status int) any {
	return map[string]any{"message": http.StatusText(status), "documentation_url": "https://docs.github.com/rest"}
}

// Slug and SHA are the repository and commit the fixtures describe.
const Slug, SHA = "octocat/Hello-World", "6dcb09b5b57875f334f61aebed695e2e4193db5e"
