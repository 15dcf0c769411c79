package enginekit

import (
	"os/exec"
	"testing"

	"github.com/drover-ci/drover/core"
)

func TestWorkDir(t *testing.T) {
	tests := []struct{ logical, actual, wd, want string }{
		{"/drover/src", "/x/ws", "", "/x/ws"},
		{"/drover/src", "/x/ws", "sub/dir", "/x/ws/sub/dir"},
		{"/drover/src", "/x/ws", "/drover/src", "/x/ws"},
		{"/drover/src", "/x/ws", "/drover/src/sub", "/x/ws/sub"},
		{"/drover/src", "/x/ws", "/drover/srcother", "/drover/srcother"},
		{"/drover/src", "/x/ws", "/tmp", "/tmp"},
		{"", "/x/ws", "/tmp", "/tmp"},
	}
	for _, tt := range tests {
		if got := WorkDir(tt.logical, tt.actual, tt.wd); got != tt.want {
			t.Errorf("WorkDir(%q, %q, %q) = %q, want %q", tt.logical, tt.actual, tt.wd, got, tt.want)
		}
	}
}

// TestScript runs the script built from commands in sh: each command is
// echoed, quotes survive, and the first failure stops it.
func TestScript(t *testing.T) {
	step := &core.SpecStep{Commands: []string{`echo "it's"`, "false", "echo never"}}
	out, err := exec.Command("/bin/sh", "-c", Script(step)).CombinedOutput()
	if err == nil {
		t.Fatalf("the script did not fail: %q", out)
	}
	want := "+ echo \"it's\"\nit's\n+ false\n"
	if string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if got := Script(&core.SpecStep{Script: "compiled", Commands: []string{"x"}}); got != "compiled" {
		t.Errorf("a compiled script was replaced: %q", got)
	}
	if got := Script(&core.SpecStep{}); got != "" {
		t.Errorf("a step without commands has script %q", got)
	}
}
