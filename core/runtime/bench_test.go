package runtime

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
)

// noopEngine does nothing, instantly: what remains is the runtime's cost.
type noopEngine struct{}

func (noopEngine) Info(context.Context) (core.EngineInfo, error)       { return core.EngineInfo{}, nil }
func (noopEngine) Setup(context.Context, *core.Spec) error             { return nil }
func (noopEngine) Destroy(context.Context, string) error               { return nil }
func (noopEngine) Start(context.Context, string, *core.SpecStep) error { return nil }
func (noopEngine) Tail(context.Context, string, string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("")), nil
}
func (noopEngine) Wait(context.Context, string, string) (*core.StepState, error) {
	return &core.StepState{}, nil
}
func (noopEngine) Stop(context.Context, string, string, time.Duration) error { return nil }

func benchSpec(n int, dag bool) *core.Spec {
	spec := &core.Spec{StageID: "bench", Environment: map[string]string{}}
	for i := range 40 {
		spec.Environment[fmt.Sprintf("DRONE_VAR_%d", i)] = "value"
	}
	for i := range n {
		st := &core.SpecStep{Name: fmt.Sprintf("step-%d", i), RunPolicy: core.RunOnSuccess,
			Environment: map[string]string{"A": "1"}, Secrets: []*core.SecretRef{{Name: "s", Env: "S"}}}
		if dag && i > 0 {
			st.DependsOn = []string{fmt.Sprintf("step-%d", i-1)}
		}
		spec.Steps = append(spec.Steps, st)
	}
	return spec
}

// BenchmarkRuntimeOverhead measures the runtime's own cost per step on an
// engine that does nothing (serial stages of 100 steps, with hooks and a
// line writer per step), best of 5 rounds of 20 stages.
func BenchmarkRuntimeOverhead(b *testing.B) {
	const steps, runs = 100, 20
	spec := benchSpec(steps, false)
	r := &Runner{Engine: noopEngine{}, Secrets: map[string]string{"s": "v"}, Hooks: Hooks{
		BeforeStep: func(context.Context, *core.SpecStep) error { return nil },
		AfterStep:  func(context.Context, *core.SpecStep, *StepResult) {},
		Logs:       func(*core.SpecStep) io.Writer { return NewLineWriter(func(*core.LogLine) {}) },
	}}
	ctx := context.Background()
	r.Run(ctx, spec) // warm up
	perStep := time.Duration(1<<63 - 1)
	for range 5 { // best of 5 rounds: the machine is shared
		start := time.Now()
		for range runs {
			if res := r.Run(ctx, spec); res.Status != core.StatusSuccess {
				b.Fatalf("stage %s: %s", res.Status, res.Error)
			}
		}
		perStep = min(perStep, time.Since(start)/(steps*runs))
	}
	testenv.Bench(b, "runtime_overhead_per_step_us", float64(perStep.Nanoseconds())/1e3, "us")
}
