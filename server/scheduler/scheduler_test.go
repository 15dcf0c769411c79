package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
	"github.com/drover-ci/drover/server/store"
	"github.com/drover-ci/drover/server/store/storetest"
)

// TestEveryStageExactlyOnce: 1,000 stages, 20 runners asking at once;
// each stage is handed out exactly once and the builds all succeed.
func TestEveryStageExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		const builds, perBuild, runners = 100, 10, 20
		for i := 0; i < builds; i++ {
			var stages []*core.Stage
			for j := 0; j < perBuild; j++ {
				stages = append(stages, stage(string(rune('a'+j))))
			}
			seed(t, s, stages...)
		}
		var mu sync.Mutex
		seen := map[int64]int64{}
		var done atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		for r := int64(1); r <= runners; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for done.Load() < builds*perBuild && ctx.Err() == nil {
					rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
					d, err := sc.Request(rctx, filter(r))
					rcancel()
					if err != nil || d == nil {
						continue
					}
					st := d.Stage
					mu.Lock()
					if prev, dup := seen[st.ID]; dup {
						t.Errorf("stage %d handed to runner %d and runner %d", st.ID, prev, r)
					}
					seen[st.ID] = r
					mu.Unlock()
					st.Status = core.StatusSuccess
					if err := sc.UpdateStage(ctx, r, st); err != nil {
						t.Errorf("finish: %v", err)
					}
					done.Add(1)
				}
			}()
		}
		wg.Wait()
		if len(seen) != builds*perBuild {
			t.Fatalf("%d stages ran, want %d", len(seen), builds*perBuild)
		}
		pending, _ := s.Queue().Claims().Pending(context.Background(), 10)
		if len(pending) != 0 {
			t.Fatalf("%d stages still pending", len(pending))
		}
	})
}

func TestLeaseExpiryRequeues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{Lease: 300 * time.Millisecond})
		_, b := seed(t, s, stage("build"))
		st := request(t, sc, filter(1), 5*time.Second)
		if st == nil {
			t.Fatal("no stage")
		}
		// Runner 1 dies: no heartbeat. The stage comes back for runner 2.
		again := request(t, sc, filter(2), 10*time.Second)
		if again == nil || again.ID != st.ID {
			t.Fatalf("expired stage not requeued to another runner: %+v", again)
		}
		st.Status = core.StatusSuccess
		if err := sc.UpdateStage(context.Background(), 1, st); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("the dead runner's late report: got %v, want conflict", err)
		}
		finish(t, sc, 2, again, core.StatusSuccess)
		got, _ := s.Builds().Find(context.Background(), b.ID)
		if got.Status != core.StatusSuccess {
			t.Fatalf("build = %s, want success", got.Status)
		}
	})
}

func TestLeaseExpiryGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{Lease: 200 * time.Millisecond, MaxAttempts: 2})
		_, b := seed(t, s, stage("build"))
		for i := 0; i < 2; i++ {
			if st := request(t, sc, filter(int64(i+1)), 10*time.Second); st == nil {
				t.Fatalf("attempt %d: no stage", i+1)
			}
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			got, _ := s.Builds().Find(context.Background(), b.ID)
			if got.Status == core.StatusError {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("build = %s after the stage's attempts ran out, want error", got.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

func TestDependencies(t *testing.T) {
	cases := []struct {
		name       string
		first      core.Status
		policy     core.RunPolicy
		wantSecond core.Status
		wantBuild  core.Status
	}{
		{"success promotes", core.StatusSuccess, "", core.StatusSuccess, core.StatusSuccess},
		{"failure skips", core.StatusFailure, "", core.StatusSkipped, core.StatusFailure},
		{"failure runs on-failure", core.StatusFailure, core.RunOnFailure, core.StatusSuccess, core.StatusFailure},
		{"success skips on-failure", core.StatusSuccess, core.RunOnFailure, core.StatusSkipped, core.StatusSuccess},
		{"always runs", core.StatusFailure, core.RunAlways, core.StatusSuccess, core.StatusFailure},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				second := stage("deploy", "build")
				second.RunPolicy = tc.policy
				_, b := seed(t, s, stage("build"), second)
				first := request(t, sc, filter(1), 5*time.Second)
				if first == nil || first.Name != "build" {
					t.Fatalf("first stage = %+v", first)
				}
				if st := request(t, sc, filter(2), 300*time.Millisecond); st != nil {
					t.Fatalf("a waiting stage was handed out: %s", st.Name)
				}
				finish(t, sc, 1, first, tc.first)
				if tc.wantSecond != core.StatusSkipped {
					next := request(t, sc, filter(2), 5*time.Second)
					if next == nil || next.Name != "deploy" {
						t.Fatalf("promoted stage not handed out: %+v", next)
					}
					finish(t, sc, 2, next, core.StatusSuccess)
				}
				stages, _ := s.Stages().ListBuild(context.Background(), b.ID)
				got, _ := s.Builds().Find(context.Background(), b.ID)
				if stages[1].Status != tc.wantSecond || got.Status != tc.wantBuild {
					t.Fatalf("deploy = %s, build = %s; want %s, %s", stages[1].Status, got.Status, tc.wantSecond, tc.wantBuild)
				}
			})
		}
	})
}

