package runner

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

// A refusal broken by another answer starts the count again; MaxRefusals
// in a row end Run with ErrRevoked, cancelling the stage that runs.
func TestRefusedTokenEndsRun(t *testing.T) {
	c := newFakeClient()
	eng := enginetest.NewFake()
	started := make(chan struct{})
	eng.Run = func(ctx context.Context, _ string, _ *core.SpecStep, _ io.Writer) (int, error) {
		close(started)
		<-ctx.Done()
		return 137, nil
	}
	c.add(1, spec("fake", step("build")), false, nil)
	var calls atomic.Int32
	c.OnRequest = func() error {
		n := calls.Add(1)
		if n == 1 {
			return nil // takes stage 1
		}
		<-started
		// refused twice, unreachable (no answer: not counted), another
		// answer (the count starts again), refused twice, unreachable,
		// then refused for good: Run ends at the 9th call.
		switch n {
		case 4, 8:
			return errors.New("connection refused")
		case 5:
			return core.Errorf(core.CodeInvalid, "bad filter")
		}
		return core.Errorf(core.CodeUnauthenticated, "invalid or revoked runner token")
	}
	a := New(Options{Client: c, Engines: StaticEngines{"fake": eng}, Capacity: 2, WorkDir: t.TempDir(),
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Heartbeat: time.Hour,
		DrainTimeout: time.Second}) // a broken agent ends with the test's deadline, not a drain later
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := a.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("Run did not end on the refused token")
	}
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("Run = %v, want ErrRevoked", err)
	}
	if n := calls.Load(); n < 9 {
		t.Fatalf("Run ended after %d requests: the count did not restart after the other answers", n)
	}
	if st := c.finalOf(1); st == nil || st.Status != core.StatusKilled {
		t.Fatalf("the running stage ended %+v, want killed", st)
	}
}
