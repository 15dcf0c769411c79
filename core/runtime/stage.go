package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// stage is the state of one Run.
type stage struct {
	r      *Runner
	spec   *core.Spec
	res    *Result
	byName map[string]int
	mu     sync.Mutex
	failed bool // a step failed (not ignored): on-failure steps run now
	// failedSteps names the steps that failed (not ignored), in order.
	failedSteps []string
	skip        bool // a step exited 78
	timeout     bool
	errMsg      string
	exit        int
	done        []bool // the step's result is final and reported
}

func newStage(r *Runner, spec *core.Spec, res *Result) *stage {
	s := &stage{r: r, spec: spec, res: res, byName: make(map[string]int, len(spec.Steps)), done: make([]bool, len(spec.Steps))}
	res.Steps = make([]*StepResult, len(spec.Steps))
	for i, st := range spec.Steps {
		res.Steps[i] = &StepResult{Name: st.Name, Status: core.StatusPending}
		s.byName[st.Name] = i
	}
	return s
}

func (s *stage) setError(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errMsg == "" {
		s.errMsg = msg
	}
	s.failed = true
}

// deps returns, per step, the indexes of the steps it waits for: the
// previous step in serial mode (no step declares depends_on), else its
// depends_on. Names that match no step are ignored (the compiler rejects
// them).
func (s *stage) deps() [][]int {
	dag := false
	for _, st := range s.spec.Steps {
		if len(st.DependsOn) > 0 {
			dag = true
			break
		}
	}
	out := make([][]int, len(s.spec.Steps))
	for i, st := range s.spec.Steps {
		if !dag {
			if i > 0 {
				out[i] = []int{i - 1}
			}
			continue
		}
		for _, d := range st.DependsOn {
			if j, ok := s.byName[d]; ok && j != i {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// runSteps runs every step and returns when all have ended. runCtx carries
// the timeout; parent is the caller's context.
func (s *stage) runSteps(runCtx, parent context.Context) {
	n := len(s.spec.Steps)
	deps := s.deps()
	if !acyclic(deps) {
		s.setError("the steps' depends_on form a cycle")
		return
	}
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	detachCtx, stopDetached := context.WithCancel(runCtx)
	defer stopDetached()
	var detached, all sync.WaitGroup
	all.Add(n)
	for i := range s.spec.Steps {
		go func() {
			defer all.Done()
			defer close(done[i])
			for _, j := range deps[i] {
				<-done[j]
			}
			s.step(runCtx, detachCtx, i, &detached)
		}()
	}
	all.Wait()
	stopDetached()
	detached.Wait()
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		s.mu.Lock()
		s.timeout = true
		s.mu.Unlock()
	}
}

// acyclic reports whether the dependency graph has no cycle (Kahn's
// algorithm); a cycle would make Run wait forever.
func acyclic(deps [][]int) bool {
	indeg := make([]int, len(deps))
	users := make([][]int, len(deps))
	for i, ds := range deps {
		indeg[i] = len(ds)
		for _, j := range ds {
			users[j] = append(users[j], i)
		}
	}
	var ready []int
	for i, d := range indeg {
		if d == 0 {
			ready = append(ready, i)
		}
	}
	seen := 0
	for len(ready) > 0 {
		i := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		seen++
		for _, u := range users[i] {
			if indeg[u]--; indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return seen == len(deps)
}

// shouldRun decides, from the stage's state, whether step i starts.
func (s *stage) shouldRun(ctx context.Context, st *core.SpecStep) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil || s.skip {
		return false
	}
	switch st.RunPolicy {
	case core.RunNever:
		return false
	case core.RunAlways:
		return true
	case core.RunOnFailure:
		return s.failed
	}
	return !s.failed
}

// step runs step i, or reports it skipped. For a detached step it returns
// once the step started; its end is awaited through detached.
func (s *stage) step(runCtx, detachCtx context.Context, i int, detached *sync.WaitGroup) {
	st := s.spec.Steps[i]
	if !s.shouldRun(runCtx, st) {
		s.report(runCtx, i, &StepResult{Name: st.Name, Status: core.StatusSkipped})
		return
	}
	res := &StepResult{Name: st.Name, Started: time.Now()}
	if err := s.callBeforeStep(runCtx, st); err != nil {
		res.Status, res.Error = core.StatusError, err.Error()
		s.conclude(runCtx, i, res, false)
		return
	}
	eng := s.r.Engine
	if err := eng.Start(runCtx, s.spec.StageID, s.stepCopy(st)); err != nil {
		res.Status, res.Error = core.StatusError, fmt.Sprintf("start: %v", err)
		if runCtx.Err() != nil {
			res.Status = core.StatusKilled
		}
		s.conclude(runCtx, i, res, false)
		return
	}
	logs := s.tail(runCtx, st)
	if st.Detach {
		detached.Add(1)
		go func() {
			defer detached.Done()
			state, err := s.wait(detachCtx, st.Name)
			logs.finish()
			stoppedByUs := detachCtx.Err() != nil && runCtx.Err() == nil
			s.conclude(runCtx, i, outcome(res, state, err, detachCtx.Err() != nil, stoppedByUs), true)
		}()
		return
	}
	state, err := s.wait(runCtx, st.Name)
	logs.finish()
	s.conclude(runCtx, i, outcome(res, state, err, runCtx.Err() != nil, false), false)
}

// wait waits for the step to exit. When ctx ends first, the step is
// stopped (signal, then kill after the grace period) and waited for a
// little longer; an engine that still does not answer is abandoned.
func (s *stage) wait(ctx context.Context, name string) (*core.StepState, error) {
	eng, id, grace := s.r.Engine, s.spec.StageID, s.r.grace()
	waitCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-finished:
			return
		case <-ctx.Done():
		}
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace+stopSlack)
		defer cancel()
		if err := eng.Stop(stopCtx, id, name, grace); err != nil {
			s.r.logger().Warn("stop step", "stage", id, "step", name, "err", err)
		}
		t := time.NewTimer(grace + stopSlack)
		defer t.Stop()
		select {
		case <-finished:
		case <-t.C:
			abandon()
		}
	}()
	return eng.Wait(waitCtx, id, name)
}

// stopSlack is how long past the grace period an engine has to confirm a
// stop before the runtime gives up on the step.
const stopSlack = 5 * time.Second

// outcome turns what Wait returned into a result. interrupted says the
// step was stopped by the runtime; asSuccess says it was a service stopped
// because the stage's other steps were done.
func outcome(res *StepResult, state *core.StepState, err error, interrupted, asSuccess bool) *StepResult {
	res.Finished = time.Now()
	switch {
	case asSuccess:
		res.Status = core.StatusSuccess
		if state != nil {
			res.ExitCode = state.ExitCode
		}
	case err != nil:
		res.Status, res.Error = core.StatusError, fmt.Sprintf("wait: %v", err)
		if interrupted {
			res.Status = core.StatusKilled
		}
	case state == nil:
		res.Status, res.Error = core.StatusError, "wait: the engine returned no state"
	case state.Error != "":
		res.Status, res.Error, res.ExitCode = core.StatusError, state.Error, state.ExitCode
	case interrupted && state.ExitCode != 0:
		res.Status, res.ExitCode = core.StatusKilled, state.ExitCode
	case state.OOMKilled:
		res.Status, res.ExitCode, res.Error = core.StatusFailure, state.ExitCode, "out of memory"
	case state.ExitCode == 0 || state.ExitCode == ExitSkip:
		res.Status, res.ExitCode = core.StatusSuccess, state.ExitCode
	default:
		res.Status, res.ExitCode = core.StatusFailure, state.ExitCode
	}
	return res
}

// conclude applies a step's result to the stage and reports it.
func (s *stage) conclude(ctx context.Context, i int, res *StepResult, detached bool) {
	if res.Finished.IsZero() {
		res.Finished = time.Now()
	}
	st := s.spec.Steps[i]
	s.mu.Lock()
	switch {
	case res.ExitCode == ExitSkip && res.Status == core.StatusSuccess && !detached:
		s.skip = true
	case detached || st.IgnoreFailure:
	case res.Status == core.StatusError:
		s.failed = true
		s.failedSteps = append(s.failedSteps, st.Name)
		if s.errMsg == "" {
			s.errMsg = fmt.Sprintf("step %s: %s", st.Name, res.Error)
		}
	case res.Status == core.StatusFailure, res.Status == core.StatusKilled:
		s.failed = true
		s.failedSteps = append(s.failedSteps, st.Name)
		if s.exit == 0 {
			s.exit = res.ExitCode
		}
	}
	s.mu.Unlock()
	s.report(ctx, i, res)
}

func (s *stage) report(ctx context.Context, i int, res *StepResult) {
	s.mu.Lock()
	if s.done[i] {
		s.mu.Unlock()
		return
	}
	s.done[i] = true
	*s.res.Steps[i] = *res
	s.mu.Unlock()
	s.callAfterStep(ctx, s.spec.Steps[i], res)
}

// skipAll reports every step not yet reported as skipped.
func (s *stage) skipAll(ctx context.Context) {
	for i, st := range s.spec.Steps {
		s.report(ctx, i, &StepResult{Name: st.Name, Status: core.StatusSkipped})
	}
}

// finish settles the stage's status once every step has ended.
func (s *stage) finish(ctx context.Context) {
	s.skipAll(context.WithoutCancel(ctx))
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.res
	res.Finished = time.Now()
	res.ExitCode = s.exit
	switch {
	case s.errMsg != "":
		res.Status, res.Error = core.StatusError, s.errMsg
	case ctx.Err() != nil:
		res.Status, res.Error = core.StatusKilled, "cancelled"
	case s.timeout:
		res.Status, res.Error = core.StatusFailure, fmt.Sprintf("timed out after %s", s.spec.Timeout)
	case s.failed:
		res.Status = core.StatusFailure
	default:
		res.Status = core.StatusSuccess
	}
}

// destroy removes the stage's resources on a fresh context, whatever
// happened before.
func (s *stage) destroy(ctx context.Context) {
	timeout := s.r.DestroyTimeout
	if timeout <= 0 {
		timeout = DefaultDestroyTimeout
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			s.setError(fmt.Sprintf("destroy panicked: %v", p))
		}
	}()
	if err := s.r.Engine.Destroy(dctx, s.spec.StageID); err != nil {
		s.r.logger().Warn("destroy stage", "stage", s.spec.StageID, "err", err)
	}
}
