package mirrors_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/mirrors"
	"github.com/drover-ci/drover/server/secrets"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is a settable time for the assigner.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is a store with mirrors and the service over it.
type world struct {
	s       *store.Store
	clock   *clock
	assign  *mirrors.Assigner
	service *mirrors.Service
	mirrors []int64
	builder *fakeBuilder
}

func newWorld(t *testing.T, s *store.Store, n int) *world {
	t.Helper()
	c, err := secrets.NewCipher("k")
	if err != nil {
		t.Fatal(err)
	}
	s.UseSealer(c)
	w := &world{s: s, clock: &clock{t: time.Now()}, builder: &fakeBuilder{}}
	w.restart()
	for i := range n {
		url := fmt.Sprintf("file:///srv/m%d.git", i)
		m := &core.Mirror{URL: url, Interval: 60}
		if err := s.Mirrors().Create(context.Background(), m, &core.Repo{RemoteID: url, Owner: "up", Name: fmt.Sprintf("m%d", i)}, 0); err != nil {
			t.Fatal(err)
		}
		w.mirrors = append(w.mirrors, m.ID)
	}
	return w
}

// restart is a new server process on the same database: a new assigner
// (in its grace) and service.
func (w *world) restart() {
	w.assign = mirrors.NewAssigner(w.s.MirrorLeases(), 30*time.Second, nil)
	w.assign.SetClock(w.clock.now)
	w.service = mirrors.New(mirrors.Options{Store: w.s, Builder: w.builder, Assigner: w.assign, MaxFailures: 3})
}

// agent is a runner as the service sees it: its share, kept from deltas.
type agent struct {
	id     int64
	cursor int64
	share  map[int64]bool
	full   bool // its beats say its disk is full
}

func (w *world) newAgent(t *testing.T, name string) *agent {
	t.Helper()
	r := &core.Runner{Name: name, TokenHash: "h-" + name}
	if err := w.s.Runners().Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return &agent{id: r.ID, share: map[int64]bool{}}
}

func (w *world) beat(t *testing.T, a *agent) *core.MirrorDelta {
	t.Helper()
	d, err := w.service.Beat(context.Background(), a.id, core.MirrorOffer{Capacity: 10, Cursor: a.cursor, DiskFull: a.full})
	if err != nil {
		t.Fatal(err)
	}
	if d.Reset {
		a.share = map[int64]bool{}
	}
	for _, m := range d.Added {
		a.share[m.ID] = true
	}
	for _, id := range d.Removed {
		delete(a.share, id)
	}
	a.cursor = d.Cursor
	return d
}

// holders returns each mirror's runner as the store has it.
func (w *world) holders(t *testing.T) map[int64]int64 {
	t.Helper()
	leases, err := w.s.MirrorLeases().Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, l := range leases {
		out[l.MirrorID] = l.RunnerID
	}
	return out
}

// checkShares holds every agent's share to the leases: each mirror with
// exactly one runner, and that runner knowing it.
func (w *world) checkShares(t *testing.T, agents ...*agent) {
	t.Helper()
	h := w.holders(t)
	for _, id := range w.mirrors {
		n := 0
		for _, a := range agents {
			if a.share[id] {
				n++
				if h[id] != a.id {
					t.Errorf("mirror %d: runner %d thinks it holds it, the lease says %d", id, a.id, h[id])
				}
			}
		}
		if n != 1 {
			t.Errorf("mirror %d is watched by %d runners", id, n)
		}
	}
}

func moved(before, after map[int64]int64) int {
	n := 0
	for id, r := range before {
		if after[id] != r {
			n++
		}
	}
	return n
}

func TestAssignmentJoinRestartExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s, 40)
		w.clock.add(31 * time.Second) // past the start's grace
		r1, r2 := w.newAgent(t, "r1"), w.newAgent(t, "r2")

		if d := w.beat(t, r1); !d.Reset || len(d.Added) != 40 || d.EveryMS != 10_000 {
			t.Fatalf("first runner's first beat: reset %t, %d added, every %dms", d.Reset, len(d.Added), d.EveryMS)
		}
		before := w.holders(t)
		w.beat(t, r2) // joins: takes what it wins, at once
		w.beat(t, r1) // learns what it lost
		after := w.holders(t)
		if n := moved(before, after); n < 10 || n > 30 || len(r2.share) != n {
			t.Fatalf("a second runner took %d of 40 (it knows %d)", n, len(r2.share))
		}
		w.checkShares(t, r1, r2)

		// A server restart reads the leases back: nothing moves, in its
		// grace or after it while both runners beat.
		w.restart()
		steps := []time.Duration{0, 20 * time.Second, 20 * time.Second}
		for _, step := range steps {
			w.clock.add(step)
			w.beat(t, r1)
			w.beat(t, r2)
			if n, err := w.assign.Rebalance(ctx); err != nil || n != 0 {
				t.Fatalf("after a restart (+%s): %d moved, %v", step, n, err)
			}
		}
		w.checkShares(t, r1, r2)

		// r2 goes silent: past the timeout its leases expire and move to r1.
		w.clock.add(20 * time.Second)
		w.beat(t, r1)
		if stale, _ := s.MirrorLeases().Stale(ctx, w.clock.now()); stale {
			t.Fatal("leases stale before the timeout")
		}
		w.clock.add(15 * time.Second) // r2 silent for 35 s
		w.beat(t, r1)
		if stale, _ := s.MirrorLeases().Stale(ctx, w.clock.now()); !stale {
			t.Fatal("r2's leases did not expire")
		}
		if n, err := w.assign.Rebalance(ctx); err != nil || n != len(r2.share) {
			t.Fatalf("hand-off: %d moved (r2 held %d), %v", n, len(r2.share), err)
		}
		w.beat(t, r1)
		if len(r1.share) != 40 {
			t.Fatalf("r1 holds %d after r2 lapsed", len(r1.share))
		}
		// r2 comes back with its cursor: it learns it lost them, then
		// (as a joining runner) wins its share back.
		w.beat(t, r2)
		w.beat(t, r1)
		w.checkShares(t, r1, r2)
		if len(r2.share) == 0 {
			t.Fatal("r2 won nothing back")
		}
		// A restarted runner (cursor 0) gets its whole share again.
		kept := len(r2.share)
		r2.cursor, r2.share = 0, map[int64]bool{}
		if d := w.beat(t, r2); !d.Reset || len(r2.share) != kept {
			t.Fatalf("restarted runner: reset %t, %d of %d", d.Reset, len(r2.share), kept)
		}
	})
}

// fakeBuilder records the builds asked for.
type fakeBuilder struct {
	mu     sync.Mutex
	builds []string
	fail   func(tmpl *core.Build) error
}

func (f *fakeBuilder) TriggerFile(_ context.Context, repo *core.Repo, tmpl *core.Build, path string, data []byte, fileErr error) (*core.Build, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(tmpl); err != nil {
			return nil, err
		}
	}
	f.builds = append(f.builds, fmt.Sprintf("%s %s %s %s:%s", repo.Slug, tmpl.Target, tmpl.After, path, data))
	sort.Strings(f.builds)
	return &core.Build{Number: int64(len(f.builds))}, nil
}
