package mirrors

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/drover-ci/drover/core"
)

func runnersOf(weights ...int) []*core.MirrorRunner {
	rs := make([]*core.MirrorRunner, len(weights))
	for i, w := range weights {
		rs[i] = &core.MirrorRunner{RunnerID: int64(i + 1), Capacity: w}
	}
	return rs
}

func idsUpTo(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids
}

// shares counts the mirrors of each runner.
func shares(a map[int64]int64) map[int64]int {
	out := map[int64]int{}
	for _, r := range a {
		out[r]++
	}
	return out
}

func TestAssignIsDeterministic(t *testing.T) {
	rs := runnersOf(3, 1, 2, 5)
	reversed := slices.Clone(rs)
	slices.Reverse(reversed)
	ids := idsUpTo(2000)
	shuffled := slices.Clone(ids)
	rand.New(rand.NewSource(7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	a, b := Assign(ids, rs), Assign(shuffled, reversed)
	for _, id := range ids {
		if a[id] != b[id] || a[id] == 0 {
			t.Fatalf("mirror %d: %d, then %d with the inputs reordered", id, a[id], b[id])
		}
		if w := Winner(id, rs); w != Winner(id, reversed) {
			t.Fatalf("winner of %d depends on the runners' order", id)
		}
	}
	if got := Assign(ids, nil); got[1] != 0 {
		t.Fatalf("without runners: %d", got[1])
	}
	if got := Assign(ids, runnersOf(0, 0)); got[1] != 0 {
		t.Fatalf("runners without capacity took mirror 1 (%d)", got[1])
	}
}

func TestAssignChanges(t *testing.T) {
	cases := []struct {
		name           string
		before, after  []*core.MirrorRunner
		mirrors        int
		minMove        float64 // fractions of the mirrors
		maxMove        float64
		maxOtherMoves  float64 // moves that neither reach nor leave the runner that changed
		changedRunner  int64
		changedJoins   bool
		expectedShares map[int64]float64
	}{
		{name: "a sixth runner joins five", before: runnersOf(1, 1, 1, 1, 1), after: runnersOf(1, 1, 1, 1, 1, 1),
			mirrors: 500, minMove: 0.10, maxMove: 0.30, maxOtherMoves: 0.05, changedRunner: 6, changedJoins: true},
		{name: "one of six leaves", before: runnersOf(1, 1, 1, 1, 1, 1), after: runnersOf(1, 1, 1, 1, 1, 1)[:5],
			mirrors: 500, minMove: 0.10, maxMove: 0.30, maxOtherMoves: 0.05, changedRunner: 6},
		{name: "a heavy runner joins", before: runnersOf(1, 1, 1), after: runnersOf(1, 1, 1, 3),
			mirrors: 3000, minMove: 0.45, maxMove: 0.55, maxOtherMoves: 0.02, changedRunner: 4, changedJoins: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids := idsUpTo(c.mirrors)
			a, b := Assign(ids, c.before), Assign(ids, c.after)
			moved, other := 0, 0
			for _, id := range ids {
				if a[id] == b[id] {
					continue
				}
				moved++
				if (c.changedJoins && b[id] != c.changedRunner) || (!c.changedJoins && a[id] != c.changedRunner) {
					other++
				}
			}
			frac := float64(moved) / float64(c.mirrors)
			if frac < c.minMove || frac > c.maxMove {
				t.Errorf("moved %d of %d (%.1f%%), want %.0f%% to %.0f%%", moved, c.mirrors, 100*frac, 100*c.minMove, 100*c.maxMove)
			}
			if f := float64(other) / float64(c.mirrors); f > c.maxOtherMoves {
				t.Errorf("%d moves (%.1f%%) between runners that did not change, want at most %.0f%%", other, 100*f, 100*c.maxOtherMoves)
			}
		})
	}
}

// TestAssignSimulation is the simulation: 10,000 mirrors over 50
// weighted runners that join and leave at random; each change moves
// within 5 % (of the mirrors) of the share that had to move, and every
// runner's load stays within 10 % of its weight's share.
func TestAssignSimulation(t *testing.T) {
	const mirrors, changes = 10_000, 30
	rng := rand.New(rand.NewSource(42))
	weight := func() int { return 50 + rng.Intn(5)*25 }
	var rs []*core.MirrorRunner
	next := int64(1)
	for range 50 {
		rs = append(rs, &core.MirrorRunner{RunnerID: next, Capacity: weight()})
		next++
	}
	ids := idsUpTo(mirrors)
	cur := Assign(ids, rs)
	checkLoads(t, "start", cur, rs)
	for step := range changes {
		total := 0
		for _, r := range rs {
			total += r.Capacity
		}
		var ideal float64
		after := slices.Clone(rs)
		if rng.Intn(2) == 0 || len(rs) < 30 {
			r := &core.MirrorRunner{RunnerID: next, Capacity: weight()}
			next++
			after = append(after, r)
			ideal = mirrors * float64(r.Capacity) / float64(total+r.Capacity)
		} else {
			k := rng.Intn(len(rs))
			ideal = mirrors * float64(rs[k].Capacity) / float64(total)
			after = slices.Delete(after, k, k+1)
		}
		nxt := Assign(ids, after)
		moved := 0
		for _, id := range ids {
			if cur[id] != nxt[id] {
				moved++
			}
		}
		if excess := math.Abs(float64(moved)-ideal) / mirrors; excess > 0.05 {
			t.Errorf("change %d: moved %d, ideal %.0f: %.1f%% of the mirrors off", step, moved, ideal, 100*excess)
		}
		checkLoads(t, "after a change", nxt, after)
		cur, rs = nxt, after
	}
}

func checkLoads(t *testing.T, when string, a map[int64]int64, rs []*core.MirrorRunner) {
	t.Helper()
	total := 0
	for _, r := range rs {
		total += r.Capacity
	}
	got := shares(a)
	for _, r := range rs {
		ideal := float64(len(a)) * float64(r.Capacity) / float64(total)
		if dev := math.Abs(float64(got[r.RunnerID])-ideal) / ideal; dev > 0.10 {
			t.Errorf("%s: runner %d (weight %d) holds %d, its share is %.0f (%.0f%% off)", when, r.RunnerID, r.Capacity, got[r.RunnerID], ideal, 100*dev)
		}
	}
}

func TestPlanHoldsAfterAStart(t *testing.T) {
	leases := []*core.MirrorLease{{MirrorID: 1, RunnerID: 9}, {MirrorID: 2}, {MirrorID: 3, RunnerID: 1}}
	live := runnersOf(1, 1)
	cases := []struct {
		name string
		hold bool
		want func(moves []core.MirrorMove) bool
	}{
		{"hold: only the unassigned one is placed", true, func(m []core.MirrorMove) bool {
			return len(m) == 1 && m[0].MirrorID == 2 && m[0].From == 0 && m[0].To != 0
		}},
		{"no hold: the dead runner's mirror moves too", false, func(m []core.MirrorMove) bool {
			return slices.ContainsFunc(m, func(mv core.MirrorMove) bool { return mv.MirrorID == 1 && mv.From == 9 && mv.To != 0 })
		}},
	}
	for _, c := range cases {
		if moves := Plan(leases, live, c.hold); !c.want(moves) {
			t.Errorf("%s: %+v", c.name, moves)
		}
	}
	if moves := Plan(leases, nil, false); len(moves) != 0 {
		t.Errorf("without live runners nothing moves: %+v", moves)
	}
}
