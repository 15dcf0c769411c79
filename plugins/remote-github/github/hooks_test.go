package github_test

import (
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-github/fake"
)

// TestWebhooksAndStatuses installs, replaces and removes webhooks and
// posts commit statuses.
func TestWebhooksAndStatuses(t *testing.T) {
	srv, e := setup(t)
	kittest.ConfigHostHooks(t, e, &srv.Host, srv.AddHook, "POST /api/v3/repos/octocat/Hello-World/hooks")
}

const delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958"

var request = kittest.Requests("X-GitHub-Event", "X-GitHub-Delivery", delivery)

func TestParseHook(t *testing.T) {
	_, e := setup(t)
	deleted := kittest.Patched(t, fake.Fixture("hook_push.json"), map[string]any{"after": "0000000000000000000000000000000000000000", "deleted": true})
	const pushSHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	pull := func(action string) []byte {
		return kittest.Patched(t, fake.Fixture("hook_pull_request.json"), map[string]any{"action": action})
	}
	repo := func(action string, changes map[string]any) []byte {
		fields := map[string]any{"action": action}
		if changes != nil {
			fields["changes"] = changes
		}
		return kittest.Patched(t, fake.Fixture("hook_repository.json"), fields)
	}
	kittest.ParseHooks(t, e, request, delivery, []kittest.ParseCase{
		{Name: "push", Event: "push", Body: fake.Fixture("hook_push.json"), Kind: core.EventPush, Check: func(e *core.Event) bool {
			c := e.Commit
			return c.Ref == "refs/heads/master" && c.After == pushSHA && c.Before == "4544205a385319fd846d5df4ed2e3b8173529d78" &&
				c.Message == "Update README.md" && c.Author == "Codertocat" && c.Email == "21031067+Codertocat@users.noreply.github.com" && c.Source == "master" &&
				e.Repo.ID == "186853002" && e.Repo.Slug() == "Codertocat/Hello-World" && e.Repo.CloneURL == "https://github.com/Codertocat/Hello-World.git" && e.Sender == "Codertocat"
		}},
		{Name: "tag", Event: "push", Body: fake.Fixture("hook_push_tag.json"), Kind: core.EventTag, Check: func(e *core.Event) bool {
			return e.Commit.Ref == "refs/tags/simple-tag" && e.Commit.After == pushSHA && e.Commit.Before == "" && e.Commit.Author == "Codertocat"
		}},
		{Name: "branch deleted", Event: "push", Body: deleted, Kind: core.EventIgnored, Check: kittest.Ignored},
		{Name: "pr opened", Event: "pull_request", Body: pull("opened"), Kind: core.EventPullRequest, Action: "opened", Check: func(e *core.Event) bool {
			c := e.Commit
			return c.PR == 2 && c.Ref == "refs/pull/2/head" && c.After == "ec26c3e57ca3a959ca5aad62de7213c562f8c821" && c.Source == "changes" && c.Target == "master" &&
				c.Fork == "Codertocat/Hello-World-fork" && c.Message == "Update the README with new information." && c.Author == "Codertocat" && e.Repo.Slug() == "Codertocat/Hello-World"
		}},
		{Name: "pr synchronize", Event: "pull_request", Body: pull("synchronize"), Kind: core.EventPullRequest, Action: "synchronized"},
		{Name: "pr reopened", Event: "pull_request", Body: pull("reopened"), Kind: core.EventPullRequest, Action: "reopened"},
		{Name: "pr closed", Event: "pull_request", Body: pull("closed"), Kind: core.EventPullRequest, Action: "closed"},
		{Name: "pr edited", Event: "pull_request", Body: pull("edited"), Kind: core.EventIgnored, Check: kittest.Ignored},
		{Name: "repo created", Event: "repository", Body: repo("created", nil), Kind: core.EventRepo, Action: core.ActionCreated, Check: func(e *core.Event) bool { return e.Repo.ID == "186853002" }},
		{Name: "repo deleted", Event: "repository", Body: repo("deleted", nil), Kind: core.EventRepo, Action: core.ActionDeleted, Check: func(e *core.Event) bool { return e.Repo.Slug() == "Codertocat/Hello-World" }},
		{Name: "repo renamed", Event: "repository", Body: repo("renamed", map[string]any{"repository": map[string]any{"name": map[string]any{"from": "Old-World"}}}), Kind: core.EventRepo, Action: core.ActionRenamed,
			Check: func(e *core.Event) bool {
				return e.OldSlug == "Codertocat/Old-World" && e.Repo.Slug() == "Codertocat/Hello-World"
			}},
		{Name: "repo transferred", Event: "repository", Body: repo("transferred", map[string]any{"owner": map[string]any{"from": map[string]any{"user": map[string]any{"login": "monalisa", "id": 2}}}}), Kind: core.EventRepo, Action: core.ActionTransferred,
			Check: func(e *core.Event) bool { return e.OldSlug == "monalisa/Hello-World" }},
		{Name: "repo publicized", Event: "repository", Body: fake.Fixture("hook_repository.json"), Kind: core.EventRepo, Action: core.ActionVisibility},
		{Name: "repo archived", Event: "repository", Body: repo("archived", nil), Kind: core.EventIgnored},
		{Name: "ping", Event: "ping", Body: fake.Fixture("hook_ping.json"), Kind: core.EventIgnored, Check: kittest.Ignored},
		{Name: "issues", Event: "issues", Body: fake.Fixture("hook_issues.json"), Kind: core.EventIgnored, Check: kittest.Ignored},
	})
}

func TestParseHookRejectsMalformed(t *testing.T) {
	_, e := setup(t)
	kittest.Malformed(t, e, request, []string{"push", "pull_request", "repository", "issues", "ping"},
		map[string]*core.HookRequest{"no repository": request("push", []byte(`{"ref":"refs/heads/x"}`))},
		fake.Fixture("hook_push.json"), fake.Fixture("hook_pull_request.json"), fake.Fixture("hook_repository.json"))
}

func TestVerifyHook(t *testing.T) {
	_, e := setup(t)
	kittest.VerifyHMAC(t, e, request, "X-Hub-Signature-256", "sha256=", fake.Fixture("hook_push.json"), "sha1="+strings.Repeat("0", 40))
}
