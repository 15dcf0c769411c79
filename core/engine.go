package core

import (
	"context"
	"io"
	"time"
)

// EngineInfo describes an engine for runner matching.
type EngineInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// StepState is how a step ended.
type StepState struct {
	ExitCode  int    `json:"exit_code"`
	OOMKilled bool   `json:"oom_killed,omitempty"`
	Error     string `json:"error,omitempty"` // the engine could not run the step (pull failed, ...)
}

// Describer reports what an engine is.
type Describer interface {
	Info(ctx context.Context) (EngineInfo, error)
}

// StageLifecycle creates and removes what a stage needs.
//
// Setup runs once per stage before any step and places the stage's
// workspace (spec.Workspace.HostDir, the runner's clone) where steps run.
// Destroy removes everything created for the stage id: it must work from a
// freshly started engine process that never saw the Setup (engines label
// what they create), after a failure or a cancel, and be idempotent.
type StageLifecycle interface {
	Setup(ctx context.Context, spec *Spec) error
	Destroy(ctx context.Context, stageID string) error
}

// StepRunner runs one step of a stage that was set up.
//
// For each step the runtime calls Start, then Tail (the combined output as
// a stream until the step exits) and Wait (its exit status). Stop asks a
// running step to end: it is signalled, and killed when grace has passed.
// Steps of one stage may run concurrently (a DAG), so every method is safe
// for concurrent use; cancelling ctx abandons the call, not the step.
// Tail of a step that has exited still returns its whole output. An
// unknown stage or step is ErrNotFound.
type StepRunner interface {
	Start(ctx context.Context, stageID string, step *SpecStep) error
	Tail(ctx context.Context, stageID, step string) (io.ReadCloser, error)
	Wait(ctx context.Context, stageID, step string) (*StepState, error)
	Stop(ctx context.Context, stageID, step string, grace time.Duration) error
}

// Engine runs the steps of stages: Setup(spec), then for each step Start,
// Tail and Wait, then Destroy(stage id). How many stages one engine runs at
// once is the runner's capacity. Implementations are in-process or plugins
// behind sdk/engine; callers cannot tell which.
type Engine interface {
	Describer
	StageLifecycle
	StepRunner
}

// Pruner is an optional capability of an engine: Prune removes what the
// engine created for this runner's stages other than keep (the ids of the
// stages the runner still holds), such as the leftovers of a runner that
// was killed mid-stage, and returns the ids of the stages it removed.
// Resources of other runners are never touched. A runner calls it once
// when it starts.
type Pruner interface {
	Prune(ctx context.Context, keep []string) ([]string, error)
}
