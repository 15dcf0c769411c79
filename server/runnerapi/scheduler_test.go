package runnerapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/runnerapi"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type staticSecrets map[string]string

func (s staticSecrets) Resolve(_ context.Context, _ *core.Repo, _ *core.Build, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		if v, ok := s[n]; ok {
			out[n] = v
		}
	}
	return out, nil
}

// realServer runs the real scheduler on st behind the protocol, until the
// test ends.
func realServer(t *testing.T, st *store.Store) (*scheduler.Scheduler, *httptest.Server) {
	t.Helper()
	return leasedServer(t, st, 5*time.Second)
}

// leasedServer is realServer with the stage lease given.
func leasedServer(t *testing.T, st *store.Store, lease time.Duration) (*scheduler.Scheduler, *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := scheduler.NewBus(quiet)
	if st.Dialect() == store.Postgres {
		bus.ListenPostgres(ctx, st.DB())
	}
	sc := scheduler.New(st, bus, scheduler.Options{Lease: lease, ReapEvery: 100 * time.Millisecond,
		PollEvery: 200 * time.Millisecond, Log: quiet, Secrets: staticSecrets{"token": "pa55-w0rd-xyz"}})
	sc.Start(ctx)
	srv := httptest.NewServer(runnerapi.New(runnerapi.Options{Scheduler: sc, Store: st, LongPoll: time.Second, Lease: lease}).Handler())
	t.Cleanup(srv.Close)
	return sc, srv
}

// registerRunner registers a fake-engine linux/amd64 runner.
func registerRunner(t *testing.T, st *store.Store, srv *httptest.Server) *runnerproto.RegisterResponse {
	t.Helper()
	ctx := context.Background()
	reg, hash, prefix := auth.NewSecret(auth.RegistrationTokenPrefix)
	if err := st.RunnerTokens().Create(ctx, &core.RunnerToken{Hash: hash, Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	resp, err := rpcclient.Register(ctx, srv.URL, reg, runnerproto.RegisterRequest{Name: "r", Engines: []string{"fake"}, OS: "linux", Arch: "amd64"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return resp
}

// seedStages creates a build of n one-step stages whose step prints the
// "token" secret.
func seedStages(t *testing.T, st *store.Store, n int) *core.Build {
	t.Helper()
	ctx := context.Background()
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Slug: "acme/app"}
	if err := st.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	step := &core.SpecStep{Name: "build", RunPolicy: core.RunOnSuccess, Secrets: []*core.SecretRef{{Name: "token", Env: "TOKEN"}}}
	spec, _ := json.Marshal(&core.Spec{Name: "default", Type: "fake", Clone: core.Clone{Disable: true}, Steps: []*core.SpecStep{step}})
	var stages []*core.Stage
	for i := 1; i <= n; i++ {
		stages = append(stages, &core.Stage{Name: fmt.Sprintf("s%d", i), Number: i, Type: "fake", OS: "linux", Arch: "amd64",
			Status: core.StatusPending, Spec: spec, Steps: []*core.Step{{Number: 1, Name: "build", Status: core.StatusPending}}})
	}
	b := &core.Build{RepoID: repo.ID, Status: core.StatusPending, Event: core.EventPush, After: "abc"}
	if err := st.Builds().Create(ctx, b, stages); err != nil {
		t.Fatal(err)
	}
	return b
}

// A runner revoked while it runs a stage is refused (401) at its next
// call, even the calls of a running stage whose token lookups are cached;
// its stage goes back to the queue, and another runner runs it.
func TestRevokedMidStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sc, srv := realServer(t, st)
		doomed := registerRunner(t, st, srv)
		seedStages(t, st, 1)
		sc.Enqueued(ctx)
		c := rpcclient.New(srv.URL, doomed.Token)
		f := core.Filter{OS: "linux", Arch: "amd64", Engines: []string{"fake"}, Machine: "m1"}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		d, err := c.Request(rctx, f)
		if err != nil {
			t.Fatal(err)
		}
		step := d.Stage.Steps[0]
		step.Status = core.StatusRunning
		if err := c.UpdateStep(ctx, step); err != nil { // the token lookup is cached now
			t.Fatal(err)
		}
		if err := st.Runners().Delete(ctx, doomed.ID); err != nil {
			t.Fatal(err)
		}
		step.Status = core.StatusSuccess
		d.Stage.Status = core.StatusSuccess
		for name, call := range map[string]func() error{
			"step":    func() error { return c.UpdateStep(ctx, step) },
			"logs":    func() error { return c.AppendLogs(ctx, step.ID, []*core.LogLine{{Number: 0, Text: "late"}}) },
			"stage":   func() error { return c.UpdateStage(ctx, d.Stage) },
			"request": func() error { _, err := c.Request(rctx, f); return err },
		} {
			if err := call(); !errors.Is(err, core.ErrUnauthenticated) {
				t.Fatalf("the revoked runner's %s call = %v, want unauthenticated", name, err)
			}
		}
		if got, _ := st.Stages().Find(ctx, d.Stage.ID); got.Status != core.StatusPending || got.RunnerID != 0 {
			t.Fatalf("the revoked runner's stage is %s (runner %d), want pending again", got.Status, got.RunnerID)
		}
		other := rpcclient.New(srv.URL, registerRunner(t, st, srv).Token)
		again, err := other.Request(rctx, f)
		if err != nil || again.Stage.ID != d.Stage.ID {
			t.Fatalf("another runner got %+v, %v; want the requeued stage %d", again, err, d.Stage.ID)
		}
	})
}

