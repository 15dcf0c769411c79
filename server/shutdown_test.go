package server_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// TestLocalRunnerDrainsForShutdownTimeout: on shutdown the local runner's
// running stage gets shutdown_timeout to finish, then it is cancelled and
// the server stops (the runner's own default drain is ten minutes).
func TestLocalRunnerDrainsForShutdownTimeout(t *testing.T) {
	cfg := &config.Config{DataDir: t.TempDir(), PluginDir: t.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: 5 * time.Second, ShutdownTimeout: time.Second, SecretKey: "k", StageLease: time.Minute,
		RunnerCapacity: 1, Engines: []host.Instance{{Kind: host.KindEngine, Name: "fake", Plugin: "drover-engine-fake"}}}
	ctx := context.Background()
	app, err := server.New(ctx, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Builtin: map[string]any{"drover-engine-fake": enginetest.NewFake()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Start(ctx); err != nil {
		app.Close()
		t.Fatal(err)
	}
	repo := &core.Repo{Remote: "fake", RemoteID: "1", Owner: "acme", Name: "app", Branch: "main", Active: true}
	if err := app.Store.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	b := seedStages(t, app, repo, 1, 1, "sleep 600")[0]
	waitStatus(t, app, b.ID, core.StatusRunning, 30*time.Second)
	closed := make(chan error, 1)
	go func() { closed <- app.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("close: %v", err)
		}
	case <-time.After(2 * time.Minute): // generous; the drain is 1 s
		t.Fatal("the server waited past shutdown_timeout for the local runner's stage")
	}
}
