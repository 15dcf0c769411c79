package gitlab_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
)

var creds = core.Creds{Token: fake.Token, Refresh: fake.RefreshToken}

func setup(t *testing.T) (*fake.Server, *gitlab.Remote) {
	t.Helper()
	srv := fake.New()
	t.Cleanup(srv.Close)
	r, err := gitlab.New(map[string]any{"url": srv.URL, "client_id": fake.ClientID, "client_secret": fake.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return srv, r
}

func TestNewValidatesOptions(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := map[string]any{"url": "https://gitlab.example.com/", "client_id": "id", "client_secret": "s"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range ok {
			m[k] = v
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		options map[string]any
		wantErr string
	}{
		{"valid", ok, ""},
		{"secret file", with("client_secret", nil), "client_secret or client_secret_file is required"},
		{"default url", with("url", nil), ""},
		{"bad url", with("url", "gitlab.example.com"), "not an http(s) URL"},
		{"scopes list", with("scopes", []any{"repo", "user:email"}), ""},
		{"scopes wrong", with("scopes", []any{1}), "scopes"},
		{"missing client id", with("client_id", nil), "client_id is required"},
		{"unknown key", with("colour", "blue"), `unknown option "colour"`},
		{"wrong type", with("skip_verify", "yes"), "skip_verify: want true or false"},
		{"both secrets", with("client_secret_file", secretFile), "exclude each other"},
		{"missing secret file", func() map[string]any {
			m := with("client_secret", nil)
			m["client_secret_file"] = filepath.Join(t.TempDir(), "nope")
			return m
		}(), "client_secret_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gitlab.New(tt.options)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("New: got %v, want invalid error containing %q", err, tt.wantErr)
			}
		})
	}
	m := with("client_secret", nil)
	m["client_secret_file"] = secretFile
	if _, err := gitlab.ParseOptions(m); err != nil {
		t.Fatalf("secret file: %v", err)
	}
	if o, _ := gitlab.ParseOptions(m); o.ClientSecret != "s3cret" || o.URL != "https://gitlab.example.com" {
		t.Fatalf("options: %+v", o)
	}
	if o, _ := gitlab.ParseOptions(with("url", nil)); o.URL != "https://gitlab.com" || len(o.Scopes) == 0 || o.Scopes[0] != "api" {
		t.Fatalf("gitlab.com options: %+v", o)
	}
	if o, _ := gitlab.ParseOptions(with("scopes", "repo read:org")); len(o.Scopes) != 2 || o.Scopes[1] != "read:org" {
		t.Fatalf("scopes: %+v", o.Scopes)
	}
}

func TestLogin(t *testing.T) {
	_, r := setup(t)
	ctx := context.Background()
	raw, err := r.AuthURL(ctx, "st4te", "http://127.0.0.1:8080/login/gitlab")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if u.Path != "/oauth/authorize" || q.Get("state") != "st4te" || q.Get("client_id") != fake.ClientID ||
		q.Get("redirect_uri") != "http://127.0.0.1:8080/login/gitlab" || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "api") {
		t.Fatalf("auth url %s", raw)
	}
	c, err := r.Exchange(ctx, fake.Code, "http://127.0.0.1:8080/login/gitlab")
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != fake.Token || c.Refresh != fake.RefreshToken || c.Expiry.IsZero() {
		t.Fatalf("creds %+v", c)
	}
	if _, err := r.Exchange(ctx, "bad-code", "http://127.0.0.1:8080/login/gitlab"); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("bad code: %v", err)
	}
	c2, err := r.Refresh(ctx, c)
	if err != nil || c2.Token != fake.Token {
		t.Fatalf("refresh: %+v %v", c2, err)
	}
	if _, err := r.Refresh(ctx, core.Creds{Token: "x"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("refresh without token: %v", err)
	}
	if _, err := r.Refresh(ctx, core.Creds{Refresh: "stale"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("stale refresh: %v", err)
	}
	user, err := r.User(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if user.ID != "1" || user.Login != "john_smith" || user.Email != "john@example.com" || user.Admin {
		t.Fatalf("user %+v", user)
	}
	if _, err := r.User(ctx, core.Creds{Token: "wrong"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestReposPages(t *testing.T) {
	srv, r := setup(t)
	ctx := context.Background()
	p1, err := r.Repos(ctx, creds, core.Page{Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Repos) != 100 || p1.Next != 2 || p1.Last != 3 {
		t.Fatalf("page 1: %d repos, next %d, last %d", len(p1.Repos), p1.Next, p1.Last)
	}
	// The rest concurrently, as the syncer does.
	var mu sync.Mutex
	seen := map[string]*core.RemoteRepo{}
	for _, repo := range p1.Repos {
		seen[repo.ID] = repo
	}
	var wg sync.WaitGroup
	errs := make(chan error, p1.Last)
	for n := 2; n <= p1.Last; n++ {
		wg.Go(func() {
			p, err := r.Repos(ctx, creds, core.Page{Page: n})
			if err != nil {
				errs <- err
				return
			}
			if n == p1.Last && (p.Next != 0 || p.Last != 3 || len(p.Repos) != 50) {
				errs <- errors.New("last page wrong")
			}
			mu.Lock()
			defer mu.Unlock()
			for _, repo := range p.Repos {
				seen[repo.ID] = repo
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != srv.RepoCount {
		t.Fatalf("saw %d repositories, want %d", len(seen), srv.RepoCount)
	}
	for id, want := range map[string]core.Perm{"1003": {Pull: true, Push: true, Admin: true}, "1001": {Pull: true, Push: true}, "1002": {Pull: true}, "1005": {Pull: true}} {
		got := seen[id]
		if got == nil || got.Perm == nil || got.Perm.Pull != want.Pull || got.Perm.Push != want.Push || got.Perm.Admin != want.Admin {
			t.Fatalf("repo %s: %+v", id, got)
		}
	}
	if got := seen["1001"]; got.Slug() != "group/sub/project-001" || got.Owner != "group/sub" || !got.Private || got.Visibility != "private" || got.Branch != "main" || !strings.HasSuffix(got.CloneURL, ".git") {
		t.Fatalf("repo 1001: %+v", got)
	}
	small, err := r.Repos(ctx, creds, core.Page{Page: 2, Size: 7})
	if err != nil || len(small.Repos) != 7 || small.Last != 36 || small.Next != 3 {
		t.Fatalf("size 7: %+v %v", small, err)
	}
}

func TestRepoRefFileNetrc(t *testing.T) {
	srv, r := setup(t)
	ctx := context.Background()
	repo, err := r.Repo(ctx, creds, fake.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if repo.ID != "3" || repo.Slug() != fake.Slug || repo.Branch != "main" || repo.Perm == nil || !repo.Perm.Admin || repo.Visibility != "private" || !repo.Private {
		t.Fatalf("repo %+v", repo)
	}
	if _, err := r.Repo(ctx, creds, "diaspora/missing"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
	if _, err := r.Repo(ctx, creds, "no-slash"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad slug: %v", err)
	}
	for _, ref := range []string{"main", "refs/heads/main", "refs/tags/v1.0.0", fake.SHA} {
		c, err := r.Ref(ctx, creds, fake.Slug, ref)
		if err != nil {
			t.Fatalf("ref %s: %v", ref, err)
		}
		if c.SHA != fake.SHA || c.Ref != ref || !strings.HasPrefix(c.Message, "Sanitize for network graph") || c.Author != "randx" || c.Email != "user@example.com" {
			t.Fatalf("ref %s: %+v", ref, c)
		}
	}
	if _, err := r.Ref(ctx, creds, fake.Slug, "nope"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing ref: %v", err)
	}
	data, err := r.File(ctx, creds, fake.Slug, fake.SHA, ".drover.yml")
	if err != nil || string(data) != srv.Files[".drover.yml"] {
		t.Fatalf("file: %q %v", data, err)
	}
	if _, err := r.File(ctx, creds, fake.Slug, fake.SHA, ".drone.yml"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	n, err := r.Netrc(ctx, creds, fake.Slug)
	if err != nil || n.Machine != "127.0.0.1" || n.Login != "oauth2" || n.Password != fake.Token {
		t.Fatalf("netrc %+v %v", n, err)
	}
}

func TestErrorMapping(t *testing.T) {
	srv, r := setup(t)
	ctx := context.Background()
	tests := []struct {
		status int
		header http.Header
		want   error
		text   string
	}{
		{401, nil, core.ErrUnauthenticated, ""},
		{403, nil, core.ErrForbidden, ""},
		{404, nil, core.ErrNotFound, ""},
		{422, nil, core.ErrInvalid, ""},
		{429, http.Header{"Retry-After": {"30"}}, core.ErrUnavailable, "30s"},
		{429, http.Header{"Ratelimit-Reset": {"1700000000"}}, core.ErrUnavailable, "2023-11-14T22:13:20Z"},
		{500, nil, core.ErrUnavailable, ""},
		{503, nil, core.ErrUnavailable, ""},
	}
	for _, tt := range tests {
		srv.Fail("GET /api/v4/user", tt.status, tt.header)
		_, err := r.User(ctx, creds)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("status %d %v: got %v, want %v", tt.status, tt.header, err, tt.want)
		}
	}
	srv.Fail("GET /api/v4/user", 0, nil)
	srv.Close()
	if _, err := r.User(ctx, creds); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("server down: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.User(cctx, creds); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
