package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/scheduler"
)

// BenchmarkStreamFanout: 100 clients of a user with pull permission hold
// GET /api/stream over loopback; a step's status change is handed to the
// event hub as the scheduler hands it; the figure is the change → the
// 100th client reading its event (p99 of 200 changes).
func BenchmarkStreamFanout(b *testing.B) {
	const clients, samples = 100, 200
	e := newBenchEnv(b, "", nil)
	ctx := context.Background()
	_, ids := createBuilds(b, e.app, e.repo, "noop", 1, 1)
	e.repo.Private = true
	if err := e.app.Store.Repos().Update(ctx, e.repo); err != nil {
		b.Fatal(err)
	}
	u, token := userWithToken(b, e.app.Store, "watcher")
	if err := e.app.Store.Perms().Upsert(ctx, &core.Perm{UserID: u.ID, RepoID: e.repo.ID, Pull: true, Synced: time.Now()}); err != nil {
		b.Fatal(err)
	}

	got := make(chan struct{}, clients*4)
	for range clients {
		evs := subscribe(b, e.srv.URL, token, "")
		go func() {
			for ev := range evs {
				if ev.Type == "step" {
					got <- struct{}{}
				}
			}
		}()
	}
	lat := make([]time.Duration, 0, samples)
	statuses := []core.Status{core.StatusRunning, core.StatusSuccess}
	for i := range samples {
		start := time.Now()
		e.app.Events.Change(scheduler.Change{StageID: ids[0], StepID: int64(i + 1), Status: statuses[i%2]})
		for n := 0; n < clients; n++ {
			select {
			case <-got:
			case <-time.After(30 * time.Second):
				b.Fatalf("change %d reached %d of %d clients", i, n, clients)
			}
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	testenv.Bench(b, "api_stream_fanout_p50_ms", ms(lat[len(lat)/2]), "ms")
	testenv.Bench(b, "api_stream_fanout_ms", ms(lat[len(lat)*99/100]), "ms")
}
