package faults_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// numbered prints lines "<prefix> 1" … "<prefix> n", pausing between them.
func numbered(prefix string, n int, pause string) string {
	return fmt.Sprintf("for i in $(seq 1 %d); do echo %s $i; sleep %s; done", n, prefix, pause)
}

func want(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prefix, i+1)
	}
	return out
}

// TestKillServerMidStep: the server is killed (SIGKILL) while a step
// prints, and started again on the same address and database. The build
// finishes, every step ran exactly once, and every step's log holds each
// line once, in order.
func TestKillServerMidStep(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, dbURL string) {
		e := newEnv(t, dbURL)
		s := e.startServer("")
		e.startRunner(s, "r1")
		b := e.seed(step{"first", []string{numbered("first", 3, "0")}},
			step{"slow", []string{numbered("slow", 40, "0.1")}},
			step{"last", []string{numbered("last", 3, "0")}})
		e.waitStep(s, b, 2, time.Minute)
		time.Sleep(time.Second) // some of its lines are stored, more to come
		s.p.Kill()
		restarted := e.startServer(s.addr)
		e.servers = []*server{restarted}
		v := e.waitDone(b, 2*time.Minute)
		if v.Status != core.StatusSuccess {
			t.Fatalf("build ended %s (%s), want success", v.Status, v.Error)
		}
		for i, name := range []string{"first", "slow", "last"} {
			if n := e.runCount(b, name); n != 1 {
				t.Errorf("step %s ran %d times, want once", name, n)
			}
			n := 3
			if name == "slow" {
				n = 40
			}
			got := slices.DeleteFunc(e.logText(restarted, b, 1, i+1), func(l string) bool { return strings.HasPrefix(l, "+ ") }) // the shell's trace
			if !slices.Equal(got, want(name, n)) {
				t.Errorf("log of step %s:\n%s\nwant %d numbered lines, each once", name, strings.Join(got, "\n"), n)
			}
		}
	})
}
