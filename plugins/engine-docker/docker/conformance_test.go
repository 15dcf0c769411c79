package docker

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// TestConformance runs the engine kit through the real gRPC path against
// the local daemon.
func TestConformance(t *testing.T) {
	probe, img := newEngine(t, "runner-kit")
	logDir := t.TempDir()
	enginetest.Run(t, func(t *testing.T) core.Engine {
		e, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}, enginetest.Config{
		Image:   img,
		Options: map[string]any{"runner_id": "runner-kit", "log_dir": logDir},
		Leftovers: func(_ context.Context, stageID string) ([]string, error) {
			var left []string
			if c, n, v := leftovers(t, probe, stageID); c+n+v > 0 {
				left = append(left, fmt.Sprintf("%d containers, %d networks, %d volumes", c, n, v))
			}
			if _, err := os.Stat(logDir + "/" + stageID); err == nil {
				left = append(left, "log directory")
			}
			return left, nil
		},
	})
}
