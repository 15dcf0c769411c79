// Package engine is the SDK for engine plugins: Serve turns a core.Engine
// into a plugin process (a plugin author's whole main), and Client is the
// host's side, itself a core.Engine, so callers cannot tell a plugin from
// an in-process engine.
//
//	func main() { engine.Serve(myengine.New()) }
//
// Optional interfaces of the served engine: Configurer receives the
// instance's options from the config file (at start and after every
// restart), Capabler lists optional capabilities. Step output crosses as a
// stream of chunks of at most 32 KiB, never buffered whole; context
// deadlines and cancellation cross the boundary; core's coded errors keep
// their code and message, so errors.Is(err, core.ErrNotFound) holds on the
// host.
package engine

import (
	"context"

	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// APIVersion is the engine API this SDK speaks.
const APIVersion = plugintransport.EngineAPI

// ChunkSize is the largest piece of output one stream message carries.
const ChunkSize = plugintransport.ChunkSize

// Configurer is implemented by engines that take options: the table of the
// instance in the config file, minus name, plugin and sha256. Configure
// validates them and answers core.ErrInvalid with a clear message; it is
// called before any other call and again after every restart. An engine
// that does not implement it refuses every option.
type Configurer interface {
	Configure(ctx context.Context, options map[string]any) error
}

// Capabler is implemented by engines that announce optional capabilities.
type Capabler interface {
	Capabilities() []string
}

// DecodeOptions decodes options into v, a pointer to a struct with json
// tags; an unknown key or a wrong type is core.ErrInvalid naming it. Use it
// in Configure.
func DecodeOptions(options map[string]any, v any) error {
	return plugintransport.DecodeOptions(options, v)
}

// Register registers the plugin services for impl on a gRPC server. Serve
// does this; it is exported for tests and embedding.
func Register(s *grpc.Server, impl Engine) {
	registerServer(s, impl)
}

// PluginSet is the go-plugin plugin set that serves impl. Serve uses it; it
// is exported for tests such as plugin.TestPluginGRPCConn.
func PluginSet(impl Engine) plugin.PluginSet {
	return plugin.PluginSet{plugintransport.KindEngine: &plugintransport.GRPCPlugin{Register: func(s *grpc.Server) { Register(s, impl) }}}
}

// Serve serves impl as a plugin process until the host goes away. It sets
// slog's default logger to forward to the host's log.
func Serve(impl Engine) {
	plugintransport.Serve(plugintransport.KindEngine, func(s *grpc.Server) { Register(s, impl) })
}
