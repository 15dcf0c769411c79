package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// evil is a stage name that must be drawn as text in the graph.
const evil = `<script>c</script>`

// addDiamond gives acme/public build 4: stages a → {b, evil} → d, and in
// d steps x → y.
func (f *fixture) addDiamond(t *testing.T) {
	t.Helper()
	b := &core.Build{RepoID: f.repos["public"].ID, Event: core.EventPush, Ref: "refs/heads/main", Status: core.StatusRunning, Message: "diamond"}
	step := func(name string, deps ...string) *core.Step {
		return &core.Step{Name: name, Status: core.StatusPending, DependsOn: deps}
	}
	stages := []*core.Stage{
		{Name: "a", Status: core.StatusSuccess, Steps: []*core.Step{step("one")}},
		{Name: "b", Status: core.StatusRunning, DependsOn: []string{"a"}, Steps: []*core.Step{step("one")}},
		{Name: evil, Status: core.StatusFailure, DependsOn: []string{"a"}, Steps: []*core.Step{step("one")}},
		{Name: "d", Status: core.StatusWaiting, DependsOn: []string{"b", evil}, Steps: []*core.Step{step("x"), step("y", "x")}},
	}
	for i, st := range stages {
		st.Number, st.Type = i+1, "docker"
		for j, s := range st.Steps {
			s.Number = j + 1
		}
	}
	if err := f.store.Builds().Create(context.Background(), b, stages); err != nil {
		t.Fatal(err)
	}
}

// TestBuildGraph checks the build page's pipeline graph of a diamond:
// four stage nodes in three columns, four edges, names escaped, and a
// step graph for the stage whose steps name dependencies.
func TestBuildGraph(t *testing.T) {
	f := newFixture(t)
	f.addDiamond(t)
	w := f.serve(t, request{path: "/acme/public/4", user: "reader"})
	if w.Code != 200 {
		t.Fatalf("GET build 4 = %d: %.300s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	start := strings.Index(body, `<h2 id="graph-heading">`)
	end := strings.Index(body, `<h2 id="stages-heading">`)
	if start < 0 || end < start {
		t.Fatalf("no stage graph before the stages")
	}
	stageSVG := body[start:end]
	if n := strings.Count(stageSVG, `<g class="node`); n != 4 {
		t.Errorf("stage graph has %d nodes, want 4", n)
	}
	if n := strings.Count(stageSVG, `class="edge"`); n != 4 {
		t.Errorf("stage graph has %d edges, want 4", n)
	}
	// a in column 0, b and c in column 1, d in column 2 (x = 4 + column·224).
	xs := regexp.MustCompile(`<rect x="(\d+)" y="(\d+)"`).FindAllStringSubmatch(stageSVG, -1)
	var got []string
	for _, m := range xs {
		got = append(got, m[1]+","+m[2])
	}
	if want := "[4,4 228,4 228,54 452,4]"; "["+strings.Join(got, " ")+"]" != want {
		t.Errorf("stage nodes at %v, want %s", got, want)
	}
	for _, s := range []string{`class="node st-failure"`, `class="node st-running"`, "&lt;script&gt;c&lt;/script&gt;", `aria-label="Pipeline graph of the build&#39;s stages: a (success); b (running) after a;`} {
		if !strings.Contains(stageSVG, s) {
			t.Errorf("stage graph lacks %q", s)
		}
	}
	if strings.Contains(body, evil) {
		t.Errorf("the page holds the stage name unescaped")
	}
	if n := strings.Count(body, `<figure class="graph">`); n != 2 {
		t.Errorf("%d graphs on the page, want 2 (stages, and stage d's steps)", n)
	}
	if !strings.Contains(body, `aria-label="Graph of the steps of stage d: x (pending); y (pending) after x"`) {
		t.Errorf("no step graph for stage d")
	}
	if w := f.serve(t, request{path: "/acme/public/1", user: "reader"}); strings.Contains(w.Body.String(), `class="graph"`) {
		t.Errorf("a build of one stage of serial steps has a graph")
	}
}
