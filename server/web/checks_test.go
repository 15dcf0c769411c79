package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// checkBody reports each of has the answer's body lacks and each of
// hasNot it shows.
func checkBody(t *testing.T, body string, has, hasNot []string) {
	t.Helper()
	for _, s := range has {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range hasNot {
		if strings.Contains(body, s) {
			t.Errorf("page shows %q", s)
		}
	}
}

// formWith is a copy of the form with the keys and values of kv set.
func formWith(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range form {
		out[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// pageCase is a page asked by a user, with the status wanted and what
// the page must and must not show.
type pageCase struct {
	name, user, path string
	want             int
	has, hasNot      []string
	location         string // for redirects
}

// checkPages asks each case's page as a subtest: its status, its
// redirect, that it is a page (with its Content-Security-Policy) and
// what it shows.
func (f *fixture) checkPages(t *testing.T, cases []pageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := f.serve(t, request{path: tc.path, user: tc.user})
			body := w.Body.String()
			if w.Code != tc.want {
				t.Fatalf("GET %s = %d, want %d: %.300s", tc.path, w.Code, tc.want, body)
			}
			if tc.location != "" && w.Header().Get("Location") != tc.location {
				t.Errorf("Location = %q, want %q", w.Header().Get("Location"), tc.location)
			}
			if w.Code != 303 && !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type = %q, want a page", w.Header().Get("Content-Type"))
			}
			if w.Code == 200 && !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("no Content-Security-Policy on the page")
			}
			checkBody(t, body, tc.has, tc.hasNot)
		})
	}
}
