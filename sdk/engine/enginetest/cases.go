package enginetest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

func testInfo(t *testing.T, k *kit) {
	info, err := k.engine(t).Info(k.ctx(t))
	if err != nil {
		t.Fatalf("info: %v", err)
	}
	if info.Name == "" || info.OS == "" || info.Arch == "" {
		t.Fatalf("info %+v: name, os and arch must be set", info)
	}
}

// testOrder runs setup → start → tail → wait for two steps sharing the
// workspace, then tails the first again after it exited, then destroys.
func testOrder(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, e, spec)
	a := k.run(t, e, spec.StageID, k.step("a", "echo one > order.txt", "echo a-done"))
	if a.state.ExitCode != 0 || !contains(a.out, "a-done") {
		t.Fatalf("step a: exit %d, output %q", a.state.ExitCode, a.out)
	}
	b := k.run(t, e, spec.StageID, k.step("b", "cat order.txt", "echo two"))
	if b.state.ExitCode != 0 {
		t.Fatalf("step b: exit %d, output %q", b.state.ExitCode, b.out)
	}
	if got := lines(b.out); strings.Join(got, ",") != "one,two" {
		t.Fatalf("step b saw %q, want one,two (a's file, then its own output)", got)
	}
	// A step that exited is tailed from its start: the runtime may call
	// Tail only after a fast step has ended.
	rc, err := e.Tail(k.ctx(t), spec.StageID, "a")
	if err != nil {
		t.Fatalf("tail after exit: %v", err)
	}
	defer rc.Close()
	var again bytes.Buffer
	if _, err := again.ReadFrom(rc); err != nil {
		t.Fatalf("tail after exit: read: %v", err)
	}
	if !contains(again.Bytes(), "a-done") {
		t.Fatalf("tail after exit got %q, want the step's whole output", again.Bytes())
	}
}

func testWorkspace(t *testing.T, k *kit) {
	e := k.engine(t)
	tok := token()
	spec := k.spec(t, map[string]string{"marker.txt": tok + "\n", "dir/nested.txt": "nested\n"})
	k.setup(t, e, spec)
	r := k.run(t, e, spec.StageID, k.step("read", "cat marker.txt", "cat dir/nested.txt"))
	if r.state.ExitCode != 0 {
		t.Fatalf("exit %d, output %q: the workspace's files must be in the step's working tree", r.state.ExitCode, r.out)
	}
	if got := lines(r.out); strings.Join(got, ",") != tok+",nested" {
		t.Fatalf("step saw %q, want %s,nested", got, tok)
	}
}

func testExitCodes(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, e, spec)
	tests := []struct {
		name    string
		command string
		want    int
	}{
		{"zero", "exit 0", 0},
		{"one", "exit 1", 1},
		{"skip", "exit 78", 78},
		{"killed", "sh -c 'kill -9 $$'", 137},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := k.run(t, e, spec.StageID, k.step("exit-"+tt.name, "echo before", tt.command))
			if r.state.ExitCode != tt.want {
				t.Fatalf("exit code %d, want %d (output %q, error %q)", r.state.ExitCode, tt.want, r.out, r.state.Error)
			}
		})
	}
}

func testEnvAndWorkingDir(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, map[string]string{"sub/here.txt": "in-sub\n"})
	k.setup(t, e, spec)
	step := k.step("env", `echo "value=$KIT_VAR"`, "cat here.txt")
	step.Environment = map[string]string{"KIT_VAR": "hello world $HOME"}
	step.WorkingDir = k.cfg.WorkspacePath + "/sub"
	r := k.run(t, e, spec.StageID, step)
	if r.state.ExitCode != 0 {
		t.Fatalf("exit %d, output %q", r.state.ExitCode, r.out)
	}
	if got := lines(r.out); strings.Join(got, ",") != "value=hello world $HOME,in-sub" {
		t.Fatalf("step printed %q, want the variable verbatim and the file of its working dir", got)
	}
}

func testBinaryAndLongLines(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, e, spec)
	const long = 1 << 20
	r := k.run(t, e, spec.StageID, k.step("bytes",
		`printf 'a\377\376b\000c\n'`,
		fmt.Sprintf(`head -c %d /dev/zero | tr '\000' x`, long),
		"echo",
	))
	if r.state.ExitCode != 0 {
		t.Fatalf("exit %d, output %.200q", r.state.ExitCode, r.out)
	}
	if !bytes.Contains(r.out, []byte("a\xff\xfeb\x00c\n")) {
		t.Fatalf("non-UTF-8 bytes did not survive: %.200q", r.out)
	}
	if !bytes.Contains(r.out, append(bytes.Repeat([]byte("x"), long), '\n')) {
		t.Fatalf("a %d-byte line did not survive (output is %d bytes)", long, len(r.out))
	}
}

func testUnknownStep(t *testing.T, k *kit) {
	e := k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, e, spec)
	if _, err := e.Wait(k.ctx(t), spec.StageID, "never-started"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("wait of an unknown step: %v, want core.ErrNotFound", err)
	}
	if rc, err := e.Tail(k.ctx(t), spec.StageID, "never-started"); !errors.Is(err, core.ErrNotFound) {
		if rc != nil {
			rc.Close()
		}
		t.Errorf("tail of an unknown step: %v, want core.ErrNotFound", err)
	}
}

func contains(out []byte, s string) bool { return bytes.Contains(out, []byte(s)) }
