package mirrors_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/e2e/internal/e2eproc"
	"github.com/drover-ci/drover/server/mirrors"
)

// suite is the 500 mirrors, their upstreams and the processes.
type suite struct {
	*env
	seed *seed
	ups  []*upstream
	ms   []*core.Mirror
	// oldServers were killed and started again.
	oldServers []*e2eproc.Proc
}

// TestMirrors500 runs issue 19's scenario on real processes: 500 local
// bare repositories watched by 5 runners; a sixth joins; one is killed
// with SIGKILL; commits pushed to 50 upstreams; a force-push; a server
// restart. Each phase checks the assignment through the API and the
// clones on the runners' disks.
func TestMirrors500(t *testing.T) {
	needE2E(t)
	start := time.Now()
	s := &suite{env: newEnv(t), seed: newSeed(t)}
	s.ups = s.seed.upstreams(500)
	for i := range 5 {
		s.startRunner(fmt.Sprintf("r%d", i+1))
	}
	s.ms = s.addMirrors(s.ups)
	t.Logf("setup: %s", time.Since(start).Round(time.Millisecond))
	for _, phase := range []struct {
		name string
		run  func()
	}{
		{"every mirror assigned to exactly one runner and fetched", s.assigned},
		{"a sixth runner takes 10-30 %", s.sixthRunner},
		{"a runner killed with SIGKILL: its share moves within the timeout plus one interval", s.killRunner},
		{"commits pushed to 50 upstreams make exactly 50 builds", s.push50},
		{"a force-push builds the new head once", s.forcePush},
		{"a server restart moves nothing and no runner exits", s.restartServer},
	} {
		began := time.Now()
		t.Logf("phase: %s", phase.name)
		phase.run()
		t.Logf("phase done in %s", time.Since(began).Round(time.Millisecond))
	}
	s.checkLogs()
}

// checkLogs fails on a panic in any process or an error the server
// logged (the servers' before and after the restart).
func (s *suite) checkLogs() {
	s.t.Helper()
	procs := []*e2eproc.Proc{s.server}
	procs = append(procs, s.oldServers...)
	for _, r := range s.runners {
		procs = append(procs, r.p)
	}
	for _, p := range procs {
		for _, line := range strings.Split(p.Output(), "\n") {
			if strings.Contains(line, "panic") || (p.Name == "server" && strings.Contains(line, "level=ERROR")) {
				s.t.Errorf("%s: %s", p.Name, line)
			}
		}
	}
}

// settled waits until every mirror is held by a live runner, fetched
// after since without error, and cloned on its holder's disk only; it
// returns the mirrors.
func (s *suite) settled(what string, since time.Time, within time.Duration) map[int64]*core.Mirror {
	s.t.Helper()
	var ms map[int64]*core.Mirror
	var why string
	e2eproc.Eventually(s.t, within, what, func() bool {
		ms, why = s.mirrors(), ""
		live, clones := s.live(), s.clones()
		for _, m := range ms {
			switch {
			case live[m.RunnerID] == nil:
				why = fmt.Sprintf("mirror %d: runner %d", m.ID, m.RunnerID)
			case !m.LastFetch.After(since) || m.LastError != "":
				why = fmt.Sprintf("mirror %d: last fetch %s, error %q", m.ID, m.LastFetch, m.LastError)
			case !slices.Equal(clones[m.ID], []int64{m.RunnerID}):
				why = fmt.Sprintf("mirror %d: held by %d, cloned by %v", m.ID, m.RunnerID, clones[m.ID])
			}
			if why != "" {
				return false
			}
		}
		return len(ms) == len(s.ms)
	})
	if why != "" {
		s.t.Fatal(why)
	}
	return ms
}

// checkShares fails unless each live runner holds its share within the
// assigner's bounds (all weights are equal).
func (s *suite) checkShares(ms map[int64]*core.Mirror) {
	s.t.Helper()
	load := map[int64]int{}
	for _, m := range ms {
		load[m.RunnerID]++
	}
	share := float64(len(ms)) / float64(len(s.live()))
	lo, hi := int(math.Floor((1-mirrors.Slack)*share)), int(math.Ceil((1+mirrors.Slack)*share))
	for id := range s.live() {
		if load[id] < lo || load[id] > hi {
			s.t.Fatalf("runner %d holds %d mirrors, want %d to %d (loads %v)", id, load[id], lo, hi, load)
		}
	}
	s.t.Logf("loads %v", load)
}

func (s *suite) assigned() {
	began := time.Now()
	ms := s.settled("500 mirrors assigned and fetched", time.Time{}, 3*time.Minute)
	s.t.Logf("all 500 imported in %s", time.Since(began).Round(time.Millisecond))
	s.checkShares(ms)
}

func (s *suite) sixthRunner() {
	before := holders(s.mirrors())
	joined := time.Now()
	r6 := s.startRunner("r6")
	var after map[int64]int64
	e2eproc.Eventually(s.t, 2*time.Minute, "the sixth runner gets its share", func() bool {
		ms := s.mirrors()
		after = holders(ms)
		n := 0
		for _, m := range ms {
			if m.RunnerID == r6.id {
				n++
			}
		}
		return n > 0
	})
	ms := s.settled("the moved mirrors fetched by their new runners", time.Time{}, 2*time.Minute)
	after = holders(ms)
	s.t.Logf("sixth runner settled in %s", time.Since(joined).Round(time.Millisecond))
	moved := 0
	for id, r := range after {
		if before[id] != r {
			moved++
		}
	}
	if frac := float64(moved) / float64(len(after)); frac < 0.10 || frac > 0.30 {
		s.t.Fatalf("a sixth runner moved %d of %d mirrors (%.0f %%), want 10-30 %%", moved, len(after), 100*frac)
	}
	s.t.Logf("a sixth runner moved %d of %d mirrors", moved, len(after))
	s.checkShares(ms)
}

