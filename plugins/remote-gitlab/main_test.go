package main

import (
	"testing"

	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
)

// TestConformance runs the remote kit through gRPC against the fake GitLab,
// with a delivery signed by a webhook signing token (a plain X-Gitlab-Token
// cannot show that a body was tampered with).
func TestConformance(t *testing.T) {
	const id, at = "ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9", "1700000000"
	srv, body := fake.New(), fake.Fixture("hook_push.json")
	kittest.RunConformance(t, gitlab.NewPlugin, &srv.Host, kittest.Conformance{
		Login: "john_smith", Repo: fake.Slug, Ref: "main",
		Push: kittest.HookRequest(body, "X-Gitlab-Event", "Push Hook", "Idempotency-Key", id, "Webhook-Id", id, "Webhook-Timestamp", at,
			"Webhook-Signature", "v1,"+gitlab.Sign(id, at, body, kittest.HookSecret)),
		Want: kittest.PushEvent("mike", "diaspora", "refs/heads/master", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"),
	})
}
