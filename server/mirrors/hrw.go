package mirrors

import (
	"cmp"
	"math"
	"slices"

	"github.com/drover-ci/drover/core"
)

// Weighted rendezvous (highest random weight) hashing: each runner's
// score for a mirror is -w / ln(u), u a uniform number in (0, 1) hashed
// from the pair, and the highest score wins. A runner wins each mirror
// with probability w / Σw; a runner joining takes only the mirrors it
// now wins, and one leaving gives up only its own. The hash depends on
// nothing but the ids, so every replica computes the same owners. Assign
// bounds the loads on top of it.

// mix is a 64-bit finaliser (MurmurHash3's fmix64).
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// unit is the pair's uniform number in (0, 1).
func unit(mirrorID, runnerID int64) float64 {
	h := mix(mix(uint64(mirrorID)*0x9e3779b97f4a7c15) ^ uint64(runnerID)*0xbf58476d1ce4e5b9)
	return (float64(h>>11) + 0.5) / (1 << 53)
}

// Score is runner's weight-scaled hash for the mirror.
func Score(mirrorID, runnerID int64, weight int) float64 {
	if weight <= 0 {
		return math.Inf(-1)
	}
	return -float64(weight) / math.Log(unit(mirrorID, runnerID))
}

// Winner returns the runner that owns the mirror among runners (their
// capacities are the weights), or 0 when none offers any capacity. Ties
// (never seen in practice) go to the lower runner id.
func Winner(mirrorID int64, runners []*core.MirrorRunner) int64 {
	best, bestScore := int64(0), math.Inf(-1)
	for _, r := range runners {
		s := Score(mirrorID, r.RunnerID, r.Capacity)
		if s > bestScore || (s == bestScore && best != 0 && r.RunnerID < best) {
			best, bestScore = r.RunnerID, s
		}
	}
	if math.IsInf(bestScore, -1) {
		return 0
	}
	return best
}

// Slack is how far above or below its weight's share a runner's load
// may be: the bound that keeps loads even where hashing alone leaves
// runners a fifth over or under their share.
const Slack = 0.05

// Assign gives each mirror (ids in any order) a runner, 0 when none
// offers any capacity. It is rendezvous hashing with bounded loads:
// mirrors in id order take their highest-scoring runner that holds fewer
// than (1+Slack) times its share; then each runner still under (1-Slack)
// times its share takes, in the order of its own scores, mirrors from
// runners above their share. The answer depends only on the two sets, so
// every replica and every restart computes the same; a change of the
// runners moves about what the change itself must (see the tests).
func Assign(mirrorIDs []int64, runners []*core.MirrorRunner) map[int64]int64 {
	out := make(map[int64]int64, len(mirrorIDs))
	ids := slices.Clone(mirrorIDs)
	slices.Sort(ids)
	live := make([]*core.MirrorRunner, 0, len(runners))
	total := 0
	for _, r := range runners {
		if r.Capacity > 0 {
			live = append(live, r)
			total += r.Capacity
		}
	}
	if len(live) == 0 {
		for _, id := range ids {
			out[id] = 0
		}
		return out
	}
	share := make(map[int64]float64, len(live))
	for _, r := range live {
		share[r.RunnerID] = float64(len(ids)) * float64(r.Capacity) / float64(total)
	}
	load := make(map[int64]int, len(live))
	for _, m := range ids {
		best, bestScore := int64(0), math.Inf(-1)
		for _, r := range live {
			if float64(load[r.RunnerID]) >= math.Ceil((1+Slack)*share[r.RunnerID]) {
				continue
			}
			if s := Score(m, r.RunnerID, r.Capacity); s > bestScore || (s == bestScore && r.RunnerID < best) {
				best, bestScore = r.RunnerID, s
			}
		}
		out[m] = best
		load[best]++
	}
	fillShortfalls(ids, live, share, load, out)
	return out
}

// fillShortfalls lets each runner under (1-Slack) times its share take
// its favourite mirrors from runners above their share.
func fillShortfalls(ids []int64, live []*core.MirrorRunner, share map[int64]float64, load map[int64]int, out map[int64]int64) {
	type candidate struct {
		mirror int64
		score  float64
	}
	for _, u := range live {
		floor := math.Floor((1 - Slack) * share[u.RunnerID])
		if float64(load[u.RunnerID]) >= floor {
			continue
		}
		cands := make([]candidate, 0, len(ids))
		for _, m := range ids {
			if out[m] != u.RunnerID {
				cands = append(cands, candidate{m, Score(m, u.RunnerID, u.Capacity)})
			}
		}
		slices.SortFunc(cands, func(a, b candidate) int {
			if a.score != b.score {
				return cmp.Compare(b.score, a.score)
			}
			return cmp.Compare(a.mirror, b.mirror)
		})
		for _, c := range cands {
			if float64(load[u.RunnerID]) >= floor {
				break
			}
			if h := out[c.mirror]; float64(load[h]) > share[h] {
				out[c.mirror] = u.RunnerID
				load[h]--
				load[u.RunnerID]++
			}
		}
	}
}

// Plan returns the moves that give every lease its runner under Assign
// among the live runners. With hold set (the grace after a server start,
// before runners have beaten again), mirrors that have a runner keep it
// and only those without one are placed.
func Plan(leases []*core.MirrorLease, live []*core.MirrorRunner, hold bool) []core.MirrorMove {
	ids := make([]int64, len(leases))
	for i, l := range leases {
		ids[i] = l.MirrorID
	}
	target := Assign(ids, live)
	var moves []core.MirrorMove
	for _, l := range leases {
		if hold && l.RunnerID != 0 {
			continue
		}
		if w := target[l.MirrorID]; w != 0 && w != l.RunnerID {
			moves = append(moves, core.MirrorMove{MirrorID: l.MirrorID, From: l.RunnerID, To: w})
		}
	}
	slices.SortFunc(moves, func(a, b core.MirrorMove) int { return cmp.Compare(a.MirrorID, b.MirrorID) })
	return moves
}
