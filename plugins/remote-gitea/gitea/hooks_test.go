package gitea_test

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitea/fake"
)

// TestWebhooksAndStatuses installs, replaces and removes webhooks and
// posts commit statuses.
func TestWebhooksAndStatuses(t *testing.T) {
	srv, e := setup(t)
	kittest.ConfigHostHooks(t, e, &srv.Host, srv.AddHook, "POST /api/v1/repos/gitea/webhooks/hooks")
}

const delivery = "f6266f16-1bf3-46a5-9ea4-602e06ead473"

var request = kittest.Requests("X-Gitea-Event", "X-Gitea-Delivery", delivery)

func TestParseHook(t *testing.T) {
	_, e := setup(t)
	deleted := kittest.Patched(t, fake.Fixture("hook_push.json"), map[string]any{"after": "0000000000000000000000000000000000000000"})
	with := func(fixture, action string) []byte {
		return kittest.Patched(t, fake.Fixture(fixture), map[string]any{"action": action})
	}
	kittest.ParseHooks(t, e, request, delivery, []kittest.ParseCase{
		{Name: "push", Event: "push", Body: fake.Fixture("hook_push.json"), Kind: core.EventPush, Check: func(e *core.Event) bool {
			c := e.Commit
			return c.Ref == "refs/heads/develop" && c.After == fake.SHA && c.Before == "28e1879d029cb852e4844d9c718537df08844e03" &&
				c.Message == "Webhooks Yay!" && c.Author == "gitea" && c.Email == "someone@gitea.io" && c.Source == "develop" &&
				e.Repo.ID == "140" && e.Repo.Slug() == fake.Slug && e.Repo.CloneURL == "http://localhost:3000/gitea/webhooks.git" && e.Sender == "gitea"
		}},
		{Name: "tag", Event: "push", Body: fake.Fixture("hook_push_tag.json"), Kind: core.EventTag, Check: func(e *core.Event) bool {
			return e.Commit.Ref == "refs/tags/v1.0.0" && e.Commit.After == fake.SHA && e.Commit.Before == "" && e.Commit.Author == "gitea"
		}},
		{Name: "branch deleted", Event: "push", Body: deleted, Kind: core.EventIgnored, Check: kittest.Ignored},
		{Name: "pr opened", Event: "pull_request", Body: with("hook_pull_request.json", "opened"), Kind: core.EventPullRequest, Action: "opened", Check: func(e *core.Event) bool {
			c := e.Commit
			return c.PR == 7 && c.Ref == "refs/pull/7/head" && c.After == fake.SHA && c.Source == "feature" && c.Target == "master" &&
				c.Fork == "someone/webhooks" && c.Message == "Add webhook docs" && c.Author == "gitea" && e.Repo.Slug() == fake.Slug
		}},
		{Name: "pr synchronized", Event: "pull_request", Body: with("hook_pull_request.json", "synchronized"), Kind: core.EventPullRequest, Action: "synchronized"},
		{Name: "pr reopened", Event: "pull_request", Body: with("hook_pull_request.json", "reopened"), Kind: core.EventPullRequest, Action: "reopened"},
		{Name: "pr closed", Event: "pull_request", Body: with("hook_pull_request.json", "closed"), Kind: core.EventPullRequest, Action: "closed"},
		{Name: "pr edited", Event: "pull_request", Body: with("hook_pull_request.json", "edited"), Kind: core.EventIgnored, Check: kittest.Ignored},
		{Name: "repo created", Event: "repository", Body: with("hook_repository.json", "created"), Kind: core.EventRepo, Action: core.ActionCreated, Check: func(e *core.Event) bool { return e.Repo.ID == "140" }},
		{Name: "repo deleted", Event: "repository", Body: with("hook_repository.json", "deleted"), Kind: core.EventRepo, Action: core.ActionDeleted, Check: func(e *core.Event) bool { return e.Repo.Slug() == fake.Slug }},
		{Name: "repo other", Event: "repository", Body: with("hook_repository.json", "archived"), Kind: core.EventIgnored},
		{Name: "issues", Event: "issues", Body: fake.Fixture("hook_issues.json"), Kind: core.EventIgnored, Check: kittest.Ignored},
	})
}

func TestParseHookRejectsMalformed(t *testing.T) {
	_, e := setup(t)
	kittest.Malformed(t, e, request, []string{"push", "pull_request", "repository", "issues"},
		map[string]*core.HookRequest{"no repository": request("push", []byte(`{"ref":"refs/heads/x"}`))},
		fake.Fixture("hook_push.json"), fake.Fixture("hook_pull_request.json"), fake.Fixture("hook_repository.json"))
}

func TestVerifyHook(t *testing.T) {
	_, e := setup(t)
	kittest.VerifyHMAC(t, e, request, "X-Gitea-Signature", "", fake.Fixture("hook_push.json"))
}
