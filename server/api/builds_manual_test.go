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

// TestManualBuildParams: a manual build's parameters are stored on the
// build and set in the environment of its compiled stage; bad parameters,
// commits and bodies are 400 (413 when oversized) with a message and
// create nothing.
func TestManualBuildParams(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	f.fake.SetFile("acme/app", "refs/heads/main", sha, ".drone.yml", []byte(dockerPipelineYAML))
	post := func(body string) (int, string) {
		w := f.serve(t, request{method: "POST", path: "/api/repos/acme/app/builds", body: body,
			cookies: []*http.Cookie{session, csrf}, headers: map[string]string{api.CSRFHeader: csrf.Value}})
		return w.Code, w.Body.String()
	}
	ctx := context.Background()
	repo, err := f.store.Repos().FindSlug(ctx, "fake", "acme/app")
	if err != nil {
		t.Fatal(err)
	}

	code, body := post(`{"branch":"main","commit":"` + sha + `","params":{"DEPLOY_ENV":"staging","_x1":"a b=c"}}`)
	if code != http.StatusCreated {
		t.Fatalf("manual build = %d %s", code, body)
	}
	b, err := f.store.Builds().FindNumber(ctx, repo.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b.Params["DEPLOY_ENV"] != "staging" || b.Params["_x1"] != "a b=c" || b.After != sha || b.Event != core.EventCustom {
		t.Fatalf("stored build %+v", b)
	}
	stages, err := f.store.Stages().ListBuild(ctx, b.ID)
	if err != nil || len(stages) != 1 {
		t.Fatalf("stages %v, %v", stages, err)
	}
	var spec core.Spec
	if err := json.Unmarshal(stages[0].Spec, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Environment["DEPLOY_ENV"] != "staging" || spec.Environment["_x1"] != "a b=c" {
		t.Fatalf("compiled environment lacks the params: %v", spec.Environment)
	}

	many := map[string]string{}
	for i := 0; i <= api.MaxBuildParams; i++ {
		many[fmt.Sprintf("P%d", i)] = "v"
	}
	manyJSON, _ := json.Marshal(map[string]any{"params": many})
	bulky, _ := json.Marshal(map[string]any{"params": map[string]string{"A": strings.Repeat("x", api.MaxBuildParamsBytes)}})
	tests := []struct {
		name, body string
		code       int
		says       string
	}{
		{"digit first", `{"params":{"1A":"v"}}`, 400, "not a variable name"},
		{"dash", `{"params":{"A-B":"v"}}`, 400, "not a variable name"},
		{"empty name", `{"params":{"":"v"}}`, 400, "not a variable name"},
		{"long name", `{"params":{"` + strings.Repeat("A", api.MaxBuildParamKeyBytes+1) + `":"v"}}`, 400, "not a variable name"},
		{"reserved DRONE_", `{"params":{"DRONE_BRANCH":"x"}}`, 400, "set by Drover"},
		{"reserved CI_", `{"params":{"ci_commit_sha":"x"}}`, 400, "set by Drover"},
		{"reserved CI", `{"params":{"CI":"false"}}`, 400, "set by Drover"},
		{"NUL in value", `{"params":{"A":"a\u0000b"}}`, 400, "NUL"},
		{"too many", string(manyJSON), 400, "at most 64"},
		{"too big", string(bulky), 400, "bytes of names and values"},
		{"value not a string", `{"params":{"A":1}}`, 400, ""},
		{"params not an object", `{"params":["A"]}`, 400, ""},
		{"bad commit", `{"commit":"not-a-sha"}`, 400, "not a commit id"},
		{"bad branch", `{"branch":"a b"}`, 400, "not a branch name"},
		{"unknown field", `{"branch":"main","parameters":{}}`, 400, "parameters"},
		{"malformed", `{"branch":`, 400, ""},
		{"oversized", `{"branch":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`, 413, ""},
	}
	for _, tc := range tests {
		code, body := post(tc.body)
		if code != tc.code || !strings.Contains(body, `"error"`) || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %.200s, want %d with an error saying %q", tc.name, code, body, tc.code, tc.says)
		}
	}
	if list, _ := f.store.Builds().List(ctx, repo.ID, 10, 0); len(list) != 1 {
		t.Errorf("refused requests created builds: %d stored", len(list))
	}
}

// dockerPipelineYAML is a one-stage pipeline an untrusted repository may run.
const dockerPipelineYAML = `
kind: pipeline
type: docker
name: default
steps:
- name: a
  image: alpine
  commands: [echo "$DEPLOY_ENV"]
`