func TestCancelReachesWatcher(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		_, b := seed(t, s, stage("build"), stage("later", "build"))
		_, other := seed(t, s, stage("build"))
		st := request(t, sc, filter(1), 5*time.Second)
		if st == nil || st.BuildID != b.ID {
			t.Fatalf("first stage = %+v", st)
		}
		if o := request(t, sc, filter(1), 5*time.Second); o == nil || o.BuildID != other.ID {
			t.Fatalf("second stage = %+v", o)
		}
		result := make(chan []int64, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			killed, _ := sc.Watch(ctx, 1, nil)
			result <- killed
		}()
		time.Sleep(50 * time.Millisecond)
		if err := sc.Cancel(context.Background(), b.ID); err != nil {
			t.Fatal(err)
		}
		select {
		case killed := <-result:
			if !slices.Equal(killed, []int64{st.ID}) {
				t.Fatalf("watch reported %v, want only the cancelled build's stage %d", killed, st.ID)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("watch did not learn of the cancel")
		}
		// A stage the runner already stops is not reported again; another
		// runner's watch hears nothing.
		for _, tc := range []struct {
			runner int64
			ignore []int64
		}{{1, []int64{st.ID}}, {2, nil}} {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			killed, err := sc.Watch(ctx, tc.runner, tc.ignore)
			cancel()
			if err != nil || len(killed) != 0 {
				t.Fatalf("runner %d ignoring %v: watch = %v, %v; want nothing", tc.runner, tc.ignore, killed, err)
			}
		}
		st.Status = core.StatusKilled
		if err := sc.UpdateStage(context.Background(), 1, st); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Builds().Find(context.Background(), b.ID)
		stages, _ := s.Stages().ListBuild(context.Background(), b.ID)
		if got.Status != core.StatusKilled || stages[1].Status != core.StatusSkipped || got.Finished.IsZero() {
			t.Fatalf("after cancel: build %s (finished %v), later %s", got.Status, got.Finished, stages[1].Status)
		}
		if err := sc.Cancel(context.Background(), b.ID); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("cancelling a finished build: %v, want conflict", err)
		}
	})
}

func TestMatching(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		gpu := stage("train")
		gpu.Labels = map[string]string{"gpu": "yes"}
		arm := stage("arm")
		arm.Arch = "arm64"
		docker := stage("img")
		docker.Type = "docker"
		seed(t, s, gpu, arm, docker)
		if st := request(t, sc, filter(1), 300*time.Millisecond); st != nil {
			t.Fatalf("a plain amd64 fake runner got %s", st.Name)
		}
		f := filter(2)
		f.Labels = map[string]string{"gpu": "yes", "zone": "a"}
		if st := request(t, sc, f, 5*time.Second); st == nil || st.Name != "train" {
			t.Fatalf("runner with the label got %+v", st)
		}
		f = filter(3)
		f.Arch = "arm64"
		if st := request(t, sc, f, 5*time.Second); st == nil || st.Name != "arm" {
			t.Fatalf("arm64 runner got %+v", st)
		}
		f = filter(4)
		f.Engines = []string{"docker", "fake"}
		if st := request(t, sc, f, 5*time.Second); st == nil || st.Name != "img" {
			t.Fatalf("docker runner got %+v", st)
		}
	})
}

