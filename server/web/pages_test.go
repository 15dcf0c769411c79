package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPages checks each page's status, content type and what it must
// and must not show, for each kind of user.
func TestPages(t *testing.T) {
	f := newFixture(t)
	cases := []pageCase{
		{name: "anonymous dashboard goes to login", path: "/", want: 303, location: "/login?next=%2F"},
		{name: "anonymous build goes to login and back", path: "/acme/public/1", want: 303, location: "/login?next=%2Facme%2Fpublic%2F1"},
		{name: "login page lists remotes", path: "/login", want: 200, has: []string{`href="/login/fake"`, "Log in with fake"},
			hasNot: []string{"data-stream", "/js/live."}},
		{name: "login page keeps next", path: "/login?next=/acme/public", want: 200, has: []string{`href="/login/fake?next=%2Facme%2Fpublic"`}},
		{name: "logged in login page goes on", user: "reader", path: "/login?next=/acme/public", want: 303, location: "/acme/public"},
		{name: "logged in login page stays local", user: "reader", path: "/login?next=//evil.test", want: 303, location: "/"},
		{name: "dashboard", user: "writer", path: "/", want: 200,
			has: []string{"My recent builds", "acme/public #1", "Waiting for my approval", "acme/public #2", "Running now", "acme/public #3", "Log out"}},
		{name: "dashboard is live", user: "writer", path: "/", want: 200, has: []string{`id="dashboard" data-live-src="/"`, `id="live-announce"`}},
		{name: "dashboard: no approvals for readers", user: "reader", path: "/", want: 200, hasNot: []string{`href="/acme/public/2"`}},
		{name: "builds", user: "reader", path: "/acme/public", want: 200, has: []string{"#1 · commit 1", "#2 · commit 2", "#3 · commit 3"}},
		{name: "builds list is live on its first page", user: "reader", path: "/acme/public?branch=main", want: 200,
			has: []string{`data-live-src="/acme/public?branch=main"`, `data-live-types="build"`, `data-stream="/api/stream"`, "/js/live."}},
		{name: "builds list is not live on later pages", user: "reader", path: "/acme/public?page=2", want: 200, hasNot: []string{"data-live-src"}},
		{name: "builds filtered by status", user: "reader", path: "/acme/public?status=blocked", want: 200,
			has: []string{"#2 · commit 2"}, hasNot: []string{"#1 · commit 1", "#3 · commit 3"}},
		{name: "builds filtered by branch", user: "reader", path: "/acme/public?branch=other", want: 200, has: []string{"No build matches"}},
		{name: "builds filtered by event", user: "reader", path: "/acme/public?event=push&page=2", want: 200, has: []string{"Page 2", "← Newer"}},
		{name: "bad page", user: "reader", path: "/acme/public?page=0", want: 400},
		{name: "private repo hidden from strangers", user: "stranger", path: "/acme/private", want: 404, has: []string{"Page not found"}, hasNot: []string{"commit 1"}},
		{name: "private build hidden from strangers", user: "stranger", path: "/acme/private/1", want: 404},
		{name: "private log hidden from strangers", user: "stranger", path: "/acme/private/1/1/1", want: 404},
		{name: "private settings hidden from strangers", user: "stranger", path: "/acme/private/settings", want: 404},
		{name: "public repo readable by strangers", user: "stranger", path: "/acme/public", want: 200},
		{name: "private repo readable by readers", user: "reader", path: "/acme/private/1", want: 200},
		{name: "build page", user: "reader", path: "/acme/public/1", want: 200,
			has: []string{"default", `href="/acme/public/1/1/1"`, `href="/acme/public/1/1/2"`, "success"}, hasNot: []string{"Restart", "Cancel"}},
		{name: "build actions for writers", user: "writer", path: "/acme/public/1", want: 200, has: []string{`action="/acme/public/1/restart"`}, hasNot: []string{"/cancel"}},
		{name: "approval for writers", user: "writer", path: "/acme/public/2", want: 200,
			has: []string{`action="/acme/public/2/approve"`, `action="/acme/public/2/decline"`, "waits for approval"}},
		{name: "no approval for readers", user: "reader", path: "/acme/public/2", want: 200, hasNot: []string{"/approve", "/decline"}},
		{name: "running build: cancel, live, escaped names and warnings", user: "writer", path: "/acme/public/3", want: 200,
			has:    []string{`action="/acme/public/3/cancel"`, `data-live-src="/acme/public/3"`, `data-live-build="`, `data-live-announce="Build #3 running"`, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;", "Pipeline warnings", ".drover.yml:3"},
			hasNot: []string{`<script>alert`, "<b>bold</b>"}},
		{name: "unknown build", user: "reader", path: "/acme/public/99", want: 404},
		{name: "build number not a number", user: "reader", path: "/acme/public/abc", want: 404},
		{name: "log page", user: "reader", path: "/acme/public/1/1/1", want: 200,
			has: []string{`data-total="1234"`, `data-src="/api/repos/acme/public/builds/1/logs/1/1"`, `data-live="false"`, "/js/log.", "test"}},
		{name: "log page of a running step follows", user: "reader", path: "/acme/public/3/1/1", want: 200,
			has: []string{`data-total="0"`, `data-live="true"`, `id="log-follow"`, "&lt;script&gt;"}, hasNot: []string{"<script>alert"}},
		{name: "unknown step", user: "reader", path: "/acme/public/1/1/9", want: 404},
		{name: "settings need admin", user: "writer", path: "/acme/public/settings", want: 403, has: []string{"Not allowed"}},
		{name: "settings", user: "owner", path: "/acme/public/settings", want: 200,
			has: []string{"Settings of acme/public", "http://drover.test/api/badges/acme/public/status.svg", "No secret."}},
		{name: "unknown page", user: "reader", path: "/a/b/c/d/e/f", want: 404, has: []string{"Page not found", "<!doctype html>"}},
		{name: "a form's address asked with GET", user: "reader", path: "/acme/public/1/restart", want: 404, has: []string{"Page not found", "<!doctype html>"}},
		{name: "unknown repository", user: "reader", path: "/nobody/nothing", want: 404, has: []string{"Page not found"}},
		{name: "unknown asset", path: "/-/static/css/app.css", want: 404},
	}
	f.checkPages(t, cases)
}

// TestAPIKeepsJSON checks that unknown API paths still answer JSON, and
// that the API's routes are not shadowed by the pages.
func TestAPIKeepsJSON(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"", "/api/nope", 404}, {"", "/api/nope/x", 404}, {"", "/api/user/x/y/z", 404}, {"", "/rpc/v1/nope", 404},
		{"", "/api/repos/acme/public", 200}, {"", "/api/repos/acme/public/builds/1/logs/1/1?limit=2", 200},
		{"PUT", "/api/user", 405},
	} {
		w := f.serve(t, request{method: tc.method, path: tc.path, user: "reader"})
		if w.Code != tc.want || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("GET %s = %d %s, want %d JSON: %.200s", tc.path, w.Code, w.Header().Get("Content-Type"), tc.want, w.Body.String())
		}
	}
}

