package scheduler

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// paused reports whether an admin paused the runner. A paused runner's
// request waits out its long-poll without a stage; the check runs before
// the wait and again after a claim, so that a runner paused meanwhile
// gives the stage back rather than start it.
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
