package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// serveOn runs an App on dataDir, serving HTTP on addr, until stop.
func serveOn(t *testing.T, dataDir, addr string, lease time.Duration) (app *server.App, stop func()) {
	t.Helper()
	cfg := &config.Config{DataDir: dataDir, PluginDir: t.TempDir(), ServerURL: "http://" + addr,
		DatabaseWait: 5 * time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "k", StageLease: lease,
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
	var ln net.Listener
	for deadline := time.Now().Add(10 * time.Second); ; {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv := &http.Server{Handler: app.API}
	go srv.Serve(ln)
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		srv.Close()
		app.Close()
	}
	t.Cleanup(stop)
	return app, stop
}

func loopbackAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitStatus(t *testing.T, app *server.App, buildID int64, want core.Status, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		b, err := app.Store.Builds().Find(context.Background(), buildID)
		if err == nil && b.Status == want {
			return
		}
		if err == nil && b.Status.Done() {
			t.Fatalf("build %d ended %s (%s), want %s", b.Number, b.Status, b.Error, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("build %d not %s after %s", buildID, want, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServerRestartMidBuild: the server stops while a step runs and comes
// back on the same address and database; the runner, never restarted,
// finishes the build and takes the next one.
func TestServerRestartMidBuild(t *testing.T) {
	dir, addr := t.TempDir(), loopbackAddr(t)
	app, stop := serveOn(t, dir, addr, time.Minute)
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := app.Store.Repos().Create(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	startAgent(t, &replica{app: app}, "http://"+addr, enginetest.NewFake(), 1)
	first := seedStages(t, app, repo, 1, 1, "sleep 2", "echo survived")[0]
	waitStatus(t, app, first.ID, core.StatusRunning, 30*time.Second)
	stop()

	app2, _ := serveOn(t, dir, addr, time.Minute)
	waitStatus(t, app2, first.ID, core.StatusSuccess, 60*time.Second)
	second := seedStages(t, app2, repo, 1, 1, "echo again")[0]
	waitStatus(t, app2, second.ID, core.StatusSuccess, 60*time.Second)
}

// TestKilledRunnerLosesStage: a runner goes silent mid-stage (its network
// is cut); once its lease lapses the stage is handed to another runner and
// completes there, and the silent runner's late reports change nothing.
func TestKilledRunnerLosesStage(t *testing.T) {
	dir, addr := t.TempDir(), loopbackAddr(t)
	app, _ := serveOn(t, dir, addr, 2*time.Second)
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := app.Store.Repos().Create(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	// Runner A talks through a proxy we can cut.
	target, _ := url.Parse("http://" + addr)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	stuck := enginetest.NewFake()
	startAgent(t, &replica{app: app}, proxy.URL, stuck, 1)
	b := seedStages(t, app, repo, 1, 1, "sleep 120")[0]
	waitStatus(t, app, b.ID, core.StatusRunning, 30*time.Second)
	stages, _ := app.Store.Stages().ListBuild(context.Background(), b.ID)
	firstRunner := stages[0].RunnerID
	proxy.CloseClientConnections()
	proxy.Close()

	healthy := enginetest.NewFake()
	healthy.Run = func(context.Context, string, *core.SpecStep, io.Writer) (int, error) { return 0, nil }
	startAgent(t, &replica{app: app}, "http://"+addr, healthy, 1)
	waitStatus(t, app, b.ID, core.StatusSuccess, 60*time.Second)
	stages, _ = app.Store.Stages().ListBuild(context.Background(), b.ID)
	if stages[0].RunnerID == firstRunner || stages[0].Attempts != 2 {
		t.Fatalf("stage finished by runner %d after %d attempts; want another runner than %d, 2 attempts",
			stages[0].RunnerID, stages[0].Attempts, firstRunner)
	}
}
