package github_test

import (
	"net/http"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-github/fake"
	"github.com/drover-ci/drover/plugins/remote-github/github"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

func setup(t *testing.T) (*fake.Server, kittest.Env) {
	srv := fake.New()
	return srv, kittest.Start(t, &srv.Host, kittest.Fixture{Name: "github", Slug: fake.Slug, SHA: fake.SHA, Missing: "octocat/missing"},
		func(url string) (core.Remote, error) {
			return remotetest.Remote(github.New(kittest.Options(url, "api_url", url+"/api/v3")))
		})
}

func TestNewValidatesOptions(t *testing.T) {
	ok := map[string]any{"url": "https://github.example.com/", "client_id": "id", "client_secret": "s"}
	with := func(k string, v any) map[string]any { return kittest.With(ok, k, v) }
	secretFile := kittest.ValidateOptions(t, ok, func(o map[string]any) error { _, err := github.New(o); return err },
		kittest.OptionCase{Name: "default url", Options: with("url", nil)},
		kittest.OptionCase{Name: "bad api url", Options: with("api_url", "ftp://x"), WantErr: "api_url"},
		kittest.OptionCase{Name: "scopes list", Options: with("scopes", []any{"repo", "user:email"})},
		kittest.OptionCase{Name: "scopes wrong", Options: with("scopes", []any{1}), WantErr: "scopes"},
	)
	if o, err := github.ParseOptions(secretFile); err != nil || o.ClientSecret != "s3cret" || o.URL != "https://github.example.com" || o.APIURL != "https://github.example.com/api/v3/" {
		t.Fatalf("secret file: %+v %v", o, err)
	}
	if o, _ := github.ParseOptions(with("url", nil)); o.URL != "https://github.com" || o.APIURL != "https://api.github.com/" || len(o.Scopes) == 0 {
		t.Fatalf("github.com options: %+v", o)
	}
	kittest.Scopes(t, ok, func(m map[string]any) []string { o, _ := github.ParseOptions(m); return o.Scopes })
}

func TestLogin(t *testing.T) {
	_, e := setup(t)
	kittest.Login(t, e, kittest.LoginWant{AuthPath: "/login/oauth/authorize", Scope: "repo", User: core.RemoteUser{ID: "1", Login: "octocat", Email: "octocat@github.com"}})
}

func TestReposPages(t *testing.T) {
	srv, e := setup(t)
	kittest.ReposPages(t, e, kittest.PagesWant{
		Count: srv.RepoCount, First: 100, LastRepos: 50, LastSaysLast: true, SmallLast: 36,
		Perms:    map[string]core.Perm{"1003": {Pull: true, Push: true, Admin: true}, "1001": {Pull: true, Push: true}, "1002": {Pull: true}},
		Repo1001: func(r *core.RemoteRepo) bool { return r.Slug() == "octocat/repo-001" },
	})
}

func TestRepoRefFileNetrc(t *testing.T) {
	_, e := setup(t)
	kittest.RepoRefFileNetrc(t, e, kittest.RepoWant{
		Repo: func(r *core.RemoteRepo) bool {
			return r.ID == "1296269" && r.Branch == "master" && r.Visibility == "public"
		},
		Refs: []string{"master", "refs/heads/master", "refs/tags/v1.0.0", fake.SHA},
		Commit: func(c *core.Commit) bool {
			return c.Message == "Fix all the bugs" && c.Author == "octocat" && c.Email == "support@github.com"
		},
		Netrc: func(n *core.Netrc) bool { return n.Login == hostfake.Token && n.Password == "x-oauth-basic" },
	})
}

func TestErrorMapping(t *testing.T) {
	_, e := setup(t)
	kittest.ErrorMapping(t, e, "GET /api/v3/user",
		kittest.StatusCase{Status: 403, Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1700000000"}}, Want: core.ErrUnavailable, Text: "2023-11-14T22:13:20Z"},
		kittest.StatusCase{Status: 403, Header: http.Header{"Retry-After": {"60"}}, Want: core.ErrUnavailable, Text: "for 60s"},
	)
}
