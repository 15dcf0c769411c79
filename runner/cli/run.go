package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/drover-ci/drover/internal/version"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/host"
)

// run takes stages until SIGTERM or SIGINT; the first signal drains, a
// second one cancels the running stages.
func run(ctx context.Context, args []string, env Env) error {
	fs, cfgPath := newFlags("run", env)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := runner.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	instances, _ := cfg.Instances()
	pluginDir := cfg.PluginDir
	if pluginDir == "" {
		if exe, err := os.Executable(); err == nil {
			pluginDir = filepath.Dir(exe)
		}
	}
	// Engines label what they create with the runner's id and prune, when
	// the runner starts, what carries it (the docker engine's runner_id
	// defaults to $DROVER_RUNNER_ID, then the host name): the runner's name
	// keeps two runners on one daemon from pruning each other's stages.
	if os.Getenv("DROVER_RUNNER_ID") == "" && cfg.Name != "" {
		_ = os.Setenv("DROVER_RUNNER_ID", cfg.Name)
	}
	h := host.New(host.Options{Dir: pluginDir, Instances: instances, Logger: log})
	if err := h.Start(ctx); err != nil {
		log.Warn("some engines did not start", "err", err)
	}
	defer h.Close()
	engines := runner.HostEngines{Host: h}
	if len(engines.Names()) == 0 {
		return fmt.Errorf("no engine is running: configure [[engine]] tables or put drover-engine-* plugins in %s", pluginDir)
	}
	client := rpcclient.New(cfg.Server, cfg.Token)
	client.Capacity, client.Version = max(cfg.Capacity, 1), version.Version
	agent := runner.New(runner.Options{Client: client, Engines: engines, Name: cfg.Name, Labels: cfg.Labels,
		Capacity: cfg.Capacity, WorkDir: cfg.WorkDir, DrainTimeout: cfg.Drain(), Logger: log})
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		select {
		case s := <-sigs:
			log.Info("signal: taking no more work, letting running stages finish", "signal", s.String(), "timeout", cfg.Drain())
			stop()
		case <-runCtx.Done():
			return
		}
		if s, ok := <-sigs; ok {
			log.Warn("second signal: cancelling running stages", "signal", s.String())
			agent.CancelRunning()
		}
	}()
	log.Info("runner started", "name", cfg.Name, "server", cfg.Server, "engines", engines.Names(), "capacity", cfg.Capacity)
	start := time.Now()
	stopMirrors := watchMirrors(runCtx, cfg, client, log)
	err = agent.Run(runCtx)
	stopMirrors()
	log.Info("runner stopped", "uptime", time.Since(start).Round(time.Second))
	return err
}

func level(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}
