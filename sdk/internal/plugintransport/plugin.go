package plugintransport

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/grpcerr"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// GRPCPlugin is the go-plugin plugin of one kind: on the plugin side it
// registers the services; on the host side it hands back the connection.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Register registers the services on the plugin's gRPC server; nil on
	// the host side.
	Register func(*grpc.Server)
}

// GRPCServer implements plugin.GRPCPlugin.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Register == nil {
		return fmt.Errorf("no services to register")
	}
	p.Register(s)
	return nil
}

// GRPCClient implements plugin.GRPCPlugin: it returns the *grpc.ClientConn.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return cc, nil
}

// PluginServer serves the Plugin service from two functions.
type PluginServer struct {
	pluginpb.UnimplementedPluginServer
	InfoFunc      func(ctx context.Context) (Info, error)
	ConfigureFunc func(ctx context.Context, options map[string]any) error
}

// Info implements pluginpb.PluginServer.
func (s *PluginServer) Info(ctx context.Context, _ *pluginpb.InfoRequest) (*pluginpb.InfoResponse, error) {
	i, err := s.InfoFunc(ctx)
	if err != nil {
		return nil, grpcerr.ToStatus(err)
	}
	return &pluginpb.InfoResponse{
		Name: i.Name, Kind: i.Kind, Version: i.Version, ApiVersions: i.APIVersions,
		Capabilities: i.Capabilities, Os: i.OS, Arch: i.Arch,
	}, nil
}

// Configure implements pluginpb.PluginServer.
func (s *PluginServer) Configure(ctx context.Context, req *pluginpb.ConfigureRequest) (*pluginpb.Empty, error) {
	var opts map[string]any
	if len(req.OptionsJson) > 0 {
		if err := json.Unmarshal(req.OptionsJson, &opts); err != nil {
			return nil, grpcerr.ToStatus(core.Errorf(core.CodeInvalid, "options are not a JSON object: %v", err))
		}
	}
	return &pluginpb.Empty{}, grpcerr.ToStatus(s.ConfigureFunc(ctx, opts))
}

// PluginClient calls the Plugin service.
type PluginClient struct{ c pluginpb.PluginClient }

// NewPluginClient returns a client of the Plugin service on cc.
func NewPluginClient(cc grpc.ClientConnInterface) *PluginClient {
	return &PluginClient{c: pluginpb.NewPluginClient(cc)}
}

// Info asks the plugin what it is.
func (c *PluginClient) Info(ctx context.Context) (Info, error) {
	r, err := c.c.Info(ctx, &pluginpb.InfoRequest{})
	if err != nil {
		return Info{}, grpcerr.FromStatus(err)
	}
	return Info{
		Name: r.Name, Kind: r.Kind, Version: r.Version, APIVersions: r.ApiVersions,
		Capabilities: r.Capabilities, OS: r.Os, Arch: r.Arch,
	}, nil
}

// Configure hands the plugin its options.
func (c *PluginClient) Configure(ctx context.Context, options map[string]any) error {
	if options == nil {
		options = map[string]any{}
	}
	b, err := json.Marshal(options)
	if err != nil {
		return core.Errorf(core.CodeInvalid, "options cannot be sent: %v", err)
	}
	_, err = c.c.Configure(ctx, &pluginpb.ConfigureRequest{OptionsJson: b})
	return grpcerr.FromStatus(err)
}
