package trigger_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
	"github.com/drover-ci/drover/server/trigger"
)

const onePipeline = "kind: pipeline\nname: x\nsteps:\n- name: a\n  image: alpine\n  commands: [true]\n"

func pull(fork string) *core.Build {
	return &core.Build{Event: core.EventPullRequest, Ref: "refs/pull/7/head", Target: "main", Source: "feature",
		Fork: fork, After: "sha-main", Message: "feat: y"}
}

// TestRepoSettingsTakeEffect shows each setting of PATCH /api/repos/…
// changing what the trigger makes of an event.
func TestRepoSettingsTakeEffect(t *testing.T) {
	cases := []struct {
		name   string
		set    func(*core.Repo)
		build  *core.Build
		status core.Status // "" means no build (ErrSkipped)
	}{
		{"push runs", func(*core.Repo) {}, push("x"), core.StatusPending},
		{"protected blocks a push", func(r *core.Repo) { r.Protected = true }, push("x"), core.StatusBlocked},
		{"protected leaves manual builds", func(r *core.Repo) { r.Protected = true },
			&core.Build{Event: core.EventCustom, Ref: "refs/heads/main", After: "sha-main"}, core.StatusPending},
		{"fork pull request waits by default", func(*core.Repo) {}, pull("evil/app"), core.StatusBlocked},
		{"own pull request runs by default", func(*core.Repo) {}, pull(""), core.StatusPending},
		{"approval none runs forks", func(r *core.Repo) { r.Approval = core.ApprovalNone }, pull("evil/app"), core.StatusPending},
		{"approval pull_requests blocks own", func(r *core.Repo) { r.Approval = core.ApprovalPulls }, pull(""), core.StatusBlocked},
		{"ignore forks skips a fork", func(r *core.Repo) { r.IgnoreForks = true }, pull("evil/app"), ""},
		{"ignore forks keeps own", func(r *core.Repo) { r.IgnoreForks = true }, pull(""), core.StatusPending},
		{"ignore pulls skips own", func(r *core.Repo) { r.IgnorePulls = true }, pull(""), ""},
		{"ignore pulls keeps pushes", func(r *core.Repo) { r.IgnorePulls = true }, push("x"), core.StatusPending},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, map[string]string{".drone.yml": onePipeline})
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				repo := *f.repo
				tc.set(&repo)
				before, _ := s.Builds().List(ctx, repo.ID, 100, 0)
				b, err := f.trig.Trigger(ctx, &repo, tc.build)
				if tc.status == "" {
					if !errors.Is(err, trigger.ErrSkipped) {
						t.Fatalf("want skipped, got %v %+v", err, b)
					}
					if after, _ := s.Builds().List(ctx, repo.ID, 100, 0); len(after) != len(before) {
						t.Fatalf("a skipped event stored a build")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				stages, _ := s.Stages().ListBuild(ctx, b.ID)
				if b.Status != tc.status || len(stages) != 1 || stages[0].Status != tc.status {
					t.Fatalf("build %s, stages %+v; want %s", b.Status, stages, tc.status)
				}
			})
		}
	})
}

func TestRepoTimeoutReachesTheStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, map[string]string{".drone.yml": onePipeline})
		f.repo.Timeout = 7
		b, err := f.trig.Trigger(ctx, f.repo, push("x"))
		if err != nil {
			t.Fatal(err)
		}
		stages, _ := s.Stages().ListBuild(ctx, b.ID)
		var spec core.Spec
		if err := json.Unmarshal(stages[0].Spec, &spec); err != nil {
			t.Fatal(err)
		}
		if spec.Timeout != 7*time.Minute {
			t.Fatalf("stage timeout %s, want 7m", spec.Timeout)
		}
	})
}

func TestRepoConfigPathIsRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		other := "kind: pipeline\nname: from-ci-dir\nsteps:\n- name: a\n  image: alpine\n"
		f := newFixture(t, s, map[string]string{".drone.yml": onePipeline, "ci/pipeline.yml": other})
		f.repo.ConfigPath = "ci/pipeline.yml"
		b, err := f.trig.Trigger(ctx, f.repo, push("x"))
		if err != nil {
			t.Fatal(err)
		}
		stages, _ := s.Stages().ListBuild(ctx, b.ID)
		if len(stages) != 1 || stages[0].Name != "from-ci-dir" {
			t.Fatalf("stages %+v: the configured file was not used", stages)
		}
		f.repo.ConfigPath = "missing.yml"
		b, err = f.trig.Trigger(ctx, f.repo, push("y"))
		if err != nil || b.Status != core.StatusError {
			t.Fatalf("a missing configured file: %v %+v", err, b)
		}
	})
}

// canceller cancels through the store, as the scheduler does.
type canceller struct {
	cancel func(ctx context.Context, id int64) error
	ids    []int64
}

func (c *canceller) Cancel(ctx context.Context, id int64) error {
	c.ids = append(c.ids, id)
	return c.cancel(ctx, id)
}

func TestCancelPrevious(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, map[string]string{".drone.yml": onePipeline})
		c := &canceller{cancel: func(ctx context.Context, id int64) error { _, err := s.Queue().Control().Cancel(ctx, id); return err }}
		f.trig.Canceller = c
		first, err := f.trig.Trigger(ctx, f.repo, push("one"))
		if err != nil {
			t.Fatal(err)
		}
		pr, err := f.trig.Trigger(ctx, f.repo, pull(""))
		if err != nil {
			t.Fatal(err)
		}
		// Off: a second push leaves the first alone.
		second, err := f.trig.Trigger(ctx, f.repo, push("two"))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.ids) != 0 {
			t.Fatalf("cancel_previous off cancelled %v", c.ids)
		}
		f.repo.CancelPrevious = true
		third, err := f.trig.Trigger(ctx, f.repo, push("three"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]core.Status{first.ID: core.StatusKilled, second.ID: core.StatusKilled,
			pr.ID: core.StatusPending, third.ID: core.StatusPending}
		for id, st := range want {
			b, err := s.Builds().Find(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if b.Status != st {
				t.Errorf("build %d (%s %s): %s, want %s", b.Number, b.Event, b.Ref, b.Status, st)
			}
		}
	})
}
