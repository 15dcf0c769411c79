// Package fake is an in-memory Gitea REST API on httptest, serving the
// documentation-derived fixtures under testdata/, for the remote's tests and
// its conformance kit run.
package fake

import (
	"embed"
	"net/http"

	"github.com/drover-ci/drover/plugins/internal/hostfake"
)

// Server is the fake Gitea, a hostfake.Host of Gitea's hooks and statuses
// whose MaxItems is its MAX_RESPONSE_ITEMS (50, of 120 repositories).
type Server struct {
	hostfake.Host[hostfake.ConfigHook, hostfake.CommitStatus]
}

// New starts a fake Gitea on loopback; Close it when done.
func New() *Server {
	s := &Server{}
	s.RepoCount, s.MaxItems, s.Fixtures = 120, 50, hostfake.Fixtures{FS: testdata}
	s.Start(s.routes(), hostfake.Route, func(status int) any {
		return map[string]any{"message": http.StatusText(status), "url": s.URL + "/api/swagger"}
	})
	return s
}

// Slug and SHA are the repository and commit the fixtures describe.
const Slug, SHA = "gitea/webhooks", "bffeb74224043ba2feb48d137756c8a9331c449a"

// AddHook installs a webhook directly, as another tool would.
func (s *Server) AddHook(slug, url string) {
	s.PutHook(slug, hostfake.ConfigHook{Type: "gitea", Config: map[string]string{"url": url, "content_type": "json"}, Events: []string{"push"}, Active: true})
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	notFound := s.Fixtures.Serve(404, "api_error_404.json")
	// auth accepts "Authorization: token <Token>" (and Bearer) only; repo
	// answers 404 for any repository but Slug.
	auth := hostfake.Auth(func(w http.ResponseWriter) {
		hostfake.WriteJSON(w, 401, map[string]any{"message": "user does not exist [uid: 0, name: ]", "url": s.URL + "/api/swagger"})
	}, "token", "Bearer")
	repo := func(h http.HandlerFunc) http.HandlerFunc {
		return auth(hostfake.Only(func(r *http.Request) bool { return hostfake.OwnerRepo(r) == Slug }, notFound)(h))
	}
	hostfake.GitHubRoutes(&s.Host, mux, hostfake.GitHubAPI{
		Prefix: "/api/v1", SizeParam: "limit", Owner: "gitea", Auth: auth, Repo: repo,
		ValidHook: func(h *hostfake.ConfigHook) bool { return h.Type != "" && h.Config["url"] != "" },
		States:    []string{"pending", "success", "error", "failure", "warning"},
	})
	mux.HandleFunc("POST /login/oauth/access_token", hostfake.Login{
		BadClient: hostfake.Answer{Status: 400, Body: map[string]string{"error": "unauthorized_client", "error_description": "invalid client secret"}},
		BadGrant:  hostfake.Answer{Status: 400, Body: map[string]string{"error": "invalid_grant", "error_description": "the code or refresh token is not valid"}},
		Granted:   map[string]any{"token_type": "bearer", "expires_in": 3600},
	}.TokenHandler)
	mux.HandleFunc("GET /api/v1/settings/api", func(w http.ResponseWriter, _ *http.Request) {
		hostfake.WriteJSON(w, 200, map[string]int{"max_response_items": s.MaxItems, "default_paging_num": 30})
	})
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/git/commits/{sha}", repo(func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("sha") {
		case SHA, "develop", "master", "v1.0.0":
			s.Fixtures.Serve(200, "api_commit.json")(w, r)
		default:
			notFound(w, r)
		}
	}))
	mux.HandleFunc("GET /api/v1/repos/{owner}/{repo}/raw/{path...}", repo(s.Raw(notFound)))
	return mux
}

// Fixture returns the named file of testdata/ (e.g. "hook_push.json").
func Fixture(name string) []byte { return hostfake.Fixtures{FS: testdata}.Get(name) }

//go:embed testdata/*.json
var testdata embed.FS
