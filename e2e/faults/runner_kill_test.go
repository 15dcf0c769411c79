package faults_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// replay sends a runner's call with its token, as a late report from a
// dead runner's attempt would arrive, and returns the status.
func replay(t *testing.T, s *server, token, method, path string, body any) int {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.url+"/rpc/v1"+path, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestKillRunnerMidStep: a runner is killed (SIGKILL) while its step
// sleeps. The step's processes die with it; once the lease lapses the
// stage goes to another runner and succeeds there; late reports of the
// dead runner's attempt, replayed with its token, change nothing.
func TestKillRunnerMidStep(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, dbURL string) {
		e := newEnv(t, dbURL)
		s := e.startServer("")
		a := e.startRunner(s, "doomed")
		// The first attempt sleeps; the next one finishes at once.
		b := e.seed(step{"work", []string{`if [ "$(wc -l < "$RUNS")" -le 1 ]; then sleep 300; fi`, "echo finished"}})
		running := e.waitStep(s, b, 1, time.Minute)
		if running.RunnerID != a.id {
			t.Fatalf("stage taken by runner %d, want %d", running.RunnerID, a.id)
		}
		eventually(t, 30*time.Second, "the step's sleep runs", func() bool { return len(testenv.ProcessesIn(a.workDir)) > 0 })
		a.p.Kill()
		eventually(t, 10*time.Second, "the killed runner's step processes end", func() bool {
			left := testenv.ProcessesIn(a.workDir)
			for _, pid := range left {
				t.Logf("left: %d %s", pid, testenv.CommandLine(pid))
			}
			return len(left) == 0
		})

		other := e.startRunner(s, "healthy")
		v := e.waitDone(b, 2*time.Minute)
		st := v.Stages[0]
		if v.Status != core.StatusSuccess || st.RunnerID != other.id || st.Attempts != 2 {
			t.Fatalf("build %s, stage by runner %d after %d attempts; want success by runner %d after 2", v.Status, st.RunnerID, st.Attempts, other.id)
		}
		if n := e.runCount(b, "work"); n != 2 {
			t.Fatalf("the step started %d times, want twice (once per attempt)", n)
		}
		if by := e.doneBy(b, "work"); len(by) != 1 || by[0] != other {
			t.Fatalf("the step ran to its end %d times (%v), want once, on %s", len(by), by, other.name)
		}
		logBefore := e.logText(s, b, 1, 1)

		// The dead runner's attempt reports late: the step failed, a log
		// line, the stage failed. Each is refused and changes nothing.
		late := *running.Steps[0]
		late.Status, late.ExitCode, late.Finished = core.StatusFailure, 1, time.Now()
		stage := *running
		stage.Steps = nil
		stage.Status, stage.ExitCode, stage.Finished = core.StatusFailure, 1, time.Now()
		for _, call := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPut, fmt.Sprintf("/steps/%d", late.ID), &late},
			{http.MethodPost, fmt.Sprintf("/steps/%d/logs", late.ID), []*core.LogLine{{Number: 0, Text: "late line"}, {Number: 99, Text: "late line"}}},
			{http.MethodPut, fmt.Sprintf("/stages/%d", stage.ID), &stage},
		} {
			if code := replay(t, s, a.token, call.method, call.path, call.body); code < 400 {
				t.Errorf("late %s %s from the dead runner answered %d, want a refusal", call.method, call.path, code)
			}
		}
		after, _ := e.get(s, b)
		if after.Status != core.StatusSuccess || after.Stages[0].Status != core.StatusSuccess || after.Stages[0].Steps[0].Status != core.StatusSuccess {
			t.Fatalf("after the late reports: build %s, stage %s, step %s; want all success", after.Status, after.Stages[0].Status, after.Stages[0].Steps[0].Status)
		}
		if logAfter := e.logText(s, b, 1, 1); !slices.Equal(logBefore, logAfter) {
			t.Fatalf("the late log lines changed the log:\n%q\nwas\n%q", logAfter, logBefore)
		}
	})
}
