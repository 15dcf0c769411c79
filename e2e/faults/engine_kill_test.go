package faults_test

import (
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// enginePlugin returns the pid of the runner's local engine plugin, or 0.
func enginePlugin(r *runnerProc) int {
	for _, pid := range children(r.p.Cmd.Process.Pid) {
		if strings.Contains(testenv.CommandLine(pid), "drover-engine-local") {
			return pid
		}
	}
	return 0
}

// TestKillEnginePluginMidStep: the runner's engine plugin is killed
// (SIGKILL) while a step runs. The step's processes end with it, the
// stage ends saying the engine was unavailable, the runner starts the
// plugin again, and the next build succeeds.
func TestKillEnginePluginMidStep(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, dbURL string) {
		e := newEnv(t, dbURL)
		s := e.startServer("")
		r := e.startRunner(s, "r1")
		b := e.seed(step{"work", []string{"sleep 300"}})
		e.waitStep(s, b, 1, time.Minute)
		eventually(t, 30*time.Second, "the step's sleep runs", func() bool { return len(testenv.ProcessesIn(r.workDir)) > 0 })
		first := enginePlugin(r)
		if first == 0 {
			t.Fatal("no engine plugin process under the runner")
		}
		if err := killPid(first); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "the step's processes end with the plugin", func() bool { return len(testenv.ProcessesIn(r.workDir)) == 0 })
		v := e.waitDone(b, time.Minute)
		st := v.Stages[0]
		reason := st.Error + " " + st.Steps[0].Error
		if v.Status == core.StatusSuccess || !strings.Contains(reason, "unavailable") {
			t.Fatalf("build %s, stage %s (%q), step %s (%q); want it failed saying the engine was unavailable",
				v.Status, st.Status, st.Error, st.Steps[0].Status, st.Steps[0].Error)
		}
		for _, step := range st.Steps {
			if !step.Status.Done() {
				t.Fatalf("step %s left %s", step.Name, step.Status)
			}
		}
		eventually(t, 10*time.Second, "the plugin is started again", func() bool {
			pid := enginePlugin(r)
			return pid != 0 && pid != first
		})
		next := e.seed(step{"work", []string{"echo fine"}})
		if v := e.waitDone(next, time.Minute); v.Status != core.StatusSuccess {
			t.Fatalf("the next build ended %s (%s), want success", v.Status, v.Error)
		}
	})
}
