package main

import (
	"testing"

	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitea/fake"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
)

// TestConformance runs the remote kit through gRPC against the fake Gitea.
func TestConformance(t *testing.T) {
	srv, body := fake.New(), fake.Fixture("hook_push.json")
	kittest.RunConformance(t, gitea.NewPlugin, &srv.Host, kittest.Conformance{
		Login: "gitea", Repo: fake.Slug, Ref: "master",
		Push: kittest.HookRequest(body, "X-Gitea-Event", "push", "X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473",
			"X-Gitea-Signature", kittest.SignHMAC("", body, kittest.HookSecret)),
		Want: kittest.PushEvent("gitea", "webhooks", "refs/heads/develop", fake.SHA),
	})
}
