package remotetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

func testInfo(t *testing.T, k *kit) {
	c := Connect(t, k.factory(t))
	info, err := c.PluginInfo(k.ctx(t))
	if err != nil || info.Name == "" {
		t.Fatalf("plugin info %+v, %v: a remote names itself (remote.Describer)", info, err)
	}
}

func testLogin(t *testing.T, k *kit) {
	r := k.remote(t)
	ctx := k.ctx(t)
	u, err := r.AuthURL(ctx, "kit-state-123", "https://drover.test/login/kit")
	if err != nil || !strings.Contains(u, "kit-state-123") {
		t.Fatalf("auth url %q, %v: must carry the state", u, err)
	}
	user, err := r.User(ctx, k.cfg.Creds)
	if err != nil {
		t.Fatalf("user: %v", err)
	}
	if user.Login != k.cfg.Login || user.ID == "" {
		t.Fatalf("user %+v, want login %s and an id", user, k.cfg.Login)
	}
	if _, err := r.User(ctx, core.Creds{Token: "kit-invalid-token"}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("user with bad credentials: %v, want core.ErrUnauthenticated", err)
	}
}

// listAll walks every page of the user's repositories.
func listAll(t *testing.T, k *kit, r core.Remote, size int) []string {
	var slugs []string
	for page, n := 1, 0; page != 0; n++ {
		if n > 1000 {
			t.Fatal("more than 1000 pages: Next never reaches 0")
		}
		p, err := r.Repos(k.ctx(t), k.cfg.Creds, core.Page{Page: page, Size: size})
		if err != nil {
			t.Fatalf("repos page %d (size %d): %v", page, size, err)
		}
		if size > 0 && len(p.Repos) > size {
			t.Fatalf("page %d has %d repositories, asked for %d", page, len(p.Repos), size)
		}
		for _, repo := range p.Repos {
			if repo.Perm == nil {
				t.Fatalf("repository %s listed without the user's permission", repo.Slug())
			}
			slugs = append(slugs, repo.Slug())
		}
		if p.Next != 0 && p.Next != page+1 {
			t.Fatalf("page %d says next is %d", page, p.Next)
		}
		page = p.Next
	}
	return slugs
}

func testRepos(t *testing.T, k *kit) {
	r := k.remote(t)
	all := listAll(t, k, r, 0)
	if len(all) < max(k.cfg.MinRepos, 1) || !containsStr(all, k.cfg.Repo) {
		t.Fatalf("listed %v: want at least %d including %s", all, k.cfg.MinRepos, k.cfg.Repo)
	}
	if k.cfg.MinRepos > 1 {
		paged := listAll(t, k, r, 1)
		if strings.Join(sorted(paged), ",") != strings.Join(sorted(all), ",") {
			t.Fatalf("pages of one listed %v, one big page %v", paged, all)
		}
	}
	if _, err := r.Repos(k.ctx(t), core.Creds{Token: "kit-invalid-token"}, core.Page{Page: 1}); !errors.Is(err, core.ErrUnauthenticated) {
		t.Fatalf("repos with bad credentials: %v, want core.ErrUnauthenticated", err)
	}
}

func testRepo(t *testing.T, k *kit) {
	r := k.remote(t)
	repo, err := r.Repo(k.ctx(t), k.cfg.Creds, k.cfg.Repo)
	if err != nil {
		t.Fatalf("repo: %v", err)
	}
	if repo.Slug() != k.cfg.Repo || repo.ID == "" || repo.CloneURL == "" || repo.Branch == "" {
		t.Fatalf("repo %+v: want slug %s, an id, a clone url and a default branch", repo, k.cfg.Repo)
	}
	if repo.Perm == nil || !repo.Perm.Admin {
		t.Fatalf("repo %s: the fixture's user administers it, got perm %+v", k.cfg.Repo, repo.Perm)
	}
	if _, err := r.Repo(k.ctx(t), k.cfg.Creds, k.cfg.MissingRepo); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v, want core.ErrNotFound", err)
	}
}

func testRefAndFile(t *testing.T, k *kit) {
	r := k.remote(t)
	ctx := k.ctx(t)
	ref := k.cfg.Ref
	if ref == "" {
		repo, err := r.Repo(ctx, k.cfg.Creds, k.cfg.Repo)
		if err != nil {
			t.Fatal(err)
		}
		ref = repo.Branch
	}
	commit, err := r.Ref(ctx, k.cfg.Creds, k.cfg.Repo, ref)
	if err != nil || commit.SHA == "" {
		t.Fatalf("ref %s: %+v, %v", ref, commit, err)
	}
	b, err := r.File(ctx, k.cfg.Creds, k.cfg.Repo, commit.SHA, k.cfg.File)
	if err != nil {
		t.Fatalf("file %s at %s: %v", k.cfg.File, commit.SHA, err)
	}
	if !bytes.Equal(b, k.cfg.FileContent) {
		t.Fatalf("file %s is %q, want %q", k.cfg.File, b, k.cfg.FileContent)
	}
	if _, err := r.File(ctx, k.cfg.Creds, k.cfg.Repo, commit.SHA, "kit/does-not-exist.yml"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing file: %v, want core.ErrNotFound", err)
	}
}

