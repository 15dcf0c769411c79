package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
)

// TestGetBuildReturnsWarnings: the build API returns the warnings of the
// build's pipeline file, positioned.
func TestGetBuildReturnsWarnings(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	secret := f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	f.fake.SetFile("acme/app", "refs/heads/main", sha, ".drone.yml", []byte("kind: pipeline\nname: default\nsteps:\n- name: a\n  image: alpine\n  commands: [echo hi]\n  detatch: true\n"))
	if code, out := f.sendHook(t, "fake", remotetest.Hook(pushEvent("acme/app", "d-1", "change"), secret)); code != 200 {
		t.Fatalf("push = %d %v", code, out)
	}
	w := f.serve(t, request{method: "GET", path: "/api/repos/acme/app/builds/1", cookies: []*http.Cookie{session, csrf}})
	if w.Code != 200 {
		t.Fatalf("get build = %d %s", w.Code, w.Body)
	}
	var got struct {
		Warnings []core.Warning `json:"warnings"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Warnings) != 1 || got.Warnings[0].File != ".drone.yml" || got.Warnings[0].Line != 7 || got.Warnings[0].Column != 3 {
		t.Fatalf("warnings %+v, want one at .drone.yml:7:3 (%s)", got.Warnings, w.Body)
	}
}
