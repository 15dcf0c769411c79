// Package enginetest is the conformance kit for engines, and a scriptable
// fake engine for other packages' tests.
//
// An engine's own test runs the kit through the real gRPC path, in process:
//
//	func TestConformance(t *testing.T) {
//		enginetest.Run(t, func(t *testing.T) core.Engine { return myengine.New() },
//			enginetest.Config{Image: "busybox"})
//	}
package enginetest

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine"
	"github.com/drover-ci/drover/sdk/internal/wire"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Connect serves impl over go-plugin's gRPC transport in this process and
// returns the host-side client, exactly as the host would see a plugin
// process. Everything is closed when the test ends.
func Connect(t testing.TB, impl core.Engine) *engine.Client {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, engine.PluginSet(impl))
	t.Cleanup(func() {
		_ = client.Close()
		server.Stop()
	})
	raw, err := client.Dispense(wire.KindEngine)
	if err != nil {
		t.Fatalf("dispense engine: %v", err)
	}
	return engine.NewClient(raw.(*grpc.ClientConn))
}
