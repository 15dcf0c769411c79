// Package enginekit holds what Drover's engines share: the bookkeeping of
// running steps (Start → Tail → Wait → Stop), the shell script of a step,
// and its environment.
package enginekit

import (
	"context"
	"io"
	"sync"

	"github.com/drover-ci/drover/core"
)

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

// Tail returns the step's output from its start, following it until the
// step's output is complete.
func (s *Steps) Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error) {
	p, err := s.Get(stageID, step)
	if err != nil {
		return nil, err
	}
	return p.Follow(ctx)
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
