package queuetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// The contract's answers when nothing matches, and exactly-once claims
// under concurrent claimers.

// pendingStages returns n one-step stages ready to be claimed.
func pendingStages(n int) []*core.Stage {
	out := make([]*core.Stage, n)
	for i := range out {
		out[i] = &core.Stage{Name: string(rune('a' + i)), Type: "fake", Status: core.StatusPending,
			Spec: []byte("{}"), Steps: []*core.Step{{Name: "one", Status: core.StatusPending}}}
	}
	return out
}

// claimOne claims one stage for the runner, failing the test when there
// is none.
func claimOne(t *testing.T, s core.Store, runnerID int64, leaseUntil time.Time) *core.Stage {
	t.Helper()
	claimed, _, err := s.Queue().Claims().Claim(context.Background(),
		[]core.Filter{{RunnerID: runnerID, Engines: []string{"fake"}}}, leaseUntil, nil)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %d stages, %v; want one", len(claimed), err)
	}
	return claimed[0].Stage
}

// Nothing to claim, hold, renew, expire or kill is an empty answer, not an
// error; a stage, build or step that is not there is the documented code.
func testNothingMatches(t *testing.T, s core.Store) {
	ctx := context.Background()
	q := s.Queue()
	r := runner(t, s)
	if claimed, gone, err := q.Claims().Claim(ctx, nil, time.Now().Add(time.Minute), nil); err != nil || claimed != nil || gone != nil {
		t.Fatalf("claim without filters = %v, %v, %v; want nothing", claimed, gone, err)
	}
	claimed, gone, err := q.Claims().Claim(ctx, []core.Filter{{RunnerID: r, Engines: []string{"fake"}}}, time.Now().Add(time.Minute), nil)
	if err != nil || len(claimed) != 0 || len(gone) != 0 {
		t.Fatalf("claim of an empty queue = %v, %v, %v; want nothing", claimed, gone, err)
	}
	if ds, err := q.Claims().Details(ctx, nil); err != nil || len(ds) != 0 {
		t.Fatalf("details of no stages = %v, %v", ds, err)
	}
	if p, err := q.Claims().Pending(ctx, 10); err != nil || len(p) != 0 {
		t.Fatalf("pending = %v, %v; want none", p, err)
	}
	if ids, err := q.Leases().Renew(ctx, r, time.Now().Add(time.Minute)); err != nil || len(ids) != 0 {
		t.Fatalf("renew = %v, %v; want none", ids, err)
	}
	if ex, err := q.Leases().Expired(ctx, time.Now(), 10); err != nil || len(ex) != 0 {
		t.Fatalf("expired = %v, %v; want none", ex, err)
	}
	if k, err := q.Control().Killed(ctx, r); err != nil || len(k) != 0 {
		t.Fatalf("killed = %v, %v; want none", k, err)
	}
	if _, err := q.Reports().Held(ctx, r, 1<<40); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("held of a missing stage = %v, want not found", err)
	}
	if err := q.Reports().UpdateStep(ctx, r, &core.Step{ID: 1 << 40, Status: core.StatusRunning}); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("update of a missing step = %v, want conflict", err)
	}
	if _, err := q.Control().Cancel(ctx, 1<<40); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("cancel of a missing build = %v, want not found", err)
	}
	if err := q.Control().Approve(ctx, 1<<40); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("approve of a missing build = %v, want not found", err)
	}
}

