// Package runtime runs one compiled stage (core.Spec) on a core.Engine, as
// Drone's runners do: Setup, the steps in order — serially when no step
// declares depends_on, otherwise as a DAG with as much parallelism as the
// dependencies allow — and Destroy, which always runs.
//
// Rules: a step runs according to its RunPolicy and the stage's state so
// far (on-success while nothing failed, on-failure once something failed,
// always, never). Exit code 78 ends the stage early as a success: steps
// not yet started are skipped. A failing step with IgnoreFailure does not
// fail the stage. Detached steps (services) count as done once started;
// their exit never fails the stage, and they are stopped when the other
// steps are done. Cancelling ctx, or the stage timeout (Spec.Timeout),
// stops running steps (signal, then kill after Runner.Grace) and skips the
// rest.
package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/drover-ci/drover/core"
)

// ExitSkip is the exit code that ends a stage early as a success.
const ExitSkip = 78

// Defaults for Runner.
const (
	DefaultGrace          = 10 * time.Second
	DefaultDestroyTimeout = 2 * time.Minute
)

// Hooks let the caller report state and collect logs. Every hook is
// optional and may be called from several goroutines at once (DAG steps run
// concurrently). A hook that panics does not crash the runner: the panic
// becomes the stage's error and Destroy still runs.
type Hooks struct {
	// BeforeStage is called first, before Engine.Setup. An error ends the
	// stage with status error.
	BeforeStage func(ctx context.Context, spec *core.Spec) error
	// AfterStage is called last, after Engine.Destroy, with the result.
	AfterStage func(ctx context.Context, spec *core.Spec, res *Result)
	// BeforeStep is called before a step starts. An error marks the step
	// (and the stage) as errored without starting it.
	BeforeStep func(ctx context.Context, step *core.SpecStep) error
	// AfterStep is called when a step ends, and for every skipped step
	// (without BeforeStep).
	AfterStep func(ctx context.Context, step *core.SpecStep, res *StepResult)
	// Logs returns where a step's output goes (nil: discarded). When the
	// writer is an io.Closer it is closed once the output ends. See
	// NewLineWriter for a line callback.
	Logs func(step *core.SpecStep) io.Writer
}

// StepResult is how a step ended.
type StepResult struct {
	Name     string      `json:"name"`
	Status   core.Status `json:"status"` // success, failure, skipped, killed or error
	ExitCode int         `json:"exit_code"`
	Error    string      `json:"error,omitempty"`
	Started  time.Time   `json:"started,omitempty"`
	Finished time.Time   `json:"finished,omitempty"`
}

// Result is how a stage ended. Steps are in spec order.
type Result struct {
	Status   core.Status   `json:"status"` // success, failure, killed or error
	ExitCode int           `json:"exit_code"`
	Error    string        `json:"error,omitempty"`
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Steps    []*StepResult `json:"steps"`
}

// Runner runs stages on one engine. Its fields are read-only once Run is
// called; one Runner may run several stages at once.
type Runner struct {
	Engine core.Engine
	Hooks  Hooks
	// Secrets are the resolved secret values (name → value) of the stage:
	// each step gets those its SecretRefs name, under the variable they
	// give; Options' {"from_secret": name} entries and PullSecrets are
	// resolved from them too. A secret that is missing is left unset.
	Secrets map[string]string
	// Grace is how long a stopped step has to exit before it is killed.
	Grace time.Duration
	// DestroyTimeout bounds Engine.Destroy, which runs on a fresh context.
	DestroyTimeout time.Duration
	// Logger receives the runtime's own diagnostics; nil means slog.Default().
	Logger *slog.Logger
}

// Run runs the stage and returns its result; it never returns nil. It
// returns once every step has ended and Destroy has returned.
func (r *Runner) Run(ctx context.Context, spec *core.Spec) (res *Result) {
	res = &Result{Status: core.StatusRunning, Started: time.Now()}
	if spec == nil || r.Engine == nil {
		res.Status, res.Error, res.Finished = core.StatusError, "runtime: no spec or no engine", time.Now()
		return res
	}
	s := newStage(r, spec, res)
	defer func() {
		if p := recover(); p != nil { // a bug of ours; still clean up
			s.setError(fmt.Sprintf("runtime panic: %v", p))
		}
		s.destroy(ctx)
		s.finish(ctx)
		s.callAfterStage(ctx)
	}()
	if err := s.callBeforeStage(ctx); err != nil {
		s.setError(err.Error())
		s.skipAll(ctx)
		return res
	}
	runCtx := ctx
	if spec.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, spec.Timeout)
		defer cancel()
	}
	if err := r.Engine.Setup(runCtx, s.engineSpec()); err != nil {
		s.setError(fmt.Sprintf("setup: %v", err))
		s.skipAll(ctx)
		return res
	}
	s.runSteps(runCtx, ctx)
	return res
}

func (r *Runner) grace() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return DefaultGrace
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}
