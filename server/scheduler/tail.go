package scheduler

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
)

// tailBatch is how many lines one read of a live log returns at most.
const tailBatch = 1000

// TailLogs sends a step's log lines from offset on to fn as they are
// stored — on this replica or another — until the step has finished and
// everything was sent, fn fails, or ctx ends.
func (s *Scheduler) TailLogs(ctx context.Context, stepID, offset int64, fn func([]*core.LogLine) error) error {
	sub := s.bus.Subscribe(topicLog(stepID))
	defer sub.Close()
	for {
		// Read the step's state before the lines, so lines written just
		// before it finished are not missed.
		step, err := s.store.Steps().Find(ctx, stepID)
		if err != nil {
			return err
		}
		for {
			lines, err := s.store.Logs().Read(ctx, stepID, offset, tailBatch)
			if err != nil {
				return err
			}
			if len(lines) == 0 {
				break
			}
			if err := fn(lines); err != nil {
				return err
			}
			offset = lines[len(lines)-1].Number + 1
			if len(lines) < tailBatch {
				break
			}
		}
		if step.Status.Done() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sub.C:
		case <-time.After(s.opts.PollEvery):
		}
	}
}
