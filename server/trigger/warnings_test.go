package trigger_test

import (
	"context"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// TestTriggerStoresWarnings: a file that runs but has keys without effect
// makes a build that carries its warnings, stored and read back.
func TestTriggerStoresWarnings(t *testing.T) {
	file := "kind: pipeline\nname: p\nsteps:\n- name: a\n  image: alpine\n  detatch: true\n  pull: true\n"
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": file})
		ctx := context.Background()
		b, err := f.trig.Trigger(ctx, f.repo, push("x"))
		if err != nil || b.Status != core.StatusPending {
			t.Fatalf("build %+v: %v", b, err)
		}
		got, err := s.Builds().Find(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Warnings) != 2 {
			t.Fatalf("stored warnings %+v, want 2", got.Warnings)
		}
		w := got.Warnings[0]
		if w.File != ".drone.yml" || w.Line != 6 || w.Column != 3 || !strings.Contains(w.Message, `"detatch"`) {
			t.Errorf("first warning %+v, want .drone.yml:6:3 about detatch", w)
		}
		if w := got.Warnings[1]; w.Line != 7 || !strings.Contains(w.Message, "pull: true") {
			t.Errorf("second warning %+v, want 7: about pull: true", w)
		}
		// A clean file stores none.
		f.fake.SetFile("acme/app", "refs/heads/main", "sha-main", ".drone.yml", []byte(twoPipelines))
		b2, err := f.trig.Trigger(ctx, f.repo, push("y"))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Builds().Find(ctx, b2.ID); len(got.Warnings) != 0 {
			t.Errorf("clean file: warnings %+v", got.Warnings)
		}
	})
}

// TestTriggerHostileForkFile: a pull request from a fork, blocked for
// approval, whose file would compile to specs over the limit, becomes an
// error build naming the limit, with no stage and so no spec stored.
func TestTriggerHostileForkFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("kind: pipeline\nname: bomb\nx-big: &big \"" + strings.Repeat("a", 1<<20) + "\"\nsteps:\n- name: s\n  image: alpine\n  commands:\n")
	for range 7 {
		b.WriteString("  - *big\n")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": b.String()})
		ctx := context.Background()
		pr := &core.Build{Event: core.EventPullRequest, Ref: "refs/pull/7/head", Target: "main", Fork: "mallory/app", After: "sha-main"}
		got, err := f.trig.Trigger(ctx, f.repo, pr)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != core.StatusError || !strings.Contains(got.Error, "16777216 bytes (16 MiB, the limit)") {
			t.Fatalf("build %s: %q", got.Status, got.Error)
		}
		if stages, _ := s.Stages().ListBuild(ctx, got.ID); len(stages) != 0 {
			t.Fatalf("%d stages stored", len(stages))
		}
	})
}
