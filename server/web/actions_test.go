package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// TestBuildActions checks the build page's forms: served by the API's
// routes, so that its checks (push access, CSRF, other sites) decide.
func TestBuildActions(t *testing.T) {
	cases := []struct {
		name, user, path string
		csrf             bool
		header           map[string]string
		refuse           error // the queue's answer to approve
		want             int
		location         string
		call             string // the queue call made, "" for none
		has              string
	}{
		{name: "approve", user: "writer", path: "/acme/public/2/approve", csrf: true, want: 303, location: "/acme/public/2", call: "approve 2"},
		{name: "decline", user: "writer", path: "/acme/public/2/decline", csrf: true, want: 303, location: "/acme/public/2", call: "decline 2"},
		{name: "cancel", user: "owner", path: "/acme/public/3/cancel", csrf: true, want: 303, location: "/acme/public/3", call: "cancel 3"},
		{name: "restart goes to the new build", user: "writer", path: "/acme/public/1/restart", csrf: true, want: 303, location: "/acme/public/9"},
		{name: "no CSRF token", user: "writer", path: "/acme/public/2/approve", want: 403, has: "CSRF"},
		{name: "from another site", user: "writer", path: "/acme/public/2/approve", csrf: true,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, want: 403, has: "cross-site"},
		{name: "reader may not", user: "reader", path: "/acme/public/2/approve", csrf: true, want: 403, has: "push access"},
		{name: "stranger sees no private build", user: "stranger", path: "/acme/private/2/approve", csrf: true, want: 404},
		{name: "nobody logged in", path: "/acme/public/2/approve", want: 401},
		{name: "unknown action", user: "writer", path: "/acme/public/2/explode", csrf: true, want: 404},
		{name: "unknown build", user: "writer", path: "/acme/public/77/approve", csrf: true, want: 404},
		{name: "refused by the queue", user: "writer", path: "/acme/public/2/approve", csrf: true,
			refuse: core.Errorf(core.CodeConflict, "build 2 is not waiting for approval"), want: 409, call: "approve 2", has: "not waiting for approval"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.queue.approve = func(int64) error { return tc.refuse }
			form := url.Values{}
			if tc.csrf {
				form.Set("csrf_token", f.csrf[tc.user])
			}
			w := f.serve(t, request{method: "POST", path: tc.path, user: tc.user, form: form, header: tc.header})
			if w.Code != tc.want {
				t.Fatalf("POST %s = %d, want %d: %.300s", tc.path, w.Code, tc.want, w.Body.String())
			}
			if tc.location != "" && w.Header().Get("Location") != tc.location {
				t.Errorf("Location = %q, want %q", w.Header().Get("Location"), tc.location)
			}
			want := []string{}
			if tc.call != "" {
				want = []string{f.buildCall(t, tc.call)}
			}
			if fmt.Sprint(f.queue.calls) != fmt.Sprint(want) {
				t.Errorf("queue calls = %v, want %v", f.queue.calls, want)
			}
			if tc.has != "" && !strings.Contains(w.Body.String(), tc.has) {
				t.Errorf("page lacks %q: %.300s", tc.has, w.Body.String())
			}
		})
	}
}

// buildCall turns "approve 2" (a build number of acme/public) into the
// queue call with the build's id.
func (f *fixture) buildCall(t *testing.T, call string) string {
	t.Helper()
	var verb string
	var number int64
	if _, err := fmt.Sscan(call, &verb, &number); err != nil {
		t.Fatal(err)
	}
	b, err := f.store.Builds().FindNumber(context.Background(), f.repos["public"].ID, number)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(verb, " ", b.ID)
}
