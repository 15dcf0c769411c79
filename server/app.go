package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
	"github.com/drover-ci/drover/core/pipeline/convert"
	"github.com/drover-ci/drover/internal/version"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/auth"
	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/cron"
	"github.com/drover-ci/drover/server/limiter"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/metrics"
	"github.com/drover-ci/drover/server/rpc"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
	"github.com/drover-ci/drover/server/trigger"
)

// Deps are what an App takes from outside besides its configuration.
type Deps struct {
	Log *slog.Logger
	// Builtin are in-process plugin implementations by plugin name (tests,
	// embedding), used instead of binaries of that name.
	Builtin map[string]any
}

// App is an assembled server: store, plugins, scheduler, trigger, syncer,
// API and local runner. Build it with New, run it with Start, stop it with
// Close.
type App struct {
	Config    *config.Config
	Store     *store.Store
	Host      *host.Host
	Scheduler *scheduler.Scheduler
	Trigger   *trigger.Trigger
	Syncer    *syncer.Syncer
	Creds     *login.Refresher // users' remote credentials, refreshed when expired
	API       *api.Server
	Metrics   *metrics.Metrics
	Log       *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New opens the store (retrying while it is unreachable), starts the
// plugin host and assembles everything; Start runs the background work.
func New(ctx context.Context, cfg *config.Config, d Deps) (*App, error) {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	if err := cfg.EnsureSecretKey(); err != nil {
		return nil, err
	}
	cipher, err := secrets.NewCipher(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	db, err := store.OpenRetry(ctx, cfg.DatabaseURL, cfg.DataDir, cfg.DatabaseWait, log)
	if err != nil {
		return nil, err
	}
	db.UseSealer(cipher)
	log.Info("database ready", "address", store.Redact(cfg.DatabaseURL, cfg.DataDir), "dialect", db.Dialect())

	a := &App{Config: cfg, Store: db, Log: log, Metrics: metrics.New()}
	a.Host = host.New(host.Options{
		Dir:       cfg.PluginDir,
		Instances: append(append([]host.Instance{}, cfg.Remotes...), cfg.Engines...),
		Builtin:   d.Builtin,
		Logger:    log,
	})
	if err := a.Host.Start(ctx); err != nil {
		if core.ErrorCode(err) == core.CodeInvalid {
			db.Close()
			return nil, err
		}
		// Refused instances are marked failed; the others run.
		log.Warn("some plugins did not start", "err", err)
	}
	a.Creds = &login.Refresher{Users: db.Users(), Remotes: a.Host, Log: log}
	policy := limiter.New(cfg.SyncOwners, cfg.SyncMaxRepos, cfg.MaxRunningPerRepo, cfg.MaxRunningPerOwner)
	status := &trigger.StatusReporter{Store: db, Remotes: a.Host, ServerURL: cfg.ServerURL, Log: log, Creds: a.Creds.Creds}
	bus := scheduler.NewBus(log)
	a.Scheduler = scheduler.New(db, bus, scheduler.Options{
		Lease:       cfg.StageLease,
		MaxLogLines: int64(cfg.MaxLogLines),
		Limiter:     policy,
		Secrets:     &secrets.Resolver{Store: db.Secrets()},
		Netrc:       a.netrc,
		Log:         log,
		OnBuild:     status.Changed,
		Metrics:     a.Metrics,
	})
	a.Syncer = syncer.New(syncer.Options{Store: db, Remotes: a.Host, Log: log, Creds: a.Creds.Creds})
	a.Trigger = &trigger.Trigger{Store: db, Remotes: a.Host, Queue: a.Scheduler, Status: status, Log: log,
		System: systemOf(cfg.ServerURL), Creds: a.Creds.Creds, Metrics: a.Metrics,
		Formats: convert.Enabled{Jsonnet: cfg.JsonnetEnabled, Starlark: cfg.StarlarkEnabled}}

	a.API = api.New(api.Options{Store: revokeNotifier{Store: db, bus: bus}, Log: log, Version: version.Version, Syncer: a.Syncer})
	a.API.AddMetrics(a.Metrics.Handler())
	a.API.AddPlugins(a.Host)
	rpcOpts := rpc.Options{Scheduler: a.Scheduler, Store: db, Log: log}
	if db.Dialect() == store.SQLite {
		// One server per SQLite file: revocations are seen in-process at
		// once, so runner tokens may be cached. Replicas on Postgres read
		// them at every call.
		rpcOpts.Revoked = bus.Subscribe(scheduler.TopicRunners).C
	}
	rpc.New(rpcOpts).Routes(a.API.Router())
	a.API.AddBuilds(api.BuildDeps{Access: a.Syncer, Builder: a.Trigger, Queue: a.Scheduler, Runners: db.Runners()})
	// Login, sessions, webhooks and activation (server/api login.go, hooks.go, activate.go).
	a.API.UseSessions(login.NewSessions(db.DB(), 0), strings.HasPrefix(cfg.ServerURL, "https://"))
	a.API.AddLogin(api.LoginDeps{Remotes: a.Host, ServerURL: cfg.ServerURL, Key: cfg.SecretKey})
	a.API.AddHooks(api.HookDeps{Remotes: a.Host, Builder: a.Trigger, Repos: a.Syncer, Key: cfg.SecretKey, ServerURL: cfg.ServerURL})
	a.API.AddActivation(api.ActivateDeps{Remotes: a.Host, Access: a.Syncer, Creds: a.Creds.Creds, ServerURL: cfg.ServerURL})
	return a, nil
}

// Start runs the scheduler's loops, the cross-replica notifications (on
// Postgres) and the local runner until Close.
func (a *App) Start(ctx context.Context) error {
	ctx, a.cancel = context.WithCancel(ctx)
	if a.Store.Dialect() == store.Postgres {
		a.Scheduler.Bus().ListenPostgres(ctx, a.Store.DB())
	}
	a.Scheduler.Start(ctx)
	ticker := &cron.Ticker{Crons: a.Store.Crons(), Repos: a.Store.Repos(), Builder: a.Trigger, Log: a.Log}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); ticker.Run(ctx) }()
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Syncer.Run(ctx) }()
	if a.Config.RunnerCapacity > 0 {
		if err := a.startLocalRunner(ctx); err != nil {
			return err
		}
	}
	return nil
}

