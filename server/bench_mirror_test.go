package server_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/plugins/engine-local/local"
	"github.com/drover-ci/drover/sdk/host"
	"github.com/drover-ci/drover/server"
	"github.com/drover-ci/drover/server/config"
)

// BenchmarkMirrorCommitToQueued: a commit pushed to a mirrored file://
// upstream (interval 1 s, watched by the local runner) until its build is
// stored and queued; p50 and max of 10 commits.
func BenchmarkMirrorCommitToQueued(b *testing.B) {
	up := newUpstream(b)
	cfg := &config.Config{
		DataDir: b.TempDir(), RunnerCapacity: 1, PluginDir: b.TempDir(), ServerURL: "http://drover.test",
		DatabaseWait: time.Second, ShutdownTimeout: 5 * time.Second, SecretKey: "test-key",
		Engines:        []host.Instance{{Kind: host.KindEngine, Name: "local", Plugin: "drover-engine-local"}},
		MirrorCapacity: 100, MirrorTimeout: 3 * time.Second, MirrorMinInterval: time.Second, MirrorMaxFailures: 14,
	}
	app, _, _ := startServer(b, cfg, server.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Builtin: map[string]any{"drover-engine-local": local.New(local.Config{})}})
	ctx := context.Background()
	m := &core.Mirror{URL: "file://" + up.bare, Interval: 1}
	repo := &core.Repo{RemoteID: m.URL, Owner: "up", Name: "lib", CloneURL: m.URL, Trusted: true}
	if err := app.Store.Mirrors().Create(ctx, m, repo, 0); err != nil {
		b.Fatal(err)
	}
	app.MirrorAssigner.Kick()
	wait := func(what string, ok func() bool) {
		deadline := time.Now().Add(60 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				b.Fatalf("%s: not within a minute", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait("the import", func() bool {
		got, err := app.Store.Mirrors().Find(ctx, m.ID)
		return err == nil && !got.LastFetch.IsZero()
	})
	b.ResetTimer()
	var lat []time.Duration
	for i := range 10 {
		sha := up.push("commit " + itoa(int64(i)))
		pushed := time.Now()
		wait("the build of "+sha, func() bool {
			builds, err := app.Store.Builds().List(ctx, m.RepoID, 1, 0)
			return err == nil && len(builds) == 1 && builds[0].After == sha
		})
		lat = append(lat, time.Since(pushed))
	}
	b.StopTimer()
	slices.Sort(lat)
	testenv.Bench(b, "mirror_commit_to_queued_ms", ms(lat[len(lat)/2]), "ms")
	testenv.Bench(b, "mirror_commit_to_queued_max_ms", ms(lat[len(lat)-1]), "ms")
}
