package scheduler

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// paused reports whether an admin paused the runner. A paused runner's
// request waits out its long-poll without a stage; the check runs after a
// claim, so that a paused runner gives the stage back rather than start
// it (and before a parked wait, which then holds no waiter).
func (s *Scheduler) paused(ctx context.Context, runnerID int64) (bool, error) {
	return s.store.RunnerStates().Paused(ctx, runnerID)
}

// pausedAnswer ends the request of a paused runner: err when the check
// failed, else nothing once ctx ends.
func pausedAnswer(ctx context.Context, err error) (*core.StageDetails, error) {
	if err != nil {
		return nil, err
	}
	<-ctx.Done()
	return nil, ctx.Err()
}
