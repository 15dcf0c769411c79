package gitlab_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

func setup(t *testing.T) (*fake.Server, kittest.Env) {
	srv := fake.New()
	return srv, kittest.Start(t, &srv.Host, kittest.Fixture{Name: "gitlab", Slug: fake.Slug, SHA: fake.SHA, Missing: "diaspora/missing"},
		func(url string) (core.Remote, error) { return remotetest.Remote(gitlab.New(kittest.Options(url))) })
}

func TestNewValidatesOptions(t *testing.T) {
	ok := map[string]any{"url": "https://gitlab.example.com/", "client_id": "id", "client_secret": "s"}
	with := func(k string, v any) map[string]any { return kittest.With(ok, k, v) }
	secretFile := kittest.ValidateOptions(t, ok, func(o map[string]any) error { _, err := gitlab.New(o); return err },
		kittest.OptionCase{Name: "default url", Options: with("url", nil)},
		kittest.OptionCase{Name: "scopes list", Options: with("scopes", []any{"repo", "user:email"})},
		kittest.OptionCase{Name: "scopes wrong", Options: with("scopes", []any{1}), WantErr: "scopes"},
	)
	if o, err := gitlab.ParseOptions(secretFile); err != nil || o.ClientSecret != "s3cret" || o.URL != "https://gitlab.example.com" {
		t.Fatalf("secret file: %+v %v", o, err)
	}
	if o, _ := gitlab.ParseOptions(with("url", nil)); o.URL != "https://gitlab.com" || len(o.Scopes) == 0 || o.Scopes[0] != "api" {
		t.Fatalf("gitlab.com options: %+v", o)
	}
	kittest.Scopes(t, ok, func(m map[string]any) []string { o, _ := gitlab.ParseOptions(m); return o.Scopes })
}

func TestLogin(t *testing.T) {
	_, e := setup(t)
	kittest.Login(t, e, kittest.LoginWant{AuthPath: "/oauth/authorize", Scope: "api", User: core.RemoteUser{ID: "1", Login: "john_smith", Email: "john@example.com"}})
}

func TestReposPages(t *testing.T) {
	srv, e := setup(t)
	kittest.ReposPages(t, e, kittest.PagesWant{
		Count: srv.RepoCount, First: 100, LastRepos: 50, LastSaysLast: true, SmallLast: 36,
		Perms: map[string]core.Perm{"1003": {Pull: true, Push: true, Admin: true}, "1001": {Pull: true, Push: true}, "1002": {Pull: true}, "1005": {Pull: true}},
		Repo1001: func(r *core.RemoteRepo) bool {
			return r.Slug() == "group/sub/project-001" && r.Owner == "group/sub"
		},
	})
}

func TestRepoRefFileNetrc(t *testing.T) {
	_, e := setup(t)
	kittest.RepoRefFileNetrc(t, e, kittest.RepoWant{
		Repo: func(r *core.RemoteRepo) bool {
			return r.ID == "3" && r.Branch == "main" && r.Visibility == "private" && r.Private
		},
		Refs: []string{"main", "refs/heads/main", "refs/tags/v1.0.0", fake.SHA},
		Commit: func(c *core.Commit) bool {
			return strings.HasPrefix(c.Message, "Sanitize for network graph") && c.Author == "randx" && c.Email == "user@example.com"
		},
		Netrc: func(n *core.Netrc) bool { return n.Login == "oauth2" && n.Password == hostfake.Token },
	})
}

func TestErrorMapping(t *testing.T) {
	_, e := setup(t)
	kittest.ErrorMapping(t, e, "GET /api/v4/user",
		kittest.StatusCase{Status: 429, Header: http.Header{"Ratelimit-Reset": {"1700000000"}}, Want: core.ErrUnavailable, Text: "2023-11-14T22:13:20Z"})
}
