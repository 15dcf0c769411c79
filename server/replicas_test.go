package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/config"
)

// replica is one server process's worth of Drover (no local runner) on a
// shared database, serving HTTP on loopback.
type replica struct {
	app  *server.App
	http *httptest.Server
}

func newReplica(t *testing.T, dbURL, dataDir string) *replica {
	t.Helper()
	cfg := &config.Config{DataDir: dataDir, DatabaseURL: dbURL, PluginDir: t.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: 5 * time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "shared-key",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "fake", Plugin: "drover-remote-fake"}}}
	ctx := context.Background()
	app, err := server.New(ctx, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Builtin: map[string]any{"drover-remote-fake": remotetest.NewFake()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.API)
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &replica{app: app, http: srv}
}

// agent starts a runner over HTTP against base, offering the engine as
// "fake"; it stops with the test.
func startAgent(t *testing.T, r *replica, base string, engine core.Engine, capacity int) {
	t.Helper()
	secret, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	rec := &core.Runner{Name: "agent", TokenHash: hash, Engines: []string{"fake"}, OS: runtime.GOOS, Arch: runtime.GOARCH}
	if err := r.app.Store.Runners().Create(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	replicaRunners.Store(rec.ID, r)
	a := runner.New(runner.Options{Client: rpcclient.New(base, secret), Engines: runner.StaticEngines{"fake": engine},
		Capacity: capacity, WorkDir: t.TempDir(), DrainTimeout: time.Second, Heartbeat: time.Second, ReportWithin: 3 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// seedStages creates builds of one-step stages of type fake in repo and
// wakes the runners.
func seedStages(t *testing.T, app *server.App, repo *core.Repo, builds, per int, commands ...string) []*core.Build {
	t.Helper()
	out, _ := createBuilds(t, app, repo, "fake", builds, per, commands...)
	app.Scheduler.Enqueued(context.Background())
	return out
}

// TestTwoServersOnePostgres: two server processes' worth of Drover share
// one Postgres; 20 runners split between them take every stage exactly
// once, and a cancel sent to one server stops a stage running under a
// runner of the other.
func TestTwoServersOnePostgres(t *testing.T) {
	base := testenv.PostgresURL(t)
	if base == "" {
		t.Skip("skipping: needs Postgres; set DROVER_TEST_DATABASE_URL (source .ci/postgres.sh && pg_start)")
	}
	url := testenv.CreateDatabase(t, base, fmt.Sprintf("drover_replicas_%d", os.Getpid()), "")
	a := newReplica(t, url, t.TempDir())
	b := newReplica(t, url, t.TempDir())
	ctx := context.Background()
	dir := t.TempDir()
	tokenPath, err := server.Bootstrap(ctx, a.app.Store, dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := os.ReadFile(tokenPath)
	admin := strings.TrimSpace(string(tok))
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := a.app.Store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}

	engine := enginetest.NewFake()
	for i := 0; i < 20; i++ {
		r := a
		if i%2 == 1 {
			r = b
		}
		startAgent(t, r, r.http.URL, engine, 2)
	}
	seedStages(t, a.app, repo, 20, 10)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n := successCount(t, a.app)
		if n == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 200 stages done", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	setups := map[string]int{}
	for _, c := range engine.CallLog() {
		if strings.HasPrefix(c, "setup ") {
			setups[c]++
		}
	}
	if len(setups) != 200 {
		t.Fatalf("%d distinct stages were set up, want 200", len(setups))
	}
	for c, n := range setups {
		if n != 1 {
			t.Fatalf("%s ran %d times", c, n)
		}
	}
	var servedBy []struct {
		RunnerID int64 `bun:"runner_id"`
	}
	if err := a.app.Store.DB().NewSelect().Table("stages").ColumnExpr("DISTINCT runner_id").Scan(ctx, &servedBy); err != nil {
		t.Fatal(err)
	}
	if len(servedBy) < 2 {
		t.Fatalf("only %d runners took stages", len(servedBy))
	}

	// A long stage; cancel it through the server its runner is not on.
	long := seedStages(t, b.app, repo, 1, 1, "sleep 60")[0]
	var stage *core.Stage
	for deadline := time.Now().Add(30 * time.Second); ; {
		stages, _ := a.app.Store.Stages().ListBuild(ctx, long.ID)
		if stages[0].Status == core.StatusRunning && stages[0].Machine != "" {
			stage = stages[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the long stage did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	other := a
	if runnerOnReplica(t, a, stage.RunnerID) {
		other = b
	}
	req, _ := http.NewRequest("DELETE", fmt.Sprintf("%s/api/repos/acme/app/builds/%d?remote=fake", other.http.URL, long.Number), nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("cancel = %d", resp.StatusCode)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		st, _ := a.app.Store.Stages().Find(ctx, stage.ID)
		if st.Status == core.StatusKilled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stage still %s after the cancel on the other server", st.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var replicaRunners sync.Map // runner id → the replica its agent talks to

func runnerOnReplica(t *testing.T, r *replica, runnerID int64) bool {
	t.Helper()
	v, ok := replicaRunners.Load(runnerID)
	return ok && v.(*replica) == r
}

// TestThousandStagesTwentyRunners: 20 runner agents speaking HTTP, on the
// fake engine, work off 1,000 stages on SQLite; each runs exactly once.
func TestThousandStagesTwentyRunners(t *testing.T) {
	r := newReplica(t, "", t.TempDir())
	ctx := context.Background()
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := r.app.Store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	engine := enginetest.NewFake()
	for i := 0; i < 20; i++ {
		startAgent(t, r, r.http.URL, engine, 2)
	}
	seedStages(t, r.app, repo, 100, 10)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		n := successCount(t, r.app)
		if n == 1000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 1000 stages done", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	setups := map[string]int{}
	for _, c := range engine.CallLog() {
		if strings.HasPrefix(c, "setup ") {
			setups[c]++
		}
	}
	if len(setups) != 1000 {
		t.Fatalf("%d distinct stages set up, want 1000", len(setups))
	}
	for c, n := range setups {
		if n != 1 {
			t.Fatalf("%s ran %d times", c, n)
		}
	}
}
