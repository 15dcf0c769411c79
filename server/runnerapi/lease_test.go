package runnerapi_test

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/runner"
	"github.com/drover-ci/drover/runner/rpcclient"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// TestShortLeaseKeepsHealthyStage runs, on a server whose stage lease is
// the shortest allowed (3s), a step that takes more than two leases, on a
// runner left to its default heartbeat: the runner follows the interval
// the server tells it, so the stage is never requeued and ends green.
func TestShortLeaseKeepsHealthyStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sc, srv := leasedServer(t, st, 3*time.Second)
		resp := registerRunner(t, st, srv)
		b := seedStages(t, st, 1)
		sc.Enqueued(ctx)

		var runs atomic.Int32
		eng := enginetest.NewFake()
		eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, _ io.Writer) (int, error) {
			runs.Add(1)
			select {
			case <-time.After(7 * time.Second):
				return 0, nil
			case <-ctx.Done():
				return 137, nil
			}
		}
		a := runner.New(runner.Options{Client: rpcclient.New(srv.URL, resp.Token), Engines: runner.StaticEngines{"fake": eng},
			WorkDir: t.TempDir(), OS: "linux", Arch: "amd64", MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
		startAgent(ctx, t, a)

		waitBuildSuccess(ctx, t, st, b.ID, 90*time.Second)
		if n := runs.Load(); n != 1 {
			t.Fatalf("the step ran %d times, want once (the stage was requeued)", n)
		}
	})
}
