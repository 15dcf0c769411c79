package runner

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// The agent beats at once and then, while a stage runs, at the interval
// the server's answers ask for, whatever its own.
func TestHeartbeatFollowsTheServer(t *testing.T) {
	c := newFakeClient()
	c.every = MinHeartbeat // the shortest a server may ask
	eng := enginetest.NewFake()
	done := make(chan struct{})
	defer close(done) // the step ends before the agent is stopped
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, _ io.Writer) (int, error) {
		select {
		case <-ctx.Done():
		case <-done:
		}
		return 0, nil
	}
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Heartbeat: time.Hour})
	c.add(1, spec("fake", step("build")), false, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mu.Lock()
		n := c.heartbeats
		c.mu.Unlock()
		if n >= 5 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d heartbeats in 30s: the agent does not follow the server's interval of %s", n, c.every)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
