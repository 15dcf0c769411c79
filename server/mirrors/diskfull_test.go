package mirrors_test

import (
	"context"
	"testing"
	"time"

	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// TestDiskFullMovesMirrors: a runner whose beat says its disk is full
// loses every mirror to the others at that beat, is given none while it
// stays full, and gets its share back at the beat that reports space.
func TestDiskFullMovesMirrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s, 30)
		w.clock.add(31 * time.Second) // past the start's grace
		r1, r2, r3 := w.newAgent(t, "r1"), w.newAgent(t, "r2"), w.newAgent(t, "r3")
		all := []*agent{r1, r2, r3}
		beatAll := func() {
			for _, a := range all {
				w.beat(t, a)
			}
			for _, a := range all { // learn what the others' joins took
				w.beat(t, a)
			}
		}
		count := func(a *agent) int {
			n := 0
			for _, r := range w.holders(t) {
				if r == a.id {
					n++
				}
			}
			return n
		}
		beatAll()
		w.checkShares(t, all...)
		if count(r1) == 0 {
			t.Fatal("r1 holds no mirror before its disk is full")
		}

		steps := []struct {
			name     string
			full     bool
			wantR1   func(n int) bool
			wantMove func(n, held int) bool // held: r1's mirrors before the step
		}{
			{"a full disk moves its mirrors at once", true, func(n int) bool { return n == 0 }, func(n, held int) bool { return n >= held }},
			{"still full: it gets none", true, func(n int) bool { return n == 0 }, func(n, _ int) bool { return n == 0 }},
			{"space again: its share comes back", false, func(n int) bool { return n >= 9 }, func(n, _ int) bool { return n >= 9 }},
		}
		for _, st := range steps {
			prev, held := w.holders(t), count(r1)
			r1.full = st.full
			w.beat(t, r1) // the leases move at this beat, with no rebalance tick
			if n := count(r1); !st.wantR1(n) {
				t.Errorf("%s: r1 holds %d mirrors", st.name, n)
			}
			if full := storedFull(t, s, r1.id); full != st.full {
				t.Errorf("%s: the store says r1's disk is full: %v", st.name, full)
			}
			w.clock.add(5 * time.Second)
			beatAll()
			w.checkShares(t, all...)
			if n := moved(prev, w.holders(t)); !st.wantMove(n, held) {
				t.Errorf("%s: %d mirrors moved", st.name, n)
			}
		}
	})
}

// storedFull is what the store says of the runner's disk (shown with it).
func storedFull(t *testing.T, s *store.Store, runnerID int64) bool {
	t.Helper()
	runners, err := s.MirrorLeases().Runners(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runners {
		if r.RunnerID == runnerID {
			return r.DiskFull
		}
	}
	t.Fatalf("runner %d is not among the mirror runners", runnerID)
	return false
}
