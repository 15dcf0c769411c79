package engine

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/grpcerr"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"google.golang.org/grpc"
)

var _ core.Engine = (*Client)(nil)

// Client is the host's side of an engine plugin: a core.Engine whose calls
// cross gRPC. Safe for concurrent use.
type Client struct {
	plugin *plugintransport.PluginClient
	c      pluginpb.EngineClient
}

// NewClient returns an engine client on a connection to a plugin (a
// *grpc.ClientConn from go-plugin, or any connection serving Register).
func NewClient(cc grpc.ClientConnInterface) *Client {
	return &Client{plugin: plugintransport.NewPluginClient(cc), c: pluginpb.NewEngineClient(cc)}
}

// Configure hands the engine its instance's options.
func (c *Client) Configure(ctx context.Context, options map[string]any) error {
	return c.plugin.Configure(ctx, options)
}

// Info implements core.Describer.
func (c *Client) Info(ctx context.Context) (core.EngineInfo, error) {
	i, err := c.plugin.Info(ctx)
	if err != nil {
		return core.EngineInfo{}, err
	}
	return core.EngineInfo{Name: i.Name, Version: i.Version, OS: i.OS, Arch: i.Arch}, nil
}

// Setup implements core.StageLifecycle.
func (c *Client) Setup(ctx context.Context, spec *core.Spec) error {
	b, err := json.Marshal(spec)
	if err != nil {
		return core.Errorf(core.CodeInvalid, "setup: encode spec: %v", err)
	}
	_, err = c.c.Setup(ctx, &pluginpb.SetupRequest{SpecJson: b})
	return grpcerr.FromStatus(err)
}

// Destroy implements core.StageLifecycle.
func (c *Client) Destroy(ctx context.Context, stageID string) error {
	_, err := c.c.Destroy(ctx, &pluginpb.StageRequest{StageId: stageID})
	return grpcerr.FromStatus(err)
}

// Start implements core.StepRunner.
func (c *Client) Start(ctx context.Context, stageID string, step *core.SpecStep) error {
	b, err := json.Marshal(step)
	if err != nil {
		return core.Errorf(core.CodeInvalid, "start: encode step: %v", err)
	}
	_, err = c.c.Start(ctx, &pluginpb.StartRequest{StageId: stageID, StepJson: b})
	return grpcerr.FromStatus(err)
}

// Tail implements core.StepRunner. The reader pulls chunks from the stream
// as it is read; the stream ends with ctx or Close.
func (c *Client) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.c.Tail(ctx, &pluginpb.StepRequest{StageId: stageID, Step: step})
	if err != nil {
		cancel()
		return nil, grpcerr.FromStatus(err)
	}
	md, err := stream.Header()
	if err == nil && md == nil {
		// The stream ended without headers: Recv holds its status.
		_, err = stream.Recv()
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		cancel()
		return nil, grpcerr.FromStatus(err)
	}
	return &tailReader{stream: stream, cancel: cancel}, nil
}

// Wait implements core.StepRunner.
func (c *Client) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	r, err := c.c.Wait(ctx, &pluginpb.StepRequest{StageId: stageID, Step: step})
	if err != nil {
		return nil, grpcerr.FromStatus(err)
	}
	return &core.StepState{ExitCode: int(r.ExitCode), OOMKilled: r.OomKilled, Error: r.Error}, nil
}

// Stop implements core.StepRunner.
func (c *Client) Stop(ctx context.Context, stageID, step string, grace time.Duration) error {
	_, err := c.c.Stop(ctx, &pluginpb.StopRequest{StageId: stageID, Step: step, GraceNs: int64(grace)})
	return grpcerr.FromStatus(err)
}

// tailReader reads a Tail stream chunk by chunk.
type tailReader struct {
	stream grpc.ServerStreamingClient[pluginpb.Chunk]
	cancel context.CancelFunc
	chunk  pluginpb.Chunk
	buf    []byte
	err    error
}

func (r *tailReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.chunk.Data = nil
		if err := r.stream.RecvMsg(&r.chunk); err != nil {
			if err == io.EOF {
				r.err = io.EOF
			} else {
				r.err = grpcerr.FromStatus(err)
			}
			continue
		}
		r.buf = r.chunk.Data
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// Close ends the stream; it may be called from another goroutine to
// unblock a Read, which then returns context.Canceled.
func (r *tailReader) Close() error {
	r.cancel()
	return nil
}
