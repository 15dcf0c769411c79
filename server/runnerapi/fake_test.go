package runnerapi_test

import (
	"context"
	"sync"

	"github.com/drover-ci/drover/core"
)

// fakeSched is a core.Scheduler whose methods are function fields; an
// unset one answers "not held" (conflict). calls counts calls by method.
type fakeSched struct {
	RequestFn     func(ctx context.Context, f core.Filter) (*core.StageDetails, error)
	DetailsFn     func(ctx context.Context, runnerID, stageID int64) (*core.StageDetails, error)
	HeartbeatFn   func(ctx context.Context, runnerID int64) ([]int64, error)
	UpdateStageFn func(ctx context.Context, runnerID int64, stage *core.Stage) error
	UpdateStepFn  func(ctx context.Context, runnerID int64, step *core.Step) error
	AppendLogsFn  func(ctx context.Context, runnerID, stepID int64, lines []*core.LogLine) error
	WatchFn       func(ctx context.Context, runnerID int64, ignore []int64) ([]int64, error)

	mu    sync.Mutex
	calls map[string]int
}

var _ core.Scheduler = (*fakeSched)(nil)

var errNotHeld = core.Errorf(core.CodeConflict, "the stage is not held by this runner")

func (f *fakeSched) count(m string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[m]++
}

func (f *fakeSched) called(m string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[m]
}

func (f *fakeSched) Request(ctx context.Context, fl core.Filter) (*core.StageDetails, error) {
	f.count("Request")
	if f.RequestFn == nil {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.RequestFn(ctx, fl)
}

func (f *fakeSched) Details(ctx context.Context, runnerID, stageID int64) (*core.StageDetails, error) {
	f.count("Details")
	if f.DetailsFn == nil {
		return nil, errNotHeld
	}
	return f.DetailsFn(ctx, runnerID, stageID)
}

func (f *fakeSched) Heartbeat(ctx context.Context, runnerID int64) ([]int64, error) {
	f.count("Heartbeat")
	if f.HeartbeatFn == nil {
		return nil, nil
	}
	return f.HeartbeatFn(ctx, runnerID)
}

func (f *fakeSched) UpdateStage(ctx context.Context, runnerID int64, stage *core.Stage) error {
	f.count("UpdateStage")
	if f.UpdateStageFn == nil {
		return errNotHeld
	}
	return f.UpdateStageFn(ctx, runnerID, stage)
}

func (f *fakeSched) UpdateStep(ctx context.Context, runnerID int64, step *core.Step) error {
	f.count("UpdateStep")
	if f.UpdateStepFn == nil {
		return errNotHeld
	}
	return f.UpdateStepFn(ctx, runnerID, step)
}

func (f *fakeSched) AppendLogs(ctx context.Context, runnerID, stepID int64, lines []*core.LogLine) error {
	f.count("AppendLogs")
	if f.AppendLogsFn == nil {
		return errNotHeld
	}
	return f.AppendLogsFn(ctx, runnerID, stepID, lines)
}

func (f *fakeSched) Watch(ctx context.Context, runnerID int64, ignore []int64) ([]int64, error) {
	f.count("Watch")
	if f.WatchFn == nil {
		<-ctx.Done()
		return nil, nil
	}
	return f.WatchFn(ctx, runnerID, ignore)
}

func (f *fakeSched) Cancel(context.Context, int64) error { return nil }
