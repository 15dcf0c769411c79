package syncer_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/syncer"
)

func TestBackgroundRound(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := newEnv(t, s, syncer.Options{Interval: time.Hour, Spread: 5 * time.Millisecond, Concurrency: 2})
		e.fake.AddUser("tok2", "idle")
		idle := e.addUser(t, "idle", "tok2")
		e.fake.AddRepo("tok", "acme/a", pull)
		e.fake.AddRepo("tok2", "acme/b", pull)
		now := e.clock.Now()
		e.user.LastLogin = now.Add(-time.Hour)
		idle.LastLogin = now.Add(-30 * 24 * time.Hour)
		if err := s.Users().Update(ctx, e.user); err != nil {
			t.Fatal(err)
		}
		if err := s.Users().Update(ctx, idle); err != nil {
			t.Fatal(err)
		}
		n, err := e.sync.Round(ctx)
		if err != nil || n != 1 {
			t.Fatalf("round: %d synced, %v; want 1", n, err)
		}
		o, err := e.sync.Outcome(ctx, e.user.ID)
		if err != nil || o.Cause != syncer.CauseBackground || o.Repos != 1 {
			t.Fatalf("active user's outcome %+v, %v", o, err)
		}
		if _, err := e.sync.Outcome(ctx, idle.ID); err == nil {
			t.Fatal("an idle user was synced")
		}
		// Within the interval nothing is due; after it, the active user again.
		if n, _ := e.sync.Round(ctx); n != 0 {
			t.Fatalf("second round synced %d", n)
		}
		e.fake.AddRepo("tok", "acme/c", pull)
		e.clock.Add(61 * time.Minute)
		if n, _ := e.sync.Round(ctx); n != 1 {
			t.Fatalf("round after the interval synced %d", n)
		}
		if got := e.slugs(t, e.user, false); !slices.Equal(got, []string{"acme/a", "acme/c"}) {
			t.Fatalf("after the background sync listed %v", got)
		}
	})
}

func TestRunStopsWithContext(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s, syncer.Options{Interval: 10 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.sync.Run(ctx); close(done) }()
		time.Sleep(30 * time.Millisecond)
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop when its context ended")
		}
	})
}
