package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store"
)

// TestPurgeBuildLogs: purging a build deletes its steps' lines, earlier
// attempts' too, and no other build's; it marks the build once (a second
// purge keeps the first time, a stale Update does not clear it); an
// unknown build is not found.
func TestPurgeBuildLogs(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := newRepo(t, s, "purged")
		var steps []int64
		var builds []*core.Build
		for i := 0; i < 2; i++ {
			b, stages := newBuild(r.ID, "")
			if err := s.Builds().Create(ctx, b, stages); err != nil {
				t.Fatal(err)
			}
			builds = append(builds, b)
			for _, st := range stages[0].Steps {
				steps = append(steps, st.ID)
				lines := []*core.LogLine{{Number: 0, Text: "a\n"}, {Number: 1, Text: "b\n"}}
				if err := s.Logs().Append(ctx, st.ID, lines); err != nil {
					t.Fatal(err)
				}
				if _, err := s.DB().NewRaw("INSERT INTO log_attempts (step_id, attempt, number, text) VALUES (?, 1, 0, 'old')", st.ID).
					Exec(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		stale, _ := s.Builds().Find(ctx, builds[0].ID)
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		n, err := s.Logs().PurgeBuild(ctx, builds[0].ID, at)
		if err != nil || n != 6 {
			t.Fatalf("purge = %d, %v; want 6 lines (2 steps × (2 lines + 1 of an earlier attempt))", n, err)
		}
		for i, id := range steps {
			lines, err := s.Logs().Read(ctx, id, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			old, err := s.Logs().ReadAttempt(ctx, id, 1, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 0, false: 2}[i < 2]; len(lines) != want || len(old) != want/2 {
				t.Errorf("step %d: %d lines and %d of attempt 1 left, want %d and %d", i, len(lines), len(old), want, want/2)
			}
		}
		if _, err := s.Logs().PurgeBuild(ctx, builds[0].ID, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		stale.Status = core.StatusSuccess
		if err := s.Builds().Update(ctx, stale); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Builds().Find(ctx, builds[0].ID)
		if !got.LogsPurged.Equal(at) || got.Status != core.StatusSuccess {
			t.Errorf("purged build: logs_purged %v status %s, want %v and the update's status", got.LogsPurged, got.Status, at)
		}
		if other, _ := s.Builds().Find(ctx, builds[1].ID); !other.LogsPurged.IsZero() {
			t.Errorf("the other build is marked purged: %v", other.LogsPurged)
		}
		if _, err := s.Logs().PurgeBuild(ctx, 999, at); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("purge of no build = %v, want not found", err)
		}
	})
}
