package cli

import (
	"context"
	"log/slog"

	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/mirror"
	"github.com/drover-ci/drover/runner/rpcclient"
)

// watchMirrors runs the runner's mirror watcher (unless its mirror
// capacity is 0) until the returned stop is called or ctx ends.
func watchMirrors(ctx context.Context, cfg *runner.Config, client *rpcclient.Client, log *slog.Logger) (stop func()) {
	capacity, dir := cfg.Mirrors()
	if capacity == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	w := mirror.New(mirror.Options{Client: client, Dir: dir, Capacity: capacity, Log: log.With("component", "mirrors")})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			log.Error("mirror watcher stopped", "err", err)
		}
	}()
	log.Info("watching mirrors", "capacity", capacity, "dir", dir)
	return func() { cancel(); <-done }
}
