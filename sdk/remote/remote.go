// Package remote is the SDK for remote plugins (source-code hosts): Serve
// turns a core.Remote into a plugin process (a plugin author's whole main),
// and Client is the host's side, itself a core.Remote.
//
//	func main() { remote.Serve(github.New()) }
//
// Optional interfaces of the served remote: Configurer receives the
// instance's options (url, client_id, ...) at start and after every
// restart; Describer names the plugin and its version. Credentials travel
// with every call; webhooks cross as headers and body bytes, parsed and
// verified in two calls. Core's coded errors keep their code and message.
package remote

import (
	"context"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// APIVersion is the remote API this SDK speaks.
const APIVersion = plugintransport.RemoteAPI

// Configurer is implemented by remotes that take options: the instance's
// [[remote]] table minus name, plugin and sha256. Configure validates them
// and answers core.ErrInvalid with a clear message.
type Configurer interface {
	Configure(ctx context.Context, options map[string]any) error
}

// Info describes a remote plugin.
type Info struct {
	Name         string   // e.g. "github"
	Version      string   // the plugin's version
	Capabilities []string // optional features
}

// Describer is implemented by remotes that say what they are.
type Describer interface {
	PluginInfo() Info
}

// DecodeOptions decodes options into v, a pointer to a struct with json
// tags; an unknown key or a wrong type is core.ErrInvalid naming it.
func DecodeOptions(options map[string]any, v any) error {
	return plugintransport.DecodeOptions(options, v)
}

// Register registers the plugin services for impl on a gRPC server.
func Register(s *grpc.Server, impl core.Remote) {
	registerServer(s, impl)
}

// PluginSet is the go-plugin plugin set that serves impl (for tests such as
// plugin.TestPluginGRPCConn).
func PluginSet(impl core.Remote) plugin.PluginSet {
	return plugin.PluginSet{plugintransport.KindRemote: &plugintransport.GRPCPlugin{Register: func(s *grpc.Server) { Register(s, impl) }}}
}

// Serve serves impl, which implements every part of a remote, as a plugin
// process until the host goes away. It sets slog's default logger to
// forward to the host's log.
func Serve[T interface {
	core.RemoteLogin
	core.RemoteRepos
	core.RemoteHooks
}](impl T) {
	r := core.RemoteOf(impl)
	plugintransport.Serve(plugintransport.KindRemote, func(s *grpc.Server) { Register(s, r) })
}
