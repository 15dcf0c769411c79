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

	"github.com/gin-gonic/gin"

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
	"github.com/drover-ci/drover/server/events"
	"github.com/drover-ci/drover/server/limiter"
	"github.com/drover-ci/drover/server/login"
	"github.com/drover-ci/drover/server/metrics"
	"github.com/drover-ci/drover/server/mirrors"
	"github.com/drover-ci/drover/server/replay"
	"github.com/drover-ci/drover/server/runnerapi"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
	"github.com/drover-ci/drover/server/trigger"
	"github.com/drover-ci/drover/server/web"
	"github.com/drover-ci/drover/server/webhooks"
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
	Events    *events.Hub       // changes of builds, stages and steps (GET /api/stream)
	Webhooks  *webhooks.Service // outgoing webhooks' deliveries
	Log       *slog.Logger

	// Mirrors serves runners' mirror heartbeats and reports;
	// MirrorAssigner keeps each mirror with a live runner.
	Mirrors        *mirrors.Service
	MirrorAssigner *mirrors.Assigner

	cancel context.CancelFunc
	wg     sync.WaitGroup
	// stopping ends runners' long-polls when the server shuts down.
	stopping  context.Context
	stopPolls context.CancelFunc
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
	// Credentials of rows written before they were encrypted (idempotent).
	if err := store.SealCredentials(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("encrypt stored credentials: %w", err)
	}
	log.Info("database ready", "address", store.Redact(cfg.DatabaseURL, cfg.DataDir), "dialect", db.Dialect())

	a := &App{Config: cfg, Store: db, Log: log, Metrics: metrics.New()}
	a.stopping, a.stopPolls = context.WithCancel(context.Background())
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
		// Options a plugin refuses are a configuration mistake, as a
		// mistyped server key is: stop the start (exit status 2).
		if refused := host.OptionsErrors(err); len(refused) > 0 {
			a.Host.Close()
			db.Close()
			msgs := make([]string, len(refused))
			for i, r := range refused {
				msgs[i] = r.Error()
			}
			return nil, &config.Error{Msg: strings.Join(msgs, "; ")}
		}
		// Refused instances are marked failed; the others run.
		log.Warn("some plugins did not start", "err", err)
	}
	a.Creds = &login.Refresher{Users: db.Users(), Remotes: a.Host, Log: log}
	policy := limiter.New(cfg.SyncOwners, cfg.SyncMaxRepos, cfg.MaxRunningPerRepo, cfg.MaxRunningPerOwner)
	status := &trigger.StatusReporter{Store: db, Remotes: a.Host, ServerURL: cfg.ServerURL, Log: log, Creds: a.Creds.Creds}
	bus := scheduler.NewBus(log)
	a.Webhooks = webhooks.New(webhooks.Options{Store: db, Hooks: db.Webhooks(), Deliveries: db.WebhookDeliveries(),
		ServerURL: cfg.ServerURL, Version: version.Version, Log: log, OnChange: a.Metrics.BuildChanged})
	a.Events = events.New(events.Options{Store: db, Bus: bus, Log: log, OnLocal: a.Webhooks.Event})
	a.Scheduler = scheduler.New(db, bus, scheduler.Options{
		Lease:     cfg.StageLease,
		LogLimits: core.LogLimits{Lines: int64(cfg.MaxLogLines), Bytes: int64(cfg.MaxLogBytes), LineBytes: int64(cfg.MaxLogLineBytes)},
		Limiter:   policy,
		Secrets:   &secrets.Resolver{Store: db.Secrets(), RegistryStore: db.Registries()},
		Netrc:     a.netrc,
		Log:       log,
		OnBuild:   status.Changed,
		Metrics:   a.Metrics,
		OnChange:  a.Events.Change,
	})
	a.Syncer = syncer.New(syncer.Options{Store: a.Metrics.ObserveSyncs(db), Remotes: a.Host, Limiter: policy, Log: log, Creds: a.Creds.Creds})
	a.Trigger = &trigger.Trigger{Store: db, Remotes: a.Host, Queue: a.Scheduler, Status: status, Log: log,
		System: systemOf(cfg.ServerURL), Creds: a.Creds.Creds, Metrics: a.Metrics, Canceller: a.Scheduler,
		Formats: convert.Enabled{Jsonnet: cfg.JsonnetEnabled, Starlark: cfg.StarlarkEnabled}, OnCreated: a.Events.Created}

	a.API = api.New(api.Options{Store: revokeNotifier{Store: db, bus: bus}, Log: log, Version: version.Version, Syncer: a.Syncer,
		Middleware: []gin.HandlerFunc{a.Metrics.Middleware()}})
	a.Metrics.Watch(metrics.Sources{State: a.metricsState, Plugins: a.pluginRestarts})
	a.API.AddMetrics(a.Metrics.Handler(), cfg.MetricsToken)
	a.API.AddPlugins(a.Host)
	a.newMirrors()
	runnerOpts := runnerapi.Options{Scheduler: a.Scheduler, Store: db, Log: log, Lease: cfg.StageLease, Stopping: a.stopping,
		Mirrors: a.Mirrors}
	if db.Dialect() == store.SQLite {
		// One server per SQLite file: revocations are seen in-process at
		// once, so runner tokens may be cached. Replicas on Postgres read
		// them at every call.
		runnerOpts.Revoked = bus.Subscribe(scheduler.TopicRunners).C
	}
	runnerapi.New(runnerOpts).Routes(a.API.Router())
	a.API.AddBuilds(api.BuildDeps{Access: a.Syncer, Builder: a.Trigger, Queue: a.Scheduler, Runners: db.Runners()})
	// Login, sessions, webhooks and activation (server/api login.go, hooks.go, activate.go).
	a.API.UseSessions(login.NewSessions(db.Sessions(), 0), strings.HasPrefix(cfg.ServerURL, "https://"))
	a.API.AddLogin(api.LoginDeps{Remotes: a.Host, ServerURL: cfg.ServerURL, Key: cfg.SecretKey})
	a.API.AddHooks(api.HookDeps{Remotes: a.Host, Builder: a.Trigger, Repos: a.Syncer, Key: cfg.SecretKey, ServerURL: cfg.ServerURL,
		Replays: replay.New(db.DB(), 0)})
	a.API.AddStream(a.Events)
	a.API.AddActivation(api.ActivateDeps{Remotes: a.Host, Access: a.Syncer, Creds: a.Creds.Creds, ServerURL: cfg.ServerURL})
	a.API.AddBadges(api.BadgeDeps{ServerURL: cfg.ServerURL})
	a.API.AddWebhooks(api.WebhookDeps{Hooks: db.Webhooks(), Deliveries: db.WebhookDeliveries(), Wake: a.Webhooks.Wake})
	ui, err := web.New(web.Options{API: a.API, Store: db, ServerURL: cfg.ServerURL, Log: log,
		Remotes: func() []string { return a.Host.Names(host.KindRemote) }})
	if err != nil {
		a.Host.Close()
		db.Close()
		return nil, err
	}
	ui.Mount(a.API.Router()) // the pages, their assets, and the 404 page
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
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Events.Run(ctx) }()
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Webhooks.Run(ctx) }()
	ticker := &cron.Ticker{Crons: a.Store.Crons(), Repos: a.Store.Repos(), Builder: a.Trigger, Log: a.Log}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); ticker.Run(ctx) }()
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Syncer.Run(ctx) }()
	var local int64
	if a.Config.RunnerCapacity > 0 {
		var err error
		if local, err = a.startLocalRunner(ctx); err != nil {
			return err
		}
	}
	a.startMirrors(ctx, local)
	return nil
}

