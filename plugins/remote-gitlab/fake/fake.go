// Package fake is an in-memory GitLab REST API (v4) on httptest, serving
// the documentation-derived fixtures under testdata/, for the remote's
// tests and its conformance kit run.
package fake

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// The credentials and names the fake knows.
const (
	ClientID     = "drover-client"
	ClientSecret = "drover-secret"
	Code         = "good-code"
	Token        = "fake-token"
	RefreshToken = "fake-refresh"
	// Slug is the project the REST fixtures describe.
	Slug = "diaspora/diaspora-project-site"
	// SHA is the commit the REST fixtures describe.
	SHA = "6104942438c14ec7bd21c6cd5bd995272b3faff6"
)

// Hook is a project webhook installed on the fake.
type Hook struct {
	ID                  int64  `json:"id"`
	URL                 string `json:"url"`
	Token               string `json:"token,omitempty"`
	PushEvents          bool   `json:"push_events"`
	TagPushEvents       bool   `json:"tag_push_events"`
	MergeRequestsEvents bool   `json:"merge_requests_events"`
}

// Status is a commit status posted to the fake.
type Status struct {
	Slug, SHA, State, Name, Description, TargetURL string
}

// Server is the fake GitLab. Set its exported fields before requests run.
type Server struct {
	*httptest.Server
	// RepoCount is how many projects GET /projects pages through.
	RepoCount int
	// Files maps a path to its content at any commit of Slug.
	Files map[string]string

	fails    hostfake.Failures
	mu       sync.Mutex
	hooks    map[string][]*Hook
	nextHook int64
	statuses []Status
}

// New starts a fake GitLab on loopback; Close it when done.
func New() *Server {
	s := &Server{
		RepoCount: 250,
		Files:     map[string]string{".drover.yml": "steps:\n  - name: test\n    commands: [go test ./...]\n"},
		hooks:     map[string][]*Hook{},
		nextHook:  1,
	}
	s.Server = httptest.NewServer(s.routes())
	return s
}

// Fail makes "METHOD /path" (the escaped path, without the query) answer
// status with the given headers until cleared with status 0.
func (s *Server) Fail(route string, status int, header http.Header) {
	s.fails.Set(route, status, header)
}

// Hooks returns the webhooks of a project.
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
	s.hooks[slug] = append(s.hooks[slug], &Hook{ID: s.nextHook, URL: url, PushEvents: true})
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
	const api = "/api/v4"
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET "+api+"/user", s.auth(fixture("api_user.json")))
	mux.HandleFunc("GET "+api+"/projects", s.auth(s.listProjects))
	mux.HandleFunc("GET "+api+"/projects/{id}", s.auth(s.project(fixture("api_project.json"))))
	mux.HandleFunc("GET "+api+"/projects/{id}/repository/commits/{sha}", s.auth(s.project(s.commit)))
	mux.HandleFunc("GET "+api+"/projects/{id}/repository/files/{path}/raw", s.auth(s.project(s.raw)))
	mux.HandleFunc("GET "+api+"/projects/{id}/hooks", s.auth(s.project(s.listHooks)))
	mux.HandleFunc("POST "+api+"/projects/{id}/hooks", s.auth(s.project(s.createHook)))
	mux.HandleFunc("PUT "+api+"/projects/{id}/hooks/{hook}", s.auth(s.project(s.editHook)))
	mux.HandleFunc("DELETE "+api+"/projects/{id}/hooks/{hook}", s.auth(s.project(s.deleteHook)))
	mux.HandleFunc("POST "+api+"/projects/{id}/statuses/{sha}", s.auth(s.project(s.status)))
	return s.failing(mux)
}

func (s *Server) failing(next http.Handler) http.Handler {
	return s.fails.Wrap(next, func(r *http.Request) string { return r.Method + " " + r.URL.EscapedPath() }, func(status int) any {
		return map[string]any{"message": strconv.Itoa(status) + " " + http.StatusText(status)}
	})
}

// auth accepts "Authorization: Bearer <Token>" only.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+Token {
			hostfake.WriteJSON(w, 401, map[string]any{"message": "401 Unauthorized"})
			return
		}
		next(w, r)
	}
}