// TestAssets checks the static files: hashed URLs in the pages, cached
// for a year, gzipped on request, unknown hashes refused.
func TestAssets(t *testing.T) {
	f := newFixture(t)
	page := f.serve(t, request{path: "/login"}).Body.String()
	urls := regexp.MustCompile(`/-/static/[^"]+\.[0-9a-f]{10}\.(css|js)`).FindAllString(page, -1)
	if len(urls) != 3 {
		t.Fatalf("page links %d hashed assets (%v), want 3 (css, app.js, htmx)", len(urls), urls)
	}
	for _, u := range urls {
		for _, gz := range []bool{false, true} {
			r := request{path: u}
			if gz {
				r.header = map[string]string{"Accept-Encoding": "gzip"}
			}
			w := f.serve(t, r)
			if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("GET %s = %d, Cache-Control %q", u, w.Code, w.Header().Get("Cache-Control"))
			}
			if got := w.Header().Get("Content-Encoding") == "gzip"; got != gz {
				t.Errorf("GET %s gzip=%t: Content-Encoding %q", u, gz, w.Header().Get("Content-Encoding"))
			}
			if etag := w.Header().Get("ETag"); f.serve(t, request{path: u, header: map[string]string{"If-None-Match": etag}}).Code != http.StatusNotModified {
				t.Errorf("GET %s with its ETag is not 304", u)
			}
		}
	}
	wrong := regexp.MustCompile(`\.[0-9a-f]{10}\.`).ReplaceAllString(urls[0], ".0000000000.")
	if w := f.serve(t, request{path: wrong}); w.Code != 404 {
		t.Errorf("GET %s = %d, want 404", wrong, w.Code)
	}
}
