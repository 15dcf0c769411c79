package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// TestMirrorPages checks the mirrors list, a mirror's page and the
// runners page for each kind of user: what they show, what they never
// show (credentials, private mirrors to strangers) and which buttons
// and forms each user gets.
func TestMirrorPages(t *testing.T) {
	f := newFixture(t)
	m := f.addMirrors(t)
	full := f.fullRunner(t)
	secrets := []string{mirrorToken, mirrorSecret}
	cases := []pageCase{
		{name: "anonymous list goes to login", path: "/mirrors", want: 303},
		{name: "list for a reader", user: "reader", path: "/mirrors", want: 200,
			has: []string{`href="/acme/upstream?remote=mirror"`, "acme/secret", "acme/stalled", `href="` + m.path("secret", "") + `"`,
				"https://git.test/acme/upstream.git", "ssh://git@git.test/acme/stalled.git", "✓ active", "⚠ failing", "2 failed fetches in a row", "‖ paused",
				"until resumed", "3 min ago", "in 4 min", "fetch https://git.test/acme/secret.git: remote: permission denied;", "…",
				"runner " + itoa(m.runner.ID), `href="/mirrors" aria-current="page"`},
			hasNot: append([]string{mirrorErrorTail, `action="/mirrors"`, `href="/runners`, mirrorRunner}, secrets...)},
		{name: "list hides private mirrors from strangers", user: "stranger", path: "/mirrors", want: 200,
			has: []string{"acme/upstream", "acme/stalled"}, hasNot: []string{"acme/secret", "permission denied"}},
		{name: "no add form for repository admins", user: "owner", path: "/mirrors", want: 200, has: []string{"acme/secret"}, hasNot: []string{`action="/mirrors"`}},
		{name: "list for a system admin: add form, runner named", user: "root", path: "/mirrors", want: 200,
			has:    []string{`action="/mirrors"`, `name="url"`, `name="branches"`, `name="credential"`, `href="/runners#runner-` + itoa(m.runner.ID) + `">` + mirrorRunner, `href="/runners"`},
			hasNot: secrets},
		{name: "bad page", user: "reader", path: "/mirrors?page=x", want: 400},
		{name: "private mirror hidden from strangers", user: "stranger", path: m.path("secret", ""), want: 404, hasNot: []string{"acme/secret"}},
		{name: "a reader sees the whole error, no button", user: "reader", path: m.path("secret", ""), want: 200,
			has:    []string{"Mirror of acme/secret", mirrorErrorTail, "main, release/*", "every 5 min", "Credential</dt><dd>set"},
			hasNot: append([]string{"Update now", "Resume", "Save settings", "Delete mirror", `name="csrf_token" value=""`}, secrets...)},
		{name: "a writer may update now", user: "writer", path: m.path("upstream", ""), want: 200,
			has: []string{`action="` + m.path("upstream", "/fetch") + `"`, "Update now", "None: the last fetch worked."}, hasNot: []string{"Save settings", "Delete mirror", mirrorToken}},
		{name: "an admin of a paused mirror: resume, settings, delete", user: "owner", path: m.path("stalled", ""), want: 200,
			has:    []string{`action="` + m.path("stalled", "/resume") + `"`, `action="` + m.path("stalled", "") + `"`, `action="` + m.path("stalled", "/delete") + `"`, `name="confirm"`, "fatal: repository not found", "when resumed"},
			hasNot: []string{"Update now"}},
		{name: "the credential is set, never shown", user: "owner", path: m.path("secret", ""), want: 200,
			has: []string{"one is set", `name="remove_credential"`, `value="main, release/*"`, `value="300"`}, hasNot: secrets},
		{name: "the runner linked for system admins", user: "root", path: m.path("upstream", ""), want: 200, has: []string{`href="/runners#runner-`}},
		{name: "notice after an action", user: "writer", path: m.path("upstream", "?done=fetch"), want: 200, has: []string{"Update asked"}},
		{name: "the repository's builds, linked from the list", user: "reader", path: "/acme/secret?remote=mirror", want: 200, has: []string{"acme/secret"}},
		{name: "a mirror's repository found by its name alone", user: "reader", path: "/acme/secret", want: 200, has: []string{"acme/secret"}},
		{name: "a private mirror's repository hidden from strangers by its name alone", user: "stranger", path: "/acme/secret", want: 404},
		{name: "mirror id not a number", user: "reader", path: "/mirrors/abc", want: 400},
		{name: "unknown mirror", user: "reader", path: "/mirrors/999", want: 404, has: []string{"Page not found"}},
		{name: "no page under a mirror", user: "reader", path: m.path("upstream", "/x"), want: 404, has: []string{"Page not found"}},
		{name: "runners page", user: "root", path: "/runners", want: 200,
			has: []string{`id="runner-` + itoa(m.runner.ID) + `"`, mirrorRunner, "2 held · capacity 5", "linux/amd64", "0 of 2 running", ">online<", "just now", `href="/runners" aria-current="page"`}},
		{name: "a runner whose disk is full", user: "root", path: "/runners", want: 200,
			has: []string{`id="runner-` + itoa(full.ID) + `"`, "disk full</span> · 0 held, offered to others"}},
		{name: "runners page needs a system admin", user: "owner", path: "/runners", want: 403, has: []string{"Not allowed"}},
	}
	f.checkPages(t, cases)
}

// fullRunner is a runner whose last mirror beat said its disk is full.
func (f *fixture) fullRunner(t testing.TB) *core.Runner {
	t.Helper()
	ctx, now := context.Background(), time.Now()
	r := &core.Runner{Name: "full-1", TokenHash: "h-full", OS: "linux", Arch: "amd64", Capacity: 1}
	if err := f.store.Runners().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.MirrorLeases().Beat(ctx, r.ID, core.MirrorOffer{Capacity: 5, DiskFull: true}, now, now.Add(-time.Minute), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return r
}