// project answers 404 for any project but Slug (or its id 3).
func (s *Server) project(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("id"); id != Slug && id != "3" {
			hostfake.WriteJSON(w, 404, map[string]any{"message": "404 Project Not Found"})
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
	if r.PostForm.Get("client_id") != ClientID || r.PostForm.Get("client_secret") != ClientSecret {
		hostfake.WriteJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed due to unknown client."})
		return
	}
	switch {
	case r.PostForm.Get("grant_type") == "authorization_code" && r.PostForm.Get("code") == Code:
	case r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == RefreshToken:
	default:
		hostfake.WriteJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
		return
	}
	hostfake.WriteJSON(w, 200, map[string]any{"access_token": Token, "token_type": "Bearer", "expires_in": 7200, "refresh_token": RefreshToken, "created_at": 1607635748})
}

// listProjects pages like GitLab: X-Total, X-Total-Pages, X-Next-Page and
// a Link header.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("membership") != "true" {
		hostfake.WriteJSON(w, 400, map[string]any{"message": "the fake wants membership=true"})
		return
	}
	page := max(hostfake.Atoi(q.Get("page"), 1), 1)
	per := hostfake.Atoi(q.Get("per_page"), 20)
	if per <= 0 || per > 100 {
		per = 20
	}
	out := []map[string]any{}
	for i := (page - 1) * per; i < page*per && i < s.RepoCount; i++ {
		out = append(out, s.listed(i))
	}
	last := max((s.RepoCount+per-1)/per, 1)
	h := w.Header()
	h.Set("X-Total", strconv.Itoa(s.RepoCount))
	h.Set("X-Total-Pages", strconv.Itoa(last))
	h.Set("X-Per-Page", strconv.Itoa(per))
	h.Set("X-Page", strconv.Itoa(page))
	links := []string{}
	link := func(p int, rel string) {
		links = append(links, fmt.Sprintf(`<%s/api/v4/projects?membership=true&page=%d&per_page=%d>; rel="%s"`, s.URL, p, per, rel))
	}
	if page < last {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
		link(page+1, "next")
	} else {
		h.Set("X-Next-Page", "")
	}
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
		link(page-1, "prev")
	}
	link(1, "first")
	link(last, "last")
	h.Set("Link", strings.Join(links, ", "))
	hostfake.WriteJSON(w, 200, out)
}

// listed is entry i of the listing: the fixture's repository first, then
// generated ones.
func (s *Server) listed(i int) map[string]any {
	if i == 0 {
		var m map[string]any
		_ = json.Unmarshal(Fixture("api_project.json"), &m)
		return m
	}
	return genProject(s.URL, i)
}

// genProject is project i of the listing; access levels cycle through
// maintainer (40), developer (30) and reporter (20).
func genProject(base string, i int) map[string]any {
	name := fmt.Sprintf("project-%03d", i)
	level := []int{40, 30, 20}[i%3]
	vis := "private"
	if i%2 == 0 {
		vis = "public"
	}
	return map[string]any{
		"id": 1000 + i, "name": name, "path": name, "path_with_namespace": "group/sub/" + name,
		"namespace":        map[string]any{"id": 9, "name": "sub", "path": "sub", "kind": "group", "full_path": "group/sub"},
		"web_url":          base + "/group/sub/" + name,
		"http_url_to_repo": base + "/group/sub/" + name + ".git", "default_branch": "main", "visibility": vis,
		"permissions": map[string]any{"project_access": map[string]any{"access_level": level, "notification_level": 3}, "group_access": nil},
	}
}

func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("sha") {
	case SHA, "main", "v1.0.0":
		fixture("api_commit.json")(w, r)
	default:
		hostfake.WriteJSON(w, 404, map[string]any{"message": "404 Commit Not Found"})
	}
}

func (s *Server) raw(w http.ResponseWriter, r *http.Request) {
	content, ok := s.Files[r.PathValue("path")]
	if !ok || r.URL.Query().Get("ref") == "" {
		hostfake.WriteJSON(w, 404, map[string]any{"message": "404 File Not Found"})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(content))
}
