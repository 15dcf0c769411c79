package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/api"
)

// abcPipeline is three stages, a → b → c.
const abcPipeline = `
kind: pipeline
name: a
steps: [{name: s, image: alpine, commands: [echo a]}]
---
kind: pipeline
name: b
depends_on: [a]
steps: [{name: s, image: alpine, commands: [echo "b $K"]}]
---
kind: pipeline
name: c
depends_on: [b]
steps: [{name: s, image: alpine, commands: [echo c]}]
`

// TestRestartStage: POST …/builds/{number} makes a new build (the next
// number, parent the old one) of the same commit and params; with
// ?stage= (name or number) it holds only that stage, pending at once
// although it depends on a stage not rerun. An unknown or empty stage is
// refused and creates nothing.
func TestRestartStage(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	f.fake.SetFile("acme/app", "refs/heads/main", sha, ".drone.yml", []byte(abcPipeline))
	post := func(path, body string) (int, string) {
		w := f.serve(t, request{method: "POST", path: "/api/repos/acme/app/builds" + path, body: body,
			cookies: []*http.Cookie{session, csrf}, headers: map[string]string{api.CSRFHeader: csrf.Value}})
		return w.Code, w.Body.String()
	}
	if code, body := post("", `{"params":{"K":"V"}}`); code != http.StatusCreated {
		t.Fatalf("build 1 = %d %s", code, body)
	}
	ctx := context.Background()
	repo, err := f.store.Repos().FindSlug(ctx, "fake", "acme/app")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, body string
		code       int
		want       string // the new build's stages as number:name:status, or what the error says
	}{
		{"/1", "", 201, "[1:a:pending 2:b:waiting 3:c:waiting]"},
		{"/1?stage=b", "", 201, "[2:b:pending]"},
		{"/1?stage=3", "", 201, "[3:c:pending]"},
		{"/1?stage=x", "", 404, "its stages are 1 a, 2 b, 3 c"},
		{"/1?stage=9", "", 404, "no stage"},
		{"/1?stage=", "", 400, "stage: empty"},
		{"/7?stage=b", "", 404, ""},
		{"/abc", "", 400, ""},
	}
	next := int64(2)
	for _, tc := range tests {
		code, body := post(tc.path, tc.body)
		if code != tc.code {
			t.Errorf("POST %s = %d %s, want %d", tc.path, code, body, tc.code)
			continue
		}
		if code >= 400 {
			if !strings.Contains(body, `"error"`) || !strings.Contains(body, tc.want) {
				t.Errorf("POST %s: %s, want an error saying %q", tc.path, body, tc.want)
			}
			continue
		}
		var b core.Build
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			t.Fatal(err)
		}
		if b.Number != next || b.Parent != 1 || b.After != sha || b.Params["K"] != "V" || b.Event != core.EventCustom {
			t.Errorf("POST %s: build %+v, want number %d, parent 1, the same commit and params", tc.path, b, next)
		}
		next++
		stages, err := f.store.Stages().ListBuild(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, st := range stages {
			got = append(got, fmt.Sprintf("%d:%s:%s", st.Number, st.Name, st.Status))
		}
		if g := fmt.Sprint(got); g != tc.want {
			t.Errorf("POST %s: stages %s, want %s", tc.path, g, tc.want)
		}
	}
	if list, _ := f.store.Builds().List(ctx, repo.ID, 100, 0); int64(len(list)) != next-1 {
		t.Errorf("%d builds stored, want %d: refused restarts created some", len(list), next-1)
	}
}
