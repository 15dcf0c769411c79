package web_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestMirrorForms posts the mirror forms and buttons: what the API
// accepts changes the mirror and goes back to a page saying so; what it
// refuses is shown next to the field, or as the page's notice (a 429's
// wait, a paused mirror), or as the error page (no permission, no CSRF
// token).
func TestMirrorForms(t *testing.T) {
	f := newFixture(t)
	m := f.addMirrors(t)
	ctx := context.Background()
	add := url.Values{"url": {"https://git.test/team/tool.git"}, "branches": {"main, dev"}, "interval": {"120"}, "private": {"on"}}
	cases := []struct {
		name, user, path string
		form             url.Values
		noCSRF           bool
		want             int
		location         string   // for redirects (a prefix)
		has              []string // in the page answered
	}{
		{name: "add: a bad URL, next to its field", user: "root", path: "/mirrors", form: formWith(add, "url", "http://git.test/x.git"), want: 400,
			has: []string{`id="m-url-err"`, "url: http:// is refused", `value="http://git.test/x.git"`, `value="main, dev"`, `<details class="forms" open>`}},
		{name: "add: an interval not a number", user: "root", path: "/mirrors", form: formWith(add, "interval", "soon"), want: 400,
			has: []string{`id="m-interval-err"`, "interval: &#34;soon&#34; is not a number of seconds"}},
		{name: "add: an interval below the server's minimum", user: "root", path: "/mirrors", form: formWith(add, "interval", "5"), want: 400,
			has: []string{`id="m-interval-err"`, "every 60 to 86400 seconds"}},
		{name: "add: a bad branch pattern", user: "root", path: "/mirrors", form: formWith(add, "branches", "main, [x"), want: 400,
			has: []string{`id="m-branches-err"`, "is not a glob pattern"}},
		{name: "add: a URL mirrored already", user: "root", path: "/mirrors", form: formWith(add, "url", "ssh://git@git.test/acme/stalled.git"), want: 409,
			has: []string{`id="m-url-err"`, "is mirrored already"}},
		{name: "add without the CSRF token", user: "root", path: "/mirrors", form: add, noCSRF: true, want: 403},
		{name: "add", user: "root", path: "/mirrors", form: add, want: 303, location: "/mirrors/"},
		{name: "save: a bad interval", user: "owner", path: m.path("secret", ""), form: url.Values{"branches": {"main"}, "interval": {"0"}}, want: 400,
			has: []string{`id="m-interval-err"`, `value="main"`}},
		{name: "save needs admin", user: "writer", path: m.path("upstream", ""), form: url.Values{"branches": {"main"}}, want: 403},
		{name: "save", user: "owner", path: m.path("secret", ""), form: url.Values{"branches": {"main hotfix/*"}, "interval": {"600"}, "config_path": {"ci/drover.yml"}},
			want: 303, location: m.path("secret", "?done=saved")},
		{name: "update now", user: "writer", path: m.path("upstream", "/fetch"), form: url.Values{}, want: 303, location: m.path("upstream", "?done=fetch")},
		{name: "update now again: the wait", user: "writer", path: m.path("upstream", "/fetch"), form: url.Values{}, want: 429,
			has: []string{`role="alert"`, "you can ask again in 60 seconds", "Update now"}},
		{name: "update now of a paused mirror", user: "owner", path: m.path("stalled", "/fetch"), form: url.Values{}, want: 409,
			has: []string{"is paused after 1 failed fetches", "resume it"}},
		{name: "update now needs push", user: "reader", path: m.path("secret", "/fetch"), form: url.Values{}, want: 403},
		{name: "resume needs admin", user: "writer", path: m.path("stalled", "/resume"), form: url.Values{}, want: 403},
		{name: "resume", user: "owner", path: m.path("stalled", "/resume"), form: url.Values{}, want: 303, location: m.path("stalled", "?done=resume")},
		{name: "delete unconfirmed", user: "owner", path: m.path("stalled", "/delete"), form: url.Values{}, want: 400,
			has: []string{`id="cb-confirm-err"`, "Tick the box to confirm"}},
		{name: "delete needs admin", user: "writer", path: m.path("upstream", "/delete"), form: url.Values{"confirm": {"on"}}, want: 403},
		{name: "delete", user: "owner", path: m.path("stalled", "/delete"), form: url.Values{"confirm": {"on"}}, want: 303, location: "/mirrors?deleted="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.noCSRF {
				tc.form.Set("csrf_token", f.csrf[tc.user])
			}
			w := f.serve(t, request{method: "POST", path: tc.path, user: tc.user, form: tc.form})
			body := w.Body.String()
			if w.Code != tc.want {
				t.Fatalf("POST %s = %d, want %d: %.300s", tc.path, w.Code, tc.want, body)
			}
			if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, tc.location) {
				t.Errorf("Location = %q, want %q…", loc, tc.location)
			}
			checkBody(t, body, tc.has, nil)
		})
	}

	ms, _, err := f.store.Mirrors().List(ctx, core.MirrorFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byRepo := map[string]*core.Mirror{}
	for _, mm := range ms {
		byRepo[mm.Repo] = mm
	}
	if a := byRepo["team/tool"]; a == nil || strings.Join(a.Branches, ",") != "main,dev" || a.Interval != 120 || !a.Private {
		t.Errorf("the added mirror is %+v", a)
	}
	secret, err := f.store.Mirrors().Find(ctx, m.ids["secret"])
	if err != nil || strings.Join(secret.Branches, ",") != "main,hotfix/*" || secret.Interval != 600 || secret.ConfigPath != "ci/drover.yml" || secret.Credential != mirrorSecret {
		t.Errorf("the saved mirror is %+v, %v (its credential kept)", secret, err)
	}
	if _, err := f.store.Mirrors().Find(ctx, m.ids["stalled"]); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the deleted mirror: %v, want not found", err)
	}
}

// TestMirrorCredentialRemoved checks that the settings form removes the
// credential when asked, and keeps it otherwise.
func TestMirrorCredentialRemoved(t *testing.T) {
	f := newFixture(t)
	m := f.addMirrors(t)
	for _, remove := range []bool{false, true} {
		form := url.Values{"csrf_token": {f.csrf["owner"]}, "branches": {"main"}}
		if remove {
			form.Set("remove_credential", "on")
		}
		if w := f.serve(t, request{method: "POST", path: m.path("secret", ""), user: "owner", form: form}); w.Code != 303 {
			t.Fatalf("save = %d: %.300s", w.Code, w.Body.String())
		}
		got, err := f.store.Mirrors().Find(context.Background(), m.ids["secret"])
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{false: mirrorSecret, true: ""}[remove]; got.Credential != want || got.HasCredential != !remove {
			t.Errorf("remove=%t: credential %q (has %t), want %q", remove, got.Credential, got.HasCredential, want)
		}
	}
}
