package main

import (
	"testing"

	"github.com/drover-ci/drover/plugins/internal/remotekit/kittest"
	"github.com/drover-ci/drover/plugins/remote-github/fake"
	"github.com/drover-ci/drover/plugins/remote-github/github"
)

// TestConformance runs the remote kit through gRPC against the fake GitHub
// (Enterprise-style, its API under /api/v3/).
func TestConformance(t *testing.T) {
	srv, body := fake.New(), fake.Fixture("hook_push.json")
	kittest.RunConformance(t, github.NewPlugin, &srv.Host, kittest.Conformance{
		Options: []string{"api_url", srv.URL + "/api/v3/"},
		Login:   "octocat", Repo: fake.Slug, Ref: "master",
		Push: kittest.HookRequest(body, "X-GitHub-Event", "push", "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
			"X-Hub-Signature-256", kittest.SignHMAC("sha256=", body, kittest.HookSecret)),
		Want: kittest.PushEvent("Codertocat", "Hello-World", "refs/heads/master", "6113728f27ae82c7b1a177c8d03f9e96e0adf246"),
	})
}
