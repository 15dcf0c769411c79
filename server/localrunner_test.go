package server_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// TestLocalRunnerShowsItsContactAndEngines restarts a server with another
// set of engines: GET /api/runners shows the local runner as seen since
// the restart, offering the engines it has now.
func TestLocalRunnerShowsItsContactAndEngines(t *testing.T) {
	dir := t.TempDir()
	boot := func(engines ...string) *harness {
		cfg := &config.Config{
			DataDir: dir, RunnerCapacity: 1, PluginDir: t.TempDir(), ServerURL: "http://drover.test",
			DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
		}
		builtin := map[string]any{}
		for _, name := range engines {
			cfg.Engines = append(cfg.Engines, host.Instance{Kind: host.KindEngine, Name: name, Plugin: "drover-engine-" + name})
			builtin["drover-engine-"+name] = local.New(local.Config{Root: t.TempDir()})
		}
		app, srv, token := startServer(t, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Builtin: builtin})
		return &harness{app: app, http: srv, token: token}
	}
	first := boot("local")
	first.http.Close()
	if err := first.app.Close(); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	h := boot("local", "other")
	h.token = first.token // the admin token is written only at the first start
	var local *core.Runner
	deadline := time.Now().Add(30 * time.Second)
	for local == nil || local.LastSeen.IsZero() {
		if time.Now().After(deadline) {
			t.Fatalf("the local runner was never seen after the restart: %+v", local)
		}
		var runners []*core.Runner
		if code := h.call(t, "GET", "/api/runners", "", &runners); code != 200 {
			t.Fatalf("GET /api/runners = %d", code)
		}
		for _, r := range runners {
			if r.Local {
				local = r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if local.LastSeen.Before(restarted.Add(-time.Second)) {
		t.Errorf("last_seen %s is before the restart at %s", local.LastSeen, restarted)
	}
	// "exec" is offered as the local engine's alias, as remote runners do.
	for _, want := range []string{"local", "other"} {
		if !slices.Contains(local.Engines, want) {
			t.Errorf("engines %v lack %q, an engine of this start", local.Engines, want)
		}
	}
}

// TestShortLeaseLocalRunnerGreen: on a server whose stage lease is the
// shortest allowed, the local runner's step that sleeps past two leases
// ends green, run once.
func TestShortLeaseLocalRunnerGreen(t *testing.T) {
	cfg := &config.Config{
		DataDir: t.TempDir(), RunnerCapacity: 1, PluginDir: t.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key", StageLease: config.MinStageLease,
		Engines: []host.Instance{{Kind: host.KindEngine, Name: "local", Plugin: "drover-engine-local"}},
	}
	app, _, _ := startServer(t, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Builtin: map[string]any{"drover-engine-local": local.New(local.Config{Root: t.TempDir()})}})
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := app.Store.Repos().Create(context.Background(), repo); err != nil {
		t.Fatal(err)
	}
	builds, ids := createBuilds(t, app, repo, "local", 1, 1, "sleep 7", "echo slept")
	app.Scheduler.Enqueued(context.Background())
	waitStatus(t, app, builds[0].ID, core.StatusSuccess, 90*time.Second)
	st, err := app.Store.Stages().Find(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Attempts != 1 {
		t.Fatalf("the stage took %d attempts, want 1 (its lease lapsed)", st.Attempts)
	}
}
