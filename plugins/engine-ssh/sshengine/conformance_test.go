package sshengine

import (
	"context"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// TestConformance runs the engine kit through the real gRPC path against
// a loopback sshd; the server comes from the engine's default server block.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	enginetest.Run(t, func(t *testing.T) core.Engine { return New(Config{RetryDelay: f.config().RetryDelay}) }, enginetest.Config{
		Type: "ssh",
		Options: map[string]any{
			"known_hosts": f.sshd.KnownHosts, "remote_root": f.remoteRoot, "state_dir": f.stateDir,
			"server": f.server(),
		},
		Leftovers: func(_ context.Context, stageID string) ([]string, error) { return f.leftovers(stageID), nil },
	})
}
