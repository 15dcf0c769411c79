package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestSettingsPage checks the settings form: trusted editable by system
// admins only, the repository's values shown, escaped.
func TestSettingsPage(t *testing.T) {
	f := newFixture(t)
	r := *f.repos["private"]
	r.ConfigPath, r.Timeout, r.Protected = `.ci/<script>.yml`, 45, true
	if err := f.store.Repos().Update(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, user, path string
		has, hasNot      []string
	}{
		{name: "repository admin", user: "owner", path: "/acme/private/settings",
			has: []string{`action="/acme/private/settings"`, "only a system admin can change this", `name="protected" checked`, `value="45"`,
				`value=".ci/&lt;script&gt;.yml"`, `<option value="public" disabled>public (private on the remote)`, `<option value="private" selected>`,
				`action="/acme/private/settings/secrets"`},
			hasNot: []string{`name="trusted"`, "trusted_shown", ".ci/<script>"}},
		{name: "system admin", user: "root", path: "/acme/public/settings", has: []string{`name="trusted"`, `name="trusted_shown"`, `<option value="public" selected>`}},
		{name: "saved notice", user: "owner", path: "/acme/public/settings?saved=secret", has: []string{"Secret added."}},
		{name: "unknown notice", user: "owner", path: "/acme/public/settings?saved=<b>x</b>", hasNot: []string{"<b>x</b>", `role="status">`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.serve(t, request{path: tc.path, user: tc.user})
			if w.Code != 200 {
				t.Fatalf("GET %s = %d: %.300s", tc.path, w.Code, w.Body.String())
			}
			checkBody(t, w.Body.String(), tc.has, tc.hasNot)
		})
	}
}

// TestSaveSettings posts the settings form: PATCH through the API
// (admin access, CSRF, trusted for system admins, validation), errors
// next to their fields with the values typed.
func TestSaveSettings(t *testing.T) {
	good := url.Values{"protected": {"on"}, "cancel_previous": {"on"}, "approval": {"none"}, "visibility": {"internal"},
		"timeout": {"90"}, "config_path": {".ci/drover.yml"}}
	with := func(kv ...string) url.Values { return formWith(good, kv...) }
	cases := []struct {
		name, user, repo string
		form             url.Values
		noCSRF           bool
		want             int
		has              []string
		stored           string // "protected cancel approval visibility timeout config trusted" afterwards
	}{
		{name: "save", user: "owner", repo: "public", form: good, want: 303, stored: "true true none internal 90 .ci/drover.yml false"},
		{name: "an unchecked box is false", user: "owner", repo: "public", form: url.Values{"approval": {"forks"}, "visibility": {"public"}, "timeout": {""}},
			want: 303, stored: "false false forks public 0  false"},
		{name: "trusted by a system admin", user: "root", repo: "public", form: with("trusted", "on", "trusted_shown", "1"), want: 303,
			stored: "true true none internal 90 .ci/drover.yml true"},
		{name: "trusted forged by a repository admin", user: "owner", repo: "public", form: with("trusted", "on", "trusted_shown", "1"), want: 403,
			has: []string{"only a system admin"}, stored: "false false   0  false"},
		{name: "timeout not a number", user: "owner", repo: "public", form: with("timeout", "abc"), want: 400,
			has: []string{`id="s-timeout-err"`, `is not a number of minutes`, `value="abc"`, `value=".ci/drover.yml"`}, stored: "false false   0  false"},
		{name: "two refused fields", user: "owner", repo: "public", form: with("timeout", "5000", "config_path", `a\b<i>`), want: 400,
			has: []string{`id="s-timeout-err"`, "from 0 (the default) to 1440", `id="s-config-err"`, "backslash", `value="a\b&lt;i&gt;"`}},
		{name: "private made public", user: "owner", repo: "private", form: with("visibility", "public"), want: 400,
			has: []string{`id="s-visibility-err"`, "cannot be made public"}},
		{name: "writers may not", user: "writer", repo: "public", form: good, want: 403, has: []string{"admin access"}},
		{name: "no CSRF token", user: "owner", repo: "public", form: good, noCSRF: true, want: 403},
		{name: "strangers see no private repository", user: "stranger", repo: "private", form: good, want: 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			if !tc.noCSRF {
				form.Set("csrf_token", f.csrf[tc.user])
			}
			path := "/acme/" + tc.repo + "/settings"
			w := f.serve(t, request{method: "POST", path: path, user: tc.user, form: form})
			if w.Code != tc.want {
				t.Fatalf("POST %s = %d, want %d: %.400s", path, w.Code, tc.want, w.Body.String())
			}
			if w.Code == 303 && w.Header().Get("Location") != path+"?saved=settings" {
				t.Errorf("Location = %q", w.Header().Get("Location"))
			}
			checkBody(t, w.Body.String(), tc.has, nil)
			if tc.stored != "" {
				r, err := f.store.Repos().Find(context.Background(), f.repos[tc.repo].ID)
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join([]string{tf(r.Protected), tf(r.CancelPrevious), r.Approval, r.Visibility, itoa(int64(r.Timeout)), r.ConfigPath, tf(r.Trusted)}, " ")
				if got != tc.stored {
					t.Errorf("stored %q, want %q", got, tc.stored)
				}
			}
		})
	}
}

func tf(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
