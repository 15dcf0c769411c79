package server

import (
	"context"
	"path/filepath"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/runner/mirror"
	"github.com/drover-ci/drover/server/api"
	"github.com/drover-ci/drover/server/mirrors"
)

// newMirrors assembles mirror watching: the assigner, the service behind
// runners' mirror heartbeats and reports, and the API's routes.
func (a *App) newMirrors() {
	maxFailures := a.Config.MirrorMaxFailures
	if maxFailures == 0 {
		maxFailures = -1 // the setting's 0: never pause
	}
	a.MirrorAssigner = mirrors.NewAssigner(a.Store.MirrorLeases(), a.Config.MirrorTimeout, a.Log.With("component", "mirrors"))
	a.MirrorAssigner.Notify(a.Events)
	a.Mirrors = mirrors.New(mirrors.Options{Store: a.Store, Builder: a.Trigger, Assigner: a.MirrorAssigner,
		MaxFailures: maxFailures, Log: a.Log.With("component", "mirrors"), Events: a.Events})
	a.API.AddMirrors(api.MirrorDeps{Assigner: a.MirrorAssigner, Events: a.Events, MinInterval: a.Config.MirrorMinInterval})
}

// startMirrors runs the assigner and, when the local runner offers a
// mirror capacity, its mirror watcher.
func (a *App) startMirrors(ctx context.Context, localRunner int64) {
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.MirrorAssigner.Run(ctx) }()
	if localRunner == 0 || a.Config.MirrorCapacity <= 0 {
		return
	}
	w := mirror.New(mirror.Options{
		Client:   &mirror.LocalClient{Coordinator: a.Mirrors, RunnerID: localRunner},
		Dir:      filepath.Join(a.Config.DataDir, "mirrors"),
		Capacity: a.Config.MirrorCapacity,
		Log:      a.Log.With("component", "local-mirrors"),
	})
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := w.Run(ctx); err != nil {
			a.Log.Error("local mirror watcher stopped", "err", err)
		}
	}()
}

// mirrorNetrc returns a mirror repository's clone credentials.
func (a *App) mirrorNetrc(ctx context.Context, repo *core.Repo) (*core.Netrc, error) {
	return mirrors.Netrc(ctx, a.Store.Mirrors(), repo)
}
