package gitlab_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
)

func TestActivateDeactivate(t *testing.T) {
	srv, e := setup(t)
	kittest.ActivateDeactivate(t, e, kittest.Webhooks{
		Add: func(url string) { srv.AddHook(fake.Slug, url) },
		URLs: func() (urls []string) {
			for _, h := range srv.Hooks(fake.Slug) {
				urls = append(urls, h.URL)
			}
			return urls
		},
		Drover: func(secret string) bool {
			for _, h := range srv.Hooks(fake.Slug) {
				if h.URL == kittest.HookURL("gitlab") {
					return h.Token == secret && h.PushEvents && h.TagPushEvents && h.MergeRequestsEvents
				}
			}
			return false
		},
		FailCreate: func() { srv.Fail("POST /api/v4/projects/diaspora%2Fdiaspora-project-site/hooks", 403, nil) },
	})
}

func TestStatus(t *testing.T) {
	srv, e := setup(t)
	last := func() kittest.Posted {
		got := srv.Statuses()
		s := got[len(got)-1]
		return kittest.Posted{Slug: s.Slug, SHA: s.SHA, State: s.State, Label: s.Name, Description: s.Description}
	}
	kittest.Statuses(t, e, last, map[core.Status]string{
		core.StatusPending: "pending", core.StatusRunning: "running", core.StatusBlocked: "pending", core.StatusWaiting: "pending",
		core.StatusSuccess: "success", core.StatusFailure: "failed", core.StatusError: "failed",
		core.StatusKilled: "canceled", core.StatusSkipped: "skipped", core.StatusDeclined: "canceled",
	})
}

const delivery = "ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9"

var request = kittest.Requests("X-Gitlab-Event", "X-Gitlab-Event-Uuid", delivery)

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
	_, e := setup(t)
	const mrSHA = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
	kittest.ParseHooks(t, e, request, delivery, []kittest.ParseCase{
		{Name: "push", Event: "Push Hook", Body: fake.Fixture("hook_push.json"), Kind: core.EventPush, Check: func(e *core.Event) bool {
			c := e.Commit
			return c.Ref == "refs/heads/master" && c.After == mrSHA && c.Before == "95790bf891e76fee5e1747ab589903a6a1f80f22" &&
				c.Message == "fixed readme" && c.Author == "jsmith" && c.Email == "john@example.com" && c.Source == "master" &&
				e.Repo.ID == "15" && e.Repo.Slug() == "mike/diaspora" && e.Repo.CloneURL == "http://example.com/mike/diaspora.git" &&
				e.Repo.Visibility == "private" && e.Sender == "jsmith"
		}},
		{Name: "tag", Event: "Tag Push Hook", Body: fake.Fixture("hook_tag_push.json"), Kind: core.EventTag, Check: func(e *core.Event) bool {
			return e.Commit.Ref == "refs/tags/v1.0.0" && e.Commit.After == "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7" && e.Commit.Before == "" && e.Repo.Slug() == "jsmith/example"
		}},
		{Name: "branch deleted", Event: "Push Hook", Body: patched(t, "hook_push.json", map[string]any{"after": "0000000000000000000000000000000000000000", "checkout_sha": nil}), Kind: core.EventIgnored, Check: func(e *core.Event) bool { return e.Reason != "" }},
		{Name: "tag deleted", Event: "Tag Push Hook", Body: patched(t, "hook_tag_push.json", map[string]any{"after": "0000000000000000000000000000000000000000", "checkout_sha": nil}), Kind: core.EventIgnored},
		{Name: "mr opened", Event: "Merge Request Hook", Body: fake.Fixture("hook_merge_request.json"), Kind: core.EventPullRequest, Action: "opened", Check: func(e *core.Event) bool {
			c := e.Commit
			return c.PR == 1 && c.Ref == "refs/merge-requests/1/head" && c.After == mrSHA && c.Source == "ms-viewport" && c.Target == "master" &&
				c.Fork == "awesome_space/awesome_project" && c.Message == "MS-Viewport" && c.Author == "root" && e.Repo.Slug() == "gitlabhq/gitlab-test" && e.Repo.Visibility == "public"
		}},
		{Name: "mr synchronized", Event: "Merge Request Hook", Body: patched(t, "hook_merge_request.json", map[string]any{"action": "update", "oldrev": "ae1d9fb46aa2b07ee9836d49862ec4e2c46fbbba"}), Kind: core.EventPullRequest, Action: "synchronized"},
		{Name: "mr edited", Event: "Merge Request Hook", Body: patched(t, "hook_merge_request.json", map[string]any{"action": "update"}), Kind: core.EventIgnored, Check: func(e *core.Event) bool { return e.Reason != "" }},
		{Name: "mr reopened", Event: "Merge Request Hook", Body: patched(t, "hook_merge_request.json", map[string]any{"action": "reopen"}), Kind: core.EventPullRequest, Action: "reopened"},
		{Name: "mr closed", Event: "Merge Request Hook", Body: patched(t, "hook_merge_request.json", map[string]any{"action": "close"}), Kind: core.EventPullRequest, Action: "closed"},
		{Name: "mr merged", Event: "Merge Request Hook", Body: patched(t, "hook_merge_request.json", map[string]any{"action": "merge"}), Kind: core.EventPullRequest, Action: "closed"},
		{Name: "mr approved", Event: "Merge Request Hook", Body: patched(t, "hook_merge_request.json", map[string]any{"action": "approved"}), Kind: core.EventIgnored},
		{Name: "project created", Event: "System Hook", Body: fake.Fixture("system_project_create.json"), Kind: core.EventRepo, Action: core.ActionCreated, Check: func(e *core.Event) bool {
			return e.Repo.ID == "74" && e.Repo.Slug() == "jsmith/storecloud" && e.Repo.Private
		}},
		{Name: "project destroyed", Event: "System Hook", Body: fake.Fixture("system_project_destroy.json"), Kind: core.EventRepo, Action: core.ActionDeleted, Check: func(e *core.Event) bool { return e.Repo.ID == "73" }},
		{Name: "project renamed", Event: "System Hook", Body: fake.Fixture("system_project_rename.json"), Kind: core.EventRepo, Action: core.ActionRenamed, Check: func(e *core.Event) bool {
			return e.OldSlug == "jsmith/overscore" && e.Repo.Slug() == "jsmith/underscore"
		}},
		{Name: "project transferred", Event: "System Hook", Body: fake.Fixture("system_project_transfer.json"), Kind: core.EventRepo, Action: core.ActionTransferred, Check: func(e *core.Event) bool {
			return e.OldSlug == "jsmith/overscore" && e.Repo.Slug() == "scores/underscore"
		}},
		{Name: "system other", Event: "System Hook", Body: []byte(`{"event_name":"user_create","name":"John"}`), Kind: core.EventIgnored},
		{Name: "issue", Event: "Issue Hook", Body: fake.Fixture("hook_issue.json"), Kind: core.EventIgnored, Check: func(e *core.Event) bool { return e.Reason != "" }},
	})
	req := request("Push Hook", fake.Fixture("hook_push.json"))
	req.Headers["Idempotency-Key"] = []string{"key-1"}
	if ev, err := e.Remote.ParseHook(context.Background(), req); err != nil || ev.Delivery != "key-1" {
		t.Fatalf("idempotency key: %+v %v", ev, err)
	}
}

