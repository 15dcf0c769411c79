// Package enginekit holds what Drover's engines share: the bookkeeping of
// running steps (Start → Tail → Wait → Stop), the shell script of a step,
// and its environment.
package enginekit

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
)

// Proc is one started step as an engine tracks it.
type Proc struct {
	// Output is the step's combined output; Tail hands it out once. The
	// engine closes its writing side when the step exits, so readers see EOF.
	Output io.ReadCloser
	// Stop asks the step to end (signal, then kill after grace).
	Stop func(ctx context.Context, grace time.Duration) error

	done   chan struct{}
	once   sync.Once
	state  *core.StepState
	tailed bool
}

// NewProc returns a Proc whose Finish has not been called yet.
func NewProc(output io.ReadCloser, stop func(ctx context.Context, grace time.Duration) error) *Proc {
	return &Proc{Output: output, Stop: stop, done: make(chan struct{})}
}

// Finish records how the step ended and wakes every Wait; later calls are
// ignored.
func (p *Proc) Finish(state *core.StepState) {
	p.once.Do(func() {
		p.state = state
		close(p.done)
	})
}

// Done is closed once the step has finished.
func (p *Proc) Done() <-chan struct{} { return p.done }

// State is how the step ended; nil until Done is closed.
func (p *Proc) State() *core.StepState {
	select {
	case <-p.done:
		return p.state
	default:
		return nil
	}
}

// Steps tracks the started steps of every stage. Safe for concurrent use.
type Steps struct {
	mu sync.Mutex
	m  map[string]map[string]*Proc
}

// Add records a started step; starting the same step twice is a conflict.
func (s *Steps) Add(stageID, step string, p *Proc) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]map[string]*Proc{}
	}
	stage := s.m[stageID]
	if stage == nil {
		stage = map[string]*Proc{}
		s.m[stageID] = stage
	}
	if _, ok := stage[step]; ok {
		return core.Errorf(core.CodeConflict, "step %q of stage %s was already started", step, stageID)
	}
	stage[step] = p
	return nil
}

// Reserve checks that the step was not started yet, so that an engine can
// fail early before creating anything.
func (s *Steps) Reserve(stageID, step string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[stageID][step]; ok {
		return core.Errorf(core.CodeConflict, "step %q of stage %s was already started", step, stageID)
	}
	return nil
}

// Get returns a started step, or a not-found error.
func (s *Steps) Get(stageID, step string) (*Proc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[stageID][step]
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "step %q of stage %s was not started", step, stageID)
	}
	return p, nil
}

// Tail hands out the step's output; a second Tail of the same step is a
// conflict, since the output is a stream that is not kept.
func (s *Steps) Tail(stageID, step string) (io.ReadCloser, error) {
	p, err := s.Get(stageID, step)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.tailed {
		return nil, core.Errorf(core.CodeConflict, "the output of step %q of stage %s is already being read", step, stageID)
	}
	p.tailed = true
	return p.Output, nil
}

// Wait blocks until the step has finished or ctx is done.
func (s *Steps) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	p, err := s.Get(stageID, step)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.done:
		st := *p.state
		return &st, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Remove forgets every step of the stage and returns them.
func (s *Steps) Remove(stageID string) []*Proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Proc
	for _, p := range s.m[stageID] {
		out = append(out, p)
	}
	delete(s.m, stageID)
	return out
}
