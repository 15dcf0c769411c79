package mirrors_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

func head(branch, commit string) *core.MirrorHead {
	return &core.MirrorHead{Branch: branch, Commit: commit, Path: ".drone.yml", Config: "kind: pipeline"}
}

func TestReportBuildsEachNewHeadOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s, 1)
		id := w.mirrors[0]
		m, _ := s.Mirrors().Find(ctx, id)
		m.Branches = []string{"main", "release/*"}
		if err := s.Mirrors().Update(ctx, m); err != nil {
			t.Fatal(err)
		}
		w.clock.add(31 * time.Second)
		r1, r2 := w.newAgent(t, "r1"), w.newAgent(t, "r2")
		w.beat(t, r1)
		holder, other := r1, r2
		report := func(a *agent, heads ...*core.MirrorHead) (*core.MirrorReportAnswer, error) {
			return w.service.Report(ctx, a.id, id, &core.MirrorFetch{Next: time.Now().Add(time.Minute), Heads: heads})
		}
		steps := []struct {
			name   string
			by     *agent
			heads  []*core.MirrorHead
			builds int
			err    error
		}{
			{"import records heads without building", holder, []*core.MirrorHead{head("main", "a1"), head("dev", "x1")}, 0, nil},
			{"same heads build nothing", holder, []*core.MirrorHead{head("main", "a1")}, 0, nil},
			{"a new commit on main builds", holder, []*core.MirrorHead{head("main", "a2")}, 1, nil},
			{"reported twice, built once", holder, []*core.MirrorHead{head("main", "a2")}, 1, nil},
			{"an unwatched branch builds nothing", holder, []*core.MirrorHead{head("dev", "x2")}, 1, nil},
			{"a new watched branch builds", holder, []*core.MirrorHead{head("release/1", "r1")}, 2, nil},
			{"a force-push builds the new head once", holder, []*core.MirrorHead{head("main", "f1"), head("main", "f1")}, 3, nil},
			{"a runner without the lease is refused", other, []*core.MirrorHead{head("main", "z9")}, 3, core.ErrConflict},
		}
		for _, st := range steps {
			_, err := report(st.by, st.heads...)
			if !errors.Is(err, st.err) || (err != nil && st.err == nil) {
				t.Fatalf("%s: %v, want %v", st.name, err, st.err)
			}
			if len(w.builder.builds) != st.builds {
				t.Fatalf("%s: builds %v, want %d", st.name, w.builder.builds, st.builds)
			}
		}
		want := []string{"up/m0 main a2 .drone.yml:kind: pipeline", "up/m0 main f1 .drone.yml:kind: pipeline", "up/m0 release/1 r1 .drone.yml:kind: pipeline"}
		if fmt.Sprint(w.builder.builds) != fmt.Sprint(want) {
			t.Fatalf("builds %q, want %q", w.builder.builds, want)
		}

		// A build that cannot be created now is retried with the next report.
		w.builder.fail = func(*core.Build) error { return core.Errorf(core.CodeUnavailable, "database away") }
		ans, err := report(holder, head("main", "g1"))
		if err != nil || !slices.Equal(ans.Retry, []string{"main"}) {
			t.Fatalf("transient failure: %+v, %v", ans, err)
		}
		w.builder.fail = nil
		if _, err := report(holder, head("main", "g1")); err != nil || len(w.builder.builds) != 4 {
			t.Fatalf("retry: %v, builds %v", err, w.builder.builds)
		}
	})
}

func TestReportFailuresPauseAndResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s, 1)
		id := w.mirrors[0]
		w.clock.add(31 * time.Second)
		r1 := w.newAgent(t, "r1")
		w.beat(t, r1)
		for i := 1; i <= 3; i++ {
			ans, err := w.service.Report(ctx, r1.id, id, &core.MirrorFetch{Error: "fatal: repository not found", Next: time.Now().Add(time.Duration(i) * time.Minute)})
			if err != nil || ans.Paused != (i == 3) {
				t.Fatalf("failure %d: %+v, %v", i, ans, err)
			}
		}
		m, _ := s.Mirrors().Find(ctx, id)
		if !m.Paused || m.Failures != 3 || m.LastError != "fatal: repository not found" || m.RunnerID != 0 {
			t.Fatalf("after 3 failures: %+v", m)
		}
		if w.beat(t, r1); len(r1.share) != 0 {
			t.Fatalf("the runner still holds a paused mirror: %v", r1.share)
		}
		if n, _ := w.assign.Rebalance(ctx); n != 0 {
			t.Fatalf("a paused mirror was assigned (%d moves)", n)
		}
		m.Paused, m.Failures = false, 0
		if err := s.Mirrors().Update(ctx, m); err != nil {
			t.Fatal(err)
		}
		if n, _ := w.assign.Rebalance(ctx); n != 1 {
			t.Fatalf("the resumed mirror was not assigned (%d moves)", n)
		}
		if w.beat(t, r1); !r1.share[id] {
			t.Fatal("the runner did not get the resumed mirror back")
		}
	})
}
