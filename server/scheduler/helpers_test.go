package scheduler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// start runs a scheduler on s with short timings, stopped with the test.
func start(t *testing.T, s *store.Store, o scheduler.Options) *scheduler.Scheduler {
	t.Helper()
	if o.Lease == 0 {
		o.Lease = 2 * time.Second
	}
	if o.ReapEvery == 0 {
		o.ReapEvery = 100 * time.Millisecond
	}
	if o.PollEvery == 0 {
		o.PollEvery = 200 * time.Millisecond
	}
	o.Log = quiet
	addRunners(t, s, 120)
	bus := scheduler.NewBus(quiet)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if s.Dialect() == store.Postgres {
		bus.ListenPostgres(ctx, s.DB())
	}
	sc := scheduler.New(s, bus, o)
	sc.Start(ctx)
	return sc
}

// addRunners registers runners until ids 1..n exist (claims are made
// only for runners that exist; filter(n) names runner n).
func addRunners(t *testing.T, s *store.Store, n int64) {
	t.Helper()
	ctx := context.Background()
	for {
		r := &core.Runner{Name: "r", TokenHash: fmt.Sprintf("hash-%d-%d", time.Now().UnixNano(), n)}
		if err := s.Runners().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.ID >= n {
			return
		}
	}
}

var repoSeq int

// seed creates a repository and one build with the given stages.
func seed(t *testing.T, s *store.Store, stages ...*core.Stage) (*core.Repo, *core.Build) {
	t.Helper()
	ctx := context.Background()
	repoSeq++
	r := &core.Repo{Remote: "fake", RemoteID: fmt.Sprint(repoSeq), Owner: "acme", Name: fmt.Sprintf("r%d", repoSeq)}
	if err := s.Repos().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	return r, seedIn(t, s, r, stages...)
}

// seedIn creates a build of the repository with the given stages.
func seedIn(t *testing.T, s *store.Store, r *core.Repo, stages ...*core.Stage) *core.Build {
	t.Helper()
	ctx := context.Background()
	b := &core.Build{Status: core.StatusPending, Event: core.EventPush, After: "abc", RepoID: r.ID}
	for _, st := range stages {
		if st.Spec == nil {
			st.Spec, _ = json.Marshal(&core.Spec{Name: st.Name, Type: st.Type})
		}
		if st.Status == "" {
			st.Status = core.StatusPending
		}
		if st.Type == "" {
			st.Type = "fake"
		}
		st.Steps = []*core.Step{{Name: "one", Status: core.StatusPending}}
	}
	if err := s.Builds().Create(ctx, b, stages); err != nil {
		t.Fatal(err)
	}
	return b
}

func stage(name string, deps ...string) *core.Stage {
	st := &core.Stage{Name: name, DependsOn: deps}
	if len(deps) > 0 {
		st.Status = core.StatusWaiting
	}
	return st
}

func filter(runner int64) core.Filter {
	return core.Filter{RunnerID: runner, OS: "linux", Arch: "amd64", Engines: []string{"fake"}, Machine: "m" + strconv.FormatInt(runner, 10)}
}

// request asks for a stage with a deadline; nil when none came. The
// stage comes with its details: its spec, steps, build and repository.
func request(t *testing.T, sc *scheduler.Scheduler, f core.Filter, wait time.Duration) *core.Stage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	d, err := sc.Request(ctx, f)
	if err != nil && ctx.Err() == nil {
		t.Fatalf("request: %v", err)
	}
	if d == nil {
		return nil
	}
	if d.Spec == nil || d.Build == nil || d.Repo == nil || d.Build.ID != d.Stage.BuildID || len(d.Stage.Steps) == 0 {
		t.Fatalf("stage %d handed out without its details: %+v", d.Stage.ID, d)
	}
	if d.Stage.Status != core.StatusRunning || d.Stage.RunnerID != f.RunnerID || d.Stage.Machine != f.Machine {
		t.Fatalf("stage handed out as %s to runner %d on %q; want running for runner %d on %q",
			d.Stage.Status, d.Stage.RunnerID, d.Stage.Machine, f.RunnerID, f.Machine)
	}
	return d.Stage
}

// finish runs a claimed stage to the given status.
func finish(t *testing.T, sc *scheduler.Scheduler, runner int64, st *core.Stage, status core.Status) {
	t.Helper()
	ctx := context.Background()
	st.Status = status
	if err := sc.UpdateStage(ctx, runner, st); err != nil {
		t.Fatalf("update stage: %v", err)
	}
}
