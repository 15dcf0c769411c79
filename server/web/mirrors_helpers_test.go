package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// Mirrors of addMirrors.
const (
	// mirrorToken is the user part of upstream's https URL: a token,
	// never shown.
	mirrorToken = "deploy-token-123"
	// mirrorSecret is secret's credential, never shown.
	mirrorSecret = "s3cr3t-credential"
	// mirrorRunner is the runner holding the mirrors.
	mirrorRunner = "builder-1"
)

// mirrorErrorTail is the end of secret's last error, a long one on
// several lines: only its mirror's page shows it.
var mirrorErrorTail = "fatal: Authentication failed for the third time"

// mirrorFixture are the mirrors of addMirrors by name, and their runner.
type mirrorFixture struct {
	ids    map[string]int64
	runner *core.Runner
}

// path is the page of the named mirror, with suffix.
func (m *mirrorFixture) path(name, suffix string) string {
	return "/mirrors/" + strconv.FormatInt(m.ids[name], 10) + suffix
}

// addMirrors adds three mirrors created by owner, held by mirrorRunner
// (capacity 5): upstream (acme/upstream, public, fetched fine; writer
// has push), secret (acme/secret, private, with a credential, its last
// two fetches failed with a long error; reader has pull) and stalled
// (acme/stalled, public, paused after a failure).
func (f *fixture) addMirrors(t testing.TB) *mirrorFixture {
	t.Helper()
	ctx := context.Background()
	owner, err := f.store.Users().FindLogin(ctx, "fake", "owner")
	if err != nil {
		t.Fatal(err)
	}
	mf := &mirrorFixture{ids: map[string]int64{}, runner: &core.Runner{Name: mirrorRunner, TokenHash: "h-mirrors", OS: "linux", Arch: "amd64", Capacity: 2}}
	if err := f.store.Runners().Create(ctx, mf.runner); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := f.store.Runners().Touch(ctx, mf.runner.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.MirrorLeases().Beat(ctx, mf.runner.ID, core.MirrorOffer{Capacity: 5}, now, now.Add(-time.Minute), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	longError := "fetch https://git.test/acme/secret.git: " + strings.Repeat("remote: permission denied; ", 6) + "\n" + mirrorErrorTail
	for _, m := range []struct {
		name, url string
		private   bool
		errs      []string
		grant     map[string]core.Perm
	}{
		{"upstream", "https://" + mirrorToken + "@git.test/acme/upstream.git", false, []string{""}, map[string]core.Perm{"writer": {Pull: true, Push: true}}},
		{"secret", "https://git.test/acme/secret.git", true, []string{longError, longError}, map[string]core.Perm{"reader": {Pull: true}}},
		{"stalled", "ssh://git@git.test/acme/stalled.git", false, []string{"fatal: repository not found"}, nil},
	} {
		mirror := &core.Mirror{URL: m.url, Branches: []string{"main", "release/*"}, Interval: 300, Private: m.private}
		if m.name == "secret" {
			mirror.Credential = mirrorSecret
		}
		repo := &core.Repo{RemoteID: m.url, Owner: "acme", Name: m.name, CloneURL: m.url, Private: m.private}
		if err := f.store.Mirrors().Create(ctx, mirror, repo, owner.ID); err != nil {
			t.Fatal(err)
		}
		mf.ids[m.name] = mirror.ID
		for login, perm := range m.grant {
			u, err := f.store.Users().FindLogin(ctx, "fake", login)
			if err != nil {
				t.Fatal(err)
			}
			p := perm
			p.UserID, p.RepoID = u.ID, mirror.RepoID
			if err := f.store.Perms().Upsert(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.store.MirrorLeases().Move(ctx, []core.MirrorMove{{MirrorID: mirror.ID, To: mf.runner.ID}}, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		maxFailures := 14
		if m.name == "stalled" {
			maxFailures = 1
		}
		for _, e := range m.errs {
			fetch := &core.MirrorFetch{At: now.Add(-3 * time.Minute), Error: e, Next: now.Add(4*time.Minute + 30*time.Second)}
			if _, err := f.store.Mirrors().Record(ctx, mirror.ID, mf.runner.ID, fetch, maxFailures); err != nil {
				t.Fatal(err)
			}
		}
	}
	return mf
}
