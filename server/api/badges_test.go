package api_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// badgeFixture is the role fixture with badges, its private acme/app and
// the public acme/site.
type badgeFixture struct {
	*roleFixture
	site *core.Repo
}

func newBadgeFixture(t *testing.T) *badgeFixture {
	t.Helper()
	f := newRoleFixture(t)
	f.srv.AddBadges(api.BadgeDeps{ServerURL: serverURL + "/"})
	site := &core.Repo{RemoteID: "2", Owner: "acme", Name: "site", Slug: "acme/site", Branch: "main", Active: true}
	if err := f.store.Repos().Create(context.Background(), site); err != nil {
		t.Fatal(err)
	}
	return &badgeFixture{roleFixture: f, site: site}
}

// addBuild stores a build of the branch with the status.
func (f *badgeFixture) addBuild(t *testing.T, repo *core.Repo, branch string, status core.Status) *core.Build {
	t.Helper()
	b := &core.Build{RepoID: repo.ID, Event: core.EventPush, Ref: "refs/heads/" + branch, Target: branch, Status: status}
	if status.Done() {
		b.Finished = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	}
	stage := &core.Stage{Name: "default", Type: "docker", Status: status, Number: 1}
	if err := f.store.Builds().Create(context.Background(), b, []*core.Stage{stage}); err != nil {
		t.Fatal(err)
	}
	return b
}

// get sends a GET with optional headers through the document's validation.
func (f *badgeFixture) get(t *testing.T, path, token string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.served(t).ServeHTTP(w, r)
	return w
}

func TestBadgeStatus(t *testing.T) {
	cases := []struct {
		statuses []core.Status // builds of main, oldest first
		want     string
	}{
		{nil, ">none<"},
		{[]core.Status{core.StatusSuccess}, ">passing<"},
		{[]core.Status{core.StatusSuccess, core.StatusFailure}, ">failing<"},
		{[]core.Status{core.StatusFailure, core.StatusSuccess}, ">passing<"},
		{[]core.Status{core.StatusError}, ">error<"},
		{[]core.Status{core.StatusSuccess, core.StatusRunning}, ">running<"},
		{[]core.Status{core.StatusPending}, ">pending<"},
		{[]core.Status{core.StatusBlocked}, ">pending<"},
		{[]core.Status{core.StatusKilled}, ">cancelled<"},
		{[]core.Status{core.StatusDeclined}, ">declined<"},
	}
	for _, tc := range cases {
		f := newBadgeFixture(t)
		for _, s := range tc.statuses {
			f.addBuild(t, f.site, "main", s)
		}
		f.addBuild(t, f.site, "other", core.StatusError) // another branch's build is not shown
		w := f.get(t, "/api/badges/acme/site/status.svg", "", nil)
		if w.Code != 200 || w.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%v: %d %s %s, want %s", tc.statuses, w.Code, w.Header().Get("Content-Type"), w.Body, tc.want)
		}
		if err := xml.Unmarshal(w.Body.Bytes(), new(struct{})); err != nil {
			t.Errorf("%v: the badge is not XML: %v", tc.statuses, err)
		}
	}
}

func TestBadgeBranchAndEscaping(t *testing.T) {
	f := newBadgeFixture(t)
	f.addBuild(t, f.site, "main", core.StatusSuccess)
	f.addBuild(t, f.site, "dev", core.StatusFailure)
	evil := `<script>alert(1)</script>"&'`
	f.addBuild(t, f.site, evil, core.StatusSuccess)
	cases := []struct{ query, want string }{
		{"", ">passing<"},
		{"?branch=", ">passing<"},
		{"?branch=dev", ">failing<"},
		{"?branch=nope", ">none<"},
		{"?branch=%3Cscript%3Ealert(1)%3C/script%3E%22%26%27", ">passing<"},
	}
	for _, tc := range cases {
		w := f.get(t, "/api/badges/acme/site/status.svg"+tc.query, "", nil)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want %s", tc.query, w.Code, body, tc.want)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, `"&'`) {
			t.Errorf("%s: the branch is not escaped: %s", tc.query, body)
		}
		var svg struct {
			Title string `xml:"title"`
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &svg); err != nil {
			t.Errorf("%s: not XML: %v", tc.query, err)
		}
		if strings.Contains(tc.query, "script") && !strings.Contains(svg.Title, evil) {
			t.Errorf("the title %q does not show the branch %q", svg.Title, evil)
		}
	}
	for _, bad := range []string{"a%20b", "a..b", "a~1", "x%0Ay", strings.Repeat("b", 256)} {
		w := f.get(t, "/api/badges/acme/site/status.svg?branch="+bad, "", nil)
		wantError(t, "branch "+bad, w.Code, w.Body.String(), 400)
	}
}

