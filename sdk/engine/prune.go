package engine

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/grpcerr"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
)

// CapabilityPrune is announced in Info by a served engine that implements
// core.Pruner (added by the SDK).
const CapabilityPrune = "prune"

var _ core.Pruner = (*Client)(nil)

// Prune implements core.Pruner: the engine removes the runner's leftovers
// of stages other than keep. An engine without the capability, or a
// plugin built before it existed, prunes nothing and returns no error.
func (c *Client) Prune(ctx context.Context, keep []string) ([]string, error) {
	r, err := c.c.Prune(ctx, &pluginpb.PruneRequest{KeepStageIds: keep})
	if status.Code(err) == codes.Unimplemented {
		return nil, nil
	}
	if err != nil {
		return nil, grpcerr.FromStatus(err)
	}
	return r.PrunedStageIds, nil
}

func (s *server) Prune(ctx context.Context, req *pluginpb.PruneRequest) (*pluginpb.PruneResponse, error) {
	p, ok := s.impl.(core.Pruner)
	if !ok {
		return &pluginpb.PruneResponse{}, nil
	}
	pruned, err := p.Prune(ctx, req.KeepStageIds)
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return &pluginpb.PruneResponse{PrunedStageIds: pruned}, nil
}

// capabilities is what Info announces for impl: its own list, plus
// CapabilityPrune when it implements core.Pruner.
func capabilities(impl core.Engine) []string {
	var list []string
	if c, ok := impl.(Capabler); ok {
		list = append(list, c.Capabilities()...)
	}
	if _, ok := impl.(core.Pruner); ok {
		for _, c := range list {
			if c == CapabilityPrune {
				return list
			}
		}
		list = append(list, CapabilityPrune)
	}
	return list
}
