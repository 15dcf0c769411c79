package faults_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// soakFor is how long builds are submitted (DROVER_SOAK overrides it).
func soakFor(t *testing.T) time.Duration {
	if v := os.Getenv("DROVER_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("DROVER_SOAK=%q: %v", v, err)
		}
		return d
	}
	return time.Minute
}

// postgresDatabase is a new database named name on
// DROVER_TEST_DATABASE_URL's server, or on a cluster of the test's own.
func postgresDatabase(t *testing.T, name string) string {
	t.Helper()
	needE2E(t)
	if base := os.Getenv(testenv.PostgresEnv); base != "" {
		return testenv.CreateDatabase(t, base, fmt.Sprintf("drover_%s_%d", name, os.Getpid()), "")
	}
	_, url := ownPostgres(t)
	return url
}

// onEachDatabase runs a fault case on SQLite (a data dir) and on Postgres:
// a kill -9 must lose nothing on either.
func onEachDatabase(t *testing.T, f func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, "") })
	t.Run("postgres", func(t *testing.T) {
		f(t, postgresDatabase(t, strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))))
	})
}

// TestSoak submits builds continuously to two replicas on Postgres for
// about a minute while runners and one replica are killed (SIGKILL) at
// random and replaced. At the end every build is finished, every stage
// ran to its end exactly once (or failed after its attempts), and no step
// is left unfinished.
func TestSoak(t *testing.T) {
	e := newEnv(t, postgresDatabase(t, "soak"))
	reps := []*server{e.startServer(""), e.startServer("")}
	var runners []*runnerProc
	n := 0
	addRunner := func() {
		n++
		runners = append(runners, e.startRunner(reps[n%2], fmt.Sprintf("soak-%d", n)))
	}
	for range 4 {
		addRunner()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	t.Logf("seed builds for %s", soakFor(t))
	var builds []*core.Build
	end := time.Now().Add(soakFor(t))
	nextRunnerKill := time.Now().Add(5 * time.Second)
	nextReplicaKill := time.Now().Add(12 * time.Second)
	var down *server // the replica killed, until restarted
	var downUntil time.Time
	for time.Now().Before(end) {
		builds = append(builds, e.seed(step{"work", []string{numbered("line", 4, "0.2")}}))
		now := time.Now()
		if now.After(nextRunnerKill) {
			i := rng.IntN(len(runners))
			t.Logf("kill runner %s", runners[i].name)
			runners[i].p.Kill()
			runners[i].killed = true
			runners = append(runners[:i], runners[i+1:]...)
			addRunner()
			nextRunnerKill = now.Add(time.Duration(4+rng.IntN(6)) * time.Second)
		}
		if down == nil && now.After(nextReplicaKill) {
			down = reps[1]
			t.Logf("kill replica %s", down.addr)
			down.p.Kill()
			downUntil = now.Add(3 * time.Second)
		}
		if down != nil && now.After(downUntil) {
			reps[1] = e.startServer(down.addr)
			e.servers = reps
			down = nil
			nextReplicaKill = time.Now().Add(time.Duration(10+rng.IntN(10)) * time.Second)
		}
		time.Sleep(time.Duration(200+rng.IntN(300)) * time.Millisecond)
	}
	if down != nil {
		reps[1] = e.startServer(down.addr)
	}
	e.servers = reps
	t.Logf("%d builds submitted; waiting for them", len(builds))

	succeeded := 0
	for _, b := range builds {
		v := e.waitDone(b, 3*time.Minute)
		st := v.Stages[0]
		switch {
		case v.Status == core.StatusSuccess && st.Status == core.StatusSuccess:
			succeeded++
			// Once by the runner that reported it; any other run to the end
			// was by a runner killed before it could report.
			winners := 0
			for _, r := range e.doneBy(b, "work") {
				switch {
				case r != nil && r.id == st.RunnerID:
					winners++
				case r == nil || !r.killed:
					t.Errorf("build %d: its step also ran to its end on a runner that was not killed (%v)", b.Number, r)
				}
			}
			if winners != 1 {
				t.Errorf("build %d succeeded on runner %d, where its step ran to its end %d times, want once (attempts %d)", b.Number, st.RunnerID, winners, st.Attempts)
			}
		case st.Attempts >= 3:
			t.Logf("build %d ended %s after %d attempts (%s)", b.Number, v.Status, st.Attempts, st.Error)
		default:
			t.Errorf("build %d ended %s, its stage %s after %d attempts (%s)", b.Number, v.Status, st.Status, st.Attempts, st.Error)
		}
		for _, step := range st.Steps {
			if !step.Status.Done() {
				t.Errorf("build %d ended %s with step %s left %s", b.Number, v.Status, step.Name, step.Status)
			}
		}
	}
	unfinished, err := e.store.DB().NewSelect().Table("steps").Where("status IN (?, ?)", core.StatusRunning, core.StatusPending).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if unfinished != 0 {
		t.Errorf("%d steps are left running or pending in the database", unfinished)
	}
	t.Logf("%d of %d builds succeeded", succeeded, len(builds))
	if succeeded == 0 {
		t.Fatal("no build succeeded")
	}
}
