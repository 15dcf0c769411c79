package runner

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// LocalClient is a Client over a core.Scheduler in the same process, for
// the server's local runner.
type LocalClient struct {
	Scheduler core.Scheduler
	RunnerID  int64
}

var _ Client = (*LocalClient)(nil)

// NewLocalClient returns a Client that calls s directly as runner id.
func NewLocalClient(s core.Scheduler, runnerID int64) *LocalClient {
	return &LocalClient{Scheduler: s, RunnerID: runnerID}
}

// Request implements Client.
func (c *LocalClient) Request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	f.RunnerID = c.RunnerID
	return c.Scheduler.Request(ctx, f)
}

// Details implements Client.
func (c *LocalClient) Details(ctx context.Context, stageID int64) (*core.StageDetails, error) {
	return c.Scheduler.Details(ctx, c.RunnerID, stageID)
}

// Heartbeat implements Client.
// The local runner's interval is set in its Options, from the lease.
func (c *LocalClient) Heartbeat(ctx context.Context) (Beat, error) {
	held, err := c.Scheduler.Heartbeat(ctx, c.RunnerID)
	return Beat{Held: held}, err
}

// UpdateStage implements Client.
func (c *LocalClient) UpdateStage(ctx context.Context, stage *core.Stage) error {
	return c.Scheduler.UpdateStage(ctx, c.RunnerID, stage)
}

// UpdateStep implements Client.
func (c *LocalClient) UpdateStep(ctx context.Context, step *core.Step) error {
	return c.Scheduler.UpdateStep(ctx, c.RunnerID, step)
}

// AppendLogs implements Client.
func (c *LocalClient) AppendLogs(ctx context.Context, stepID int64, lines []*core.LogLine) error {
	return c.Scheduler.AppendLogs(ctx, c.RunnerID, stepID, lines)
}

// Watch implements Client.
func (c *LocalClient) Watch(ctx context.Context, ignore []int64) ([]int64, error) {
	ids, err := c.Scheduler.Watch(ctx, c.RunnerID, ignore)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return ids, err
}
