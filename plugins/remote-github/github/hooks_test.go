package github_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-github/fake"
)

const hookURL = "http://127.0.0.1:8080/hook/github"

func TestActivateDeactivate(t *testing.T) {
	srv, r := setup(t)
	ctx := context.Background()
	srv.AddHook(fake.Slug, "http://127.0.0.1:9999/other")
	srv.AddHook(fake.Slug, hookURL) // a stale Drover hook, and a duplicate
	srv.AddHook(fake.Slug, hookURL)
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, "secret-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, "secret-2"); err != nil {
		t.Fatal(err)
	}
	hooks := srv.Hooks(fake.Slug)
	var mine []fake.Hook
	for _, h := range hooks {
		if h.Config["url"] == hookURL {
			mine = append(mine, h)
		}
	}
	if len(hooks) != 2 || len(mine) != 1 {
		t.Fatalf("hooks after activation: %+v", hooks)
	}
	if h := mine[0]; h.Config["secret"] != "secret-2" || h.Config["content_type"] != "json" || !h.Active || len(h.Events) == 0 {
		t.Fatalf("drover hook %+v", h)
	}
	if err := r.Deactivate(ctx, creds, fake.Slug, hookURL); err != nil {
		t.Fatal(err)
	}
	if hooks := srv.Hooks(fake.Slug); len(hooks) != 1 || hooks[0].Config["url"] == hookURL {
		t.Fatalf("hooks after deactivation: %+v", hooks)
	}
	if err := r.Deactivate(ctx, creds, fake.Slug, hookURL); err != nil {
		t.Fatalf("second deactivation: %v", err)
	}
	// A fresh activation creates the hook.
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, "secret-3"); err != nil || len(srv.Hooks(fake.Slug)) != 2 {
		t.Fatalf("activate: %v %+v", err, srv.Hooks(fake.Slug))
	}
	if err := r.Activate(ctx, creds, "octocat/missing", hookURL, "s"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, ""); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("no secret: %v", err)
	}
	srv.Fail("POST /api/v3/repos/octocat/Hello-World/hooks", 403, nil)
	_ = r.Deactivate(ctx, creds, fake.Slug, hookURL)
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, "s"); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("forbidden: %v", err)
	}
}

func TestStatus(t *testing.T) {
	srv, r := setup(t)
	ctx := context.Background()
	tests := map[core.Status]string{
		core.StatusPending: "pending", core.StatusRunning: "pending", core.StatusBlocked: "pending",
		core.StatusSuccess: "success", core.StatusFailure: "failure", core.StatusError: "error",
		core.StatusKilled: "error", core.StatusSkipped: "success", core.StatusDeclined: "error", core.StatusWaiting: "pending",
	}
	for st, want := range tests {
		err := r.Status(ctx, creds, fake.Slug, &core.CommitStatus{SHA: fake.SHA, State: st, Label: "drover/push", Desc: "build " + string(st), Target: "http://127.0.0.1:8080/octocat/Hello-World/1"})
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		got := srv.Statuses()
		last := got[len(got)-1]
		if last.State != want || last.Context != "drover/push" || last.SHA != fake.SHA || last.Description != "build "+string(st) {
			t.Fatalf("%s: posted %+v, want state %s", st, last, want)
		}
	}
	if err := r.Status(ctx, creds, "octocat/missing", &core.CommitStatus{SHA: fake.SHA, State: core.StatusSuccess}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing repo: %v", err)
	}
}

func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func request(event string, body []byte) *core.HookRequest {
	return &core.HookRequest{
		Headers: map[string][]string{"X-GitHub-Event": {event}, "X-GitHub-Delivery": {"72d3162e-cc78-11e3-81ab-4c9367dc0958"}},
		Body:    body,
	}
}

// withAction returns the fixture with its "action" replaced.
func withAction(t *testing.T, name, action string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fake.Fixture(name), &m); err != nil {
		t.Fatal(err)
	}
	m["action"] = action
	b, _ := json.Marshal(m)
	return b
}

