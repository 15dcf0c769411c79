// Package fake is an in-memory GitLab REST API (v4) on httptest, serving
// the documentation-derived fixtures under testdata/, for the remote's
// tests and its conformance kit run.
package fake

import (
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// Slug and SHA are the project and commit the REST fixtures describe.
const Slug, SHA = "diaspora/diaspora-project-site", "6104942438c14ec7bd21c6cd5bd995272b3faff6"

// Hook is a project webhook installed on the fake.
type Hook struct {
	ID                  int64  `json:"id"`
	URL                 string `json:"url"`
	Token               string `json:"token,omitempty"`
	PushEvents          bool   `json:"push_events"`
	TagPushEvents       bool   `json:"tag_push_events"`
	MergeRequestsEvents bool   `json:"merge_requests_events"`
}

// HookID says where the hook keeps its id.
func (h *Hook) HookID() *int64 { return &h.ID }

// Status is a commit status posted to the fake.
type Status struct {
	Slug, SHA, State, Name, Description, TargetURL string
}

// Server is the fake GitLab, a hostfake.Host of 250 projects whose
// failures are keyed by the escaped path.
type Server struct {
	hostfake.Host[Hook, Status]
}

// New starts a fake GitLab on loopback; Close it when done.
func New() *Server {
	s := &Server{}
	s.RepoCount, s.Fixtures = 250, hostfake.Fixtures{FS: testdata}
	s.Start(s.routes(), func(r *http.Request) string { return r.Method + " " + r.URL.EscapedPath() }, func(status int) any {
		return map[string]any{"message": strconv.Itoa(status) + " " + http.StatusText(status)}
	})
	return s
}

// AddHook installs a webhook directly, as another tool would.
func (s *Server) AddHook(slug, url string) {
	s.PutHook(slug, Hook{URL: url, PushEvents: true})
}

// login answers the token endpoint as GitLab does.
var login = hostfake.Login{
	BadClient: hostfake.Answer{Status: 401, Body: map[string]string{"error": "invalid_client", "error_description": "Client authentication failed due to unknown client."}},
	BadGrant:  hostfake.Answer{Status: 400, Body: map[string]string{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}},
	Granted:   map[string]any{"token_type": "Bearer", "expires_in": 7200, "created_at": 1607635748},
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const api = "/api/v4"
	// auth accepts "Authorization: Bearer <Token>" only.
	auth := hostfake.Auth(func(w http.ResponseWriter) {
		hostfake.WriteJSON(w, 401, map[string]any{"message": "401 Unauthorized"})
	}, "Bearer")
	// project answers 404 for any project but Slug (or its id 3).
	only := hostfake.Only(func(r *http.Request) bool { id := r.PathValue("id"); return id == Slug || id == "3" }, func(w http.ResponseWriter, _ *http.Request) {
		hostfake.WriteJSON(w, 404, map[string]any{"message": "404 Project Not Found"})
	})
	project := func(h http.HandlerFunc) http.HandlerFunc { return auth(only(h)) }
	hooks := hookRoutes()
	mux.HandleFunc("POST /oauth/token", login.TokenHandler)
	mux.HandleFunc("GET "+api+"/user", auth(s.Fixtures.Serve(200, "api_user.json")))
	mux.HandleFunc("GET "+api+"/projects", auth(s.listProjects))
	mux.HandleFunc("GET "+api+"/projects/{id}", project(s.Fixtures.Serve(200, "api_project.json")))
	mux.HandleFunc("GET "+api+"/projects/{id}/repository/commits/{sha}", project(s.commit))
	mux.HandleFunc("GET "+api+"/projects/{id}/repository/files/{path}/raw", project(s.Raw(func(w http.ResponseWriter, _ *http.Request) {
		hostfake.WriteJSON(w, 404, map[string]any{"message": "404 File Not Found"})
	})))
	mux.HandleFunc("GET "+api+"/projects/{id}/hooks", project(s.listHooks))
	mux.HandleFunc("POST "+api+"/projects/{id}/hooks", project(hostfake.CreateHook(&s.Host, hooks)))
	mux.HandleFunc("PUT "+api+"/projects/{id}/hooks/{hook}", project(hostfake.EditHook(&s.Host, hooks)))
	mux.HandleFunc("DELETE "+api+"/projects/{id}/hooks/{hook}", project(hostfake.DeleteHook(&s.Host, hooks)))
	mux.HandleFunc("POST "+api+"/projects/{id}/statuses/{sha}", project(s.status))
	return mux
}

// listProjects pages like GitLab: X-Total, X-Total-Pages, X-Next-Page and
// a Link header.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("membership") != "true" {
		hostfake.WriteJSON(w, 400, map[string]any{"message": "the fake wants membership=true"})
		return
	}
	win := hostfake.PageWindow(r, "per_page", 20, 100, s.RepoCount)
	page, per, last := win.Page, win.Size, win.Last
	out := []map[string]any{}
	for i := win.From; i < win.To; i++ {
		out = append(out, s.listed(i))
	}
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
		return s.Fixtures.Object("api_project.json")
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
		s.Fixtures.Serve(200, "api_commit.json")(w, r)
	default:
		hostfake.WriteJSON(w, 404, map[string]any{"message": "404 Commit Not Found"})
	}
}

// Fixture returns the named file of testdata/ (e.g. "hook_push.json").
func Fixture(name string) []byte { return hostfake.Fixtures{FS: testdata}.Get(name) }

//go:embed testdata/*.json
var testdata embed.FS