func (s *suite) killRunner() {
	dead := s.runners[victim]
	var share []int64
	for id, r := range holders(s.mirrors()) {
		if r == dead.id {
			share = append(share, id)
		}
	}
	killed := time.Now()
	dead.p.Kill()
	limit := timeout + interval
	var moved, took time.Duration
	e2eproc.Eventually(s.t, limit+time.Minute, "the killed runner's mirrors fetched by others", func() bool {
		ms := s.mirrors()
		live := s.live()
		fetched := true
		for _, id := range share {
			m := ms[id]
			if live[m.RunnerID] == nil {
				return false
			}
			fetched = fetched && m.LastFetch.After(killed)
		}
		if moved == 0 {
			moved = time.Since(killed)
		}
		took = time.Since(killed)
		return fetched
	})
	s.t.Logf("the killed runner's %d mirrors moved to others %s after the kill and were fetched there %s after it (limit %s)",
		len(share), moved.Round(time.Millisecond), took.Round(time.Millisecond), limit)
	if moved > limit {
		s.t.Errorf("the killed runner's share took %s to move, want within the timeout plus one interval, %s", moved, limit)
	}
	// Their first fetch there comes after the heartbeat that tells the new
	// holders, and takes a clone's time on a loaded machine.
	if slack := 2*beat + 3*time.Second; took > limit+slack {
		s.t.Errorf("the killed runner's share was fetched by others %s after the kill, want within %s (+%s)", took, limit, slack)
	}
	s.checkShares(s.settled("every mirror fetched after the kill", killed, time.Minute))
}

// victim is the runner killRunner kills (an original one, not the sixth).
const victim = 1

func (s *suite) push50() {
	second := s.seed.commit(s.seed.first, "second")
	s.seed.push(second, s.ups[:50]...)
	pushed := time.Now()
	e2eproc.Eventually(s.t, interval+time.Minute, "50 builds", func() bool {
		n := 0
		for _, bs := range s.builds(s.ms[:50]) {
			n += len(bs)
		}
		return n >= 50
	})
	s.t.Logf("50 builds %s after the push", time.Since(pushed).Round(time.Millisecond))
	time.Sleep(interval + beat) // every mirror fetched again: nothing more
	for i, bs := range s.builds(s.ms) {
		want := 0
		if i < 50 {
			want = 1
		}
		if len(bs) != want {
			s.t.Fatalf("%s has %d builds, want %d: %+v", s.ms[i].Repo, len(bs), want, bs)
		}
		if want == 1 && (bs[0].After != second || bs[0].Event != core.EventMirror || bs[0].Target != "main") {
			s.t.Fatalf("%s: build of %s (%s on %s), want a mirror build of %s on main", s.ms[i].Repo, bs[0].After, bs[0].Event, bs[0].Target, second)
		}
	}
}

func (s *suite) forcePush() {
	forced := s.seed.commit(s.seed.first, "forced") // not a descendant of second
	s.seed.push(forced, s.ups[0])
	m := s.ms[:1]
	e2eproc.Eventually(s.t, interval+time.Minute, "a build of the forced head", func() bool {
		return len(s.builds(m)[0]) >= 2
	})
	time.Sleep(interval + beat)
	bs := s.builds(m)[0]
	if len(bs) != 2 || bs[0].After != forced {
		s.t.Fatalf("after the force-push %s has builds %+v, want 2, the newest of %s", m[0].Repo, bs, forced)
	}
}

func (s *suite) restartServer() {
	before := holders(s.mirrors())
	s.server.Kill()
	s.oldServers = append(s.oldServers, s.server)
	s.startServer()
	restarted := time.Now()
	// Past the grace after the start (one timeout) and the rebalance
	// that follows it.
	for time.Since(restarted) < timeout+2*beat+time.Second {
		if got := holders(s.mirrors()); !mapsEqual(got, before) {
			s.t.Fatalf("the restart moved mirrors: %d differ", differ(got, before))
		}
		time.Sleep(500 * time.Millisecond)
	}
	ms := s.settled("every mirror fetched after the restart", restarted, interval+time.Minute)
	if got := holders(ms); !mapsEqual(got, before) {
		s.t.Fatalf("the restart moved mirrors: %d differ", differ(got, before))
	}
	for i, r := range s.runners {
		if i != victim && r.p.Exited() {
			s.t.Fatalf("runner %s exited during the server's restart:\n%s", r.name, r.p.Output())
		}
	}
}

func mapsEqual(a, b map[int64]int64) bool { return differ(a, b) == 0 && len(a) == len(b) }

// differ counts the keys of a whose value differs in b.
func differ(a, b map[int64]int64) int {
	n := 0
	for k, v := range a {
		if b[k] != v {
			n++
		}
	}
	return n
}
