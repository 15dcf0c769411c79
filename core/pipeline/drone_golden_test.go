package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// droneSpec is the part of a Drone runner's compiled spec (its compiler
// tests' golden JSON) that Drover's spec must agree with.
type droneSpec struct {
	Steps []struct {
		Name      string          `json:"name"`
		DependsOn []string        `json:"depends_on"`
		RunPolicy json.RawMessage `json:"run_policy"`
	} `json:"steps"`
}

// droneRunPolicies maps the runners' run policies, strings in the docker
// runner and numbers in the exec and ssh runners (runner-go's order).
var droneRunPolicies = map[string]core.RunPolicy{
	"": core.RunOnSuccess, `"on-success"`: core.RunOnSuccess, `"on-failure"`: core.RunOnFailure,
	`"always"`: core.RunAlways, `"never"`: core.RunNever,
	"0": core.RunOnSuccess, "1": core.RunOnFailure, "2": core.RunAlways, "3": core.RunNever,
}

// TestDroneCompilerGoldens compiles the files that Drone's runners compile
// in their compiler tests and compares steps, order (each step's
// effective dependencies) and run policies (conditions) with Drone's
// golden specs. Drone lists the clone as a step and makes steps wait for
// it; Drover's runner clones before the steps, so the clone is left out
// of both sides.
func TestDroneCompilerGoldens(t *testing.T) {
	goldens, _ := filepath.Glob("testdata/drone/*.drone.json")
	if len(goldens) < 12 {
		t.Fatalf("%d golden files, want at least 12", len(goldens))
	}
	md := testMetadata()
	md.Build.Target, md.Build.Ref = "master", "refs/heads/master" // as the runners' compiler tests
	for _, g := range goldens {
		name := strings.TrimSuffix(filepath.Base(g), ".drone.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(g)
			if err != nil {
				t.Fatal(err)
			}
			var want droneSpec
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join("testdata/drone", name+".yml"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			specs, err := Compile(m, md)
			if err != nil || len(specs) != 1 {
				t.Fatalf("compile: %d specs, %v", len(specs), err)
			}
			var wantSteps []string
			hasClone := false
			for _, s := range want.Steps {
				if s.Name == CloneStep {
					hasClone = true
					continue
				}
				policy, ok := droneRunPolicies[string(s.RunPolicy)]
				if !ok {
					t.Fatalf("unknown run policy %s", s.RunPolicy)
				}
				wantSteps = append(wantSteps, stepLine(s.Name, withoutClone(s.DependsOn), policy))
			}
			if got := !specs[0].Clone.Disable; got != hasClone {
				t.Errorf("clone enabled %v, Drone %v", got, hasClone)
			}
			if got := droverSteps(specs[0]); !slices.Equal(got, wantSteps) {
				t.Errorf("steps differ from Drone's\n got: %s\nwant: %s", strings.Join(got, "; "), strings.Join(wantSteps, "; "))
			}
		})
	}
}

// droverSteps writes a spec's steps with the dependencies they wait for
// at run time: the previous step when no step names any (serial), else
// their depends_on.
func droverSteps(spec *core.Spec) []string {
	serial := true
	for _, s := range spec.Steps {
		if len(withoutClone(s.DependsOn)) > 0 {
			serial = false
		}
	}
	var out []string
	for i, s := range spec.Steps {
		deps := withoutClone(s.DependsOn)
		if serial && i > 0 {
			deps = []string{spec.Steps[i-1].Name}
		}
		out = append(out, stepLine(s.Name, deps, s.RunPolicy))
	}
	return out
}

func stepLine(name string, deps []string, policy core.RunPolicy) string {
	return fmt.Sprintf("%s<%s>%s", name, strings.Join(deps, ","), policy)
}

func withoutClone(deps []string) []string {
	var out []string
	for _, d := range deps {
		if d != CloneStep {
			out = append(out, d)
		}
	}
	return out
}
