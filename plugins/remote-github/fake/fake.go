// Package fake is an in-memory GitHub REST API (Enterprise-style, under
// /api/v3) on httptest, serving the
// documentation-derived fixtures under testdata/, for the remote's tests and
// its conformance kit run.
package fake

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns the named file of testdata/ (e.g. "hook_push.json").
func Fixture(name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		panic("fake: no fixture " + name) // a programming error in a test
	}
	return b
}

// The credentials the fake accepts.
const (
	ClientID     = "drover-client"
	ClientSecret = "drover-secret"
	Code         = "good-code"
	Token        = "fake-token"
	RefreshToken = "fake-refresh"
	// Slug is the repository the fixtures describe.
	Slug = "octocat/Hello-World"
	// SHA is the commit the fixtures describe.
	SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
)

// Hook is a webhook installed on the fake.
type Hook struct {
	ID     int64             `json:"id"`
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Events []string          `json:"events"`
	Active bool              `json:"active"`
}

// Status is a commit status posted to the fake.
type Status struct {
	Slug, SHA, State, Context, Description, TargetURL string
}

// Server is the fake GitHub. Its exported fields may be changed between
// calls under no lock only while no request is in flight; use the methods
// while requests run.
type Server struct {
	*httptest.Server
	// RepoCount is how many repositories GET /user/repos pages through.
	RepoCount int
	// MaxItems is the largest page size (GitHub: 100).
	MaxItems int
	// Files maps a path to its content at any commit of Slug.
	Files map[string]string

	fails    hostfake.Failures
	mu       sync.Mutex
	hooks    map[string][]*Hook
	nextHook int64
	statuses []Status
}

// New starts a fake GitHub on loopback; Close it when done.
func New() *Server {
	s := &Server{
		RepoCount: 250,
		MaxItems:  100,
		Files:     map[string]string{".drover.yml": "steps:\n  - name: test\n    commands: [go test ./...]\n"},
		hooks:     map[string][]*Hook{},
		nextHook:  1,
	}
	s.Server = httptest.NewServer(s.routes())
	return s
}

// Fail makes "METHOD /path" (path without the query) answer status with
// the given headers until cleared with status 0.
func (s *Server) Fail(route string, status int, header http.Header) {
	s.fails.Set(route, status, header)
}

// Hooks returns the webhooks of a repository.
func (s *Server) Hooks(slug string) []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Hook, 0, len(s.hooks[slug]))
	for _, h := range s.hooks[slug] {
		out = append(out, *h)
	}
	return out
}

// AddHook installs a webhook directly, as another tool would.
func (s *Server) AddHook(slug, url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[slug] = append(s.hooks[slug], &Hook{ID: s.nextHook, Name: "web", Config: map[string]string{"url": url, "content_type": "json"}, Events: []string{"push"}, Active: true})
	s.nextHook++
}

// Statuses returns the commit statuses posted so far.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Status(nil), s.statuses...)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const api = "/api/v3"
	mux.HandleFunc("POST /login/oauth/access_token", s.token)
	mux.HandleFunc("GET "+api+"/user", s.auth(fixture("api_user.json")))
	mux.HandleFunc("GET "+api+"/user/repos", s.auth(s.listRepos))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}", s.auth(s.repo(fixture("api_repo.json"))))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}/commits/{sha...}", s.auth(s.repo(s.commit)))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}/contents/{path...}", s.auth(s.repo(s.raw)))
	mux.HandleFunc("GET "+api+"/repos/{owner}/{repo}/hooks", s.auth(s.repo(s.listHooks)))
	mux.HandleFunc("POST "+api+"/repos/{owner}/{repo}/hooks", s.auth(s.repo(s.createHook)))
	mux.HandleFunc("PATCH "+api+"/repos/{owner}/{repo}/hooks/{id}", s.auth(s.repo(s.editHook)))
	mux.HandleFunc("DELETE "+api+"/repos/{owner}/{repo}/hooks/{id}", s.auth(s.repo(s.deleteHook)))
	mux.HandleFunc("POST "+api+"/repos/{owner}/{repo}/statuses/{sha}", s.auth(s.repo(s.status)))
	return s.failing(mux)
}