// TestConcurrencyLimit: with concurrency.limit 1, concurrent claimers never
// run two stages of the pipeline at once.
func TestConcurrencyLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		limited := func() *core.Stage { st := stage("deploy"); st.Limit = 1; return st }
		r, _ := seed(t, s, limited())
		for i := 0; i < 5; i++ {
			seedIn(t, s, r, limited())
		}
		got := make(chan *core.Stage, 6)
		var wg sync.WaitGroup
		for r := int64(1); r <= 6; r++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if st := request(t, sc, filter(r), 800*time.Millisecond); st != nil {
					got <- st
				}
			}()
		}
		wg.Wait()
		close(got)
		n := 0
		for range got {
			n++
		}
		if n != 1 {
			t.Fatalf("%d stages of a limit-1 pipeline ran at once", n)
		}
	})
}

func TestNotHeld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		seed(t, s, stage("build"))
		st := request(t, sc, filter(1), 5*time.Second)
		ctx := context.Background()
		if _, err := sc.Details(ctx, 2, st.ID); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("details for another runner: %v", err)
		}
		stages, _ := s.Stages().ListBuild(ctx, st.BuildID)
		step := stages[0].Steps[0]
		lines := []*core.LogLine{{Number: 0, Text: "forged"}}
		if err := sc.AppendLogs(ctx, 2, step.ID, lines); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("logs from another runner: %v, want conflict", err)
		}
		step.Status, step.Logs = core.StatusSuccess, lines
		if err := sc.UpdateStep(ctx, 2, step); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("step update from another runner: %v, want conflict", err)
		}
		if got, _ := s.Logs().Read(ctx, step.ID, 0, 10); len(got) != 0 {
			t.Fatalf("forged log stored: %+v", got)
		}
		if err := sc.AppendLogs(ctx, 1, step.ID, lines); err != nil {
			t.Fatalf("logs from the holder: %v", err)
		}
		// The holder's final step state carries its last lines.
		step.Logs = []*core.LogLine{{Number: 1, Text: "last"}}
		if err := sc.UpdateStep(ctx, 1, step); err != nil {
			t.Fatalf("step update from the holder: %v", err)
		}
		if got, _ := s.Logs().Read(ctx, step.ID, 0, 10); len(got) != 2 || got[1].Text != "last" {
			t.Fatalf("the holder's lines: %+v, want forged then last", got)
		}
		if got, _ := s.Steps().Find(ctx, step.ID); got.Status != core.StatusSuccess {
			t.Fatalf("the step is %s after the holder's report", got.Status)
		}
	})
}

type fixedLimits struct{ perRepo, perOwner int }

func (l fixedLimits) LimitRepos(_ context.Context, _ *core.User, r []*core.RemoteRepo) ([]*core.RemoteRepo, error) {
	return r, nil
}

func (l fixedLimits) BuildLimits(context.Context, *core.Repo) (int, int, error) {
	return l.perRepo, l.perOwner, nil
}

// TestRepoAndOwnerLimits: concurrent claimers never run more stages of a
// repository, or of an owner, than the Limiter allows.
func TestRepoAndOwnerLimits(t *testing.T) {
	cases := []struct {
		name        string
		limits      fixedLimits
		repos       int
		wantClaimed int
	}{
		{"per repository", fixedLimits{perRepo: 2}, 1, 2},
		{"per owner across repositories", fixedLimits{perOwner: 3}, 3, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) { // a fresh queue per case
				sc := start(t, s, scheduler.Options{Limiter: tc.limits})
				owner := fmt.Sprintf("owner-%s-%d", s.Dialect(), time.Now().UnixNano())
				for i := 0; i < tc.repos; i++ {
					r := &core.Repo{Remote: "fake", RemoteID: fmt.Sprintf("%s-%d", owner, i), Owner: owner, Name: fmt.Sprint(i)}
					if err := s.Repos().Create(context.Background(), r); err != nil {
						t.Fatal(err)
					}
					for j := 0; j < 4; j++ {
						seedIn(t, s, r, stage("s"))
					}
				}
				got := make(chan *core.Stage, 20)
				var wg sync.WaitGroup
				for r := int64(1); r <= 10; r++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if st := request(t, sc, filter(100+r), 800*time.Millisecond); st != nil {
							got <- st
						}
					}()
				}
				wg.Wait()
				close(got)
				n := 0
				for range got {
					n++
				}
				if n != tc.wantClaimed {
					t.Fatalf("%d stages running at once, want %d", n, tc.wantClaimed)
				}
			})
		})
	}
}

