package trigger_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
	"github.com/drover-ci/drover/server/trigger"
)

const token = "owner-token"

type remotes struct{ fake *remotetest.Fake }

func (r remotes) Remote(name string) (core.Remote, error) {
	if name != "fake" {
		return core.Remote{}, core.Errorf(core.CodeNotFound, "no remote %s", name)
	}
	return core.RemoteOf(r.fake), nil
}

type queue struct{ n atomic.Int32 }

func (q *queue) Enqueued(context.Context) { q.n.Add(1) }

type fixture struct {
	s    *store.Store
	fake *remotetest.Fake
	q    *queue
	trig *trigger.Trigger
	repo *core.Repo
}

func newFixture(t *testing.T, s *store.Store, files map[string]string) *fixture {
	t.Helper()
	ctx := context.Background()
	fake := remotetest.NewFake()
	fake.AddUser(token, "owner")
	rr := fake.AddRepo(token, "acme/app", core.Perm{Pull: true, Push: true, Admin: true})
	for path, content := range files {
		fake.SetFile("acme/app", "refs/heads/main", "sha-main", path, []byte(content))
	}
	u := &core.User{Remote: "fake", Login: "owner", Active: true, Creds: core.Creds{Token: token}}
	if err := s.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	repo := &core.Repo{Remote: "fake", RemoteID: rr.ID, Owner: "acme", Name: "app", Branch: "main", Active: true, UserID: u.ID}
	if err := s.Repos().Create(ctx, repo); err != nil {
		t.Fatal(err)
	}
	q := &queue{}
	trig := &trigger.Trigger{Store: s, Remotes: remotes{fake}, Queue: q, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return &fixture{s: s, fake: fake, q: q, trig: trig, repo: repo}
}

const twoPipelines = `
kind: pipeline
name: build
steps:
- name: test
  image: golang
  commands: [go test ./...]
---
kind: pipeline
name: deploy
depends_on: [build]
trigger:
  branch: [main]
steps:
- name: ship
  image: alpine
  commands: [echo ship $DRONE_BUILD_NUMBER]
`

func push(msg string) *core.Build {
	return &core.Build{Event: core.EventPush, Ref: "refs/heads/main", Target: "main", Message: msg}
}

func TestTriggerCreatesStages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": twoPipelines})
		ctx := context.Background()
		b, err := f.trig.Trigger(ctx, f.repo, push("feat: x"))
		if err != nil {
			t.Fatal(err)
		}
		if b.Number != 1 || b.Status != core.StatusPending || b.After != "sha-main" || f.q.n.Load() != 1 {
			t.Fatalf("build %+v, enqueued %d", b, f.q.n.Load())
		}
		stages, _ := s.Stages().ListBuild(ctx, b.ID)
		if len(stages) != 2 || stages[0].Status != core.StatusPending || stages[1].Status != core.StatusWaiting ||
			stages[1].DependsOn[0] != "build" || len(stages[0].Steps) != 2 || stages[0].Steps[0].Name != "clone" {
			t.Fatalf("stages: %+v / %+v", stages[0], stages[1])
		}
	})
}

func TestTriggerNoBuild(t *testing.T) {
	cases := []struct {
		name  string
		build *core.Build
	}{
		{"ci skip", push("docs: typo [ci skip]")},
		{"skip ci", push("wip [SKIP CI]")},
		{"no trigger matches", &core.Build{Event: core.EventTag, Ref: "refs/tags/v1", Message: "v1"}},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		only := "kind: pipeline\nname: x\ntrigger:\n  event: [push]\nsteps:\n- name: a\n  image: alpine\n"
		f := newFixture(t, s, map[string]string{".drover.yml": only})
		f.fake.SetFile("acme/app", "refs/tags/v1", "sha-main", ".drover.yml", []byte(only))
		for _, tc := range cases {
			_, err := f.trig.Trigger(context.Background(), f.repo, tc.build)
			if !errors.Is(err, trigger.ErrSkipped) {
				t.Errorf("%s: got %v, want skipped", tc.name, err)
			}
		}
		if list, _ := s.Builds().List(context.Background(), f.repo.ID, 10, 0); len(list) != 0 {
			t.Fatalf("%d builds created", len(list))
		}
	})
}

func TestTriggerRedelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": twoPipelines})
		b := push("x")
		b.Delivery = "delivery-1"
		if _, err := f.trig.Trigger(context.Background(), f.repo, b); err != nil {
			t.Fatal(err)
		}
		if _, err := f.trig.Trigger(context.Background(), f.repo, b); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("redelivery: got %v, want conflict", err)
		}
		if list, _ := s.Builds().List(context.Background(), f.repo.ID, 10, 0); len(list) != 1 {
			t.Fatalf("%d builds after a redelivery, want 1", len(list))
		}
	})
}

func TestTriggerApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": twoPipelines})
		ctx := context.Background()
		pr := &core.Build{Event: core.EventPullRequest, Ref: "refs/pull/7/head", Target: "main", Fork: "mallory/app", After: "sha-main"}
		b, err := f.trig.Trigger(ctx, f.repo, pr)
		if err != nil {
			t.Fatal(err)
		}
		stages, _ := s.Stages().ListBuild(ctx, b.ID)
		if b.Status != core.StatusBlocked || stages[0].Status != core.StatusBlocked || f.q.n.Load() != 0 {
			t.Fatalf("fork pull request: build %s, stage %s, enqueued %d", b.Status, stages[0].Status, f.q.n.Load())
		}
		if err := s.Queue().Control().Approve(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		stages, _ = s.Stages().ListBuild(ctx, b.ID)
		if stages[0].Status != core.StatusPending || stages[1].Status != core.StatusWaiting {
			t.Fatalf("after approval: %s, %s", stages[0].Status, stages[1].Status)
		}
		if err := s.Queue().Control().Approve(ctx, b.ID); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("approving twice: %v", err)
		}
		// A repository requiring approval blocks every event; decline ends it.
		f.repo.Approval = "all"
		b2, err := f.trig.Trigger(ctx, f.repo, push("x"))
		if err != nil || b2.Status != core.StatusBlocked {
			t.Fatalf("approval=all push: %+v %v", b2, err)
		}
		if err := s.Queue().Control().Decline(ctx, b2.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Builds().Find(ctx, b2.ID)
		if got.Status != core.StatusDeclined || got.Finished.IsZero() {
			t.Fatalf("declined build: %+v", got)
		}
	})
}

func TestTriggerBrokenOrMissingFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": "kind: pipeline\nsteps: [\n"})
		ctx := context.Background()
		b, err := f.trig.Trigger(ctx, f.repo, push("x"))
		if err != nil || b.Status != core.StatusError || b.Error == "" {
			t.Fatalf("broken file: %+v %v", b, err)
		}
		f.fake.SetFile("acme/app", "refs/heads/other", "sha-other", "README", []byte("hi"))
		other := &core.Build{Event: core.EventPush, Ref: "refs/heads/other", Target: "other"}
		b2, err := f.trig.Trigger(ctx, f.repo, other)
		if err != nil || b2.Status != core.StatusError || b2.Number != 2 {
			t.Fatalf("missing file: %+v %v", b2, err)
		}
	})
}

// TestTriggerErrorStatusGivesReason: a build that errors before it runs
// (the pipeline file does not parse, or is missing) reports why in its
// commit status, shortened to what a remote shows.
func TestTriggerErrorStatusGivesReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, map[string]string{".drone.yml": "kind: pipeline\nsteps: [\n"})
		f.trig.Status = &trigger.StatusReporter{Store: s, Remotes: remotes{f.fake}, ServerURL: "http://drover.test", Retries: 1}
		cases := []struct {
			name, configPath, want string
		}{
			{"broken file", "", ".drone.yml"},
			{"missing file with a long path", strings.Repeat("deep/", 60) + "drover.yml", "no pipeline file"},
		}
		for i, tc := range cases {
			f.repo.ConfigPath = tc.configPath
			b, err := f.trig.Trigger(context.Background(), f.repo, push("x"))
			if err != nil || b.Status != core.StatusError {
				t.Fatalf("%s: %+v %v", tc.name, b, err)
			}
			got := waitStatus(t, f.fake, i+1)
			if got.State != core.StatusError || !strings.Contains(got.Desc, tc.want) {
				t.Errorf("%s: status %+v does not give the reason (build error %q)", tc.name, got, b.Error)
			}
			if n := utf8.RuneCountInString(got.Desc); n > trigger.MaxStatusDesc {
				t.Errorf("%s: description is %d characters, more than %d: %q", tc.name, n, trigger.MaxStatusDesc, got.Desc)
			}
		}
	})
}

// waitStatus waits for the fake remote's nth commit status and returns it.
func waitStatus(t *testing.T, fake *remotetest.Fake, n int) *core.CommitStatus {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		fake.Lock()
		if len(fake.Statuses) >= n {
			st := fake.Statuses[n-1]
			fake.Unlock()
			return st
		}
		fake.Unlock()
	}
	t.Fatalf("commit status %d was not reported", n)
	return nil
}
