package gitlab_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
)

const hookURL = "http://127.0.0.1:8080/hook/gitlab"

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
		if h.URL == hookURL {
			mine = append(mine, h)
		}
	}
	if len(hooks) != 2 || len(mine) != 1 {
		t.Fatalf("hooks after activation: %+v", hooks)
	}
	if h := mine[0]; h.Token != "secret-2" || !h.PushEvents || !h.TagPushEvents || !h.MergeRequestsEvents {
		t.Fatalf("drover hook %+v", h)
	}
	if err := r.Deactivate(ctx, creds, fake.Slug, hookURL); err != nil {
		t.Fatal(err)
	}
	if hooks := srv.Hooks(fake.Slug); len(hooks) != 1 || hooks[0].URL == hookURL {
		t.Fatalf("hooks after deactivation: %+v", hooks)
	}
	if err := r.Deactivate(ctx, creds, fake.Slug, hookURL); err != nil {
		t.Fatalf("second deactivation: %v", err)
	}
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, "secret-3"); err != nil || len(srv.Hooks(fake.Slug)) != 2 {
		t.Fatalf("activate: %v %+v", err, srv.Hooks(fake.Slug))
	}
	if err := r.Activate(ctx, creds, "diaspora/missing", hookURL, "s"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, ""); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("no secret: %v", err)
	}
	_ = r.Deactivate(ctx, creds, fake.Slug, hookURL)
	srv.Fail("POST /api/v4/projects/diaspora%2Fdiaspora-project-site/hooks", 403, nil)
	if err := r.Activate(ctx, creds, fake.Slug, hookURL, "s"); !errors.Is(err, core.ErrForbidden) {
		t.Fatalf("forbidden: %v", err)
	}
}

func TestStatus(t *testing.T) {
	srv, r := setup(t)
	ctx := context.Background()
	tests := map[core.Status]string{
		core.StatusPending: "pending", core.StatusRunning: "running", core.StatusBlocked: "pending", core.StatusWaiting: "pending",
		core.StatusSuccess: "success", core.StatusFailure: "failed", core.StatusError: "failed",
		core.StatusKilled: "canceled", core.StatusSkipped: "skipped", core.StatusDeclined: "canceled",
	}
	for st, want := range tests {
		err := r.Status(ctx, creds, fake.Slug, &core.CommitStatus{SHA: fake.SHA, State: st, Label: "drover/push", Desc: "build " + string(st), Target: "http://127.0.0.1:8080/x/1"})
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		got := srv.Statuses()
		last := got[len(got)-1]
		if last.State != want || last.Name != "drover/push" || last.SHA != fake.SHA || last.Description != "build "+string(st) || last.Slug != fake.Slug {
			t.Fatalf("%s: posted %+v, want state %s", st, last, want)
		}
	}
	if err := r.Status(ctx, creds, "diaspora/missing", &core.CommitStatus{SHA: fake.SHA, State: core.StatusSuccess}); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
}

func request(event string, body []byte) *core.HookRequest {
	return &core.HookRequest{
		Headers: map[string][]string{"X-Gitlab-Event": {event}, "X-Gitlab-Event-Uuid": {"ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9"}},
		Body:    body,
	}
}

