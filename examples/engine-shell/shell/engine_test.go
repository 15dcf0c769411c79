package shell

import (
	"context"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// The example passes the conformance kit through the real gRPC path.
func TestConformance(t *testing.T) {
	root := t.TempDir()
	probe := New()
	probe.root = root
	enginetest.Run(t, func(t *testing.T) core.Engine {
		e := New()
		e.root = root
		return e
	}, enginetest.Config{
		Leftovers: func(_ context.Context, stageID string) ([]string, error) {
			return probe.Leftovers(stageID), nil
		},
	})
}
