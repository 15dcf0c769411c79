// Package runner is Drover's runner agent: it long-polls the server for
// stages, clones each stage's commit on its host, runs the stage through
// core/runtime on the engine its type names, streams masked logs in
// batches, reports step and stage status, heartbeats, watches for
// cancellation, and drains on shutdown.
//
// The loop is written against Client, a small interface mirroring
// core.Scheduler for one runner: drover-runner gives it the HTTP client
// (runner/rpcclient), and the server's local runner the in-process one
// (NewLocalClient). One loop, two transports.
package runner

import (
	"context"
	"time"

	"github.com/drover-ci/drover/core"
)

// Client is the server as one runner sees it. Every method may be called
// concurrently. Errors carry core's codes where the server gave one: a
// coded error other than CodeUnavailable is the server refusing (the call
// is not retried); any other error is transient (retried with backoff).
type Client interface {
	// Request blocks until a pending stage matching f is claimed for this
	// runner, or ctx ends (then it returns ctx's error). The answer has
	// everything needed to run the stage, which is running and held by
	// this runner. f.RunnerID is filled in by the client.
	Request(ctx context.Context, f core.Filter) (*core.StageDetails, error)
	// Details returns what is needed to run a held stage (and its version).
	Details(ctx context.Context, stageID int64) (*core.StageDetails, error)
	// Heartbeat renews the leases of every stage this runner holds and
	// returns their ids, with how often the server wants heartbeats.
	Heartbeat(ctx context.Context) (Beat, error)
	// UpdateStage records a held stage's status; stage.Version is updated.
	UpdateStage(ctx context.Context, stage *core.Stage) error
	// UpdateStep records a step's status; step.Version is updated.
	UpdateStep(ctx context.Context, step *core.Step) error
	// AppendLogs stores lines of a step; lines already stored (by number)
	// are ignored, so a retried batch is harmless.
	AppendLogs(ctx context.Context, stepID int64, lines []*core.LogLine) error
	// Watch blocks until stages this runner holds, other than ignore, are
	// cancelled (their ids), the server's long-poll ends (none) or ctx
	// ends (none, with ctx's error).
	Watch(ctx context.Context, ignore []int64) ([]int64, error)
}

// Beat is the server's answer to a heartbeat.
type Beat struct {
	// Held are the ids of the stages the server counts as this runner's.
	Held []int64
	// Every is how often the server wants heartbeats (a third of its
	// stage lease); zero keeps the runner's own interval.
	Every time.Duration
}

// Engines is where the runner finds the engine a stage's type names.
// sdk/host's Host satisfies it through HostEngines.
type Engines interface {
	// Engine returns the engine instance named name; an unknown or failed
	// instance is an error (ErrNotFound or ErrUnavailable).
	Engine(name string) (core.Engine, error)
	// Names returns the names of the healthy engine instances, the ones
	// the runner offers.
	Names() []string
}