func TestParseHook(t *testing.T) {
	_, r := setup(t)
	deleted := func() []byte {
		var m map[string]any
		_ = json.Unmarshal(fake.Fixture("hook_push.json"), &m)
		m["after"] = "0000000000000000000000000000000000000000"
		m["deleted"] = true
		b, _ := json.Marshal(m)
		return b
	}()
	const pushSHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	withChanges := func(action string, changes map[string]any) []byte {
		var m map[string]any
		_ = json.Unmarshal(fake.Fixture("hook_repository.json"), &m)
		m["action"] = action
		if changes != nil {
			m["changes"] = changes
		}
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name, event string
		body        []byte
		kind        string
		action      string
		check       func(*core.Event) bool
	}{
		{"push", "push", fake.Fixture("hook_push.json"), core.EventPush, "", func(e *core.Event) bool {
			c := e.Commit
			return c.Ref == "refs/heads/master" && c.After == pushSHA && c.Before == "4544205a385319fd846d5df4ed2e3b8173529d78" &&
				c.Message == "Update README.md" && c.Author == "Codertocat" && c.Email == "21031067+Codertocat@users.noreply.github.com" && c.Source == "master" &&
				e.Repo.ID == "186853002" && e.Repo.Slug() == "Codertocat/Hello-World" && e.Repo.CloneURL == "https://github.com/Codertocat/Hello-World.git" && e.Sender == "Codertocat"
		}},
		{"tag", "push", fake.Fixture("hook_push_tag.json"), core.EventTag, "", func(e *core.Event) bool {
			return e.Commit.Ref == "refs/tags/simple-tag" && e.Commit.After == pushSHA && e.Commit.Before == "" && e.Commit.Author == "Codertocat"
		}},
		{"branch deleted", "push", deleted, core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
		{"pr opened", "pull_request", withAction(t, "hook_pull_request.json", "opened"), core.EventPullRequest, "opened", func(e *core.Event) bool {
			c := e.Commit
			return c.PR == 2 && c.Ref == "refs/pull/2/head" && c.After == "ec26c3e57ca3a959ca5aad62de7213c562f8c821" && c.Source == "changes" && c.Target == "master" &&
				c.Fork == "Codertocat/Hello-World-fork" && c.Message == "Update the README with new information." && c.Author == "Codertocat" && e.Repo.Slug() == "Codertocat/Hello-World"
		}},
		{"pr synchronize", "pull_request", withAction(t, "hook_pull_request.json", "synchronize"), core.EventPullRequest, "synchronized", nil},
		{"pr reopened", "pull_request", withAction(t, "hook_pull_request.json", "reopened"), core.EventPullRequest, "reopened", nil},
		{"pr closed", "pull_request", withAction(t, "hook_pull_request.json", "closed"), core.EventPullRequest, "closed", nil},
		{"pr edited", "pull_request", withAction(t, "hook_pull_request.json", "edited"), core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
		{"repo created", "repository", withChanges("created", nil), core.EventRepo, core.ActionCreated, func(e *core.Event) bool { return e.Repo.ID == "186853002" }},
		{"repo deleted", "repository", withChanges("deleted", nil), core.EventRepo, core.ActionDeleted, func(e *core.Event) bool { return e.Repo.Slug() == "Codertocat/Hello-World" }},
		{"repo renamed", "repository", withChanges("renamed", map[string]any{"repository": map[string]any{"name": map[string]any{"from": "Old-World"}}}), core.EventRepo, core.ActionRenamed,
			func(e *core.Event) bool {
				return e.OldSlug == "Codertocat/Old-World" && e.Repo.Slug() == "Codertocat/Hello-World"
			}},
		{"repo transferred", "repository", withChanges("transferred", map[string]any{"owner": map[string]any{"from": map[string]any{"user": map[string]any{"login": "monalisa", "id": 2}}}}), core.EventRepo, core.ActionTransferred,
			func(e *core.Event) bool { return e.OldSlug == "monalisa/Hello-World" }},
		{"repo publicized", "repository", fake.Fixture("hook_repository.json"), core.EventRepo, core.ActionVisibility, nil},
		{"repo archived", "repository", withChanges("archived", nil), core.EventIgnored, "", nil},
		{"ping", "ping", fake.Fixture("hook_ping.json"), core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
		{"issues", "issues", fake.Fixture("hook_issues.json"), core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := r.ParseHook(context.Background(), request(tt.event, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != tt.kind || ev.Action != tt.action || ev.Delivery != "72d3162e-cc78-11e3-81ab-4c9367dc0958" {
				t.Fatalf("event %+v, want kind %s action %q", ev, tt.kind, tt.action)
			}
			if tt.check != nil && !tt.check(ev) {
				t.Fatalf("event %+v (commit %+v, repo %+v)", ev, ev.Commit, ev.Repo)
			}
		})
	}
}

func TestParseHookRejectsMalformed(t *testing.T) {
	_, r := setup(t)
	ctx := context.Background()
	for _, event := range []string{"push", "pull_request", "repository", "issues", "ping"} {
		for _, body := range [][]byte{nil, []byte("{"), []byte(`"a string"`), []byte("<html>")} {
			if _, err := r.ParseHook(ctx, request(event, body)); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("%s %q: got %v, want invalid", event, body, err)
			}
		}
	}
	if _, err := r.ParseHook(ctx, &core.HookRequest{Body: fake.Fixture("hook_push.json")}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("no event header: %v", err)
	}
	if _, err := r.ParseHook(ctx, request("push", []byte(`{"ref":"refs/heads/x"}`))); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("no repository: %v", err)
	}
	// Every prefix of every fixture parses or fails cleanly: no panic.
	for _, name := range []string{"hook_push.json", "hook_pull_request.json", "hook_repository.json"} {
		body := fake.Fixture(name)
		for i := 0; i < len(body); i += 7 {
			for _, event := range []string{"push", "pull_request", "repository"} {
				_, _ = r.ParseHook(ctx, request(event, body[:i]))
			}
		}
	}
}

func TestVerifyHook(t *testing.T) {
	_, r := setup(t)
	ctx := context.Background()
	body := fake.Fixture("hook_push.json")
	good := request("push", body)
	good.Headers["X-Hub-Signature-256"] = []string{sign(body, "s3cret")}
	if err := r.VerifyHook(ctx, good, "s3cret"); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	lower := &core.HookRequest{Headers: map[string][]string{"x-hub-signature-256": {sign(body, "s3cret")}}, Body: body}
	if err := r.VerifyHook(ctx, lower, "s3cret"); err != nil {
		t.Fatalf("lower-case header: %v", err)
	}
	tests := map[string]struct {
		sig, secret string
	}{
		"wrong secret":  {sign(body, "other"), "s3cret"},
		"missing":       {"", "s3cret"},
		"not hex":       {"sha256=zz", "s3cret"},
		"sha1 only":     {"sha1=" + strings.Repeat("0", 40), "s3cret"},
		"no secret":     {sign(body, ""), ""},
		"tampered body": {sign(append([]byte(" "), body...), "s3cret"), "s3cret"},
	}
	for name, tt := range tests {
		req := request("push", body)
		if tt.sig != "" {
			req.Headers["X-Hub-Signature-256"] = []string{tt.sig}
		}
		if err := r.VerifyHook(ctx, req, tt.secret); !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("%s: got %v, want unauthenticated", name, err)
		}
	}
}
