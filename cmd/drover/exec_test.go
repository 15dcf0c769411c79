package main

import (
	"strings"
	"testing"
)

// TestExec: drover exec is in the tree, and its usage and configuration
// errors exit 2 with one line. Its runs on the engines are tested in
// internal/exec.
func TestExec(t *testing.T) {
	cfg := t.TempDir() + "/config.json"
	empty := t.TempDir()
	ws := t.TempDir()
	write(t, ws, ".drone.yml", "kind: pipeline\ntype: exec\nsteps:\n- name: a\n  commands: [echo hi]\n")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no pipeline file", []string{"exec", "--workspace", empty}, nil, "drover exec: no pipeline file: none of .drover.yml, .drone.yml in " + empty + "\n"},
		{"type: exec needs --trusted", []string{"exec", "--workspace", ws}, nil, "needs a trusted repository (--trusted runs it as for a trusted repository)\n"},
		{"the plugin directory from DROVER_PLUGIN_DIR", []string{"exec", "--workspace", ws, "--trusted"}, map[string]string{"DROVER_PLUGIN_DIR": empty},
			"needs the engine plugin drover-engine-local, which is not in " + empty},
		{"two files", []string{"exec", "a.yml", "b.yml"}, nil, "drover exec: got 2 arguments, want [FILE] (see --help)\n"},
		{"bad flag", []string{"exec", "--nope"}, nil, "drover exec: unknown flag: --nope\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, cfg, tt.env, "", tt.args...)
			if r.code != 2 || !strings.Contains(r.err, tt.want) || strings.Count(r.err, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", r.code, r.err, tt.want)
			}
		})
	}
}
