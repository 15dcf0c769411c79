package runtime

import (
	"context"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// safely calls fn, turning a panic into an error.
func safely(name string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("hook %s panicked: %v", name, p)
		}
	}()
	return fn()
}

func (s *stage) callBeforeStage(ctx context.Context) error {
	h := s.r.Hooks.BeforeStage
	if h == nil {
		return nil
	}
	return safely("BeforeStage", func() error { return h(ctx, s.spec) })
}

func (s *stage) callAfterStage(ctx context.Context) {
	h := s.r.Hooks.AfterStage
	if h == nil {
		return
	}
	if err := safely("AfterStage", func() error { h(context.WithoutCancel(ctx), s.spec, s.res); return nil }); err != nil {
		s.r.logger().Error("after stage hook", "stage", s.spec.StageID, "err", err)
	}
}

func (s *stage) callBeforeStep(ctx context.Context, st *core.SpecStep) error {
	h := s.r.Hooks.BeforeStep
	if h == nil {
		return nil
	}
	return safely("BeforeStep", func() error { return h(ctx, st) })
}

func (s *stage) callAfterStep(ctx context.Context, st *core.SpecStep, res *StepResult) {
	h := s.r.Hooks.AfterStep
	if h == nil {
		return
	}
	cp := *res
	if err := safely("AfterStep", func() error { h(context.WithoutCancel(ctx), st, &cp); return nil }); err != nil {
		s.setError(err.Error())
	}
}
