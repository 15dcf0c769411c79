package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// needE2E keeps the slow end-to-end tests to `make e2e` (DROVER_E2E=1):
// `make test` runs them skipped.
func needE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("DROVER_E2E") == "" {
		t.Skip("skipping: end-to-end test; run make e2e (or DROVER_E2E=1 go test ./e2e)")
	}
}

type repoView struct {
	Slug   string `json:"slug"`
	Active bool   `json:"active"`
}

// listRepos returns the slugs Drover lists for alice.
func (e *env) listRepos(t testing.TB, query string) map[string]bool {
	t.Helper()
	var list []repoView
	if code := e.drover(t, "GET", "/api/user/repos"+query, &list); code != 200 {
		t.Fatalf("list repositories = %d", code)
	}
	out := map[string]bool{}
	for _, r := range list {
		out[r.Slug] = true
	}
	return out
}

// waitFor polls cond every 50 ms until it holds or the deadline passes.
func waitFor(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestGiteaEndToEnd: a real Gitea and Drover with the Gitea plugin binary.
// OAuth2 login through Gitea's consent page; repositories and permissions
// listed through the syncer; activation installs the webhook; a git push
// over HTTP carrying a pipeline file is delivered by Gitea, builds green on
// the local engine, and its commit status shows in Gitea; a repository
// created afterwards is listed through Gitea's system webhook, without a
// sync.
func TestGiteaEndToEnd(t *testing.T) {
	needE2E(t)
	e := newEnv(t)
	ctx := context.Background()
	admin := e.gitea.Admin

	// Repositories before login: alice's own, and a private one she may only
	// read (Gitea lists read-only collaborations on public repositories to no one).
	e.giteaAs(t, e.token, "POST", "/api/v1/user/repos", map[string]any{"name": "demo", "auto_init": true, "default_branch": "main", "readme": "Default"}, nil)
	e.giteaAs(t, e.gitea.Token, "POST", "/api/v1/user/repos", map[string]any{"name": "shared", "auto_init": true, "default_branch": "main", "private": true}, nil)
	e.giteaAs(t, e.gitea.Token, "PUT", "/api/v1/repos/"+admin+"/shared/collaborators/"+e.user, map[string]any{"permission": "read"}, nil)

	e.loginGitea(t)
	e.loginDrover(t)
	user, err := e.app.Store.Users().FindLogin(ctx, "gitea", e.user)
	if err != nil || user.Creds.Token == "" || user.Creds.Refresh == "" || user.RemoteID == "" {
		t.Fatalf("drover user %+v, %v", user, err)
	}

	// Repositories and permissions, through the syncer.
	repos := e.listRepos(t, "?all=true&flush=true")
	if !repos[e.user+"/demo"] || !repos[admin+"/shared"] {
		t.Fatalf("listed %v", repos)
	}
	perm := func(slug string) *core.Perm {
		r, err := e.app.Store.Repos().FindSlug(ctx, "gitea", slug)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.app.Store.Perms().Find(ctx, user.ID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := perm(e.user + "/demo"); !p.Admin || !p.Push || !p.Pull {
		t.Fatalf("permission on demo %+v", p)
	}
	if p := perm(admin + "/shared"); !p.Pull || p.Push || p.Admin {
		t.Fatalf("permission on shared %+v", p)
	}
	// Activating needs admin on the repository.
	if code := e.drover(t, "POST", "/api/repos/"+admin+"/shared", nil); code != 403 {
		t.Fatalf("activating a read-only repository = %d", code)
	}

	// Activation installs the webhook in Gitea.
	if code := e.drover(t, "POST", "/api/repos/"+e.user+"/demo", nil); code != 200 {
		t.Fatalf("activate = %d", code)
	}
	var hooks []struct {
		Config map[string]string `json:"config"`
		Active bool              `json:"active"`
	}
	e.giteaAs(t, e.token, "GET", "/api/v1/repos/"+e.user+"/demo/hooks", nil, &hooks)
	if len(hooks) != 1 || hooks[0].Config["url"] != e.droverURL+"/hook/gitea" || !hooks[0].Active {
		t.Fatalf("gitea hooks %+v", hooks)
	}
	trust(t, e, e.user+"/demo")

	// A push carrying the pipeline file: webhook, build, status.
	stamps := t.TempDir()
	repo := e.clone(t, "demo")
	sha := commitAndPush(t, repo, "add the pipeline", map[string]string{".drone.yml": pipeline(stamps)})
	var build struct {
		Number int64       `json:"number"`
		Status core.Status `json:"status"`
		Event  string      `json:"event"`
		After  string      `json:"after"`
		Sender string      `json:"sender"`
		Error  string      `json:"error"`
	}
	waitFor(t, "a green build of "+sha, 90*time.Second, func() bool {
		var list []struct {
			Number int64  `json:"number"`
			After  string `json:"after"`
		}
		if e.drover(t, "GET", "/api/repos/"+e.user+"/demo/builds", &list) != 200 || len(list) == 0 || list[0].After != sha {
			return false
		}
		e.drover(t, "GET", "/api/repos/"+e.user+"/demo/builds/"+itoa(list[0].Number), &build)
		if build.Status.Done() && build.Status != core.StatusSuccess {
			t.Fatalf("build %+v", build)
		}
		return build.Status == core.StatusSuccess
	})
	if build.Event != core.EventPush || build.Sender != e.user {
		t.Fatalf("build %+v", build)
	}
	if _, err := os.Stat(filepath.Join(stamps, "stamp-"+itoa(build.Number))); err != nil {
		t.Fatalf("the step did not run: %v", err)
	}
	waitFor(t, "the commit status in gitea", 30*time.Second, func() bool {
		var statuses []struct {
			Context string `json:"context"`
			Status  string `json:"status"`
		}
		e.giteaAs(t, e.token, "GET", "/api/v1/repos/"+e.user+"/demo/statuses/"+sha, nil, &statuses)
		for _, s := range statuses {
			if s.Context == "drover/push" && s.Status == "success" {
				return true
			}
		}
		return false
	})

	// A private repository whose pipeline clones: the runner clones over
	// git-over-HTTP with the netrc of the activating user's OAuth2 token.
	e.giteaAs(t, e.token, "POST", "/api/v1/user/repos", map[string]any{"name": "private", "auto_init": true, "default_branch": "main", "private": true}, nil)
	e.listRepos(t, "?all=true&flush=true")
	if code := e.drover(t, "POST", "/api/repos/"+e.user+"/private", nil); code != 200 {
		t.Fatalf("activate private = %d", code)
	}
	trust(t, e, e.user+"/private")
	priv := e.clone(t, "private")
	cloning := "kind: pipeline\ntype: exec\nname: default\nsteps:\n- name: read\n  commands:\n  - grep -q cloned-content marker.txt\n"
	privSHA := commitAndPush(t, priv, "cloning pipeline", map[string]string{".drone.yml": cloning, "marker.txt": "cloned-content\n"})
	privRepo, err := e.app.Store.Repos().FindSlug(ctx, "gitea", e.user+"/private")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a green cloning build of the private repository", 90*time.Second, func() bool {
		b, err := e.app.Store.Builds().FindNumber(ctx, privRepo.ID, 1)
		if err != nil || !b.Status.Done() {
			return false
		}
		if b.Status != core.StatusSuccess || b.After != privSHA {
			t.Fatalf("cloning build %s %s (%s)", b.Status, b.Error, b.After)
		}
		return true
	})

	// The system webhook for repository events, with the secret Drover's
	// admin reads from Drover; then a new repository appears without a sync.
	var sys struct {
		URL    string   `json:"url"`
		Secret string   `json:"secret"`
		Events []string `json:"events"`
	}
	if code := e.droverAdmin(t, "GET", "/api/remotes/gitea/hook", &sys); code != 200 || sys.Secret == "" {
		t.Fatalf("system hook = %d %+v", code, sys)
	}
	e.giteaAs(t, e.gitea.Token, "POST", "/api/v1/admin/hooks", map[string]any{
		"type":   "gitea",
		"config": map[string]string{"url": sys.URL, "content_type": "json", "secret": sys.Secret, "is_system_webhook": "true"},
		"events": sys.Events, "active": true,
	}, nil)
	before, _ := e.app.Store.Users().Find(ctx, user.ID)
	e.giteaAs(t, e.token, "POST", "/api/v1/user/repos", map[string]any{"name": "fresh", "auto_init": true, "default_branch": "main"}, nil)
	waitFor(t, "alice/fresh listed through the repository event", 30*time.Second, func() bool {
		return e.listRepos(t, "?all=true")[e.user+"/fresh"]
	})
	after, _ := e.app.Store.Users().Find(ctx, user.ID)
	if !after.Synced.Equal(before.Synced) {
		t.Fatalf("a sync ran (synced %s → %s); the repository must come from the event", before.Synced, after.Synced)
	}
	if p := perm(e.user + "/fresh"); !p.Admin {
		t.Fatalf("permission on fresh %+v", p)
	}
	// Deleting it in Gitea hides it through the same system webhook.
	e.giteaAs(t, e.token, "DELETE", "/api/v1/repos/"+e.user+"/fresh", nil, nil)
	waitFor(t, "alice/fresh hidden through the repository event", 30*time.Second, func() bool {
		return !e.listRepos(t, "?all=true")[e.user+"/fresh"]
	})
}

// trust marks the repository trusted (an admin's decision), so that its
// exec pipelines may run on the local engine.
func trust(t testing.TB, e *env, slug string) {
	t.Helper()
	ctx := context.Background()
	r, err := e.app.Store.Repos().FindSlug(ctx, "gitea", slug)
	if err != nil {
		t.Fatal(err)
	}
	r.Trusted = true
	if err := e.app.Store.Repos().Update(ctx, r); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
