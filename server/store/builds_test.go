package store_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

func newBuild(repoID int64, delivery string) (*core.Build, []*core.Stage) {
	b := &core.Build{RepoID: repoID, Status: core.StatusPending, Event: core.EventPush, After: "abc", Ref: "refs/heads/main",
		Target: "main", Delivery: delivery, Params: map[string]string{"k": "v"}}
	stages := []*core.Stage{
		{Name: "build", Type: "docker", OS: "linux", Arch: "amd64", Status: core.StatusPending,
			Labels: map[string]string{"gpu": "yes"}, Spec: []byte(`{"name":"build"}`),
			Steps: []*core.Step{{Name: "clone", Status: core.StatusPending}, {Name: "test", Status: core.StatusPending}}},
		{Name: "deploy", Status: core.StatusWaiting, DependsOn: []string{"build"}},
	}
	return b, stages
}

func TestBuildCreate(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "web")
		b, stages := newBuild(r.ID, "d-1")
		if err := s.Builds().Create(ctx, b, stages); err != nil {
			t.Fatalf("create: %v", err)
		}
		if b.Number != 1 || b.ID == 0 || stages[0].ID == 0 || stages[0].Steps[1].ID == 0 {
			t.Fatalf("ids not set: build %+v stage %+v", b, stages[0])
		}
		got, err := s.Stages().ListBuild(ctx, b.ID)
		if err != nil || len(got) != 2 {
			t.Fatalf("list stages: %v, %v", got, err)
		}
		if got[0].Labels["gpu"] != "yes" || string(got[0].Spec) != `{"name":"build"}` || len(got[0].Steps) != 2 ||
			got[0].Steps[1].Name != "test" || got[1].DependsOn[0] != "build" {
			t.Fatalf("stages read back wrong: %+v %+v", got[0], got[1])
		}
		fb, err := s.Builds().FindNumber(ctx, r.ID, 1)
		if err != nil || fb.Params["k"] != "v" || fb.Delivery != "d-1" {
			t.Fatalf("find number: %+v, %v", fb, err)
		}

		// A redelivered webhook creates nothing and uses no number.
		again, againStages := newBuild(r.ID, "d-1")
		if err := s.Builds().Create(ctx, again, againStages); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("duplicate delivery: got %v, want conflict", err)
		}
		next, nextStages := newBuild(r.ID, "")
		if err := s.Builds().Create(ctx, next, nextStages); err != nil || next.Number != 2 {
			t.Fatalf("next build number = %d (%v), want 2", next.Number, err)
		}
		if _, err := s.Builds().FindNumber(ctx, r.ID, 3); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("build 3 exists: %v", err)
		}
	})
}

// TestBuildNumbersConcurrent creates builds from 8 writers at once: the
// numbers must be unique and gapless.
func TestBuildNumbersConcurrent(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		r := newRepo(t, s, "busy")
		const writers, each = 8, 25
		numbers := make(chan int64, writers*each)
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					b, stages := newBuild(r.ID, "")
					if err := s.Builds().Create(context.Background(), b, stages); err != nil {
						t.Errorf("create: %v", err)
						return
					}
					numbers <- b.Number
				}
			}()
		}
		wg.Wait()
		close(numbers)
		var got []int
		for n := range numbers {
			got = append(got, int(n))
		}
		sort.Ints(got)
		if len(got) != writers*each {
			t.Fatalf("%d builds created, want %d", len(got), writers*each)
		}
		for i, n := range got {
			if n != i+1 {
				t.Fatalf("numbers not unique and gapless: position %d has %d", i, n)
			}
		}
	})
}

func TestOptimisticConcurrency(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "race")
		b, stages := newBuild(r.ID, "")
		if err := s.Builds().Create(ctx, b, stages); err != nil {
			t.Fatal(err)
		}

		first, _ := s.Builds().Find(ctx, b.ID)
		stale, _ := s.Builds().Find(ctx, b.ID)
		first.Status = core.StatusRunning
		if err := s.Builds().Update(ctx, first); err != nil {
			t.Fatalf("first update: %v", err)
		}
		stale.Status, stale.Error = core.StatusKilled, "overwrite"
		if err := s.Builds().Update(ctx, stale); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("stale build update: got %v, want conflict", err)
		}
		kept, _ := s.Builds().Find(ctx, b.ID)
		if kept.Status != core.StatusRunning || kept.Error != "" || kept.Version != first.Version {
			t.Fatalf("stale update changed the build: %+v", kept)
		}
		if err := s.Builds().Update(ctx, &core.Build{ID: 424242, Version: 1}); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("missing build: got %v, want not found", err)
		}

		st, _ := s.Stages().Find(ctx, stages[0].ID)
		stStale, _ := s.Stages().Find(ctx, stages[0].ID)
		st.Status, st.RunnerID = core.StatusRunning, 7
		if err := s.Stages().Update(ctx, st); err != nil {
			t.Fatalf("stage update: %v", err)
		}
		stStale.Status, stStale.RunnerID = core.StatusRunning, 8
		if err := s.Stages().Update(ctx, stStale); !errors.Is(err, core.ErrConflict) {
			t.Fatalf("stale stage update: got %v, want conflict", err)
		}
		keptStage, _ := s.Stages().Find(ctx, st.ID)
		if keptStage.RunnerID != 7 {
			t.Fatalf("stale stage update overwrote the runner: %d", keptStage.RunnerID)
		}
	})
}

func TestLogsAppendIdempotent(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "logs")
		b, stages := newBuild(r.ID, "")
		if err := s.Builds().Create(ctx, b, stages); err != nil {
			t.Fatal(err)
		}
		step := stages[0].Steps[0].ID
		batch := []*core.LogLine{{Number: 0, Text: "a"}, {Number: 1, Text: "b"}}
		for i := 0; i < 2; i++ { // the retried batch is not stored twice
			if err := s.Logs().Append(ctx, step, batch); err != nil {
				t.Fatalf("append: %v", err)
			}
		}
		if err := s.Logs().Append(ctx, step, []*core.LogLine{{Number: 1, Text: "b"}, {Number: 2, Text: "c"}}); err != nil {
			t.Fatal(err)
		}
		lines, err := s.Logs().Read(ctx, step, 1, 10)
		if err != nil || len(lines) != 2 || lines[0].Text != "b" || lines[1].Text != "c" {
			t.Fatalf("read from 1: %+v, %v", lines, err)
		}
	})
}

func TestBuildCreateWithCompiledNumber(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "numbered")
		first, _ := newBuild(r.ID, "")
		first.Number = 1
		if err := s.Builds().Create(ctx, first, nil); err != nil || first.Number != 1 {
			t.Fatalf("create with the next number: %d %v", first.Number, err)
		}
		stale, _ := newBuild(r.ID, "")
		stale.Number = 1 // compiled before build 1 took the number
		err := s.Builds().Create(ctx, stale, nil)
		if !errors.Is(err, core.ErrNumberTaken) || !errors.Is(err, core.ErrConflict) {
			t.Fatalf("stale number: got %v, want a conflict wrapping ErrNumberTaken", err)
		}
		if b, _ := s.Builds().FindNumber(ctx, r.ID, 2); b != nil {
			t.Fatal("a stale create used a number")
		}
	})
}
