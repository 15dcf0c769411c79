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
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/config"
	"github.com/drover-ci/drover/server/store"
)

// Run starts the server and blocks until ctx is cancelled (SIGINT/SIGTERM),
// then shuts down gracefully. ready, when set, is called with the address
// once the server listens.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, ready func(addr string)) error {
	if err := cfg.EnsureSecretKey(); err != nil {
		return err
	}
	db, err := store.OpenRetry(ctx, cfg.DatabaseURL, cfg.DataDir, cfg.DatabaseWait, log)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database ready", "address", store.Redact(cfg.DatabaseURL, cfg.DataDir), "dialect", db.Dialect())

	tokenPath, err := Bootstrap(ctx, db, cfg.DataDir)
	if err != nil {
		return err
	}
	if tokenPath != "" {
		log.Info("created the first admin; its API token is in " + tokenPath)
		fmt.Printf("Admin API token written to %s\n", tokenPath)
	}

	handler := api.New(api.Options{Store: db, Log: log, Version: version.Version})
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
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
