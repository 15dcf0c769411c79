package engine

import (
	"context"
	"errors"
	"slices"
	"testing"

	"google.golang.org/grpc"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
)

// stubEngine answers Info; any other core.Engine call would panic (none
// is made).
type stubEngine struct{ core.Engine }

func (stubEngine) Info(context.Context) (core.EngineInfo, error) {
	return core.EngineInfo{Name: "stub", Version: "1"}, nil
}

// prunerEngine is a stubEngine with the Prune capability.
type prunerEngine struct {
	stubEngine
	prune func(ctx context.Context, keep []string) ([]string, error)
}

func (p prunerEngine) Prune(ctx context.Context, keep []string) ([]string, error) {
	return p.prune(ctx, keep)
}

func connect(t *testing.T, register func(*grpc.Server)) *Client {
	t.Helper()
	cc, closeAll, err := plugintransport.InProcess(register)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAll)
	return NewClient(cc)
}

func TestPruneThroughGRPC(t *testing.T) {
	var gotKeep []string
	tests := []struct {
		name       string
		impl       core.Engine
		keep       []string
		wantPruned []string
		wantErr    error
		wantCap    bool
	}{
		{"pruner", prunerEngine{prune: func(_ context.Context, keep []string) ([]string, error) {
			gotKeep = keep
			return []string{"old-1", "old-2"}, nil
		}}, []string{"held-1", "held-2"}, []string{"old-1", "old-2"}, nil, true},
		{"pruner failing", prunerEngine{prune: func(context.Context, []string) ([]string, error) {
			return nil, core.Errorf(core.CodeUnavailable, "daemon down")
		}}, nil, nil, core.ErrUnavailable, true},
		{"engine without the capability", stubEngine{}, []string{"held-1"}, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotKeep = nil
			c := connect(t, func(s *grpc.Server) { Register(s, tt.impl) })
			pruned, err := c.Prune(context.Background(), tt.keep)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Prune error = %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(pruned, tt.wantPruned) {
				t.Fatalf("pruned = %v, want %v", pruned, tt.wantPruned)
			}
			if tt.wantErr == nil && tt.wantCap && !slices.Equal(gotKeep, tt.keep) {
				t.Fatalf("the engine was asked to keep %v, want %v", gotKeep, tt.keep)
			}
			info, err := c.plugin.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if has := slices.Contains(info.Capabilities, CapabilityPrune); has != tt.wantCap {
				t.Fatalf("capabilities %v: prune announced = %v, want %v", info.Capabilities, has, tt.wantCap)
			}
		})
	}
}

// A plugin built before Prune existed answers Unimplemented: nothing is
// pruned and no error reported.
func TestPruneOldPlugin(t *testing.T) {
	c := connect(t, func(s *grpc.Server) { pluginpb.RegisterEngineServer(s, pluginpb.UnimplementedEngineServer{}) })
	pruned, err := c.Prune(context.Background(), []string{"x"})
	if err != nil || pruned != nil {
		t.Fatalf("Prune on an old plugin = %v, %v; want nothing, no error", pruned, err)
	}
}
