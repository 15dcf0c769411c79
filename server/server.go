package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/drover-ci/drover/internal/version"
	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/httplimits"
)

// Run starts the server and blocks until ctx is cancelled (SIGINT/SIGTERM),
// then shuts down gracefully. ready, when set, is called with the address
// once the server listens.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, ready func(addr string)) error {
	app, err := New(ctx, cfg, Deps{Log: log})
	if err != nil {
		return err
	}
	defer app.Close()
	tokenPath, err := Bootstrap(ctx, app.Store, cfg.DataDir)
	if err != nil {
		return err
	}
	if tokenPath != "" {
		log.Info("created the first admin; its API token is in " + tokenPath)
		fmt.Printf("Admin API token written to %s\n", tokenPath)
	}
	limits := Limits(cfg)
	ln, err := httplimits.Listen(cfg.HTTPAddr, limits)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	servers := []*http.Server{httplimits.Server(app.API, limits)}
	listeners := []net.Listener{ln}
	if cfg.MetricsAddr != "" {
		mln, err := httplimits.Listen(cfg.MetricsAddr, limits)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on metrics_addr %s: %w", cfg.MetricsAddr, err)
		}
		servers = append(servers, httplimits.Server(app.Metrics.Handler(), limits))
		listeners = append(listeners, mln)
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	if err := app.Start(ctx); err != nil {
		for _, l := range listeners {
			l.Close()
		}
		return err
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	log.Info("drover server listening", "addr", ln.Addr().String(), "url", cfg.ServerURL, "version", version.Version)
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	app.StopPolls() // else Shutdown waits for every long-poll to time out
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	return nil
}

// Limits are cfg's HTTP limits.
func Limits(cfg *config.Config) httplimits.Limits {
	return httplimits.Limits{
		ReadHeaderTimeout: cfg.HTTPReadHeaderTimeout, ReadTimeout: cfg.HTTPReadTimeout,
		WriteTimeout: cfg.HTTPWriteTimeout, IdleTimeout: cfg.HTTPIdleTimeout,
		MaxHeaderBytes: cfg.HTTPMaxHeaderBytes, MaxConnections: cfg.HTTPMaxConnections,
	}
}
