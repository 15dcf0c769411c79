package local

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// TestConformance runs the engine kit through the real gRPC path; every
// instance shares one root, as restarted plugin processes would.
func TestConformance(t *testing.T) {
	root := t.TempDir()
	enginetest.Run(t, func(t *testing.T) core.Engine { return New(Config{}) }, enginetest.Config{
		Options: map[string]any{"root": root},
		Leftovers: func(_ context.Context, stageID string) ([]string, error) {
			var left []string
			if _, err := os.Stat(root + "/" + stageID); err == nil {
				left = append(left, "directory "+root+"/"+stageID)
			}
			for _, pid := range Processes(stageID) {
				left = append(left, fmt.Sprint("process ", pid))
			}
			return left, nil
		},
	})
}
