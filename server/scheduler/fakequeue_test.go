package scheduler_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/scheduler"
)

// fakeStore is a core.Store whose queue is fakeQueue; the entity stores
// are not there (nil), so a test using one fails loudly.
type fakeStore struct {
	core.Store
	queue *fakeQueue
}

func (f fakeStore) Queue() core.Queue { return f.queue }

// fakeQueue answers the reports a test sets; the other parts are nil.
type fakeQueue struct {
	finish func(ctx context.Context, runnerID int64, st *core.Stage, limits core.LogLimits) (bool, bool, error)
	settle func(ctx context.Context, buildID int64) (bool, bool, error)
}

func (q *fakeQueue) Claims() core.QueueClaims   { return nil }
func (q *fakeQueue) Reports() core.QueueReports { return fakeReports{q: q} }
func (q *fakeQueue) Leases() core.QueueLeases   { return nil }
func (q *fakeQueue) Control() core.QueueControl { return nil }

type fakeReports struct {
	core.QueueReports
	q *fakeQueue
}

func (r fakeReports) Finish(ctx context.Context, runnerID int64, st *core.Stage, limits core.LogLimits) (bool, bool, error) {
	return r.q.finish(ctx, runnerID, st, limits)
}

func (r fakeReports) Settle(ctx context.Context, buildID int64) (bool, bool, error) {
	return r.q.settle(ctx, buildID)
}

// A final report that committed but whose settle failed (a
// core.SettleError from the queue) is accepted, and the build is settled
// again in the background until it works; then OnBuild hears of it.
func TestSettleRetriedAfterSettleError(t *testing.T) {
	settled := make(chan int64, 10)
	tries := 0
	q := &fakeQueue{
		finish: func(_ context.Context, _ int64, st *core.Stage, _ core.LogLimits) (bool, bool, error) {
			st.BuildID = 7
			return false, false, &core.SettleError{BuildID: 7, Err: errors.New("connection reset")}
		},
		settle: func(_ context.Context, buildID int64) (bool, bool, error) {
			tries++
			if tries == 1 {
				return false, false, errors.New("connection reset again")
			}
			return false, true, nil
		},
	}
	sc := scheduler.New(fakeStore{queue: q}, scheduler.NewBus(quiet), scheduler.Options{
		Log:     quiet,
		OnBuild: func(_ context.Context, buildID int64) { settled <- buildID },
	})
	st := &core.Stage{ID: 3, Status: core.StatusSuccess}
	if err := sc.UpdateStage(context.Background(), 1, st); err != nil {
		t.Fatalf("a report that committed was refused: %v", err)
	}
	select {
	case id := <-settled:
		if id != 7 || tries != 2 {
			t.Fatalf("build %d settled after %d tries, want build 7 after 2", id, tries)
		}
	case <-time.After(time.Minute): // only against a hang
		t.Fatal("the build was never settled again")
	}
}
