package main

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-gitea/fake"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
)

// TestConformance runs the remote kit through gRPC against the fake Gitea.
func TestConformance(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.RepoCount = 12 // the kit pages through them one by one too
	body := fake.Fixture("hook_push.json")
	kittest.RunConformance(t, kittest.Conformance{
		Plugin:  func() core.Remote { return gitea.NewPlugin() },
		Options: kittest.Options(srv.URL),
		Login:   "gitea", Repo: fake.Slug, Ref: "master", Files: srv.Files,
		Push: &core.HookRequest{Body: body, Headers: map[string][]string{
			"X-Gitea-Event":     {"push"},
			"X-Gitea-Delivery":  {"f6266f16-1bf3-46a5-9ea4-602e06ead473"},
			"X-Gitea-Signature": {kittest.SignHMAC("", body, kittest.HookSecret)},
		}},
		Want: &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: "gitea", Name: "webhooks"},
			Commit: &core.Hook{Ref: "refs/heads/develop", After: fake.SHA}},
	})
}