// startLocalRunner runs the runner loop in-process over the scheduler,
// offering the plugin host's engines.
func (a *App) startLocalRunner(ctx context.Context) error {
	r, err := a.localRunnerRecord(ctx)
	if err != nil {
		return err
	}
	agent := runner.New(runner.Options{
		Client:   runner.NewLocalClient(a.Scheduler, r.ID),
		Engines:  runner.HostEngines{Host: a.Host},
		Name:     r.Name,
		Capacity: a.Config.RunnerCapacity,
		WorkDir:  filepath.Join(a.Config.DataDir, "work"),
		Logger:   a.Log.With("component", "local-runner"),
	})
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := agent.Run(ctx); err != nil {
			a.Log.Error("local runner stopped", "err", err)
		}
	}()
	a.Log.Info("local runner started", "capacity", a.Config.RunnerCapacity, "engines", a.Host.Names(host.KindEngine))
	return nil
}

// localRunnerRecord finds or registers the local runner, so that its
// stages and contact show like any runner's.
func (a *App) localRunnerRecord(ctx context.Context) (*core.Runner, error) {
	name, _ := os.Hostname()
	name = "local@" + name
	r, err := a.Store.Runners().FindLocal(ctx, name)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	_, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix) // never handed out: the local runner calls in-process
	r = &core.Runner{Name: name, TokenHash: hash, Local: true, OS: runtime.GOOS, Arch: runtime.GOARCH,
		Capacity: a.Config.RunnerCapacity, Engines: a.Host.Names(host.KindEngine), Version: version.Version}
	if err := a.Store.Runners().Create(ctx, r); err != nil {
		return nil, fmt.Errorf("register the local runner: %w", err)
	}
	return r, nil
}

// netrc returns clone credentials of the repository's remote, for the
// user who activated it.
func (a *App) netrc(ctx context.Context, repo *core.Repo) (*core.Netrc, error) {
	remote, creds, err := trigger.RemoteFor(ctx, a.Store, a.Host, a.Creds.Creds, repo)
	if err != nil {
		return nil, err
	}
	return remote.Netrc(ctx, creds, repo.Slug)
}

// Close stops the background work, the plugins and the store.
func (a *App) Close() error {
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	a.Syncer.Close()
	a.Host.Close()
	return a.Store.Close()
}

func systemOf(serverURL string) pipeline.System {
	u, err := url.Parse(serverURL)
	if err != nil {
		return pipeline.System{Version: version.Version}
	}
	return pipeline.System{Host: u.Host, Proto: u.Scheme, Version: version.Version}
}
