package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestBuildPageForms checks which of restart-one-stage, promote and the
// manual build form each user is offered.
func TestBuildPageForms(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, user, path string
		has, hasNot      []string
	}{
		{name: "finished build, writer", user: "writer", path: "/acme/public/1",
			has: []string{`id="restart-stage-1"`, `aria-label="Restart stage default"`, `name="stage" value="default"`,
				`action="/acme/public/1/promote"`, "Promote #1", `action="/acme/public/new"`, `name="branch" value="main"`}},
		{name: "running build: no stage restart, no promote", user: "writer", path: "/acme/public/3",
			has: []string{`action="/acme/public/new"`}, hasNot: []string{"restart-stage-", "/promote"}},
		{name: "reader: no forms", user: "reader", path: "/acme/public/1", hasNot: []string{"restart-stage-", "/promote", "/new"}},
		{name: "skipped notice", user: "writer", path: "/acme/public/1?skipped=1", has: []string{"the pipeline's conditions skip it"}},
		{name: "builds page has the manual form", user: "writer", path: "/acme/public", has: []string{`action="/acme/public/new"`, "Start build"}},
		{name: "builds page: none for readers", user: "reader", path: "/acme/public", hasNot: []string{`action="/acme/public/new"`}},
		{name: "new build page", user: "writer", path: "/acme/public/new?branch=dev&commit=abc1234", has: []string{`value="dev"`, `value="abc1234"`}},
		{name: "log page links the raw log", user: "reader", path: "/acme/public/1/1/1", has: []string{`href="/api/repos/acme/public/builds/1/logs/1/1/raw"`, "Raw log"}},
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
	if w := f.serve(t, request{path: "/acme/public/new", user: "reader"}); w.Code != 403 {
		t.Errorf("GET /acme/public/new as a reader = %d, want 403", w.Code)
	}
	raw := f.serve(t, request{path: "/api/repos/acme/public/builds/1/logs/1/1/raw", user: "reader"})
	if raw.Code != 200 || !strings.HasPrefix(raw.Header().Get("Content-Type"), "text/plain") || !strings.Contains(raw.Body.String(), scriptLine) {
		t.Errorf("raw log = %d %q: %.100q", raw.Code, raw.Header().Get("Content-Type"), raw.Body.String())
	}
}

// TestBuildForms posts restart-one-stage, promote and manual builds:
// through the API's routes (push access, CSRF, validation), a refused
// field's error shown next to it with what was typed, escaped.
func TestBuildForms(t *testing.T) {
	cases := []struct {
		name, user, path string
		form             url.Values
		noCSRF, skip     bool
		want             int
		location         string
		has              []string
		built            string // the template the builder got: "event ref deploy params", "" for none
		only             string // the stages asked for
	}{
		{name: "restart one stage", user: "writer", path: "/acme/public/1/restart", form: url.Values{"stage": {"default"}}, want: 303,
			location: "/acme/public/9", built: "push refs/heads/main  map[]", only: "[default]"},
		{name: "restart an unknown stage", user: "writer", path: "/acme/public/1/restart", form: url.Values{"stage": {"nope"}}, want: 404, has: []string{"default"}},
		{name: "restart a stage: readers may not", user: "reader", path: "/acme/public/1/restart", form: url.Values{"stage": {"default"}}, want: 403},
		{name: "restart skipped", user: "writer", path: "/acme/public/1/restart", skip: true, want: 303, location: "/acme/public/1?skipped=1",
			built: "push refs/heads/main  map[]"},
		{name: "promote", user: "writer", path: "/acme/public/1/promote", form: url.Values{"target": {"production"}, "params": {"A=1\r\n\r\nB = two=2\n"}},
			want: 303, location: "/acme/public/9", built: "promote refs/heads/main production map[A:1 B: two=2]"},
		{name: "promote without a target", user: "writer", path: "/acme/public/1/promote", form: url.Values{"params": {"X=<script>"}}, want: 400,
			has: []string{`id="promote-target-err"`, "target: missing", `aria-invalid="true"`, "X=&lt;script&gt;", "Promote #1"}},
		{name: "promote with a bad line", user: "writer", path: "/acme/public/1/promote", form: url.Values{"target": {"prod"}, "params": {"A=1\nnonsense"}}, want: 400,
			has: []string{`id="promote-params-err"`, "params: line 2 is not NAME=value", `value="prod"`}},
		{name: "promote: the API's params check", user: "writer", path: "/acme/public/1/promote", form: url.Values{"target": {"prod"}, "params": {"DRONE_X=1"}}, want: 400,
			has: []string{`id="promote-params-err"`, "DRONE_X"}},
		{name: "promote without CSRF", user: "writer", path: "/acme/public/1/promote", form: url.Values{"target": {"prod"}}, noCSRF: true, want: 403, has: []string{"CSRF"}},
		{name: "promote: readers may not", user: "reader", path: "/acme/public/1/promote", form: url.Values{"target": {"prod"}}, want: 403},
		{name: "promote a private build: strangers", user: "stranger", path: "/acme/private/1/promote", form: url.Values{"target": {"prod"}}, want: 404},
		{name: "manual build", user: "writer", path: "/acme/public/new", form: url.Values{"branch": {"dev"}, "params": {"DEPLOY=staging"}}, want: 303,
			location: "/acme/public/9", built: "custom refs/heads/dev  map[DEPLOY:staging]"},
		{name: "manual build skipped", user: "writer", path: "/acme/public/new", form: url.Values{"branch": {"dev"}}, skip: true, want: 303,
			location: "/acme/public?skipped=1", built: "custom refs/heads/dev  map[]"},
		{name: "manual build of a bad branch", user: "writer", path: "/acme/public/new", form: url.Values{"branch": {"a b"}}, want: 400,
			has: []string{`id="manual-branch-err"`, "is not a branch name", `value="a b"`, "New build of acme/public"}},
		{name: "manual build of a bad commit", user: "writer", path: "/acme/public/new", form: url.Values{"branch": {"main"}, "commit": {"xyz"}}, want: 400,
			has: []string{`id="manual-commit-err"`, "not a commit id"}},
		{name: "manual build: readers may not", user: "reader", path: "/acme/public/new", form: url.Values{"branch": {"main"}}, want: 403},
		{name: "manual build of an inactive repository", user: "owner", path: "/acme/idle/new", form: url.Values{"branch": {"main"}}, want: 409, has: []string{"not active"}},
		{name: "manual build without CSRF", user: "writer", path: "/acme/public/new", form: url.Values{"branch": {"main"}}, noCSRF: true, want: 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.builder.skip = tc.skip
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
			for _, s := range tc.has {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("answer lacks %q: %.2000s", s, w.Body.String())
				}
			}
			if strings.Contains(w.Body.String(), "X=<script>") {
				t.Errorf("the typed parameters are shown unescaped")
			}
			got := ""
			if b := f.builder.last; b != nil {
				got = fmt.Sprintf("%s %s %s %v", b.Event, b.Ref, b.Deploy, map[string]string(b.Params))
				if b.Params == nil {
					got = fmt.Sprintf("%s %s %s map[]", b.Event, b.Ref, b.Deploy)
				}
			}
			if got != tc.built {
				t.Errorf("builder got %q, want %q", got, tc.built)
			}
			if tc.only != "" && fmt.Sprint(f.builder.only) != tc.only {
				t.Errorf("stages asked for = %v, want %s", f.builder.only, tc.only)
			}
		})
	}
}
