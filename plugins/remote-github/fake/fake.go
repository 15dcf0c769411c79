// Package fake is an in-memory GitHub REST API (Enterprise-style, under
// /api/v3) on httptest, serving the documentation-derived fixtures under
// testdata/, for the remote's tests and its conformance kit run.
package fake

import (
	"embed"
	"encoding/base64"
	"net/http"
	"path"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// Slug and SHA are the repository and commit the fixtures describe.
const Slug, SHA = "octocat/Hello-World", "6dcb09b5b57875f334f61aebed695e2e4193db5e"

// Server is the fake GitHub: a hostfake.Host of GitHub's hooks and
// statuses, 250 repositories listed 100 at a time at most.
type Server struct {
	hostfake.Host[hostfake.ConfigHook, hostfake.CommitStatus]
}

// New starts a fake GitHub on loopback; Close it when done.
func New() *Server {
	s := &Server{}
	s.RepoCount, s.MaxItems, s.Fixtures = 250, 100, hostfake.Fixtures{FS: testdata}
	s.Start(s.routes(), hostfake.Route, func(status int) any {
		return map[string]any{"message": http.StatusText(status), "documentation_url": "https://docs.github.com/rest"}
	})
	return s
}

// AddHook installs a webhook directly, as another tool would.
func (s *Server) AddHook(slug, url string) {
	s.PutHook(slug, hostfake.ConfigHook{Name: "web", Config: map[string]string{"url": url, "content_type": "json"}, Events: []string{"push"}, Active: true})
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	notFound := s.Fixtures.Serve(404, "api_error_404.json")
	// auth accepts "Authorization: Bearer <Token>" (and token) only; repo
	// answers 404 for any repository but Slug.
	auth := hostfake.Auth(func(w http.ResponseWriter) {
		hostfake.WriteJSON(w, 401, map[string]any{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
	}, "token", "Bearer")
	only := hostfake.Only(func(r *http.Request) bool { return hostfake.OwnerRepo(r) == Slug }, notFound)
	repo := func(h http.HandlerFunc) http.HandlerFunc { return auth(only(h)) }
	hostfake.GitHubRoutes(&s.Host, mux, hostfake.GitHubAPI{
		Prefix: "/api/v3", SizeParam: "per_page", Owner: "octocat", Auth: auth, Repo: repo,
		ValidHook: func(h *hostfake.ConfigHook) bool { return h.Config["url"] != "" },
		States:    []string{"pending", "success", "error", "failure"},
	})
	mux.HandleFunc("POST /login/oauth/access_token", hostfake.Login{
		BadClient: hostfake.Answer{Status: 200, Body: map[string]string{"error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect."}},
		BadGrant:  hostfake.Answer{Status: 200, Body: map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}},
		Granted:   map[string]any{"token_type": "bearer", "expires_in": 3600},
	}.TokenHandler)
	mux.HandleFunc("GET /api/v3/repos/{owner}/{repo}/commits/{sha...}", repo(func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("sha") {
		case SHA, "master", "heads/master", "v1.0.0":
			s.Fixtures.Serve(200, "api_commit.json")(w, r)
		default:
			notFound(w, r)
		}
	}))
	mux.HandleFunc("GET /api/v3/repos/{owner}/{repo}/contents/{path...}", repo(func(w http.ResponseWriter, r *http.Request) {
		content, ok := s.Files[r.PathValue("path")]
		if !ok || r.URL.Query().Get("ref") == "" {
			notFound(w, r)
			return
		}
		hostfake.WriteJSON(w, 200, map[string]any{
			"type": "file", "encoding": "base64", "size": len(content), "name": path.Base(r.PathValue("path")),
			"path": r.PathValue("path"), "content": base64.StdEncoding.EncodeToString([]byte(content)), "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
		})
	}))
	return mux
}

//go:embed testdata/*.json
var testdata embed.FS

// Fixture returns the named file of testdata/ (e.g. "hook_push.json").
func Fixture(name string) []byte { return hostfake.Fixtures{FS: testdata}.Get(name) }
