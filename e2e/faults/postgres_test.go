package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// ownPostgres starts a throwaway cluster the test may stop and start (not
// the shared one other packages use at the same time) and returns it with
// a database for Drover.
func ownPostgres(t *testing.T) (*testenv.Cluster, string) {
	t.Helper()
	needE2E(t)
	testenv.Need(t, testenv.PostgresBinDir() != "", "Postgres's binaries (initdb, pg_ctl)",
		"install postgresql; the test starts its own cluster, stops it and starts it again")
	c, err := testenv.StartPostgres(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c, testenv.CreateDatabaseNoCleanup(t, c.URL, fmt.Sprintf("drover_faults_%d", os.Getpid()), "")
}

// ready reports whether the server answers /readyz with 200.
func ready(s *server) bool {
	resp, err := http.Get(s.url + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestPostgresOutage: two replicas on one Postgres, runners on both,
// builds running; Postgres stops for 10 s. Both replicas say they are not
// ready, come back without a restart, and every build succeeds with each
// stage run exactly once.
func TestPostgresOutage(t *testing.T) {
	pg, url := ownPostgres(t)
	e := newEnv(t, url)
	a, b := e.startServer(""), e.startServer("")
	for i, s := range []*server{a, b, a, b} {
		e.startRunner(s, fmt.Sprintf("r%d", i))
	}
	var builds []*core.Build
	for i := 0; i < 12; i++ {
		builds = append(builds, e.seed(step{"work", []string{numbered("line", 8, "0.5")}}))
	}
	e.waitStep(a, builds[0], 1, time.Minute)
	ctx := context.Background()
	if err := pg.Halt(ctx); err != nil {
		t.Fatal(err)
	}
	halted := time.Now()
	for _, s := range []*server{a, b} {
		eventually(t, 10*time.Second, s.addr+" reports not ready", func() bool { return !ready(s) })
	}
	time.Sleep(10*time.Second - time.Since(halted))
	if err := pg.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*server{a, b} {
		eventually(t, 30*time.Second, s.addr+" is ready again", func() bool { return ready(s) })
	}
	for _, bd := range builds {
		v := e.waitDone(bd, 3*time.Minute)
		if v.Status != core.StatusSuccess {
			t.Errorf("build %d ended %s (%s: %s)", bd.Number, v.Status, v.Error, v.Stages[0].Error)
		}
		if n := e.runCount(bd, "work"); n != 1 {
			t.Errorf("the stage of build %d ran %d times, want once", bd.Number, n)
		}
	}
	for _, s := range e.servers {
		select {
		case <-s.p.Done():
			t.Errorf("server %s exited during the outage", s.addr)
		default:
		}
	}
}
