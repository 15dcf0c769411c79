package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-docker/docker"
	"github.com/drover-ci/drover/plugins/engine-local/local"
)

// sideBySide is an engine for two runners on one host that share what
// their engines create by default (the local engine's root, the docker
// engine's runner label).
type sideBySide struct {
	name string
	// engines returns the two runners' engines and how a step sees gate,
	// a host directory the test watches.
	engines func(t *testing.T, gate string) (a, b core.Engine, step func(name string, commands ...string) *core.SpecStep)
}

var sideBySideEngines = []sideBySide{
	{name: "local", engines: func(t *testing.T, gate string) (core.Engine, core.Engine, func(string, ...string) *core.SpecStep) {
		root := t.TempDir()
		mk := func(name string, commands ...string) *core.SpecStep {
			s := step(name, commands...)
			s.Environment = map[string]string{"GATE": gate}
			return s
		}
		return local.New(local.Config{Root: root}), local.New(local.Config{Root: root}), mk
	}},
	{name: "docker", engines: func(t *testing.T, gate string) (core.Engine, core.Engine, func(string, ...string) *core.SpecStep) {
		img := testenv.BusyboxImage(t)
		newEngine := func() core.Engine {
			// Both labelled alike, as two runners whose id defaults to
			// the host name.
			e, err := docker.New(docker.Config{RunnerID: "side-by-side-host", LogDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_, _ = e.Prune(context.Background(), nil)
				e.Close()
			})
			return e
		}
		mk := func(name string, commands ...string) *core.SpecStep {
			s := step(name, commands...)
			s.Image = img
			s.Environment = map[string]string{"GATE": "/gate"}
			s.Volumes = []*core.VolumeMount{{HostPath: gate, Path: "/gate"}}
			return s
		}
		return newEngine(), newEngine(), mk
	}},
}

// TestStagesOfOneIDSideBySide runs stage 42 of two servers on two runners
// of one host at once: cancelling (and so destroying) one leaves the
// other's step running, and it ends green.
func TestStagesOfOneIDSideBySide(t *testing.T) {
	for _, tc := range sideBySideEngines {
		t.Run(tc.name, func(t *testing.T) {
			gate := t.TempDir()
			if err := os.Chmod(gate, 0o777); err != nil {
				t.Fatal(err)
			}
			engA, engB, mk := tc.engines(t, gate)
			ca, cb := newFakeClient(), newFakeClient()
			ca.add(42, spec(tc.name, mk("work", `touch "$GATE/a"`, "sleep 120")), false, nil)
			cb.add(42, spec(tc.name, mk("work", `touch "$GATE/b"`, `while [ ! -f "$GATE/go" ]; do sleep 0.05; done`, "echo survived")), false, nil)
			start(t, Options{Client: ca, Engines: StaticEngines{tc.name: engA}, Name: "runner-a", Grace: time.Second})
			start(t, Options{Client: cb, Engines: StaticEngines{tc.name: engB}, Name: "runner-b", Grace: time.Second})

			deadline := time.Now().Add(2 * time.Minute)
			for !exists(gate, "a") || !exists(gate, "b") {
				if st := cb.finalOf(42); st != nil && st.Status.Done() {
					t.Fatalf("runner b's stage ended %s (%s) before both steps ran; log %q", st.Status, st.Error, cb.logText(4201))
				}
				if time.Now().After(deadline) {
					t.Fatalf("the steps did not both start (a: %v, b: %v)", exists(gate, "a"), exists(gate, "b"))
				}
				time.Sleep(20 * time.Millisecond)
			}
			ca.cancel(42)
			ca.waitFinished(t, 1)
			if st := ca.finalOf(42); st.Status != core.StatusKilled {
				t.Fatalf("runner a's cancelled stage ended %s, want killed", st.Status)
			}
			if err := os.WriteFile(filepath.Join(gate, "go"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			cb.waitFinished(t, 1)
			st := cb.finalOf(42)
			if step := cb.lastStep(4201); st.Status != core.StatusSuccess || step.ExitCode != 0 {
				t.Fatalf("runner b's stage ended %s (%s), its step %s exit %d: destroying a's stage 42 reached b's", st.Status, st.Error, step.Status, step.ExitCode)
			}
			if log := strings.Join(cb.logText(4201), "\n"); !strings.Contains(log, "survived") {
				t.Fatalf("runner b's step log %q lacks its last line", log)
			}
		})
	}
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}