// secretsFunc is a scheduler.Secrets that calls a function.
type secretsFunc func(build *core.Build) (map[string]string, error)

func (f secretsFunc) Resolve(_ context.Context, _ *core.Repo, b *core.Build, _ []string) (map[string]string, error) {
	return f(b)
}

// A stage whose details cannot be completed ends as error saying why, and
// the runner's request goes on to the next stage.
func TestUnresolvableStageErrorsAndRequestGoesOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, broken := seed(t, s, stage("build"))
		_, good := seed(t, s, stage("build"))
		sc := start(t, s, scheduler.Options{Secrets: secretsFunc(func(b *core.Build) (map[string]string, error) {
			if b.ID == broken.ID {
				return nil, fmt.Errorf("secret key changed")
			}
			return map[string]string{}, nil
		})})
		st := request(t, sc, filter(1), 5*time.Second)
		if st == nil || st.BuildID != good.ID {
			t.Fatalf("request got %+v, want the good build's stage", st)
		}
		stages, _ := s.Stages().ListBuild(context.Background(), broken.ID)
		if stages[0].Status != core.StatusError || !strings.Contains(stages[0].Error, "secret key changed") {
			t.Fatalf("the broken stage is %s (%q), want error saying why", stages[0].Status, stages[0].Error)
		}
		if b, _ := s.Builds().Find(context.Background(), broken.ID); b.Status != core.StatusError {
			t.Fatalf("the broken build is %s, want error", b.Status)
		}
	})
}

// A heartbeat renews and lists exactly the stages the runner holds.
func TestHeartbeatListsHeldStages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		seed(t, s, stage("a"), stage("b"), stage("c"))
		mine := []int64{request(t, sc, filter(1), 5*time.Second).ID, request(t, sc, filter(1), 5*time.Second).ID}
		theirs := request(t, sc, filter(2), 5*time.Second)
		slices.Sort(mine)
		held, err := sc.Heartbeat(context.Background(), 1)
		slices.Sort(held)
		if err != nil || !slices.Equal(held, mine) {
			t.Fatalf("heartbeat = %v, %v; want %v", held, err, mine)
		}
		theirs.Status = core.StatusSuccess
		if err := sc.UpdateStage(context.Background(), 2, theirs); err != nil {
			t.Fatal(err)
		}
		if held, err := sc.Heartbeat(context.Background(), 2); err != nil || len(held) != 0 {
			t.Fatalf("heartbeat after the runner's only stage ended = %v, %v; want none", held, err)
		}
	})
}

// A stage's final report records the steps it carries, and refuses, with
// nothing changed, a step of another stage.
func TestStageReportCarriesItsLastStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		ctx := context.Background()
		_, b := seed(t, s, stage("a"), stage("b"))
		first := request(t, sc, filter(1), 5*time.Second)
		second := request(t, sc, filter(1), 5*time.Second)
		stages, _ := s.Stages().ListBuild(ctx, b.ID)
		stepOf := map[int64]*core.Step{stages[0].ID: stages[0].Steps[0], stages[1].ID: stages[1].Steps[0]}

		foreign := *stepOf[second.ID]
		foreign.Status, foreign.Finished = core.StatusSuccess, time.Now()
		first.Status, first.Steps = core.StatusSuccess, []*core.Step{&foreign}
		if err := sc.UpdateStage(ctx, 1, first); !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("a report carrying another stage's step = %v, want invalid", err)
		}
		if st, _ := s.Stages().Find(ctx, first.ID); st.Status != core.StatusRunning {
			t.Fatalf("the refused report changed the stage to %s", st.Status)
		}

		own := *stepOf[first.ID]
		own.Status, own.ExitCode, own.Started, own.Finished = core.StatusFailure, 2, time.Now().Add(-time.Second), time.Now()
		first.Status, first.Steps = core.StatusFailure, []*core.Step{&own}
		if err := sc.UpdateStage(ctx, 1, first); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Steps().Find(ctx, own.ID)
		if got.Status != core.StatusFailure || got.ExitCode != 2 || got.Finished.IsZero() {
			t.Fatalf("the step carried by the report is %s (exit %d, finished %v)", got.Status, got.ExitCode, got.Finished)
		}
		if other, _ := s.Steps().Find(ctx, foreign.ID); other.Status != core.StatusPending {
			t.Fatalf("the other stage's step is %s, want still pending", other.Status)
		}
	})
}