func testNetrc(t *testing.T, k *kit) {
	n, err := k.remote(t).Netrc(k.ctx(t), k.cfg.Creds, k.cfg.Repo)
	if err != nil || n.Machine == "" || n.Password == "" {
		t.Fatalf("netrc %+v, %v: machine and password must be set", n, err)
	}
}

func testHooks(t *testing.T, k *kit) {
	r := k.remote(t)
	ctx := k.ctx(t)
	if err := r.Activate(ctx, k.cfg.Creds, k.cfg.Repo, k.cfg.HookURL, "kit-secret"); err != nil {
		t.Fatalf("activate: %v", err)
	}
	if err := r.Activate(ctx, k.cfg.Creds, k.cfg.Repo, k.cfg.HookURL, "kit-secret-2"); err != nil {
		t.Fatalf("activate again (replaces): %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := r.Deactivate(ctx, k.cfg.Creds, k.cfg.Repo, k.cfg.HookURL); err != nil {
			t.Fatalf("deactivate #%d (a missing hook is no error): %v", i+1, err)
		}
	}
}

func testWebhooks(t *testing.T, k *kit) {
	if len(k.cfg.Webhooks) == 0 {
		t.Fatal("the fixture has no webhooks: give at least a push")
	}
	r := k.remote(t)
	ctx := k.ctx(t)
	for _, w := range k.cfg.Webhooks {
		ev, err := r.ParseHook(ctx, w.Request)
		if err != nil {
			t.Fatalf("parse %s hook: %v", w.Want.Kind, err)
		}
		if ev.Kind != w.Want.Kind {
			t.Fatalf("parsed kind %q, want %q", ev.Kind, w.Want.Kind)
		}
		if w.Want.Repo != nil && (ev.Repo == nil || ev.Repo.Slug() != w.Want.Repo.Slug()) {
			t.Fatalf("%s hook: repo %+v, want %s", ev.Kind, ev.Repo, w.Want.Repo.Slug())
		}
		if w.Want.Commit != nil && (ev.Commit == nil || ev.Commit.After != w.Want.Commit.After || ev.Commit.Ref != w.Want.Commit.Ref) {
			t.Fatalf("%s hook: commit %+v, want ref %s after %s", ev.Kind, ev.Commit, w.Want.Commit.Ref, w.Want.Commit.After)
		}
		if err := r.VerifyHook(ctx, w.Request, w.Secret); err != nil {
			t.Fatalf("verify %s hook with its secret: %v", ev.Kind, err)
		}
		if err := r.VerifyHook(ctx, w.Request, w.Secret+"-wrong"); !errors.Is(err, core.ErrUnauthenticated) {
			t.Fatalf("verify with a wrong secret: %v, want core.ErrUnauthenticated", err)
		}
		tampered := &core.HookRequest{Headers: w.Request.Headers, Body: append(append([]byte(nil), w.Request.Body...), ' ')}
		if err := r.VerifyHook(ctx, tampered, w.Secret); !errors.Is(err, core.ErrUnauthenticated) {
			t.Fatalf("verify a tampered body: %v, want core.ErrUnauthenticated", err)
		}
		garbage := &core.HookRequest{Headers: w.Request.Headers, Body: []byte("{not json")}
		if _, err := r.ParseHook(ctx, garbage); !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("parse a malformed body: %v, want core.ErrInvalid", err)
		}
	}
}

func testStatus(t *testing.T, k *kit) {
	r := k.remote(t)
	ctx := k.ctx(t)
	commit, err := r.Ref(ctx, k.cfg.Creds, k.cfg.Repo, firstNonEmpty(k.cfg.Ref, "main"))
	sha := "0000000000000000000000000000000000000000"
	if err == nil {
		sha = commit.SHA
	}
	st := &core.CommitStatus{SHA: sha, State: core.StatusSuccess, Label: "drover/push", Desc: "kit", Target: "https://drover.test/kit/1"}
	if err := r.Status(ctx, k.cfg.Creds, k.cfg.Repo, st); err != nil {
		t.Fatalf("status: %v", err)
	}
	if err := r.Status(ctx, k.cfg.Creds, k.cfg.MissingRepo, st); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("status of a missing repo: %v, want core.ErrNotFound", err)
	}
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
