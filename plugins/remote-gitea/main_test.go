package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/remote-gitea/fake"
	"github.com/drover-ci/drover/plugins/remote-gitea/gitea"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// TestConformance runs the remote kit through gRPC against the fake Gitea.
func TestConformance(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.RepoCount = 12 // the kit pages through them one by one too
	body := fake.Fixture("hook_push.json")
	mac := hmac.New(sha256.New, []byte("kit-hook-secret"))
	mac.Write(body)
	push := &core.HookRequest{
		Headers: map[string][]string{
			"X-Gitea-Event":     {"push"},
			"X-Gitea-Delivery":  {"f6266f16-1bf3-46a5-9ea4-602e06ead473"},
			"X-Gitea-Signature": {hex.EncodeToString(mac.Sum(nil))},
		},
		Body: body,
	}
	remotetest.Run(t, func(*testing.T) core.Remote { return gitea.NewPlugin() }, remotetest.Config{
		Creds:       core.Creds{Token: fake.Token, Refresh: fake.RefreshToken},
		Login:       "gitea",
		Repo:        fake.Slug,
		Ref:         "master",
		File:        ".drover.yml",
		FileContent: []byte(srv.Files[".drover.yml"]),
		MinRepos:    12,
		Webhooks: []remotetest.Webhook{{
			Request: push,
			Secret:  "kit-hook-secret",
			Want: &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: "gitea", Name: "webhooks"},
				Commit: &core.Hook{Ref: "refs/heads/develop", After: fake.SHA}},
		}},
		Options: map[string]any{"url": srv.URL, "client_id": fake.ClientID, "client_secret": fake.ClientSecret},
	})
}
