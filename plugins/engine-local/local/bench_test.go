package local

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkStepOverhead measures what a step costs beyond running the same
// command directly: Start, Tail to the end and Wait of `true`, against
// exec of `/bin/sh <script>` with `true`, interleaved, per step.
func BenchmarkStepOverhead(b *testing.B) {
	const n = 40
	e := New(Config{Root: b.TempDir()})
	ctx := context.Background()
	if err := e.Setup(ctx, &core.Spec{StageID: "bench-local"}); err != nil {
		b.Fatal(err)
	}
	defer e.Destroy(ctx, "bench-local")
	var engine, direct []time.Duration
	for i := range n {
		t0 := time.Now()
		if err := exec.Command("/bin/sh", "-c", "true").Run(); err != nil {
			b.Fatal(err)
		}
		direct = append(direct, time.Since(t0))

		name := fmt.Sprintf("s%d", i)
		t0 = time.Now()
		if err := e.Start(ctx, "bench-local", &core.SpecStep{Name: name, Commands: []string{"true"}}); err != nil {
			b.Fatal(err)
		}
		rc, err := e.Tail(ctx, "bench-local", name)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, rc)
		rc.Close()
		if st, err := e.Wait(ctx, "bench-local", name); err != nil || st.ExitCode != 0 {
			b.Fatalf("wait: %v %+v", err, st)
		}
		engine = append(engine, time.Since(t0))
	}
	// Medians, not sums: one slow outlier (a GC, the other core busy) must
	// not decide the figure.
	overhead := float64(testenv.Median(engine)-testenv.Median(direct)) / float64(time.Millisecond)
	testenv.Bench(b, "engine_local_overhead_ms", overhead, "ms")
}
