package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCompile feeds arbitrary files to Parse, Lint and Compile: they
// must not panic, every problem must carry a position, and compiled specs
// must serialise to JSON (the SDK sends them so). The seed corpus is in
// testdata/fuzz/FuzzParseCompile (the compatibility corpus, plus tricky
// YAML: aliases, merge cycles, deep nesting).
func FuzzParseCompile(f *testing.F) {
	f.Add([]byte("kind: pipeline\nsteps:\n- name: a\n  image: alpine\n"))
	f.Add([]byte("a: &a [*a, *a]\nkind: pipeline\nsteps: *a\n"))
	f.Add([]byte("kind: pipeline\nx-a: &a {<<: *a}\nsteps:\n- <<: *a\n"))
	drone, _ := filepath.Glob("testdata/drone/*.yml") // Drone's fixtures and public files
	for _, file := range drone {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	md := testMetadata()
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		checkPositioned(t, err)
		if err != nil {
			return
		}
		checkPositioned(t, Lint(m, LintOptions{}))
		warnings, err := Check(m, LintOptions{Trusted: true})
		checkPositioned(t, err)
		if len(warnings) > 0 {
			checkPositioned(t, warnings)
		}
		specs, err := Compile(m, md)
		checkPositioned(t, err)
		if _, err := json.Marshal(specs); err != nil {
			t.Fatalf("specs do not serialise: %v", err)
		}
		_ = specs
	})
}

func checkPositioned(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	ps := AsProblems(err)
	if ps == nil {
		t.Fatalf("error without positions: %v", err)
	}
	for _, p := range ps {
		if p.Line < 1 || p.Column < 1 {
			t.Fatalf("problem without a position: %v", p)
		}
	}
}
