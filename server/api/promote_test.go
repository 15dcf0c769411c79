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

// promotePipeline builds on manual builds and deploys on promotions to
// production, with one step for staging only.
const promotePipeline = `
kind: pipeline
name: build
trigger: {event: [custom]}
steps: [{name: compile, image: alpine, commands: [echo build]}]
---
kind: pipeline
name: deploy
trigger:
  event: [promote]
  target: [production, staging]
steps:
- name: ship
  image: alpine
  commands: [echo "$DRONE_DEPLOY_TO $VERSION"]
- name: smoke
  image: alpine
  commands: [echo smoke]
  when: {target: [staging]}
`

// TestPromote: POST …/promote makes a promote build of the same commit
// (parent the promoted one) with the target as deploy_to and the
// request's params; the compiler runs only what event: promote and
// target: select; a target nothing deploys to is skipped; bad input is a
// 4xx with a message and creates nothing.
func TestPromote(t *testing.T) {
	f := newRemoteFixture(t, false)
	session, csrf := f.login(t, "tok", "octo")
	f.activeRepo(t, session, csrf, "tok", "acme/app", sha)
	f.fake.SetFile("acme/app", "refs/heads/main", sha, ".drone.yml", []byte(promotePipeline))
	post := func(path, body string) (int, string) {
		w := f.serve(t, request{method: "POST", path: "/api/repos/acme/app/builds" + path, body: body,
			cookies: []*http.Cookie{session, csrf}, headers: map[string]string{api.CSRFHeader: csrf.Value}})
		return w.Code, w.Body.String()
	}
	if code, body := post("", `{"params":{"OLD":"x"}}`); code != http.StatusCreated {
		t.Fatalf("build 1 = %d %s", code, body)
	}
	ctx := context.Background()
	repo, err := f.store.Repos().FindSlug(ctx, "fake", "acme/app")
	if err != nil {
		t.Fatal(err)
	}
	code, body := post("/1/promote", `{"target":"production","params":{"VERSION":"1.2.3"}}`)
	if code != http.StatusCreated {
		t.Fatalf("promote = %d %s", code, body)
	}
	var b core.Build
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	if b.Number != 2 || b.Parent != 1 || b.Event != core.EventPromote || b.Deploy != "production" || b.After != sha ||
		b.Params["VERSION"] != "1.2.3" || b.Params["OLD"] != "" || b.Sender != "octo" {
		t.Fatalf("promoted build %+v", b)
	}
	stages, err := f.store.Stages().ListBuild(ctx, b.ID)
	if err != nil || len(stages) != 1 || stages[0].Name != "deploy" {
		t.Fatalf("stages %v, %v; want deploy only", stages, err)
	}
	var spec core.Spec
	if err := json.Unmarshal(stages[0].Spec, &spec); err != nil {
		t.Fatal(err)
	}
	var policies []string
	for _, s := range spec.Steps {
		policies = append(policies, s.Name+":"+string(s.RunPolicy))
	}
	if env := spec.Environment; env["DRONE_DEPLOY_TO"] != "production" || env["DRONE_BUILD_EVENT"] != "promote" ||
		env["VERSION"] != "1.2.3" || env["DRONE_BUILD_PARENT"] != "1" || fmt.Sprint(policies) != "[ship:on-success smoke:never]" {
		t.Fatalf("deploy stage: steps %v, environment %v", policies, env)
	}

	tests := []struct {
		name, path, body string
		code             int
		says             string
	}{
		{"no pipeline for the target", "/1/promote", `{"target":"qa"}`, 200, `"skipped"`},
		{"missing target", "/1/promote", `{"params":{"A":"b"}}`, 400, "target: missing"},
		{"empty body", "/1/promote", ``, 400, ""},
		{"target with a space", "/1/promote", `{"target":"prod uction"}`, 400, "not a target name"},
		{"long target", "/1/promote", `{"target":"` + strings.Repeat("p", 101) + `"}`, 400, "not a target name"},
		{"target not a string", "/1/promote", `{"target":1}`, 400, ""},
		{"bad param", "/1/promote", `{"target":"production","params":{"9":"x"}}`, 400, "not a variable name"},
		{"reserved param", "/1/promote", `{"target":"production","params":{"DRONE_DEPLOY_TO":"x"}}`, 400, "set by Drover"},
		{"unknown field", "/1/promote", `{"target":"production","environment":"x"}`, 400, "environment"},
		{"malformed", "/1/promote", `{"target":`, 400, ""},
		{"no such build", "/9/promote", `{"target":"production"}`, 404, ""},
		{"bad number", "/x/promote", `{"target":"production"}`, 400, ""},
	}
	for _, tc := range tests {
		code, body := post(tc.path, tc.body)
		if code != tc.code || !strings.Contains(body, tc.says) || (code >= 400 && !strings.Contains(body, `"error"`)) {
			t.Errorf("%s: %d %.200s, want %d saying %q", tc.name, code, body, tc.code, tc.says)
		}
	}
	if list, _ := f.store.Builds().List(ctx, repo.ID, 10, 0); len(list) != 2 {
		t.Errorf("%d builds stored, want 2: refused or skipped promotions created some", len(list))
	}
}