// startLocalRunner runs the runner loop in-process over the scheduler,
// offering the plugin host's engines, and returns the runner's id.
func (a *App) startLocalRunner(ctx context.Context) (int64, error) {
	r, err := a.localRunnerRecord(ctx)
	if err != nil {
		return 0, err
	}
	agent := runner.New(runner.Options{
		Client:    runner.NewLocalClient(&localContact{Scheduler: a.Scheduler, runners: a.Store.Runners(), log: a.Log, r: *r}, r.ID),
		Engines:   runner.HostEngines{Host: a.Host},
		Name:      r.Name,
		Capacity:  a.Config.RunnerCapacity,
		Heartbeat: a.Config.StageLease / 3, // zero (no lease set): the default, within the default lease
		WorkDir:   filepath.Join(a.Config.DataDir, "work"),
		Logger:    a.Log.With("component", "local-runner"),
		// On shutdown its running stages get shutdown_timeout to finish.
		DrainTimeout: a.Config.ShutdownTimeout,
	})
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := agent.Run(ctx); err != nil {
			a.Log.Error("local runner stopped", "err", err)
		}
	}()
	a.Log.Info("local runner started", "capacity", a.Config.RunnerCapacity, "engines", a.Host.Names(host.KindEngine))
	return r.ID, nil
}

// localRunnerRecord finds or registers the local runner, so that its
// stages and contact show like any runner's.
func (a *App) localRunnerRecord(ctx context.Context) (*core.Runner, error) {
	name, _ := os.Hostname()
	name = "local@" + name
	r, err := a.Store.Runners().FindLocal(ctx, name)
	if err == nil {
		// What this start runs, not what the first one did.
		r.Capacity, r.Version, r.OS, r.Arch = a.Config.RunnerCapacity, version.Version, runtime.GOOS, runtime.GOARCH
		return r, a.Store.Runners().Update(ctx, r)
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
	if repo.Remote == core.RemoteMirror {
		return a.mirrorNetrc(ctx, repo)
	}
	remote, creds, err := trigger.RemoteFor(ctx, a.Store, a.Host, a.Creds.Creds, repo)
	if err != nil {
		return nil, err
	}
	return remote.Netrc(ctx, creds, repo.Slug)
}

// StopPolls answers runners' open long-polls at once (204) and every later
// one too: the first step of a shutdown, so that the HTTP server's
// Shutdown need not wait for them.
func (a *App) StopPolls() { a.stopPolls() }

// Close stops the background work, the plugins and the store.
func (a *App) Close() error {
	a.stopPolls()
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