// patched returns the fixture with top-level or object_attributes fields set.
func patched(t *testing.T, name string, attrs map[string]any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fake.Fixture(name), &m); err != nil {
		t.Fatal(err)
	}
	oa, _ := m["object_attributes"].(map[string]any)
	for k, v := range attrs {
		if oa != nil {
			oa[k] = v
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func TestParseHook(t *testing.T) {
	_, r := setup(t)
	const mrSHA = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
	tests := []struct {
		name, event string
		body        []byte
		kind        string
		action      string
		check       func(*core.Event) bool
	}{
		{"push", "Push Hook", fake.Fixture("hook_push.json"), core.EventPush, "", func(e *core.Event) bool {
			c := e.Commit
			return c.Ref == "refs/heads/master" && c.After == mrSHA && c.Before == "95790bf891e76fee5e1747ab589903a6a1f80f22" &&
				c.Message == "fixed readme" && c.Author == "jsmith" && c.Email == "john@example.com" && c.Source == "master" &&
				e.Repo.ID == "15" && e.Repo.Slug() == "mike/diaspora" && e.Repo.CloneURL == "http://example.com/mike/diaspora.git" &&
				e.Repo.Visibility == "private" && e.Sender == "jsmith"
		}},
		{"tag", "Tag Push Hook", fake.Fixture("hook_tag_push.json"), core.EventTag, "", func(e *core.Event) bool {
			return e.Commit.Ref == "refs/tags/v1.0.0" && e.Commit.After == "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7" && e.Commit.Before == "" && e.Repo.Slug() == "jsmith/example"
		}},
		{"branch deleted", "Push Hook", patched(t, "hook_push.json", map[string]any{"after": "0000000000000000000000000000000000000000", "checkout_sha": nil}), core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
		{"tag deleted", "Tag Push Hook", patched(t, "hook_tag_push.json", map[string]any{"after": "0000000000000000000000000000000000000000", "checkout_sha": nil}), core.EventIgnored, "", nil},
		{"mr opened", "Merge Request Hook", fake.Fixture("hook_merge_request.json"), core.EventPullRequest, "opened", func(e *core.Event) bool {
			c := e.Commit
			return c.PR == 1 && c.Ref == "refs/merge-requests/1/head" && c.After == mrSHA && c.Source == "ms-viewport" && c.Target == "master" &&
				c.Fork == "awesome_space/awesome_project" && c.Message == "MS-Viewport" && c.Author == "root" && e.Repo.Slug() == "gitlabhq/gitlab-test" && e.Repo.Visibility == "public"
		}},
		{"mr synchronized", "Merge Request Hook", patched(t, "hook_merge_request.json", map[string]any{"action": "update", "oldrev": "ae1d9fb46aa2b07ee9836d49862ec4e2c46fbbba"}), core.EventPullRequest, "synchronized", nil},
		{"mr edited", "Merge Request Hook", patched(t, "hook_merge_request.json", map[string]any{"action": "update"}), core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
		{"mr reopened", "Merge Request Hook", patched(t, "hook_merge_request.json", map[string]any{"action": "reopen"}), core.EventPullRequest, "reopened", nil},
		{"mr closed", "Merge Request Hook", patched(t, "hook_merge_request.json", map[string]any{"action": "close"}), core.EventPullRequest, "closed", nil},
		{"mr merged", "Merge Request Hook", patched(t, "hook_merge_request.json", map[string]any{"action": "merge"}), core.EventPullRequest, "closed", nil},
		{"mr approved", "Merge Request Hook", patched(t, "hook_merge_request.json", map[string]any{"action": "approved"}), core.EventIgnored, "", nil},
		{"project created", "System Hook", fake.Fixture("system_project_create.json"), core.EventRepo, core.ActionCreated, func(e *core.Event) bool {
			return e.Repo.ID == "74" && e.Repo.Slug() == "jsmith/storecloud" && e.Repo.Private
		}},
		{"project destroyed", "System Hook", fake.Fixture("system_project_destroy.json"), core.EventRepo, core.ActionDeleted, func(e *core.Event) bool { return e.Repo.ID == "73" }},
		{"project renamed", "System Hook", fake.Fixture("system_project_rename.json"), core.EventRepo, core.ActionRenamed, func(e *core.Event) bool {
			return e.OldSlug == "jsmith/overscore" && e.Repo.Slug() == "jsmith/underscore"
		}},
		{"project transferred", "System Hook", fake.Fixture("system_project_transfer.json"), core.EventRepo, core.ActionTransferred, func(e *core.Event) bool {
			return e.OldSlug == "jsmith/overscore" && e.Repo.Slug() == "scores/underscore"
		}},
		{"system other", "System Hook", []byte(`{"event_name":"user_create","name":"John"}`), core.EventIgnored, "", nil},
		{"issue", "Issue Hook", fake.Fixture("hook_issue.json"), core.EventIgnored, "", func(e *core.Event) bool { return e.Reason != "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := r.ParseHook(context.Background(), request(tt.event, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != tt.kind || ev.Action != tt.action || ev.Delivery != "ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9" {
				t.Fatalf("event %+v, want kind %s action %q", ev, tt.kind, tt.action)
			}
			if tt.check != nil && !tt.check(ev) {
				t.Fatalf("event %+v (commit %+v, repo %+v)", ev, ev.Commit, ev.Repo)
			}
		})
	}
	req := request("Push Hook", fake.Fixture("hook_push.json"))
	req.Headers["Idempotency-Key"] = []string{"key-1"}
	if ev, err := r.ParseHook(context.Background(), req); err != nil || ev.Delivery != "key-1" {
		t.Fatalf("idempotency key: %+v %v", ev, err)
	}
}

func TestParseHookRejectsMalformed(t *testing.T) {
	_, r := setup(t)
	ctx := context.Background()
	events := []string{"Push Hook", "Tag Push Hook", "Merge Request Hook", "System Hook", "Issue Hook"}
	for _, event := range events {
		for _, body := range [][]byte{nil, []byte("{"), []byte(`"a string"`), []byte("<html>")} {
			if _, err := r.ParseHook(ctx, request(event, body)); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("%s %q: got %v, want invalid", event, body, err)
			}
		}
	}
	if _, err := r.ParseHook(ctx, &core.HookRequest{Body: fake.Fixture("hook_push.json")}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("no event header: %v", err)
	}
	if _, err := r.ParseHook(ctx, request("Push Hook", []byte(`{"ref":"refs/heads/x"}`))); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("no project: %v", err)
	}
	if _, err := r.ParseHook(ctx, request("System Hook", []byte(`{"event_name":"project_create"}`))); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("system hook without project: %v", err)
	}
	for _, name := range []string{"hook_push.json", "hook_merge_request.json", "system_project_rename.json"} {
		body := fake.Fixture(name)
		for i := 0; i < len(body); i += 7 {
			for _, event := range events {
				_, _ = r.ParseHook(ctx, request(event, body[:i]))
			}
		}
	}
}

