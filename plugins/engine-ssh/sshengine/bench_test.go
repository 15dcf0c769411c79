package sshengine

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkStepOverhead measures what a step costs beyond running the same
// command over a bare session of the same connection: Start, Tail to the
// end and Wait of `true`, interleaved with a bare session running `true`,
// per step.
func BenchmarkStepOverhead(b *testing.B) {
	const n = 30
	f := newFixture(b)
	e := New(f.config())
	ctx := context.Background()
	spec := f.spec(b, "bench-ssh")
	if err := e.Setup(ctx, spec); err != nil {
		b.Fatal(err)
	}
	defer e.Destroy(ctx, spec.StageID)
	client := e.stage(spec.StageID).client
	var engine, bare []time.Duration
	for i := range n {
		t0 := time.Now()
		sess, err := client.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if err := sess.Run("true"); err != nil {
			b.Fatal(err)
		}
		sess.Close()
		bare = append(bare, time.Since(t0))

		name := fmt.Sprintf("s%d", i)
		t0 = time.Now()
		if err := e.Start(ctx, spec.StageID, &core.SpecStep{Name: name, Commands: []string{"true"}}); err != nil {
			b.Fatal(err)
		}
		rc, err := e.Tail(ctx, spec.StageID, name)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, rc)
		rc.Close()
		if st, err := e.Wait(ctx, spec.StageID, name); err != nil || st.ExitCode != 0 {
			b.Fatalf("wait: %v %+v", err, st)
		}
		engine = append(engine, time.Since(t0))
	}
	// Medians, not sums: one slow outlier (a GC, the other core busy) must
	// not decide the figure.
	overhead := float64(testenv.Median(engine)-testenv.Median(bare)) / float64(time.Millisecond)
	testenv.Bench(b, "engine_ssh_overhead_ms", overhead, "ms")
}
