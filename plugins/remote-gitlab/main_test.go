package main

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
)

// TestConformance runs the remote kit through gRPC against the fake GitLab,
// with a delivery signed by a webhook signing token (a plain X-Gitlab-Token
// cannot show that a body was tampered with).
func TestConformance(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.RepoCount = 12
	body := fake.Fixture("hook_push.json")
	const id = "ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9"
	kittest.RunConformance(t, kittest.Conformance{
		Plugin:  func() core.Remote { return gitlab.NewPlugin() },
		Options: kittest.Options(srv.URL),
		Login:   "john_smith", Repo: fake.Slug, Ref: "main", Files: srv.Files,
		Push: &core.HookRequest{Body: body, Headers: map[string][]string{
			"X-Gitlab-Event":    {"Push Hook"},
			"Idempotency-Key":   {id},
			"Webhook-Id":        {id},
			"Webhook-Timestamp": {"1700000000"},
			"Webhook-Signature": {"v1," + gitlab.Sign(id, "1700000000", body, kittest.HookSecret)},
		}},
		Want: &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: "mike", Name: "diaspora"},
			Commit: &core.Hook{Ref: "refs/heads/master", After: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}},
	})
}
