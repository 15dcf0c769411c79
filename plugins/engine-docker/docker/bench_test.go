package docker

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// BenchmarkStepOverhead measures what a step costs beyond a bare
// create/start/wait of the same container through the API: Start, Tail to
// the end and Wait of `true` in the busybox image, interleaved with the
// bare sequence, per step.
func BenchmarkStepOverhead(b *testing.B) {
	const n = 31
	e, img := newEngine(b, "runner-bench")
	ctx := context.Background()
	spec := &core.Spec{StageID: "bench-docker"}
	if err := e.Setup(ctx, spec); err != nil {
		b.Fatal(err)
	}
	defer e.Destroy(ctx, spec.StageID)
	var engine, bare []time.Duration
	for i := range n {
		t0 := time.Now()
		created, err := e.cli.ContainerCreate(ctx, &container.Config{Image: img, Cmd: []string{"/bin/sh", "-c", "true"}, Labels: e.labels(spec.StageID)},
			&container.HostConfig{NetworkMode: container.NetworkMode(resourceName(spec.StageID))}, nil, nil, "")
		if err != nil {
			b.Fatal(err)
		}
		if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		respCh, errCh := e.cli.ContainerWait(ctx, created.ID, container.WaitConditionNotRunning)
		select {
		case <-respCh:
		case err := <-errCh:
			b.Fatal(err)
		}
		bare = append(bare, time.Since(t0))
		_ = e.cli.ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true})

		name := fmt.Sprintf("s%d", i)
		t0 = time.Now()
		if err := e.Start(ctx, spec.StageID, &core.SpecStep{Name: name, Image: img, Commands: []string{"true"}}); err != nil {
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
	testenv.Bench(b, "engine_docker_overhead_ms", overhead, "ms")
}
