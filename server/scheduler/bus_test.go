package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store/storetest"
)

// Every topic published on one replica's bus wakes its subscribers on
// another, however many are published at once (they travel together, split
// under Postgres's payload limit).
func TestBusCrossesReplicas(t *testing.T) {
	url := testenv.PostgresURL(t) // replicas share a queue only on Postgres
	if url == "" {
		t.Skipf("skipping: needs Postgres; set %s (source .ci/postgres.sh && pg_start)", testenv.PostgresEnv)
	}
	s := storetest.Postgres(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	here, there := scheduler.NewBus(quiet), scheduler.NewBus(quiet)
	here.ListenPostgres(ctx, s.DB())
	there.ListenPostgres(ctx, s.DB())
	const n = 3000 // ~30 KB of topics: several NOTIFYs
	subs := make([]*scheduler.Sub, n)
	for i := range subs {
		subs[i] = there.Subscribe(fmt.Sprintf("topic-with-a-longish-name:%d", i))
		defer subs[i].Close()
	}
	time.Sleep(200 * time.Millisecond) // both listeners are up
	for i := 0; i < n; i++ {
		here.Publish(ctx, fmt.Sprintf("topic-with-a-longish-name:%d", i))
	}
	deadline := time.After(20 * time.Second)
	for i, sub := range subs {
		select {
		case <-sub.C:
		case <-deadline:
			t.Fatalf("topic %d of %d never reached the other replica", i, n)
		}
	}
}
