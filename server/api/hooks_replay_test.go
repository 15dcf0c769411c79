package api_test

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// TestHookReplayIsIgnored: a signed webhook sent again builds nothing,
// whether its delivery id (a header, outside the signature) is absent or
// changed; another commit, ref or pull request head does build, and a
// delivery that failed (remote down) may be retried.
func TestHookReplayIsIgnored(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	secret := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	const otherSHA = "89abcdef0123456789abcdef0123456789abcdef"
	withDelivery := func(hr *core.HookRequest, id string) *core.HookRequest {
		if id != "" {
			hr.Headers[remotetest.HeaderDelivery] = []string{id}
		}
		return hr
	}
	push := func(ref, commit string) *core.HookRequest {
		ev := pushEvent("acme/app", "", "change")
		ev.Commit.Ref, ev.Commit.After = ref, commit
		return remotetest.Hook(ev, secret)
	}
	pr := func(commit, fork string) *core.HookRequest {
		return remotetest.Hook(&core.Event{Kind: core.EventPullRequest, Action: "opened", Sender: "octo",
			Repo:   &core.RemoteRepo{ID: "r-acme/app", Owner: "acme", Name: "app"},
			Commit: &core.Hook{Ref: "refs/pull/7/head", After: commit, Source: "feature", Target: "main", Fork: fork, PR: 7}}, secret)
	}
	cases := []struct {
		name  string
		hr    *core.HookRequest
		build bool
	}{
		{"first push", push("refs/heads/main", sha), true},
		{"replayed without a delivery id", push("refs/heads/main", sha), false},
		{"replayed with a new delivery id", withDelivery(push("refs/heads/main", sha), "forged-1"), false},
		{"replayed with another new delivery id", withDelivery(push("refs/heads/main", sha), "forged-2"), false},
		{"another commit", withDelivery(push("refs/heads/main", otherSHA), "d-2"), true},
		{"the same commit on another ref", push("refs/heads/release", sha), true},
		{"a pull request", withDelivery(pr(sha, "acme/app"), "p-1"), true},
		{"the pull request replayed", withDelivery(pr(sha, "acme/app"), "p-2"), false},
		{"the same commit from another head", withDelivery(pr(sha, "mallory/app"), "p-3"), true},
	}
	for _, tc := range cases {
		before := len(f.builds(t, "acme/app"))
		code, out := f.sendHook(t, "fake", tc.hr)
		after := len(f.builds(t, "acme/app"))
		if code != 200 {
			t.Errorf("%s = %d %v, want 200", tc.name, code, out)
		}
		if built := after > before; built != tc.build {
			t.Errorf("%s: built %v, want %v (answer %v)", tc.name, built, tc.build, out)
		}
		if !tc.build && out["ignored"] == nil {
			t.Errorf("%s: the answer does not say it was ignored: %v", tc.name, out)
		}
	}
	// A delivery that failed is not remembered: its retry builds.
	third := "fedcba9876543210fedcba9876543210fedcba98"
	f.fake.Lock()
	f.fake.Err = func(string) error { return core.Errorf(core.CodeUnavailable, "down") }
	f.fake.Unlock()
	if code, out := f.sendHook(t, "fake", push("refs/heads/main", third)); code != 503 {
		t.Fatalf("with the remote down = %d %v, want 503", code, out)
	}
	f.fake.Lock()
	f.fake.Err = nil
	f.fake.Unlock()
	before := len(f.builds(t, "acme/app"))
	if code, out := f.sendHook(t, "fake", push("refs/heads/main", third)); code != 200 || len(f.builds(t, "acme/app")) != before+1 {
		t.Fatalf("the retry after the remote came back = %d %v, no build", code, out)
	}
}
