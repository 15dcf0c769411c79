package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

func assignedIDs(d *core.MirrorDelta) []int64 {
	ids := []int64{}
	for _, a := range d.Added {
		ids = append(ids, a.ID)
	}
	return ids
}

func TestMirrorLeasesBeatMoveDelta(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sealed(t, s)
		ls := s.MirrorLeases()
		a, b := newMirror(t, s, "file:///srv/a.git", "up/a", 0), newMirror(t, s, "file:///srv/b.git", "up/b", 0)
		r1, r2 := newMirrorRunner(t, s, "r1"), newMirrorRunner(t, s, "r2")
		now := time.Now()
		exp := now.Add(30 * time.Second)

		beats := []struct {
			runner int64
			at     time.Time
			joined bool
		}{
			{r1, now, true},                         // unknown before
			{r1, now.Add(time.Second), false},       // live
			{r2, now, true},                         // unknown before
			{r1, now.Add(time.Minute), true},        // silent past liveAfter
			{r2, now.Add(time.Minute + 1), true},    // likewise
			{r2, now.Add(time.Minute + 2e9), false}, // live again
		}
		for i, bt := range beats {
			joined, err := ls.Beat(ctx, bt.runner, core.MirrorOffer{Capacity: 10}, bt.at, bt.at.Add(-30*time.Second), bt.at.Add(30*time.Second))
			if err != nil || joined != bt.joined {
				t.Fatalf("beat %d: joined %t, %v; want %t", i, joined, err, bt.joined)
			}
		}
		runners, err := ls.Runners(ctx, now)
		if err != nil || len(runners) != 2 || runners[0].RunnerID != r1 || runners[0].Capacity != 10 {
			t.Fatalf("runners: %+v, %v", runners, err)
		}

		d1, err := ls.Delta(ctx, r1, 0)
		if err != nil || !d1.Reset || len(d1.Added) != 0 || d1.Cursor < 1 {
			t.Fatalf("first delta: %+v, %v", d1, err)
		}
		if n, err := ls.Move(ctx, []core.MirrorMove{{MirrorID: a.ID, To: r1}, {MirrorID: b.ID, To: r1}}, exp); n != 2 || err != nil {
			t.Fatalf("assign: %d, %v", n, err)
		}
		// A stale move (b is r1's, not r2's) and one to a runner that
		// holds it already change nothing.
		if n, err := ls.Move(ctx, []core.MirrorMove{{MirrorID: b.ID, From: r2, To: r1}, {MirrorID: a.ID, To: r2}}, exp); n != 0 || err != nil {
			t.Fatalf("stale moves: %d, %v", n, err)
		}
		d1, err = ls.Delta(ctx, r1, d1.Cursor)
		if err != nil || fmt.Sprint(assignedIDs(d1)) != fmt.Sprint([]int64{a.ID, b.ID}) || len(d1.Removed) != 0 || d1.Reset {
			t.Fatalf("delta after assignment: %+v, %v", d1, err)
		}
		if d1.Added[0].URL != "file:///srv/a.git" || d1.Added[0].Credential != "tok-a" || d1.Added[0].Repo != "up/a" {
			t.Fatalf("assignment: %+v", d1.Added[0])
		}
		if again, _ := ls.Delta(ctx, r1, d1.Cursor); len(again.Added)+len(again.Removed) != 0 || again.Cursor != d1.Cursor {
			t.Fatalf("nothing changed, yet: %+v", again)
		}
		// Hand b to r2, change a's settings: r1 loses b and hears a again.
		if n, err := ls.Move(ctx, []core.MirrorMove{{MirrorID: b.ID, From: r1, To: r2}}, exp); n != 1 || err != nil {
			t.Fatalf("hand-off: %d, %v", n, err)
		}
		if err := ls.Resend(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		d1, err = ls.Delta(ctx, r1, d1.Cursor)
		if err != nil || fmt.Sprint(assignedIDs(d1)) != fmt.Sprint([]int64{a.ID}) || fmt.Sprint(d1.Removed) != fmt.Sprint([]int64{b.ID}) {
			t.Fatalf("r1 after hand-off: %+v, %v", d1, err)
		}
		d2, err := ls.Delta(ctx, r2, 0)
		if err != nil || fmt.Sprint(assignedIDs(d2)) != fmt.Sprint([]int64{b.ID}) || !d2.Reset {
			t.Fatalf("r2's share: %+v, %v", d2, err)
		}
		// Deleting a mirror tells its runner.
		if err := s.Mirrors().Delete(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if d2, err = ls.Delta(ctx, r2, d2.Cursor); err != nil || fmt.Sprint(d2.Removed) != fmt.Sprint([]int64{b.ID}) {
			t.Fatalf("r2 after delete: %+v, %v", d2, err)
		}

		leases, err := ls.Leases(ctx)
		if err != nil || len(leases) != 1 || leases[0].MirrorID != a.ID || leases[0].RunnerID != r1 {
			t.Fatalf("leases: %+v, %v", leases, err)
		}
		// Leases expire unless their runner beats.
		if stale, _ := ls.Stale(ctx, exp.Add(-time.Second)); stale {
			t.Fatal("stale before expiry")
		}
		if stale, _ := ls.Stale(ctx, exp.Add(time.Second)); !stale {
			t.Fatal("not stale after expiry")
		}
		if _, err := ls.Beat(ctx, r1, core.MirrorOffer{Capacity: 10}, now, now, exp.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if stale, _ := ls.Stale(ctx, exp.Add(time.Second)); stale {
			t.Fatal("stale after a beat renewed the lease")
		}
		// A runner silent for long is forgotten; its lease stays until moved.
		if err := ls.Forget(ctx, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if runners, _ := ls.Runners(ctx, time.Time{}); len(runners) != 0 {
			t.Fatalf("after forget: %+v", runners)
		}
		if leases, _ := ls.Leases(ctx); !slices.ContainsFunc(leases, func(l *core.MirrorLease) bool { return l.RunnerID == r1 }) {
			t.Fatalf("forget dropped a lease: %+v", leases)
		}
		// A revoked runner's leases go with it.
		if err := s.Runners().Delete(ctx, r1); err != nil {
			t.Fatal(err)
		}
		if leases, _ := ls.Leases(ctx); len(leases) != 1 || leases[0].RunnerID != 0 {
			t.Fatalf("after revoking the runner: %+v", leases)
		}
	})
}