// failing answers the injected failures before routing.
func (s *Server) failing(next http.Handler) http.Handler {
	return s.fails.Wrap(next, hostfake.Route, func(status int) any {
		return map[string]any{"message": http.StatusText(status), "documentation_url": "https://docs.github.com/rest"}
	})
}

// auth accepts "Authorization: Bearer <Token>" (and token) only.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		if a != "token "+Token && a != "Bearer "+Token {
			hostfake.WriteJSON(w, 401, map[string]any{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
			return
		}
		next(w, r)
	}
}

// repo answers 404 for any repository but Slug.
func (s *Server) repo(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("owner")+"/"+r.PathValue("repo") != Slug {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			_, _ = w.Write(Fixture("api_error_404.json"))
			return
		}
		next(w, r)
	}
}

func fixture(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(Fixture(name))
	}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		hostfake.WriteJSON(w, 400, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		hostfake.WriteJSON(w, 200, map[string]string{"error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect."})
		return
	}
	switch {
	case r.PostForm.Get("grant_type") == "authorization_code" && r.PostForm.Get("code") == Code:
	case r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == RefreshToken:
	default:
		hostfake.WriteJSON(w, 200, map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."})
		return
	}
	hostfake.WriteJSON(w, 200, map[string]any{"access_token": Token, "token_type": "bearer", "expires_in": 3600, "refresh_token": RefreshToken})
}

func (s *Server) listRepos(w http.ResponseWriter, r *http.Request) {
	page := max(hostfake.Atoi(r.URL.Query().Get("page"), 1), 1)
	limit := hostfake.Atoi(r.URL.Query().Get("per_page"), 30)
	if limit <= 0 || limit > s.MaxItems {
		limit = s.MaxItems
	}
	var repos []map[string]any
	for i := (page - 1) * limit; i < page*limit && i < s.RepoCount; i++ {
		repos = append(repos, s.listed(i))
	}
	if repos == nil {
		repos = []map[string]any{}
	}
	last := max((s.RepoCount+limit-1)/limit, 1)
	var links []string
	link := func(p int, rel string) {
		links = append(links, fmt.Sprintf(`<%s/api/v3/user/repos?per_page=%d&page=%d>; rel="%s"`, s.URL, limit, p, rel))
	}
	if page < last {
		link(page+1, "next")
		link(last, "last")
	}
	if page > 1 {
		link(1, "first")
		link(page-1, "prev")
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ","))
	}
	hostfake.WriteJSON(w, 200, repos)
}

// listed is entry i of the listing: the fixture's repository first, then
// generated ones.
func (s *Server) listed(i int) map[string]any {
	if i == 0 {
		var m map[string]any
		_ = json.Unmarshal(Fixture("api_repo.json"), &m)
		return m
	}
	return genRepo(s.URL, i)
}

// genRepo is repository i of the listing; permissions cycle through
// admin, push and pull.
func genRepo(base string, i int) map[string]any {
	name := fmt.Sprintf("repo-%03d", i)
	perm := map[string]bool{"admin": i%3 == 0, "push": i%3 != 2, "pull": true}
	return map[string]any{
		"id": 1000 + i, "name": name, "full_name": "octocat/" + name, "private": i%2 == 1,
		"owner":    map[string]any{"id": 1, "login": "octocat", "type": "User"},
		"html_url": base + "/octocat/" + name, "clone_url": base + "/octocat/" + name + ".git",
		"default_branch": "main", "permissions": perm,
	}
}

func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("sha") {
	case SHA, "master", "heads/master", "v1.0.0":
		fixture("api_commit.json")(w, r)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		_, _ = w.Write(Fixture("api_error_404.json"))
	}
}

func (s *Server) raw(w http.ResponseWriter, r *http.Request) {
	content, ok := s.Files[r.PathValue("path")]
	if !ok || r.URL.Query().Get("ref") == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		_, _ = w.Write(Fixture("api_error_404.json"))
		return
	}
	hostfake.WriteJSON(w, 200, map[string]any{
		"type": "file", "encoding": "base64", "size": len(content), "name": path.Base(r.PathValue("path")),
		"path": r.PathValue("path"), "content": base64.StdEncoding.EncodeToString([]byte(content)), "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
	})
}
