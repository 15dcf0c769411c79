package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// A slot's workspace is reused from one stage to the next, and each stage
// finds it empty whatever the last one left in it.
func TestWorkspaceReusedAndEmptied(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	type seen struct {
		dir     string
		entries int
	}
	got := make(chan seen, 2)
	eng.SetupErr = func(spec *core.Spec) error {
		dir := spec.Workspace.HostDir
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		got <- seen{dir, len(entries)}
		// Leave something behind, as a build would, and next to src too.
		if err := os.MkdirAll(filepath.Join(dir, "build", "out"), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(filepath.Dir(dir), "stray"), []byte("x"), 0o600)
	}
	work := t.TempDir()
	// What a runner that died mid-stage left behind.
	if err := os.MkdirAll(filepath.Join(work, "slot-0", "src", "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "slot-0", "home-leftover"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.add(1, spec("fake", step("build")), false, nil)
	c.add(2, spec("fake", step("build")), false, nil)
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, WorkDir: work, Capacity: 1})
	c.waitFinished(t, 2)
	first, second := <-got, <-got
	if first.dir != second.dir || first.dir != filepath.Join(work, "slot-0", "src") {
		t.Fatalf("workspaces %s and %s; want both %s", first.dir, second.dir, filepath.Join(work, "slot-0", "src"))
	}
	if first.entries != 0 || second.entries != 0 {
		t.Fatalf("the stages found %d and %d entries in their workspace; want it empty", first.entries, second.entries)
	}
	left, _ := os.ReadDir(filepath.Join(work, "slot-0"))
	inSrc, _ := os.ReadDir(first.dir)
	if len(left) != 1 || left[0].Name() != "src" || len(inSrc) != 0 {
		t.Fatalf("after the stages the slot holds %v and src %v; want only an empty src", left, inSrc)
	}
	for _, id := range []int64{1, 2} {
		if st := c.finalOf(id); st.Status != core.StatusSuccess {
			t.Fatalf("stage %d ended %s (%s)", id, st.Status, st.Error)
		}
	}
}
