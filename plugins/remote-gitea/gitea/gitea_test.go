package gitea_test

import (
	"context"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitea/fake"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

func setup(t *testing.T) (*fake.Server, kittest.Env) {
	srv := fake.New()
	return srv, kittest.Start(t, &srv.Host, kittest.Fixture{Name: "gitea", Slug: fake.Slug, SHA: fake.SHA, Missing: "gitea/missing"},
		func(url string) (core.Remote, error) { return remotetest.Remote(gitea.New(kittest.Options(url))) })
}

func TestNewValidatesOptions(t *testing.T) {
	ok := map[string]any{"url": "https://gitea.example.com/", "client_id": "id", "client_secret": "s"}
	with := func(k string, v any) map[string]any { return kittest.With(ok, k, v) }
	secretFile := kittest.ValidateOptions(t, ok, func(o map[string]any) error { _, err := gitea.New(o); return err },
		kittest.OptionCase{Name: "missing url", Options: with("url", nil), WantErr: "url is required"},
		kittest.OptionCase{Name: "page size float", Options: with("page_size", float64(20))},
		kittest.OptionCase{Name: "page size range", Options: with("page_size", int64(0)), WantErr: "out of range"},
	)
	if o, err := gitea.ParseOptions(secretFile); err != nil || o.ClientSecret != "s3cret" || o.URL != "https://gitea.example.com" {
		t.Fatalf("secret file: %+v %v", o, err)
	}
}

func TestLogin(t *testing.T) {
	_, e := setup(t)
	kittest.Login(t, e, kittest.LoginWant{AuthPath: "/login/oauth/authorize", User: core.RemoteUser{ID: "1", Login: "gitea", Email: "someone@gitea.io", Admin: true}})
}

func TestReposPages(t *testing.T) {
	srv, e := setup(t)
	kittest.ReposPages(t, e, kittest.PagesWant{
		Count: srv.RepoCount, First: 50, LastRepos: 20, SmallLast: 18,
		Perms:    map[string]core.Perm{"1003": {Pull: true, Push: true, Admin: true}, "1001": {Pull: true, Push: true}, "1002": {Pull: true}},
		Repo1001: func(r *core.RemoteRepo) bool { return r.Slug() == "gitea/repo-001" },
	})
}

func TestReposPageSizeFromServer(t *testing.T) {
	srv, e := setup(t)
	srv.MaxItems = 30
	p, err := e.Remote.Repos(context.Background(), kittest.Creds, core.Page{Page: 1})
	if err != nil || len(p.Repos) != 30 || p.Last != 4 {
		t.Fatalf("page: %d repos, last %d, %v", len(p.Repos), p.Last, err)
	}
	empty := fake.New()
	defer empty.Close()
	empty.RepoCount = 0
	r2, _ := gitea.New(map[string]any{"url": empty.URL, "client_id": "a", "client_secret": "b"})
	p, err = r2.Repos(context.Background(), kittest.Creds, core.Page{})
	if err != nil || len(p.Repos) != 0 || p.Next != 0 {
		t.Fatalf("empty: %+v %v", p, err)
	}
}

func TestRepoRefFileNetrc(t *testing.T) {
	_, e := setup(t)
	kittest.RepoRefFileNetrc(t, e, kittest.RepoWant{
		Repo: func(r *core.RemoteRepo) bool { return r.ID == "140" && r.Branch == "master" },
		Refs: []string{"develop", "refs/heads/develop", "refs/tags/v1.0.0", fake.SHA},
		Commit: func(c *core.Commit) bool {
			return strings.HasPrefix(c.Message, "Webhooks Yay!") && c.Author == "gitea" && c.Email == "someone@gitea.io"
		},
		Netrc: func(n *core.Netrc) bool { return n.Password == hostfake.Token && n.Login != "" },
	})
}

func TestErrorMapping(t *testing.T) {
	_, e := setup(t)
	kittest.ErrorMapping(t, e, "GET /api/v1/user")
}
