package main

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-github/fake"
	"github.com/drover-ci/drover/plugins/remote-github/github"
)

// TestConformance runs the remote kit through gRPC against the fake GitHub.
func TestConformance(t *testing.T) {
	srv := fake.New()
	defer srv.Close()
	srv.RepoCount = 12
	body := fake.Fixture("hook_push.json")
	kittest.RunConformance(t, kittest.Conformance{
		Plugin:  func() core.Remote { return github.NewPlugin() },
		Options: kittest.Options(srv.URL, "api_url", srv.URL+"/api/v3/"),
		Login:   "octocat", Repo: fake.Slug, Ref: "master", Files: srv.Files,
		Push: &core.HookRequest{Body: body, Headers: map[string][]string{
			"X-GitHub-Event":      {"push"},
			"X-GitHub-Delivery":   {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
			"X-Hub-Signature-256": {kittest.SignHMAC("sha256=", body, kittest.HookSecret)},
		}},
		Want: &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: "Codertocat", Name: "Hello-World"},
			Commit: &core.Hook{Ref: "refs/heads/master", After: "6113728f27ae82c7b1a177c8d03f9e96e0adf246"}},
	})
}
