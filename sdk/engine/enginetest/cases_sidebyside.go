package enginetest

import (
	"bufio"
	"strings"
	"testing"
)

// testSideBySide runs a step of one stage while another engine instance
// (another runner's plugin on the host) sets up and destroys a stage whose
// id starts like it: the step must live on, and the stage stay usable.
// Runners give engines ids unique to a run of a stage ("<server's id>-<suffix>"),
// so an engine must match resources on the whole id.
func testSideBySide(t *testing.T, k *kit) {
	ctx := k.ctx(t)
	mine, other := k.engine(t), k.engine(t)
	spec := k.spec(t, nil)
	k.setup(t, mine, spec)
	waiting := k.step("waiting", "echo started", "while [ ! -f done ]; do sleep 0.05; done", "echo survived")
	if err := mine.Start(ctx, spec.StageID, waiting); err != nil {
		t.Fatalf("start: %v", err)
	}
	rc, err := mine.Tail(ctx, spec.StageID, waiting.Name)
	if err != nil {
		t.Fatalf("tail: %v", err)
	}
	defer rc.Close()
	out := make(chan string, 1)
	started := make(chan struct{})
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(rc)
		for sc.Scan() {
			if sc.Text() == "started" {
				close(started)
			}
			all.WriteString(sc.Text() + "\n")
		}
		out <- all.String()
	}()
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("the step never printed 'started'")
	}
	// Ids that start like it, and that it starts like.
	for _, id := range []string{spec.StageID + "-x", spec.StageID[:len(spec.StageID)-2]} {
		theirs := *spec
		theirs.StageID = id
		if err := other.Setup(ctx, &theirs); err != nil {
			t.Fatalf("setup of stage %s by another instance: %v", id, err)
		}
		if err := other.Destroy(ctx, id); err != nil {
			t.Fatalf("destroy of stage %s by another instance: %v", id, err)
		}
	}
	// Only other stages were destroyed: this one is still there, its step too.
	if r := k.run(t, mine, spec.StageID, k.step("release", "touch done")); r.state.ExitCode != 0 {
		t.Fatalf("a step of the stage after the other's destroy exited %d: %s", r.state.ExitCode, r.out)
	}
	state, err := mine.Wait(ctx, spec.StageID, waiting.Name)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if text := <-out; state.ExitCode != 0 || !strings.Contains(text, "survived") {
		t.Fatalf("the step exited %d (%q): destroying another stage ended it", state.ExitCode, text)
	}
}
