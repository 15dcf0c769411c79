package kittest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/drover-ci/drover/core"
)

// PagesWant is how a host pages through its repositories: three pages at
// its page size.
type PagesWant struct {
	// Count is how many repositories the fake lists; First how many page 1
	// holds and LastRepos the last page (page 3).
	Count, First, LastRepos int
	// LastSaysLast asks the last page to say Last 3 too.
	LastSaysLast bool
	// Perms are the permissions of some listed repositories by id.
	Perms map[string]core.Perm
	// Repo1001 checks a generated private repository.
	Repo1001 func(*core.RemoteRepo) bool
	// SmallLast is the Last of pages of 7.
	SmallLast int
}

// ReposPages lists page 1, the rest concurrently as the syncer does, and
// a page of 7.
func ReposPages(t *testing.T, e Env, want PagesWant) {
	t.Helper()
	r, ctx := e.Remote, context.Background()
	p1, err := r.Repos(ctx, Creds, core.Page{Page: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Repos) != want.First || p1.Next != 2 || p1.Last != 3 {
		t.Fatalf("page 1: %d repos, next %d, last %d", len(p1.Repos), p1.Next, p1.Last)
	}
	var mu sync.Mutex
	seen := map[string]*core.RemoteRepo{}
	for _, repo := range p1.Repos {
		seen[repo.ID] = repo
	}
	var wg sync.WaitGroup
	errs := make(chan error, p1.Last)
	for n := 2; n <= p1.Last; n++ {
		wg.Go(func() {
			p, err := r.Repos(ctx, Creds, core.Page{Page: n})
			if err != nil {
				errs <- err
				return
			}
			if n == p1.Last && (p.Next != 0 || (want.LastSaysLast && p.Last != 3) || len(p.Repos) != want.LastRepos) {
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
	if len(seen) != want.Count {
		t.Fatalf("saw %d repositories, want %d", len(seen), want.Count)
	}
	for id, want := range want.Perms {
		got := seen[id]
		if got == nil || got.Perm == nil || got.Perm.Pull != want.Pull || got.Perm.Push != want.Push || got.Perm.Admin != want.Admin {
			t.Fatalf("repo %s: %+v", id, got)
		}
	}
	if got := seen["1001"]; !got.Private || got.Visibility != "private" || got.Branch != "main" || !strings.HasSuffix(got.CloneURL, ".git") || !want.Repo1001(got) {
		t.Fatalf("repo 1001: %+v", got)
	}
	small, err := r.Repos(ctx, Creds, core.Page{Page: 2, Size: 7})
	if err != nil || len(small.Repos) != 7 || small.Last != want.SmallLast || small.Next != 3 {
		t.Fatalf("size 7: %+v %v", small, err)
	}
}

// RepoWant is what a host says of the fixtures' repository.
type RepoWant struct {
	// Repo checks the repository (its slug is checked too).
	Repo func(*core.RemoteRepo) bool
	// Refs resolve to the fixtures' commit, which Commit checks.
	Refs   []string
	Commit func(*core.Commit) bool
	// Netrc checks the clone credentials (the machine is checked too).
	Netrc func(*core.Netrc) bool
}

// RepoRefFileNetrc reads the repository, its refs and files, and clone
// credentials, and asks for missing ones.
func RepoRefFileNetrc(t *testing.T, e Env, want RepoWant) {
	t.Helper()
	r, ctx := e.Remote, context.Background()
	repo, err := r.Repo(ctx, Creds, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Slug() != e.Slug || repo.Perm == nil || !repo.Perm.Admin || !want.Repo(repo) {
		t.Fatalf("repo %+v", repo)
	}
	if _, err := r.Repo(ctx, Creds, e.Missing); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
	if _, err := r.Repo(ctx, Creds, "no-slash"); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("bad slug: %v", err)
	}
	for _, ref := range want.Refs {
		c, err := r.Ref(ctx, Creds, e.Slug, ref)
		if err != nil {
			t.Fatalf("ref %s: %v", ref, err)
		}
		if c.SHA != e.SHA || c.Ref != ref || !want.Commit(c) {
			t.Fatalf("ref %s: %+v", ref, c)
		}
	}
	if _, err := r.Ref(ctx, Creds, e.Slug, "nope"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing ref: %v", err)
	}
	data, err := r.File(ctx, Creds, e.Slug, e.SHA, ".drover.yml")
	if err != nil || string(data) != e.Files[".drover.yml"] {
		t.Fatalf("file: %q %v", data, err)
	}
	if _, err := r.File(ctx, Creds, e.Slug, e.SHA, ".drone.yml"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	n, err := r.Netrc(ctx, Creds, e.Slug)
	if err != nil || n.Machine != "127.0.0.1" || !want.Netrc(n) {
		t.Fatalf("netrc %+v %v", n, err)
	}
}

// StatusCase is a failed answer and the coded error (with text) it gives.
type StatusCase struct {
	Status int
	Header http.Header
	Want   error
	Text   string
}

// ErrorMapping makes route (the user's) fail with each status every host
// codes alike and the host's extra cases, then the server go away and the
// context end.
func ErrorMapping(t *testing.T, e Env, route string, extra ...StatusCase) {
	t.Helper()
	r, ctx := e.Remote, context.Background()
	tests := append([]StatusCase{
		{401, nil, core.ErrUnauthenticated, ""},
		{403, nil, core.ErrForbidden, ""},
		{404, nil, core.ErrNotFound, ""},
		{422, nil, core.ErrInvalid, ""},
		{429, http.Header{"Retry-After": {"30"}}, core.ErrUnavailable, "30s"},
		{500, nil, core.ErrUnavailable, ""},
		{503, nil, core.ErrUnavailable, ""},
	}, extra...)
	for _, tt := range tests {
		e.Fail(route, tt.Status, tt.Header)
		_, err := r.User(ctx, Creds)
		if !errors.Is(err, tt.Want) || !strings.Contains(err.Error(), tt.Text) {
			t.Errorf("status %d %v: got %v, want %v", tt.Status, tt.Header, err, tt.Want)
		}
	}
	e.Fail(route, 0, nil)
	e.Close()
	if _, err := r.User(ctx, Creds); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("server down: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.User(cctx, Creds); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
