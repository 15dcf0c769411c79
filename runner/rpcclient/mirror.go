package rpcclient

import (
	"context"
	"net/http"
	"strconv"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runnerproto"
)

// MirrorBeat sends a heartbeat with the runner's mirror offer and returns
// the changes of its share (nil: the server watches no mirrors); it
// renews the runner's stage leases too. It implements runner/mirror's
// Client.
func (c *Client) MirrorBeat(ctx context.Context, offer core.MirrorOffer) (*core.MirrorDelta, error) {
	var out runnerproto.HeartbeatResponse
	req := runnerproto.HeartbeatRequest{Mirror: &offer}
	if _, err := c.do(ctx, callTimeout, http.MethodPost, "/heartbeat", req, &out); err != nil {
		return nil, err
	}
	return out.Mirrors, nil
}

// MirrorReport reports a fetch of mirror id (runner/mirror's Client).
func (c *Client) MirrorReport(ctx context.Context, mirrorID int64, f *core.MirrorFetch) (*core.MirrorReportAnswer, error) {
	var out core.MirrorReportAnswer
	if _, err := c.do(ctx, callTimeout, http.MethodPost, runnerproto.MirrorFetchPath(strconv.FormatInt(mirrorID, 10)), f, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
