package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/api"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func pushEvent(slug, delivery, message string) *core.Event {
	owner, name, _ := strings.Cut(slug, "/")
	return &core.Event{Kind: core.EventPush, Delivery: delivery, Sender: "octo",
		Repo:   &core.RemoteRepo{ID: "r-" + slug, Owner: owner, Name: name},
		Commit: &core.Hook{Ref: "refs/heads/main", After: sha, Source: "main", Target: "main", Message: message, Author: "octo"}}
}

func (f *remoteFixture) builds(t *testing.T, slug string) []*core.Build {
	t.Helper()
	repo, err := f.store.Repos().FindSlug(context.Background(), "fake", slug)
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.store.Builds().List(context.Background(), repo.ID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestHookPushBuildsOnceAndChecksSignature(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	secret := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)

	code, out := f.sendHook(t, "fake", remotetest.Hook(pushEvent("acme/app", "d-1", "change"), secret))
	if code != 200 || out["build"] != float64(1) {
		t.Fatalf("push = %d %v", code, out)
	}
	b := f.builds(t, "acme/app")
	if len(b) != 1 || b[0].Event != core.EventPush || b[0].After != sha || b[0].Ref != "refs/heads/main" ||
		b[0].Target != "main" || b[0].Message != "change" || b[0].Sender != "octo" || b[0].Author != "octo" {
		t.Fatalf("builds %+v", b)
	}
	// The same delivery again: 2xx, no second build.
	code, out = f.sendHook(t, "fake", remotetest.Hook(pushEvent("acme/app", "d-1", "change"), secret))
	if code != 200 || out["ignored"] == nil || len(f.builds(t, "acme/app")) != 1 {
		t.Fatalf("redelivery = %d %v; %d builds", code, out, len(f.builds(t, "acme/app")))
	}
	// Wrong and missing signatures: 401, nothing built.
	wrong := remotetest.Hook(pushEvent("acme/app", "d-2", "x"), "not-the-secret")
	missing := remotetest.Hook(pushEvent("acme/app", "d-3", "x"), secret)
	delete(missing.Headers, remotetest.HeaderSignature)
	for name, hr := range map[string]*core.HookRequest{"wrong": wrong, "missing": missing} {
		if code, out := f.sendHook(t, "fake", hr); code != 401 {
			t.Errorf("%s signature = %d %v", name, code, out)
		}
	}
	// [ci skip]: 2xx, skipped.
	skip := pushEvent("acme/app", "d-4", "docs [ci skip]")
	skip.Commit.After = "f0" + sha[2:] // another commit: the same one again would be a replay
	code, out = f.sendHook(t, "fake", remotetest.Hook(skip, secret))
	if code != 200 || out["skipped"] == nil {
		t.Fatalf("[ci skip] = %d %v", code, out)
	}
	if n := len(f.builds(t, "acme/app")); n != 1 {
		t.Fatalf("%d builds, want 1", n)
	}
}

func TestHookEventKinds(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	secret := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	repo := &core.RemoteRepo{ID: "r-acme/app", Owner: "acme", Name: "app"}
	tag := &core.Event{Kind: core.EventTag, Delivery: "t1", Repo: repo, Sender: "octo",
		Commit: &core.Hook{Ref: "refs/tags/v1", After: sha, Message: "v1"}}
	pr := func(action, delivery string) *core.Event {
		return &core.Event{Kind: core.EventPullRequest, Action: action, Delivery: delivery, Repo: repo, Sender: "octo",
			Commit: &core.Hook{Ref: "refs/pull/7/head", After: sha, Source: "feature", Target: "main", PR: 7, Message: "feat"}}
	}
	tests := []struct {
		name  string
		ev    *core.Event
		key   string // the answer's field that must be set
		event string // the build's event, when one is made
	}{
		{"tag", tag, "build", core.EventTag},
		{"pull request opened", pr("opened", "p1"), "build", core.EventPullRequest},
		{"pull request synchronized", pr("synchronized", "p2"), "build", core.EventPullRequest},
		{"pull request reopened", pr("reopened", "p3"), "build", core.EventPullRequest},
		{"pull request closed", pr("closed", "p4"), "ignored", ""},
		{"ignored kind", &core.Event{Kind: core.EventIgnored, Reason: "star"}, "ignored", ""},
		{"push to an unknown repository", pushEvent("acme/unknown", "u1", "x"), "ignored", ""},
	}
	for _, tt := range tests {
		before := len(f.builds(t, "acme/app"))
		code, out := f.sendHook(t, "fake", remotetest.Hook(tt.ev, secret))
		if code != 200 || out[tt.key] == nil {
			t.Errorf("%s = %d %v, want 200 with %q", tt.name, code, out, tt.key)
			continue
		}
		list := f.builds(t, "acme/app")
		switch {
		case tt.event == "" && len(list) != before:
			t.Errorf("%s made a build", tt.name)
		case tt.event != "" && (len(list) != before+1 || list[0].Event != tt.event):
			t.Errorf("%s: builds %d → %d, newest %+v", tt.name, before, len(list), list[0])
		}
	}
	if b := f.builds(t, "acme/app")[1]; b.Source != "feature" || b.Target != "main" || b.Action != "synchronized" {
		t.Errorf("pull request build %+v", b)
	}
	// No event header: the fake ignores it; a malformed body is 400; an unknown remote 404.
	if code, _ := f.sendHook(t, "fake", &core.HookRequest{Body: []byte("{}")}); code != 200 {
		t.Errorf("headerless = %d", code)
	}
	bad := &core.HookRequest{Headers: map[string][]string{remotetest.HeaderEvent: {"push"}}, Body: []byte("{not json")}
	if code, _ := f.sendHook(t, "fake", bad); code != 400 {
		t.Errorf("malformed = %d", code)
	}
	if code, _ := f.sendHook(t, "nope", remotetest.Hook(tag, secret)); code != 404 {
		t.Errorf("unknown remote = %d", code)
	}
	// A remote that is down is 503, not 500.
	f.fake.Lock()
	f.fake.Err = func(string) error { return core.Errorf(core.CodeUnavailable, "down") }
	f.fake.Unlock()
	if code, _ := f.sendHook(t, "fake", remotetest.Hook(tag, secret)); code != 503 {
		t.Errorf("remote down = %d", code)
	}
}

func TestHookInactiveRepoIgnored(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	secret := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	w := f.serve(t, request{method: "DELETE", path: "/api/repos/acme/app", cookies: []*http.Cookie{session, csrf}, headers: map[string]string{api.CSRFHeader: csrf.Value}})
	if w.Code != 200 {
		t.Fatalf("deactivate = %d %s", w.Code, w.Body)
	}
	code, out := f.sendHook(t, "fake", remotetest.Hook(pushEvent("acme/app", "d-1", "x"), secret))
	if code != 200 || out["ignored"] == nil || len(f.builds(t, "acme/app")) != 0 {
		t.Fatalf("push to an inactive repository = %d %v", code, out)
	}
}

func TestHookRepositoryEvents(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, _ := f.login(t, "tok", "octo")
	list := func() string {
		w := f.serve(t, request{method: "GET", path: "/api/user/repos?all=true", cookies: []*http.Cookie{session}})
		return w.Body.String()
	}
	list() // first sync (nothing yet)
	rr := f.fake.AddRepo("tok", "octo/new", core.Perm{Pull: true, Push: true, Admin: true})
	created := &core.Event{Kind: core.EventRepo, Action: core.ActionCreated, Delivery: "r1", Repo: rr, Sender: "octo"}
	system := api.SystemHookSecret(serverKey, "fake")
	if code, _ := f.sendHook(t, "fake", remotetest.Hook(created, "wrong")); code != 401 {
		t.Fatalf("repository event with a wrong signature = %d", code)
	}
	if strings.Contains(list(), "octo/new") {
		t.Fatal("listed before the event")
	}
	code, out := f.sendHook(t, "fake", remotetest.Hook(created, system))
	if code != 200 || out["applied"] != "created" {
		t.Fatalf("created = %d %v", code, out)
	}
	if !strings.Contains(list(), "octo/new") {
		t.Fatalf("not listed after the created event (no sync): %s", list())
	}
	if n := f.fake.RequestCount("Repos"); n != 1 {
		t.Fatalf("%d listings of the remote; the event must not sync", n)
	}
	deleted := &core.Event{Kind: core.EventRepo, Action: core.ActionDeleted, Delivery: "r2", Repo: rr, Sender: "octo"}
	if code, out := f.sendHook(t, "fake", remotetest.Hook(deleted, system)); code != 200 || out["applied"] != "deleted" {
		t.Fatalf("deleted = %d %v", code, out)
	}
	if strings.Contains(list(), "octo/new") {
		t.Fatal("still listed after the deleted event")
	}
	// An active repository's own hook signs its repository events with
	// the repository's secret.
	session2, csrf := f.login(t, "tok", "octo")
	secret := f.activeRepo(t, session2, csrf, "tok", "acme/app", sha)
	appRepo := &core.RemoteRepo{ID: "r-acme/app", Owner: "acme", Name: "app"}
	gone := &core.Event{Kind: core.EventRepo, Action: core.ActionDeleted, Repo: appRepo, Sender: "octo"}
	if code, out := f.sendHook(t, "fake", remotetest.Hook(gone, secret)); code != 200 || out["applied"] != "deleted" {
		t.Fatalf("deleted with the repository's secret = %d %v", code, out)
	}
	if r, err := f.store.Repos().FindRemoteID(context.Background(), "fake", "r-acme/app"); err != nil || !r.Gone {
		t.Fatalf("not marked gone: %+v %v", r, err)
	}
	odd := &core.Event{Kind: core.EventRepo, Action: "archived", Repo: rr}
	if code, out := f.sendHook(t, "fake", remotetest.Hook(odd, system)); code != 200 || out["ignored"] == nil {
		t.Fatalf("unknown action = %d %v", code, out)
	}
	// Admins read the system hook's URL and secret; others may not.
	w := f.serve(t, request{method: "GET", path: "/api/remotes/fake/hook", headers: map[string]string{"Authorization": "Bearer " + f.token}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), system) || !strings.Contains(w.Body.String(), hookURL) {
		t.Fatalf("system hook = %d %s", w.Code, w.Body)
	}
	if w := f.serve(t, request{method: "GET", path: "/api/remotes/fake/hook", cookies: []*http.Cookie{session}}); w.Code != 403 {
		t.Fatalf("system hook as a user = %d", w.Code)
	}
}

func TestHookTooLarge(t *testing.T) {
	f := newRemoteFixture(t, false)
	big := &core.HookRequest{Headers: map[string][]string{remotetest.HeaderEvent: {"push"}}, Body: []byte(strings.Repeat("x", api.MaxBodyBytes+1))}
	if code, _ := f.sendHook(t, "fake", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized webhook = %d", code)
	}
}
