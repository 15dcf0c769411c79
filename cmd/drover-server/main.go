// Command drover-server runs the Drover server: the API, the web UI, the
// scheduler and a local runner.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// bundled holds the plugins built into this binary (with the bundle tag,
// as the container image does), by the name of the link that starts each:
// one binary sharing one Go runtime and gRPC is a third the size of seven.
var bundled = map[string]func(){}

func main() {
	if serve, ok := bundled[filepath.Base(os.Args[0])]; ok {
		serve()
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "rotate-key" {
		os.Exit(rotateKey(os.Args[2:]))
	}
	cfg, err := config.Load(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, config.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drover-server: configuration:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level(cfg.LogLevel)}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg, log, nil); err != nil {
		var cerr *config.Error
		if errors.As(err, &cerr) { // e.g. options a plugin refused
			fmt.Fprintln(os.Stderr, "drover-server: configuration:", err)
			os.Exit(2)
		}
		log.Error("drover-server stopped", "err", err)
		os.Exit(1)
	}
}

func level(name string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(name)); err != nil {
		return slog.LevelInfo
	}
	return l
}
