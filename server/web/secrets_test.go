package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestSecretForms adds and deletes secrets through the API's routes:
// admin access, CSRF, validation next to the fields, and the value never
// shown again.
func TestSecretForms(t *testing.T) {
	cases := []struct {
		name, user, path string
		form             url.Values
		noCSRF           bool
		want             int
		location         string
		has              []string
		secrets          string // the repository's secrets afterwards: "NAME[events] fork"
	}{
		{name: "add", user: "owner", path: "/acme/public/settings/secrets",
			form: url.Values{"name": {"TOKEN"}, "value": {"s3cret-value"}, "events": {"push", "tag"}}, want: 303,
			location: "/acme/public/settings?saved=secret#secrets-heading", secrets: "[TOKEN[push tag] false]"},
		{name: "add with the default events", user: "owner", path: "/acme/public/settings/secrets",
			form: url.Values{"name": {"TOKEN"}, "value": {"v"}}, want: 303, secrets: "[TOKEN[cron custom promote push tag] false]"},
		{name: "add for forks", user: "owner", path: "/acme/public/settings/secrets",
			form: url.Values{"name": {"PR"}, "value": {"v"}, "events": {"pull_request"}, "fork": {"on"}}, want: 303, secrets: "[PR[pull_request] true]"},
		{name: "bad name", user: "owner", path: "/acme/public/settings/secrets", form: url.Values{"name": {"1<b>x"}, "value": {"s3cret-value"}}, want: 400,
			has: []string{`id="sec-name-err"`, "is not a secret name", `value="1&lt;b&gt;x"`, "<details open>"}, secrets: "[]"},
		{name: "no value", user: "owner", path: "/acme/public/settings/secrets", form: url.Values{"name": {"A"}}, want: 400,
			has: []string{`id="sec-value-err"`}, secrets: "[]"},
		{name: "forks without pull requests", user: "owner", path: "/acme/public/settings/secrets",
			form: url.Values{"name": {"A"}, "value": {"v"}, "events": {"push"}, "fork": {"on"}}, want: 400,
			has: []string{`id="cb-fork-err"`, `name="events" value="push" checked`, `name="fork" checked`}, secrets: "[]"},
		{name: "writers may not add", user: "writer", path: "/acme/public/settings/secrets", form: url.Values{"name": {"A"}, "value": {"v"}}, want: 403, secrets: "[]"},
		{name: "no CSRF token", user: "owner", path: "/acme/public/settings/secrets", form: url.Values{"name": {"A"}, "value": {"v"}}, noCSRF: true, want: 403, secrets: "[]"},
		{name: "delete", user: "owner", path: "/acme/public/settings/secrets/delete", form: url.Values{"name": {"OLD"}}, want: 303,
			location: "/acme/public/settings?saved=deleted#secrets-heading", secrets: "[]"},
		{name: "delete an unknown one", user: "owner", path: "/acme/public/settings/secrets/delete", form: url.Values{"name": {"NOPE"}}, want: 404},
		{name: "writers may not delete", user: "writer", path: "/acme/public/settings/secrets/delete", form: url.Values{"name": {"OLD"}}, want: 403, secrets: "[OLD[] false]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if strings.HasSuffix(tc.path, "/delete") {
				if err := f.store.Secrets().Create(ctx, &core.Secret{RepoID: f.repos["public"].ID, Name: "OLD", Data: "old-value"}); err != nil {
					t.Fatal(err)
				}
			}
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			if !tc.noCSRF {
				form.Set("csrf_token", f.csrf[tc.user])
			}
			w := f.serve(t, request{method: "POST", path: tc.path, user: tc.user, form: form})
			if w.Code != tc.want {
				t.Fatalf("POST %s = %d, want %d: %.400s", tc.path, w.Code, tc.want, w.Body.String())
			}
			if tc.location != "" && w.Header().Get("Location") != tc.location {
				t.Errorf("Location = %q, want %q", w.Header().Get("Location"), tc.location)
			}
			checkBody(t, w.Body.String(), tc.has, nil)
			if strings.Contains(w.Body.String(), "s3cret-value") {
				t.Errorf("the answer shows the secret's value")
			}
			if tc.secrets != "" {
				list, err := f.store.Secrets().List(ctx, f.repos["public"].ID, "")
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range list {
					got = append(got, fmt.Sprintf("%s%v %t", s.Name, s.Events, s.Fork))
				}
				if fmt.Sprint(got) != tc.secrets {
					t.Errorf("secrets = %v, want %s", got, tc.secrets)
				}
			}
			if w.Code == 303 {
				page := f.serve(t, request{path: "/acme/public/settings", user: tc.user}).Body.String()
				if strings.Contains(page, "s3cret-value") || strings.Contains(page, "old-value") {
					t.Errorf("the settings page shows a secret's value")
				}
			}
		})
	}
}
