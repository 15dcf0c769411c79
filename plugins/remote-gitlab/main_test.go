package main

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-gitlab/fake"
	"github.com/drover-ci/drover/plugins/remote-gitlab/gitlab"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// TestConformance runs the remote kit through gRPC against the fake GitLab,
// with a delivery signed by a webhook signing token (a plain X-Gitlab-Token
// cannot show that a body was tampered with).
func TestConformance(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.RepoCount = 12
	body := fake.Fixture("hook_push.json")
	push := &core.HookRequest{
		Headers: map[string][]string{
			"X-Gitlab-Event":    {"Push Hook"},
			"Idempotency-Key":   {"ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9"},
			"Webhook-Id":        {"ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9"},
			"Webhook-Timestamp": {"1700000000"},
			"Webhook-Signature": {"v1," + gitlab.Sign("ab2c5e8f-0b8f-4ab6-a0e5-b8b0f6d4c1e9", "1700000000", body, "kit-hook-secret")},
		},
		Body: body,
	}
	remotetest.Run(t, func(*testing.T) core.Remote { return gitlab.NewPlugin() }, remotetest.Config{
		Creds:       core.Creds{Token: fake.Token},
		Login:       "john_smith",
		Repo:        fake.Slug,
		Ref:         "main",
		File:        ".drover.yml",
		FileContent: []byte(srv.Files[".drover.yml"]),
		MinRepos:    12,
		Webhooks: []remotetest.Webhook{{
			Request: push,
			Secret:  "kit-hook-secret",
			Want: &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: "mike", Name: "diaspora"},
				Commit: &core.Hook{Ref: "refs/heads/master", After: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}},
		}},
		Options: map[string]any{"url": srv.URL, "client_id": fake.ClientID, "client_secret": fake.ClientSecret},
	})
}
