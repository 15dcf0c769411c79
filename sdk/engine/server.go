package engine

import (
	"context"
	"encoding/json"
	"io"
	"runtime"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/grpcerr"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Engine is what a plugin serves: core.Engine.
type Engine = core.Engine

// tailHeader is sent once Tail has found the step, so that the client's
// Tail returns the engine's error (not found...) rather than a reader.
var tailHeader = metadata.Pairs("drover-tail", "ok")

type server struct {
	pluginpb.UnimplementedEngineServer
	impl core.Engine
}

func registerServer(s *grpc.Server, impl core.Engine) {
	configure := plugintransport.NoOptions
	if c, ok := impl.(Configurer); ok {
		configure = c.Configure
	}
	pluginpb.RegisterPluginServer(s, &plugintransport.PluginServer{
		InfoFunc: func(ctx context.Context) (plugintransport.Info, error) {
			i, err := impl.Info(ctx)
			if err != nil {
				return plugintransport.Info{}, err
			}
			info := plugintransport.Info{
				Name: i.Name, Kind: plugintransport.KindEngine, Version: i.Version,
				APIVersions: []string{plugintransport.EngineAPI}, OS: i.OS, Arch: i.Arch,
			}
			if info.OS == "" {
				info.OS, info.Arch = runtime.GOOS, runtime.GOARCH
			}
			info.Capabilities = capabilities(impl)
			return info, nil
		},
		ConfigureFunc: configure,
	})
	pluginpb.RegisterEngineServer(s, &server{impl: impl})
}

func (s *server) Setup(ctx context.Context, req *pluginpb.SetupRequest) (*pluginpb.Empty, error) {
	var spec core.Spec
	if err := json.Unmarshal(req.SpecJson, &spec); err != nil {
		return nil, grpcerr.ToStatus(core.Errorf(core.CodeInvalid, "setup: spec: %v", err))
	}
	return &pluginpb.Empty{}, grpcerr.ToStatus(s.impl.Setup(ctx, &spec))
}

func (s *server) Destroy(ctx context.Context, req *pluginpb.StageRequest) (*pluginpb.Empty, error) {
	return &pluginpb.Empty{}, grpcerr.ToStatus(s.impl.Destroy(ctx, req.StageId))
}

func (s *server) Start(ctx context.Context, req *pluginpb.StartRequest) (*pluginpb.Empty, error) {
	var step core.SpecStep
	if err := json.Unmarshal(req.StepJson, &step); err != nil {
		return nil, grpcerr.ToStatus(core.Errorf(core.CodeInvalid, "start: step: %v", err))
	}
	return &pluginpb.Empty{}, grpcerr.ToStatus(s.impl.Start(ctx, req.StageId, &step))
}

func (s *server) Tail(req *pluginpb.StepRequest, stream grpc.ServerStreamingServer[pluginpb.Chunk]) error {
	rc, err := s.impl.Tail(stream.Context(), req.StageId, req.Step)
	if err != nil {
		return grpcerr.ToStatus(err)
	}
	defer rc.Close()
	if err := stream.SendHeader(tailHeader); err != nil {
		return err
	}
	// Send copies the chunk into the transport before returning, and the
	// transport's flow control blocks Send while the host is behind, so
	// one buffer serves the whole stream.
	buf := make([]byte, plugintransport.ChunkSize)
	chunk := &pluginpb.Chunk{}
	for {
		n, err := rc.Read(buf)
		if n > 0 {
			chunk.Data = buf[:n]
			if serr := stream.Send(chunk); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return grpcerr.ToStatus(err)
		}
	}
}

func (s *server) Wait(ctx context.Context, req *pluginpb.StepRequest) (*pluginpb.StepStateResponse, error) {
	st, err := s.impl.Wait(ctx, req.StageId, req.Step)
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	if st == nil {
		st = &core.StepState{}
	}
	return &pluginpb.StepStateResponse{ExitCode: int32(st.ExitCode), OomKilled: st.OOMKilled, Error: st.Error}, nil
}

func (s *server) Stop(ctx context.Context, req *pluginpb.StopRequest) (*pluginpb.Empty, error) {
	return &pluginpb.Empty{}, grpcerr.ToStatus(s.impl.Stop(ctx, req.StageId, req.Step, time.Duration(req.GraceNs)))
}