// Claimers racing for the same stages, each for its own runner, get each
// stage once between them.
func testClaimExactlyOnce(t *testing.T, s core.Store) {
	ctx := context.Background()
	const stages, claimers = 12, 6
	seedBuild(t, s, core.StatusPending, pendingStages(stages)...)
	runners := make([]int64, claimers)
	for i := range runners {
		runners[i] = runner(t, s)
	}
	var mu sync.Mutex
	got := map[int64]int64{} // stage → runner
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				claimed, _, err := s.Queue().Claims().Claim(ctx,
					[]core.Filter{{RunnerID: r, Engines: []string{"fake"}}}, time.Now().Add(time.Minute), nil)
				if err != nil {
					errs <- err
					return
				}
				if len(claimed) == 0 {
					return
				}
				mu.Lock()
				for _, c := range claimed {
					if other, ok := got[c.Stage.ID]; ok {
						errs <- errors.New("a stage was claimed twice")
						t.Errorf("stage %d claimed by runners %d and %d", c.Stage.ID, other, r)
					}
					got[c.Stage.ID] = r
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(got) != stages {
		t.Fatalf("%d stages claimed, want %d", len(got), stages)
	}
	for id, r := range got {
		if row, _ := s.Stages().Find(ctx, id); row.RunnerID != r || row.Attempts != 1 {
			t.Fatalf("stage %d held by %d after %d attempts, claimed by %d once", id, row.RunnerID, row.Attempts, r)
		}
	}
}

// Release gives a claimed stage back without counting its attempt; once
// the stage changed since the claim it changes nothing.
func testRelease(t *testing.T, s core.Store) {
	ctx := context.Background()
	q := s.Queue().Claims()
	seedBuild(t, s, core.StatusPending, pendingStages(1)...)
	first := runner(t, s)
	st := claimOne(t, s, first, time.Now().Add(time.Minute))
	if err := q.Release(ctx, st); err != nil {
		t.Fatal(err)
	}
	row, _ := s.Stages().Find(ctx, st.ID)
	if row.Status != core.StatusPending || row.RunnerID != 0 || row.Attempts != 0 {
		t.Fatalf("released stage: %s, runner %d, %d attempts; want pending, none, 0", row.Status, row.RunnerID, row.Attempts)
	}
	second := runner(t, s)
	again := claimOne(t, s, second, time.Now().Add(time.Minute))
	if err := q.Release(ctx, st); err != nil { // the first claim's copy, out of date
		t.Fatalf("a stale release = %v, want no error", err)
	}
	if row, _ := s.Stages().Find(ctx, again.ID); row.Status != core.StatusRunning || row.RunnerID != second {
		t.Fatalf("a stale release changed the stage: %s, runner %d", row.Status, row.RunnerID)
	}
}

// A renewed lease is not expired; an expired one is requeued once, by one
// of the replicas racing on it, and the stage runs again from the start.
func testLeases(t *testing.T, s core.Store) {
	ctx := context.Background()
	l := s.Queue().Leases()
	seedBuild(t, s, core.StatusPending, pendingStages(1)...)
	r := runner(t, s)
	st := claimOne(t, s, r, time.Now().Add(-time.Minute)) // a lease already over
	steps, err := s.Stages().ListBuild(ctx, st.BuildID)
	if err != nil || len(steps) != 1 || len(steps[0].Steps) != 1 {
		t.Fatalf("the claimed stage: %v, %v", steps, err)
	}
	step := steps[0].Steps[0]
	step.Status, step.Started = core.StatusRunning, time.Now()
	if err := s.Queue().Reports().UpdateStep(ctx, r, step); err != nil {
		t.Fatal(err)
	}
	if err := s.Queue().Reports().AppendLogs(ctx, r, step.ID, []*core.LogLine{{Number: 0, Text: "first try"}}, core.LogLimits{}); err != nil {
		t.Fatal(err)
	}
	ex, err := l.Expired(ctx, time.Now(), 10)
	if err != nil || len(ex) != 1 || ex[0].ID != st.ID {
		t.Fatalf("expired = %v, %v; want the claimed stage", ex, err)
	}
	if ids, err := l.Renew(ctx, r, time.Now().Add(time.Minute)); err != nil || len(ids) != 1 || ids[0] != st.ID {
		t.Fatalf("renew = %v, %v; want the claimed stage", ids, err)
	}
	if ex, _ := l.Expired(ctx, time.Now(), 10); len(ex) != 0 {
		t.Fatalf("a renewed lease expired: %v", ex)
	}
	ex, _ = l.Expired(ctx, time.Now().Add(2*time.Minute), 10)
	if len(ex) != 1 {
		t.Fatalf("expired later = %v, want the stage", ex)
	}
	const replicas = 4
	won := make(chan bool, replicas)
	for range replicas {
		go func() {
			ok, err := l.Requeue(ctx, ex[0], 3)
			if err != nil {
				t.Error(err)
			}
			won <- ok
		}()
	}
	wins := 0
	for range replicas {
		if <-won {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d replicas requeued the stage, want 1", wins)
	}
	list, err := s.Stages().ListBuild(ctx, st.BuildID)
	if err != nil || len(list) != 1 || len(list[0].Steps) != 1 {
		t.Fatalf("the requeued stage: %v, %v", list, err)
	}
	row := list[0]
	if row.Status != core.StatusPending || row.RunnerID != 0 || row.Steps[0].Status != core.StatusPending {
		t.Fatalf("requeued stage %s held by %d, step %s; want pending, free, pending", row.Status, row.RunnerID, row.Steps[0].Status)
	}
	if lines, err := s.Logs().Read(ctx, step.ID, 0, 10); err != nil || len(lines) != 0 {
		t.Fatalf("the first try's log after the requeue: %d lines, %v; want none", len(lines), err)
	}
	// Out of attempts: the stage ends as error and its build with it.
	st = claimOne(t, s, r, time.Now().Add(-time.Minute))
	if ok, err := l.Requeue(ctx, st, st.Attempts); err != nil || ok {
		t.Fatalf("requeue after the last attempt = %v, %v; want false", ok, err)
	}
	row, _ = s.Stages().Find(ctx, st.ID)
	b, _ := s.Builds().Find(ctx, row.BuildID)
	if row.Status != core.StatusError || b.Status != core.StatusError {
		t.Fatalf("after the last attempt: stage %s, build %s; want error, error", row.Status, b.Status)
	}
}

// A cancel skips what is not running, tells the runners of what is, and
// a second cancel is refused; approval and decline apply to a blocked
// build once.
func testControl(t *testing.T, s core.Store) {
	ctx := context.Background()
	c := s.Queue().Control()
	b, _ := seedBuild(t, s, core.StatusPending, pendingStages(2)...)
	r := runner(t, s)
	held := claimOne(t, s, r, time.Now().Add(time.Minute))
	if ids, err := c.BuildRunners(ctx, b.ID); err != nil || len(ids) != 1 || ids[0] != r {
		t.Fatalf("build runners = %v, %v; want [%d]", ids, err, r)
	}
	if k, _ := c.Killed(ctx, r); len(k) != 0 {
		t.Fatalf("killed before the cancel: %v", k)
	}
	got, err := c.Cancel(ctx, b.ID)
	if err != nil || got.Status != core.StatusKilled {
		t.Fatalf("cancel = %v, %v; want the build killed", got, err)
	}
	if k, err := c.Killed(ctx, r); err != nil || len(k) != 1 || k[0] != held.ID {
		t.Fatalf("killed = %v, %v; want [%d]", k, err, held.ID)
	}
	if _, err := c.Cancel(ctx, b.ID); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second cancel = %v, want conflict", err)
	}
	blocked := pendingStages(2)
	blocked[0].Status, blocked[1].Status, blocked[1].DependsOn = core.StatusBlocked, core.StatusBlocked, []string{"a"}
	bb, _ := seedBuild(t, s, core.StatusBlocked, blocked...)
	if err := c.Approve(ctx, b.ID); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("approve of a build not blocked = %v, want conflict", err)
	}
	if err := c.Approve(ctx, bb.ID); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Stages().ListBuild(ctx, bb.ID)
	if list[0].Status != core.StatusPending || list[1].Status != core.StatusWaiting {
		t.Fatalf("approved stages %s, %s; want pending, waiting", list[0].Status, list[1].Status)
	}
	if err := c.Approve(ctx, bb.ID); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second approve = %v, want conflict", err)
	}
	if err := c.Decline(ctx, bb.ID); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("decline after the approval = %v, want conflict", err)
	}
}

// A stage's final report is taken once: a second one is refused.
func testFinishOnce(t *testing.T, s core.Store) {
	ctx := context.Background()
	holder, step := heldStep(t, s)
	rep := s.Queue().Reports()
	if _, err := rep.Held(ctx, holder+1, step.StageID); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("held by another runner = %v, want conflict", err)
	}
	if _, err := rep.Held(ctx, holder, step.StageID); err != nil {
		t.Fatalf("held by its runner = %v", err)
	}
	report := func() *core.Stage { return &core.Stage{ID: step.StageID, Status: core.StatusSuccess} }
	promoted, done, err := rep.Finish(ctx, holder, report(), core.LogLimits{})
	if err != nil || promoted || !done {
		t.Fatalf("finish = %v, %v, %v; want the build done", promoted, done, err)
	}
	if _, _, err := rep.Finish(ctx, holder, report(), core.LogLimits{}); !errors.Is(err, core.ErrConflict) {
		t.Fatalf("second finish = %v, want conflict", err)
	}
	if row, _ := s.Steps().Find(ctx, step.ID); row.Status != core.StatusSkipped {
		t.Fatalf("a step never reported is %s, want skipped", row.Status)
	}
}
