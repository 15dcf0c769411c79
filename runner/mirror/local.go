package mirror

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// LocalClient is a Client over the server's coordinator in the same
// process, for the server's local runner.
type LocalClient struct {
	Coordinator core.MirrorCoordinator
	RunnerID    int64
}

var _ Client = (*LocalClient)(nil)

// MirrorBeat implements Client.
func (c *LocalClient) MirrorBeat(ctx context.Context, offer core.MirrorOffer) (*core.MirrorDelta, error) {
	return c.Coordinator.Beat(ctx, c.RunnerID, offer)
}

// MirrorReport implements Client.
func (c *LocalClient) MirrorReport(ctx context.Context, id int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
	return c.Coordinator.Report(ctx, c.RunnerID, id, f)
}