func TestParseHookRejectsMalformed(t *testing.T) {
	_, e := setup(t)
	kittest.Malformed(t, e, request, []string{"Push Hook", "Tag Push Hook", "Merge Request Hook", "System Hook", "Issue Hook"},
		map[string]*core.HookRequest{
			"no project":                  request("Push Hook", []byte(`{"ref":"refs/heads/x"}`)),
			"system hook without project": request("System Hook", []byte(`{"event_name":"project_create"}`)),
		},
		fake.Fixture("hook_push.json"), fake.Fixture("hook_merge_request.json"), fake.Fixture("system_project_rename.json"))
}

func TestVerifyHook(t *testing.T) {
	_, e := setup(t)
	body := fake.Fixture("hook_push.json")
	token := func(tok string) *core.HookRequest {
		req := request("Push Hook", body)
		if tok != "" {
			req.Headers["X-Gitlab-Token"] = []string{tok}
		}
		return req
	}
	signed := func(body []byte, secret string) *core.HookRequest {
		req := request("Push Hook", body)
		req.Headers["Webhook-Id"] = []string{"ab2c5e8f"}
		req.Headers["Webhook-Timestamp"] = []string{"1700000000"}
		req.Headers["Webhook-Signature"] = []string{"v1," + gitlab.Sign("ab2c5e8f", "1700000000", body, secret)}
		return req
	}
	if err := e.Remote.VerifyHook(context.Background(), signed(body, "whsec_c2VjcmV0"), "whsec_c2VjcmV0"); err != nil {
		t.Fatalf("signed with a whsec_ key: %v", err)
	}
	tampered := signed(body, "s3cret")
	tampered.Body = append([]byte(" "), body...)
	noID := signed(body, "s3cret")
	delete(noID.Headers, "Webhook-Id")
	kittest.Verify(t, e, map[string]*core.HookRequest{
		"good token":        token("s3cret"),
		"lower-case header": {Headers: map[string][]string{"x-gitlab-token": {"s3cret"}}, Body: body},
		"signed":            signed(body, "s3cret"),
	}, map[string]kittest.Signed{
		"wrong token":          {Request: token("other"), Secret: "s3cret"},
		"prefix":               {Request: token("s3cre"), Secret: "s3cret"},
		"missing":              {Request: token(""), Secret: "s3cret"},
		"no secret":            {Request: token(""), Secret: ""},
		"signed, tampered":     {Request: tampered, Secret: "s3cret"},
		"signed, other secret": {Request: signed(body, "other"), Secret: "s3cret"},
		"signed, no id":        {Request: noID, Secret: "s3cret"},
	})
}