// Stages of one build finishing at the same moment still promote the stage
// that waits for them all, exactly once, and finish the build: the last to
// settle sees the others done.
func TestConcurrentStageEndsFinishTheBuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sc := start(t, s, scheduler.Options{})
		ctx := context.Background()
		const builds, per = 10, 8
		var ids []int64
		for i := 0; i < builds; i++ {
			var stages []*core.Stage
			var names []string
			for j := 0; j < per; j++ {
				stages = append(stages, stage(fmt.Sprintf("s%d", j)))
				names = append(names, fmt.Sprintf("s%d", j))
			}
			stages = append(stages, stage("after", names...))
			_, b := seed(t, s, stages...)
			ids = append(ids, b.ID)
		}
		var held []*core.Stage
		for i := 0; i < builds*per; i++ {
			st := request(t, sc, filter(int64(1+i%100)), 5*time.Second)
			if st == nil {
				t.Fatalf("stage %d not handed out", i)
			}
			held = append(held, st)
		}
		var wg sync.WaitGroup
		for _, st := range held {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st.Status = core.StatusSuccess
				if err := sc.UpdateStage(ctx, st.RunnerID, st); err != nil {
					t.Errorf("finish stage %d: %v", st.ID, err)
				}
			}()
		}
		wg.Wait()
		for i := 0; i < builds; i++ { // each build's "after" stage, once
			st := request(t, sc, filter(1), 5*time.Second)
			if st == nil || st.Name != "after" {
				t.Fatalf("promoted stage %d: got %+v", i, st)
			}
			st.Status = core.StatusSuccess
			if err := sc.UpdateStage(ctx, 1, st); err != nil {
				t.Fatal(err)
			}
		}
		if extra := request(t, sc, filter(1), 300*time.Millisecond); extra != nil {
			t.Fatalf("a stage was handed out twice: %+v", extra)
		}
		for _, id := range ids {
			if b, _ := s.Builds().Find(ctx, id); b.Status != core.StatusSuccess {
				t.Fatalf("build %d is %s after all its stages succeeded", id, b.Status)
			}
		}
	})
}

// ctxSecrets is a scheduler.Secrets that takes a while and honours its
// context, as a store query does.
type ctxSecrets time.Duration

func (d ctxSecrets) Resolve(ctx context.Context, _ *core.Repo, _ *core.Build, _ []string) (map[string]string, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(time.Duration(d)):
		return map[string]string{}, nil
	}
}

// A stage claimed just before the request's deadline is still completed
// and handed over: the deadline passing while its details load must not
// end a healthy stage as error.
func TestStageClaimedAtTheDeadlineIsHandedOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, b := seed(t, s, stage("build"))
		sc := start(t, s, scheduler.Options{Secrets: ctxSecrets(300 * time.Millisecond)})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		d, err := sc.Request(ctx, filter(1))
		if err != nil || d == nil || d.Stage.BuildID != b.ID {
			t.Fatalf("request = %+v, %v; want build %d's stage", d, err, b.ID)
		}
		stages, _ := s.Stages().ListBuild(context.Background(), b.ID)
		if stages[0].Status != core.StatusRunning {
			t.Fatalf("the stage is %s (%q), want running", stages[0].Status, stages[0].Error)
		}
	})
}
