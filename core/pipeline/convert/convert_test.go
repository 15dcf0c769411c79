package convert

import (
	"context"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core/pipeline"
)

const (
	yaml1x   = "kind: pipeline\ntype: exec\nname: a\nsteps:\n- name: s\n  commands: [echo]\n"
	yaml08   = "pipeline:\n  s:\n    image: alpine\n    commands: [echo]\n"
	jsonnet1 = "{kind: 'pipeline', type: 'exec', name: 'j', steps: [{name: 's', commands: ['echo ' + std.extVar('build.branch')]}]}"
	star1    = "def main(ctx):\n    return {'kind': 'pipeline', 'type': 'exec', 'name': 's', 'steps': [{'name': 's', 'commands': ['echo ' + ctx.build.branch]}]}\n"
	badOut   = "{kind: 'pipeline', type: 'exec', name: 'j', steps: 5}"
)

// TestConvert: each format is chosen by name and content, converted,
// and parsed; programs run only when enabled.
func TestConvert(t *testing.T) {
	on := Enabled{Jsonnet: true, Starlark: true}
	for _, tc := range []struct {
		name, file, data string
		enabled          Enabled
		format           Format
		pipeline         string // name of the first pipeline; "" when an error is wanted
		wantErr          string
	}{
		{"1.x yaml", ".drone.yml", yaml1x, Enabled{}, YAML, "a", ""},
		{"0.8 yaml", ".drone.yml", yaml08, Enabled{}, Legacy, "default", ""},
		{"jsonnet", ".drone.jsonnet", jsonnet1, on, Jsonnet, "j", ""},
		{"starlark", "ci/.drone.star", star1, on, Starlark, "s", ""},
		{"starlark .starlark", "x.starlark", star1, on, Starlark, "s", ""},
		{"jsonnet disabled", ".drone.jsonnet", jsonnet1, Enabled{Starlark: true}, Jsonnet, "", "1:1: jsonnet pipeline files are disabled on this server (an administrator enables them with the jsonnet_enabled setting)"},
		{"starlark disabled", ".drone.star", star1, Enabled{Jsonnet: true}, Starlark, "", "starlark_enabled"},
		{"problem in a program's output", ".drone.jsonnet", badOut, on, Jsonnet, "", "1:1: in the pipeline the program produced, at line "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if f := FormatOf(tc.file, []byte(tc.data)); f != tc.format {
				t.Fatalf("FormatOf = %s, want %s", f, tc.format)
			}
			in := Options{Enabled: tc.enabled}
			in.Input.Build.Target = "main"
			res, err := Convert(context.Background(), tc.file, []byte(tc.data), in)
			var m *pipeline.Manifest
			if err == nil {
				m, err = pipeline.Parse(res.YAML)
				err = res.Remap(err)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want …%s…", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Pipelines[0].Name != tc.pipeline {
				t.Errorf("pipeline = %s, want %s", m.Pipelines[0].Name, tc.pipeline)
			}
			if tc.format == Legacy && len(res.Warnings) == 0 {
				t.Error("a 0.8 file converted without the migration warning")
			}
			if tc.format == Jsonnet || tc.format == Starlark {
				if cmd := m.Pipelines[0].Steps[0].Commands[0]; cmd != "echo main" {
					t.Errorf("command = %q, want the branch in", cmd)
				}
			}
		})
	}
}
