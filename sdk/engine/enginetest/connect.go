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
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"google.golang.org/grpc"
)

// Connect serves impl over gRPC on a unix socket in this process, as a
// plugin process serves it, and returns the host-side client. Everything is
// closed when the test ends.
func Connect(t testing.TB, impl core.Engine) *engine.Client {
	t.Helper()
	cc, closeAll, err := plugintransport.InProcess(func(s *grpc.Server) { engine.Register(s, impl) })
	if err != nil {
		t.Fatalf("serve engine: %v", err)
	}
	t.Cleanup(closeAll)
	return engine.NewClient(cc)
}
