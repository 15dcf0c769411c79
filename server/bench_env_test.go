package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/store"
)

// benchEnv is a server whose runners speak HTTP to it over loopback.
type benchEnv struct {
	app   *server.App
	srv   *httptest.Server
	repo  *core.Repo
	admin string
}

// benchDatabases returns the databases the dispatch figures are taken
// on: SQLite always, Postgres when its binaries are installed (a
// throwaway cluster) or DROVER_TEST_DATABASE_URL names a server.
func benchDatabases(b *testing.B) map[string]func(b *testing.B) string {
	dbs := map[string]func(b *testing.B) string{"sqlite": func(*testing.B) string { return "" }}
	base, err := testenv.SharedPostgres()
	if err != nil {
		b.Fatalf("postgres: %v", err)
	}
	if base != "" {
		n := 0
		dbs["postgres"] = func(b *testing.B) string {
			n++
			return testenv.CreateDatabase(b, base, fmt.Sprintf("drover_bench_%d_%d", os.Getpid(), n), "")
		}
	}
	return dbs
}

func newBenchEnv(b *testing.B, dbURL string, engines map[string]any) *benchEnv {
	b.Helper()
	dir := b.TempDir()
	cfg := &config.Config{DataDir: dir, DatabaseURL: dbURL, PluginDir: b.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: 5 * time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "bench",
		Remotes: []host.Instance{{Kind: host.KindRemote, Name: "fake", Plugin: "drover-remote-fake"}}}
	builtin := map[string]any{"drover-remote-fake": remotetest.NewFake()}
	for name, e := range engines {
		cfg.Engines = append(cfg.Engines, host.Instance{Kind: host.KindEngine, Name: name, Plugin: "drover-engine-" + name})
		builtin["drover-engine-"+name] = e
	}
	app, srv, admin := startServer(b, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Builtin: builtin})
	repo := &core.Repo{Remote: "fake", RemoteID: "bench", Owner: "acme", Name: "app", Branch: "main", Active: true, Trusted: true}
	if err := app.Store.Repos().Create(context.Background(), repo); err != nil {
		b.Fatal(err)
	}
	return &benchEnv{app: app, srv: srv, repo: repo, admin: admin}
}

// runnerClient registers a runner offering the noop engine and returns an
// HTTP client speaking for it.
func (e *benchEnv) runnerClient(b *testing.B, name string) *rpcclient.Client {
	b.Helper()
	return e.runnerClientFor(b, name, "noop")
}

// runnerClientFor registers a runner offering the engines.
func (e *benchEnv) runnerClientFor(b *testing.B, name string, engines ...string) *rpcclient.Client {
	b.Helper()
	secret, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	r := &core.Runner{Name: name, TokenHash: hash, Engines: engines, OS: runtime.GOOS, Arch: runtime.GOARCH, Capacity: 4}
	if err := e.app.Store.Runners().Create(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	return rpcclient.New(e.srv.URL, secret)
}

func noopFilter() core.Filter {
	return core.Filter{OS: runtime.GOOS, Arch: runtime.GOARCH, Engines: []string{"noop"}}
}

// seed creates builds of stagesPer one-step noop stages each and returns
// the stage ids, oldest first. It does not wake the runners.
func (e *benchEnv) seed(b *testing.B, builds, stagesPer int) []int64 {
	b.Helper()
	_, ids := createBuilds(b, e.app, e.repo, "noop", builds, stagesPer)
	return ids
}

// settleDatabase does, after a bulk seeding, what the database would do by
// itself before long: on Postgres, vacuum and analyze the queue's tables
// (fresh planner statistics, no autovacuum of the seeding during the
// measurement) and checkpoint; on SQLite, checkpoint the WAL.
func (e *benchEnv) settleDatabase(b *testing.B) {
	b.Helper()
	ctx := context.Background()
	stmts := []string{"PRAGMA wal_checkpoint(TRUNCATE)"}
	if e.app.Store.Dialect() == store.Postgres {
		stmts = []string{"VACUUM ANALYZE stages, steps, builds", "CHECKPOINT"}
	}
	for _, q := range stmts {
		if _, err := e.app.Store.DB().ExecContext(ctx, q); err != nil {
			b.Logf("%s (skipped): %v", q, err) // CHECKPOINT needs more rights than a test database may give
		}
	}
}

// lastStageEnd is when the server recorded the end of the last stage to
// finish green.
func (e *benchEnv) lastStageEnd(b *testing.B) time.Time {
	b.Helper()
	var last time.Time
	err := e.app.Store.DB().NewSelect().Table("stages").Column("updated").Where("status = ?", core.StatusSuccess).
		OrderExpr("updated DESC").Limit(1).Scan(context.Background(), &last)
	if err != nil {
		b.Fatal(err)
	}
	return last
}

// doneStages counts finished stages.
func (e *benchEnv) doneStages(b *testing.B) int { return successCount(b, e.app) }