func TestVerifyHook(t *testing.T) {
	_, r := setup(t)
	ctx := context.Background()
	body := fake.Fixture("hook_push.json")
	good := request("Push Hook", body)
	good.Headers["X-Gitlab-Token"] = []string{"s3cret"}
	if err := r.VerifyHook(ctx, good, "s3cret"); err != nil {
		t.Fatalf("good token: %v", err)
	}
	lower := &core.HookRequest{Headers: map[string][]string{"x-gitlab-token": {"s3cret"}}, Body: body}
	if err := r.VerifyHook(ctx, lower, "s3cret"); err != nil {
		t.Fatalf("lower-case header: %v", err)
	}
	tests := map[string]struct{ token, secret string }{
		"wrong token": {"other", "s3cret"},
		"prefix":      {"s3cre", "s3cret"},
		"missing":     {"", "s3cret"},
		"no secret":   {"", ""},
	}
	signed := func(body []byte, secret string) *core.HookRequest {
		req := request("Push Hook", body)
		req.Headers["Webhook-Id"] = []string{"ab2c5e8f"}
		req.Headers["Webhook-Timestamp"] = []string{"1700000000"}
		req.Headers["Webhook-Signature"] = []string{"v1," + gitlab.Sign("ab2c5e8f", "1700000000", body, secret)}
		return req
	}
	if err := r.VerifyHook(ctx, signed(body, "s3cret"), "s3cret"); err != nil {
		t.Fatalf("signed: %v", err)
	}
	if err := r.VerifyHook(ctx, signed(body, "whsec_c2VjcmV0"), "whsec_c2VjcmV0"); err != nil {
		t.Fatalf("signed with a whsec_ key: %v", err)
	}
	tampered := signed(body, "s3cret")
	tampered.Body = append([]byte(" "), body...)
	noID := signed(body, "s3cret")
	delete(noID.Headers, "Webhook-Id")
	for name, req := range map[string]*core.HookRequest{"tampered": tampered, "other secret": signed(body, "other"), "no id": noID} {
		if err := r.VerifyHook(ctx, req, "s3cret"); !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("signed, %s: got %v, want unauthenticated", name, err)
		}
	}
	for name, tt := range tests {
		req := request("Push Hook", body)
		if tt.token != "" {
			req.Headers["X-Gitlab-Token"] = []string{tt.token}
		}
		if err := r.VerifyHook(ctx, req, tt.secret); !errors.Is(err, core.ErrUnauthenticated) {
			t.Errorf("%s: got %v, want unauthenticated", name, err)
		}
	}
}
