package replay_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/replay"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestClaimOncePerWindow: of concurrent claims of one identity exactly one
// wins; a released identity may be claimed again, and so may one older
// than the window.
func TestClaimOncePerWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		g := replay.New(s.DB(), 200*time.Millisecond)
		ev := &core.Event{Kind: core.EventPush, Commit: &core.Hook{Ref: "refs/heads/main", After: "abc"}}
		key := replay.Identity("fake", 1, ev)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := g.Claim(ctx, key)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d concurrent claims won, want 1", won)
		}
		if err := g.Release(ctx, key); err != nil {
			t.Fatal(err)
		}
		if ok, err := g.Claim(ctx, key); !ok || err != nil {
			t.Fatalf("claim after release = %v %v", ok, err)
		}
		time.Sleep(300 * time.Millisecond) // past the window
		if ok, err := g.Claim(ctx, key); !ok || err != nil {
			t.Fatalf("claim after the window = %v %v", ok, err)
		}
		other := replay.Identity("fake", 1, &core.Event{Kind: core.EventPush, Commit: &core.Hook{Ref: "refs/heads/dev", After: "abc"}})
		if other == key {
			t.Fatal("another ref has the same identity")
		}
	})
}
