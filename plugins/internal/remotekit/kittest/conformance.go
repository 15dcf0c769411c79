package kittest

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// HookSecret is the webhook secret of the conformance runs.
const HookSecret = "kit-hook-secret"

// Conformance is a remote's run of the conformance kit through gRPC
// against its fake host.
type Conformance struct {
	// Plugin returns the remote as its plugin process serves it.
	Plugin func() core.Remote
	// Options configure it for the fake.
	Options map[string]any
	// Login is the fake user's login; Repo, Ref and Files the fixtures'
	// repository, a ref of it and its files.
	Login, Repo, Ref string
	Files            map[string]string
	// Push is a push webhook signed with HookSecret and Want its event.
	Push *core.HookRequest
	Want *core.Event
}

// RunConformance runs the kit on a fake listing 12 repositories.
func RunConformance(t *testing.T, c Conformance) {
	remotetest.Run(t, func(*testing.T) core.Remote { return c.Plugin() }, remotetest.Config{
		Creds:       Creds,
		Login:       c.Login,
		Repo:        c.Repo,
		Ref:         c.Ref,
		File:        ".drover.yml",
		FileContent: []byte(c.Files[".drover.yml"]),
		MinRepos:    12,
		Webhooks:    []remotetest.Webhook{{Request: c.Push, Secret: HookSecret, Want: c.Want}},
		Options:     c.Options,
	})
}
