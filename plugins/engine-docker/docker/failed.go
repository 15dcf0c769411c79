package docker

import (
	"context"
	"io"
	"time"

	"github.com/drover-ci/drover/core"
)

// failed is an engine that could not be created: every call returns err.
type failed struct{ err error }

func (f failed) Info(context.Context) (core.EngineInfo, error)               { return core.EngineInfo{}, f.err }
func (f failed) Setup(context.Context, *core.Spec) error                     { return f.err }
func (f failed) Destroy(context.Context, string) error                       { return f.err }
func (f failed) Start(context.Context, string, *core.SpecStep) error         { return f.err }
func (f failed) Tail(context.Context, string, string) (io.ReadCloser, error) { return nil, f.err }
func (f failed) Wait(context.Context, string, string) (*core.StepState, error) {
	return nil, f.err
}
func (f failed) Stop(context.Context, string, string, time.Duration) error { return f.err }
