package trigger_test

import (
	"context"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline/convert"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

const (
	legacyFile  = "pipeline:\n  test:\n    image: golang\n    commands: [go test]\n  ship:\n    image: alpine\n    commands: [echo ship]\n    when:\n      branch: main\n"
	jsonnetFile = "local p(n) = {kind: 'pipeline', name: n, steps: [{name: 'on-' + std.extVar('build.branch'), image: 'alpine', commands: ['x']}]};\n[p('a'), p('b')]\n"
	starFile    = "def main(ctx):\n    return [{'kind': 'pipeline', 'name': n, 'steps': [{'name': 'on-' + ctx.build.branch, 'image': 'alpine', 'commands': ['x']}]} for n in ['a', 'b']]\n"
	loopFile    = "def main(ctx):\n    for i in range(1000000000):\n        pass\n    return {}\n"
	legacyBad   = "pipeline:\n  test:\n    image: golang\n    commands: [go test]\n    volumes:\n      - /etc:/host-etc\n"
)

// TestTriggerFormats: the trigger reads 0.8 files, Jsonnet and Starlark
// (when enabled) and builds their stages; a disabled format, a runaway
// program and a 0.8 file the 1.x checks refuse make an error build whose
// message names the file, line and column.
func TestTriggerFormats(t *testing.T) {
	on := convert.Enabled{Jsonnet: true, Starlark: true}
	for _, tc := range []struct {
		name, path, file string
		formats          convert.Enabled
		stages           string // stage:steps,… ; "" wants an error build
		wantErr          string
	}{
		{"0.8", ".drone.yml", legacyFile, convert.Enabled{}, "default:clone,test,ship", ""},
		{"jsonnet", ".drone.jsonnet", jsonnetFile, on, "a:clone,on-main b:clone,on-main", ""},
		{"starlark", ".drone.star", starFile, on, "a:clone,on-main b:clone,on-main", ""},
		{"jsonnet disabled", ".drone.jsonnet", jsonnetFile, convert.Enabled{Starlark: true}, "", ".drone.jsonnet: 1:1: jsonnet pipeline files are disabled"},
		{"starlark loop", ".drone.star", loopFile, on, "", ".drone.star: 2:5: starlark: Starlark computation cancelled: too many steps"},
		{"0.8 refused by 1.x checks", ".drone.yml", legacyBad, convert.Enabled{}, "", ".drone.yml: 6:7: pipeline \"default\": host volume"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				f := newFixture(t, s, map[string]string{tc.path: tc.file})
				if tc.path != ".drone.yml" {
					f.repo.ConfigPath = tc.path
				}
				f.trig.Formats = tc.formats
				ctx := context.Background()
				b, err := f.trig.Trigger(ctx, f.repo, push("x"))
				if err != nil {
					t.Fatal(err)
				}
				if tc.stages == "" {
					if b.Status != core.StatusError || !strings.Contains(b.Error, tc.wantErr) {
						t.Fatalf("build %s (%q), want an error with %q", b.Status, b.Error, tc.wantErr)
					}
					return
				}
				if b.Status != core.StatusPending {
					t.Fatalf("build %s: %s", b.Status, b.Error)
				}
				stages, err := s.Stages().ListBuild(ctx, b.ID)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, st := range stages {
					var steps []string
					for _, step := range st.Steps {
						steps = append(steps, step.Name)
					}
					got = append(got, st.Name+":"+strings.Join(steps, ","))
				}
				if strings.Join(got, " ") != tc.stages {
					t.Fatalf("stages = %v, want %s", got, tc.stages)
				}
			})
		})
	}
}
