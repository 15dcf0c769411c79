package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// TestManualBuildNeedsActiveRepo: a manual build (or a restart) of a
// repository never activated, or deactivated, is refused with 409 and a
// message, and creates nothing; once active it runs.
func TestManualBuildNeedsActiveRepo(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	cookies := []*http.Cookie{session, csrf}
	csrfHeader := map[string]string{api.CSRFHeader: csrf.Value}
	ctx := context.Background()
	f.fake.AddRepo("tok", "acme/never", core.Perm{Pull: true, Push: true, Admin: true})
	f.fake.SetFile("acme/never", "refs/heads/main", sha, ".drone.yml", []byte(pipelineYAML))
	f.activeRepo(t, session, csrf, "tok", "acme/app", sha)

	manual := func(slug string) *http.Response {
		return f.serve(t, request{method: "POST", path: "/api/repos/" + slug + "/builds", cookies: cookies, headers: csrfHeader}).Result()
	}
	if r := manual("acme/app"); r.StatusCode != http.StatusCreated {
		t.Fatalf("manual build of an active repository = %d", r.StatusCode)
	}
	if w := f.serve(t, request{method: "DELETE", path: "/api/repos/acme/app", cookies: cookies, headers: csrfHeader}); w.Code != 200 {
		t.Fatalf("deactivate = %d %s", w.Code, w.Body)
	}
	cases := []struct{ name, method, path string }{
		{"never activated", "POST", "/api/repos/acme/never/builds"},
		{"deactivated", "POST", "/api/repos/acme/app/builds"},
		{"restart on a deactivated", "POST", "/api/repos/acme/app/builds/1"},
	}
	for _, tc := range cases {
		w := f.serve(t, request{method: tc.method, path: tc.path, cookies: cookies, headers: csrfHeader})
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "not active") {
			t.Errorf("%s: %s %s = %d %s, want 409 saying the repository is not active", tc.name, tc.method, tc.path, w.Code, w.Body)
		}
	}
	for _, slug := range []string{"acme/never", "acme/app"} {
		repo, err := f.store.Repos().FindSlug(ctx, "fake", slug)
		if err != nil {
			t.Fatal(err)
		}
		builds, _ := f.store.Builds().List(ctx, repo.ID, 10, 0)
		if want := map[string]int{"acme/never": 0, "acme/app": 1}[slug]; len(builds) != want {
			t.Errorf("%s has %d builds, want %d", slug, len(builds), want)
		}
	}
}
