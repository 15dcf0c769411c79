// Command testplugin is the plugin binary of sdk/host's tests and
// benchmarks. What it serves depends on its file name:
//
//	*badproto*  the fake engine behind a wrong handshake protocol version
//	*bare*      a bare go-plugin gRPC engine service, without the SDK
//	*remote*    the fake remote
//	otherwise   the fake engine, with the benchmark's calls
package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"github.com/drover-ci/drover/sdk/remote"
	"github.com/drover-ci/drover/sdk/remote/remotetest"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

func main() {
	name := filepath.Base(os.Args[0])
	switch {
	case strings.Contains(name, "badproto"):
		hs := plugintransport.Handshake
		hs.ProtocolVersion = 99
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig: hs,
			Plugins:         engine.PluginSet(NewBench()),
			GRPCServer:      plugin.DefaultGRPCServer,
		})
	case strings.Contains(name, "bare"):
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig: plugintransport.Handshake,
			Plugins: plugin.PluginSet{plugintransport.KindEngine: &plugintransport.GRPCPlugin{Register: func(s *grpc.Server) {
				pluginpb.RegisterEngineServer(s, &Bare{})
			}}},
			GRPCServer: plugin.DefaultGRPCServer,
		})
	case strings.Contains(name, "remote"):
		remote.Serve(remotetest.NewFake())
	default:
		engine.Serve(NewBench())
	}
}

// Bench is the fake engine plus the benchmark's calls on stage "bench":
// Wait answers at once, and Tail of step "stream-N" streams N zero bytes.
type Bench struct{ *enginetest.Fake }

// NewBench returns a Bench engine.
func NewBench() *Bench { return &Bench{Fake: enginetest.NewFake()} }

// Configure logs (for the log forwarding test) and configures the fake.
func (b *Bench) Configure(ctx context.Context, options map[string]any) error {
	slog.Info("configuring test plugin", "options", len(options))
	return b.Fake.Configure(ctx, options)
}

// Wait implements core.StepRunner.
func (b *Bench) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	if stageID == "bench" {
		return &core.StepState{}, nil
	}
	return b.Fake.Wait(ctx, stageID, step)
}

// Tail implements core.StepRunner.
func (b *Bench) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	if stageID == "bench" {
		n, _ := strconv.ParseInt(strings.TrimPrefix(step, "stream-"), 10, 64)
		return io.NopCloser(io.LimitReader(zeros{}, n)), nil
	}
	return b.Fake.Tail(ctx, stageID, step)
}

type zeros struct{}

// Read leaves p as it is: the SDK's read buffer only ever holds zeros, as
// the bare service's does.
func (zeros) Read(p []byte) (int, error) { return len(p), nil }

// Bare is the same two calls as a bare gRPC service.
type Bare struct {
	pluginpb.UnimplementedEngineServer
}

// Wait answers at once.
func (*Bare) Wait(context.Context, *pluginpb.StepRequest) (*pluginpb.StepStateResponse, error) {
	return &pluginpb.StepStateResponse{}, nil
}

// Tail streams N zero bytes in 32 KiB chunks.
func (*Bare) Tail(req *pluginpb.StepRequest, stream grpc.ServerStreamingServer[pluginpb.Chunk]) error {
	n, _ := strconv.ParseInt(strings.TrimPrefix(req.Step, "stream-"), 10, 64)
	buf := make([]byte, plugintransport.ChunkSize)
	chunk := &pluginpb.Chunk{}
	for n > 0 {
		size := int64(len(buf))
		if n < size {
			size = n
		}
		chunk.Data = buf[:size]
		if err := stream.Send(chunk); err != nil {
			return err
		}
		n -= size
	}
	return nil
}
