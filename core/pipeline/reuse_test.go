package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// compileBoth compiles data with and without reusing Parse's result and
// returns both outcomes as JSON, after checking Compile left m unchanged.
func compileBoth(t *testing.T, data []byte, md Metadata) (reused, full string, parsed bool) {
	t.Helper()
	m, err := Parse(data)
	if err != nil {
		return "", "", false
	}
	before, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	outcome := func(walk bool) string {
		fullWalk = walk
		defer func() { fullWalk = false }()
		specs, err := Compile(m, md)
		b, jerr := json.Marshal(struct {
			Specs    any
			Problems []string
		}{specs, messages(err)})
		if jerr != nil {
			t.Fatal(jerr)
		}
		return string(b)
	}
	reused, full = outcome(false), outcome(true)
	if after, _ := json.Marshal(m); string(after) != string(before) {
		t.Fatalf("Compile changed the manifest:\n%s", cmp.Diff(string(before), string(after)))
	}
	return reused, full, true
}

func TestReuseMatchesFullWalk(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.yml")
	inputs := map[string][]byte{"bench": bigPipeline(20)}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = data
	}
	handmade := map[string]string{
		"name-empty":      "kind: pipeline\nname: ${NOPE}\nsteps:\n- name: a${NOPE}\n  image: alpine\n  commands: [echo]\n",
		"settings":        "kind: pipeline\nsteps:\n- name: a\n  image: plugins/x\n  settings:\n    a: ${DRONE_BRANCH}\n    b: 1\n- name: b\n  image: x\n  settings:\n    c: ${NOPE}\n",
		"type-changes":    "kind: pipeline\ntype: ${T}\nsteps:\n- name: a\n  image: alpine\n  foo: bar\n",
		"options":         "kind: pipeline\ntype: kube\nsteps:\n- name: a\n  image: alpine\n  x: ${DRONE_BRANCH}\n  y: 1\n  z: ['${DRONE_TAG}']\n",
		"services":        "kind: pipeline\nservices:\n- name: db\n  image: pg:${V}\nsteps:\n- name: a\n  image: alpine\n  depends_on: ['${DEP}']\n",
		"bad-subst":       "kind: pipeline\nsteps:\n- name: a\n  image: alpine\n  commands: ['${A']\n- name: b\n  image: ${B:0:x}\n",
		"when":            "kind: pipeline\nsteps:\n- name: a\n  image: alpine\n  when:\n    branch: ${DRONE_REPO_BRANCH}\n    event: [push]\n",
		"anchors":         "x-s: &s\n  image: alpine\n  commands: ['echo ${DRONE_BRANCH}']\nkind: pipeline\nsteps:\n- name: a\n  <<: *s\n- <<: *s\n  name: b\n",
		"secret-and-sig":  "kind: pipeline\nsteps:\n- name: a\n  image: alpine\n---\nkind: secret\nname: s\nget:\n  path: p${X}\n---\nkind: signature\nhmac: abc\n",
		"env-and-volumes": "kind: pipeline\nvolumes:\n- name: c\n  temp: {}\nsteps:\n- name: a\n  image: alpine\n  environment:\n    A: ${DRONE_BRANCH}\n    B:\n      from_secret: s${X}\n  volumes:\n  - name: c\n    path: /c/${DRONE_BRANCH}\n",
	}
	for name, in := range handmade {
		if _, err := Parse([]byte(in)); err != nil {
			t.Fatalf("%s does not parse: %v", name, err)
		}
		inputs[name] = []byte(in)
	}
	md := testMetadata()
	md.Build.Params = map[string]string{"T": "", "PULL": "sometimes", "DEP": "db", "V": "16", "DEPTH": "x", "D": "yes"}
	compiled := 0
	for name, data := range inputs {
		fmd := md
		applyHeader(&fmd, data)
		reused, full, ok := compileBoth(t, data, fmd)
		if !ok {
			continue
		}
		compiled++
		if reused != full {
			t.Errorf("%s: reusing Parse's result changes Compile's outcome:\n%s", name, cmp.Diff(full, reused))
		}
	}
	if compiled < 40 {
		t.Fatalf("only %d inputs parse", compiled)
	}
}

// FuzzCompileReuse checks that Compile's reuse of Parse's result never
// changes its outcome.
func FuzzCompileReuse(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	md := testMetadata()
	md.Build.Params = map[string]string{"T": "", "PULL": "sometimes", "DEP": "db"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		if reused, full, ok := compileBoth(t, data, md); ok && reused != full {
			t.Fatalf("reusing Parse's result changes Compile's outcome:\n%s", cmp.Diff(full, reused))
		}
	})
}
