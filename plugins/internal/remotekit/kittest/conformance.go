package kittest

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/internal/hostfake"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// HookSecret is the webhook secret of the conformance runs.
const HookSecret = "kit-hook-secret"

// Conformance is a remote's run of the conformance kit through gRPC
// against its fake host.
type Conformance struct {
	// Options are the host's options besides Options(url).
	Options []string
	// Login is the fake user's login; Repo and Ref the fixtures'
	// repository and a ref of it.
	Login, Repo, Ref string
	// Push is a push webhook signed with HookSecret (see HookRequest) and
	// Want its event (see PushEvent).
	Push *core.HookRequest
	Want *core.Event
}

// HookRequest is a webhook of body with headers given as name, value, ….
func HookRequest(body []byte, headers ...string) *core.HookRequest {
	req := &core.HookRequest{Body: body, Headers: map[string][]string{}}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Headers[headers[i]] = []string{headers[i+1]}
	}
	return req
}

// PushEvent is the event of a push of after to ref of owner/name.
func PushEvent(owner, name, ref, after string) *core.Event {
	return &core.Event{Kind: core.EventPush, Repo: &core.RemoteRepo{Owner: owner, Name: name}, Commit: &core.Hook{Ref: ref, After: after}}
}

// RunConformance runs the kit on the remote newPlugin serves, against the
// fake host h listing 12 repositories (the kit pages through them one by
// one too); h is closed when the test ends.
func RunConformance[R interface {
	core.RemoteLogin
	core.RemoteRepos
	core.RemoteHooks
}, H, S any](t *testing.T, newPlugin func() R, h *hostfake.Host[H, S], c Conformance) {
	t.Cleanup(h.Close)
	h.RepoCount = 12
	remotetest.Run(t, func(*testing.T) core.Remote { return core.RemoteOf(newPlugin()) }, remotetest.Config{
		Creds:       Creds,
		Login:       c.Login,
		Repo:        c.Repo,
		Ref:         c.Ref,
		File:        ".drover.yml",
		FileContent: []byte(h.Files[".drover.yml"]),
		MinRepos:    12,
		Webhooks:    []remotetest.Webhook{{Request: c.Push, Secret: HookSecret, Want: c.Want}},
		Options:     Options(h.URL, c.Options...),
	})
}
