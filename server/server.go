package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/drover-ci/drover/internal/version"
	"github.com/drover-ci/drover/server/config"
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
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	if err := app.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: app.API, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
