package runner

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// countingClient records how many work requests and watches are open at
// once, and how many heartbeats came while no stage was handed out.
type countingClient struct {
	*fakeClient
	mu                      sync.Mutex
	requests, watches       int
	maxRequests, maxWatches int
}

func (c *countingClient) open(n, most *int) func() {
	c.mu.Lock()
	*n++
	*most = max(*most, *n)
	c.mu.Unlock()
	return func() { c.mu.Lock(); *n--; c.mu.Unlock() }
}

func (c *countingClient) Request(ctx context.Context, f core.Filter) (*core.StageDetails, error) {
	defer c.open(&c.requests, &c.maxRequests)()
	return c.fakeClient.Request(ctx, f)
}

func (c *countingClient) Watch(ctx context.Context, ignore []int64) ([]int64, error) {
	defer c.open(&c.watches, &c.maxWatches)()
	return c.fakeClient.Watch(ctx, ignore)
}

func (c *countingClient) most() (requests, watches int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxRequests, c.maxWatches
}

// TestIdleRunnerHoldsOneCall: an idle runner, whatever its capacity,
// keeps one work request open and nothing else (no watch, and no
// heartbeat after the first, which learns the server's interval); once a
// stage runs its free slots all poll, and it watches for cancels and
// heartbeats its lease.
func TestIdleRunnerHoldsOneCall(t *testing.T) {
	c := &countingClient{fakeClient: newFakeClient()}
	eng := enginetest.NewFake()
	running := make(chan struct{})
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, _ io.Writer) (int, error) {
		close(running)
		<-ctx.Done()
		return 137, nil
	}
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Capacity: 3, Heartbeat: 5 * time.Millisecond})
	// Idle for many heartbeat periods.
	deadline := time.Now().Add(10 * time.Second)
	for c.fakeClient.requestCount() < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	requests, watches := c.most()
	if requests != 1 || watches != 0 || c.fakeClient.heartbeatCount() > 1 {
		t.Fatalf("idle runner of capacity 3: %d requests open at most, %d watches, %d heartbeats; want 1, 0, at most 1",
			requests, watches, c.fakeClient.heartbeatCount())
	}

	c.add(1, spec("fake", step("build")), false, nil)
	deadline = time.Now().Add(10 * time.Second)
	select {
	case <-running:
	case <-time.After(10 * time.Second):
		t.Fatal("the stage did not start")
	}
	// Busy now: the two free slots poll at once.
	for {
		c.mu.Lock()
		open := c.requests
		c.mu.Unlock()
		if open == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests open while a stage runs on a runner of capacity 3, want 2", open)
		}
		time.Sleep(time.Millisecond)
	}
	for c.fakeClient.heartbeatCount() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat while a stage ran")
		}
		time.Sleep(time.Millisecond)
	}
	c.cancel(1)
	c.waitFinished(t, 1)
	if _, watches := c.most(); watches != 1 {
		t.Fatalf("%d watches open while a stage ran, want 1", watches)
	}
	if st := c.finalOf(1); st == nil || st.Status != core.StatusKilled {
		t.Fatalf("the cancelled stage ended %+v, want killed", st)
	}
}

// failingBeats fails the first heartbeat and records when each came.
type failingBeats struct {
	*fakeClient
	mu    sync.Mutex
	times []time.Time
}

func (c *failingBeats) Heartbeat(ctx context.Context) (Beat, error) {
	c.mu.Lock()
	c.times = append(c.times, time.Now())
	first := len(c.times) == 1
	c.mu.Unlock()
	if first {
		return Beat{}, errors.New("connection refused")
	}
	return c.fakeClient.Heartbeat(ctx)
}

func (c *failingBeats) beats() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.times...)
}

// TestFailedHeartbeatRetriedSoon: a heartbeat that failed (the server
// was unreachable) is tried again after a short backoff, not a whole
// interval later, so a lease of a few intervals survives a short outage.
func TestFailedHeartbeatRetriedSoon(t *testing.T) {
	c := &failingBeats{fakeClient: newFakeClient()}
	eng := enginetest.NewFake()
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, _ io.Writer) (int, error) {
		for deadline := time.Now().Add(30 * time.Second); len(c.beats()) < 2 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		return 0, nil
	}
	c.add(1, spec("fake", step("build")), false, nil)
	const interval = 5 * time.Second
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Heartbeat: interval})
	c.waitFinished(t, 1)
	beats := c.beats()
	if len(beats) < 2 {
		t.Fatalf("%d heartbeats, want a retry after the failed one", len(beats))
	}
	if gap := beats[1].Sub(beats[0]); gap >= interval/2 {
		t.Fatalf("the failed heartbeat was retried %s later; want a short backoff, well under the %s interval", gap, interval)
	}
}
