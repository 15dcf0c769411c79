package runner

import (
	"testing"
	"time"

	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// The agent beats at once and then at the interval the server's answers
// ask for, whatever its own.
func TestHeartbeatFollowsTheServer(t *testing.T) {
	c := newFakeClient()
	c.every = MinHeartbeat // the shortest a server may ask
	start(t, Options{Client: c, Engines: StaticEngines{"fake": enginetest.NewFake()}, Heartbeat: time.Hour})
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