func TestBadgeAccessAndCaching(t *testing.T) {
	f := newBadgeFixture(t)
	ctx := context.Background()
	internal := &core.Repo{RemoteID: "3", Owner: "acme", Name: "intra", Branch: "main", Private: true, Visibility: "internal"}
	if err := f.store.Repos().Create(ctx, internal); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{"/api/badges/acme/site/status.svg", "", 200},
		{"/api/badges/acme/site/cc.xml", "drv_not-a-token", 200}, // a bad token is anonymous
		{"/api/badges/acme/app/status.svg", "", 404},
		{"/api/badges/acme/app/cc.xml", "", 404},
		{"/api/badges/acme/app/status.svg", "drv_not-a-token", 404},
		{"/api/badges/acme/app/status.svg", f.tokens["other"], 404},
		{"/api/badges/acme/app/status.svg", f.tokens["reader"], 200},
		{"/api/badges/acme/app/cc.xml", f.tokens["admin"], 200},
		{"/api/badges/acme/intra/status.svg", "", 404},
		{"/api/badges/acme/intra/status.svg", f.tokens["reader"], 404},
		{"/api/badges/acme/none/status.svg", "", 404},
		{"/api/badges/acme/site/status.svg?remote=elsewhere", "", 404},
	} {
		w := f.get(t, tc.path, tc.token, nil)
		if w.Code != tc.want {
			t.Errorf("GET %s as %.8s = %d %s, want %d", tc.path, tc.token, w.Code, w.Body, tc.want)
		}
	}
	// A public badge is cached publicly, a private one per caller; the
	// ETag answers 304 until a new build changes the badge.
	w := f.get(t, "/api/badges/acme/site/status.svg", "", nil)
	etag := w.Header().Get("ETag")
	if w.Header().Get("Cache-Control") != "public, max-age=30" || len(etag) < 10 {
		t.Errorf("public headers %v", w.Header())
	}
	if w := f.get(t, "/api/badges/acme/site/status.svg", "", map[string]string{"If-None-Match": etag}); w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("If-None-Match = %d %s, want 304", w.Code, w.Body)
	}
	f.addBuild(t, f.site, "main", core.StatusSuccess)
	w = f.get(t, "/api/badges/acme/site/status.svg", "", map[string]string{"If-None-Match": etag})
	if w.Code != 200 || w.Header().Get("ETag") == etag {
		t.Errorf("after a new build: %d, ETag %s (was %s)", w.Code, w.Header().Get("ETag"), etag)
	}
	w = f.get(t, "/api/badges/acme/app/status.svg", f.tokens["reader"], nil)
	if w.Header().Get("Cache-Control") != "private, max-age=30" || !strings.Contains(w.Header().Get("Vary"), "Authorization") {
		t.Errorf("private headers %v", w.Header())
	}
}

type ccFeed struct {
	Projects []struct {
		Name            string `xml:"name,attr"`
		Activity        string `xml:"activity,attr"`
		LastBuildStatus string `xml:"lastBuildStatus,attr"`
		LastBuildLabel  string `xml:"lastBuildLabel,attr"`
		LastBuildTime   string `xml:"lastBuildTime,attr"`
		WebURL          string `xml:"webUrl,attr"`
	} `xml:"Project"`
}

func TestCCTray(t *testing.T) {
	cases := []struct {
		statuses                     []core.Status
		activity, status, label, url string
	}{
		{nil, "Sleeping", "Unknown", "", serverURL + "/acme/site"},
		{[]core.Status{core.StatusSuccess}, "Sleeping", "Success", "1", serverURL + "/acme/site/1"},
		{[]core.Status{core.StatusFailure}, "Sleeping", "Failure", "1", serverURL + "/acme/site/1"},
		{[]core.Status{core.StatusError}, "Sleeping", "Exception", "1", serverURL + "/acme/site/1"},
		{[]core.Status{core.StatusSuccess, core.StatusFailure, core.StatusRunning}, "Building", "Failure", "2", serverURL + "/acme/site/2"},
		{[]core.Status{core.StatusPending}, "Building", "Unknown", "", serverURL + "/acme/site"},
	}
	for _, tc := range cases {
		f := newBadgeFixture(t)
		for _, s := range tc.statuses {
			f.addBuild(t, f.site, "main", s)
		}
		w := f.get(t, "/api/badges/acme/site/cc.xml", "", nil)
		var feed ccFeed
		if err := xml.Unmarshal(w.Body.Bytes(), &feed); err != nil || w.Code != 200 || len(feed.Projects) != 1 {
			t.Fatalf("%v: %d %s: %v", tc.statuses, w.Code, w.Body, err)
		}
		p := feed.Projects[0]
		if p.Name != "acme/site" || p.Activity != tc.activity || p.LastBuildStatus != tc.status || p.LastBuildLabel != tc.label || p.WebURL != tc.url {
			t.Errorf("%v: %+v", tc.statuses, p)
		}
		if tc.label != "" && p.LastBuildTime != "2026-12-01T10:00:00Z" {
			t.Errorf("%v: lastBuildTime %q", tc.statuses, p.LastBuildTime)
		}
	}
}

// TestBadgeWithSession: a browser's session cookie shows a private
// repository's badge to a user who may read it.
func TestBadgeWithSession(t *testing.T) {
	f := newRemoteFixture(t, false)
	f.srv.AddBadges(api.BadgeDeps{ServerURL: serverURL})
	session, csrf := f.login(t, "tok", "octo")
	f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	ctx := context.Background()
	repo, _ := f.store.Repos().FindSlug(ctx, "fake", "acme/app")
	repo.Private = true
	if err := f.store.Repos().Update(ctx, repo); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		cookies []*http.Cookie
		want    int
	}{
		{"anonymous", nil, 404},
		{"a forged session", []*http.Cookie{{Name: api.SessionCookie, Value: "forged"}}, 404},
		{"the user's session", []*http.Cookie{session}, 200},
	} {
		w := f.serve(t, request{method: "GET", path: "/api/badges/acme/app/status.svg", cookies: tc.cookies})
		if w.Code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, w.Code, w.Body, tc.want)
		}
	}
}