// TestRealScheduler runs stages through the real scheduler and store,
// with a runner speaking HTTP: logs are stored masked, a revoked runner is
// refused, and an update of a stage the runner does not hold is refused
// without changing it.
func TestRealScheduler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sc, srv := realServer(t, st)
		resp := registerRunner(t, st, srv)
		b := seedStages(t, st, 3)
		sc.Enqueued(ctx)

		eng := enginetest.NewFake()
		eng.Run = func(_ context.Context, _ string, s *core.SpecStep, out io.Writer) (int, error) {
			fmt.Fprintf(out, "using %s\nline two\n", s.Environment["TOKEN"])
			return 0, nil
		}
		a := runner.New(runner.Options{Client: rpcclient.New(srv.URL, resp.Token), Engines: runner.StaticEngines{"fake": eng},
			Capacity: 2, WorkDir: t.TempDir(), OS: "linux", Arch: "amd64", MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
		startAgent(ctx, t, a)

		waitBuildSuccess(ctx, t, st, b.ID, 30*time.Second)
		list, err := st.Stages().ListBuild(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if s.Status != core.StatusSuccess || len(s.Steps) != 1 || s.Steps[0].Status != core.StatusSuccess {
				t.Fatalf("stage %s: %s, steps %+v", s.Name, s.Status, s.Steps)
			}
			lines, err := st.Logs().Read(ctx, s.Steps[0].ID, 0, 100)
			if err != nil || len(lines) != 2 {
				t.Fatalf("stage %s: %d log lines, %v", s.Name, len(lines), err)
			}
			if lines[0].Text != "using "+runner.MaskText || strings.Contains(lines[0].Text, "pa55") {
				t.Fatalf("stored log line %q: want the secret masked", lines[0].Text)
			}
		}

		// An update for a stage this runner does not hold changes nothing.
		f := &fixture{srv: srv}
		before, _ := st.Stages().Find(ctx, list[0].ID)
		code, msg := f.call(t, "PUT", fmt.Sprintf("/stages/%d", list[0].ID), resp.Token, `{"status":"failure"}`)
		after, _ := st.Stages().Find(ctx, list[0].ID)
		if code != 409 || msg == "" || after.Status != core.StatusSuccess || after.Version != before.Version {
			t.Fatalf("update of a finished stage = %d %q; stage now %s v%d (was v%d)", code, msg, after.Status, after.Version, before.Version)
		}
		// A revoked runner is refused at its next call.
		if err := st.Runners().Delete(ctx, resp.ID); err != nil {
			t.Fatal(err)
		}
		if code, _ := f.call(t, "POST", "/heartbeat", resp.Token, ""); code != 401 {
			t.Fatalf("revoked runner's heartbeat = %d, want 401", code)
		}
	})
}

// startAgent runs a until the test ends.
func startAgent(ctx context.Context, t *testing.T, a *runner.Agent) {
	t.Helper()
	actx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Run(actx) }()
	t.Cleanup(func() { stop(); <-done })
}

// waitBuildSuccess waits up to within for build id to end, and fails the
// test unless it succeeded.
func waitBuildSuccess(ctx context.Context, t *testing.T, st core.Store, id int64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := st.Builds().Find(ctx, id)
		if err == nil && got.Status.Done() {
			if got.Status != core.StatusSuccess {
				t.Fatalf("build ended %s: %s", got.Status, got.Error)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("build still %v after %s", got.Status, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
