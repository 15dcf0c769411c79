package core

import (
	"context"
	"time"
)

// Filter describes what a runner can take: a stage matches when its type is
// one of Engines, its os/arch equal the runner's (empty matches any), and
// every label it asks for is among the runner's labels with the same value.
type Filter struct {
	RunnerID int64             `json:"runner_id"`
	OS       string            `json:"os"`
	Arch     string            `json:"arch"`
	Labels   map[string]string `json:"labels,omitempty"`
	Engines  []string          `json:"engines"`
	// Machine is recorded on the stage the runner is given (its host
	// name); it plays no part in matching.
	Machine string `json:"machine,omitempty"`
}

// Matches reports whether the stage can run on a runner with this filter.
func (f *Filter) Matches(s *Stage) bool {
	if s.OS != "" && f.OS != "" && s.OS != f.OS {
		return false
	}
	if s.Arch != "" && f.Arch != "" && s.Arch != f.Arch {
		return false
	}
	found := false
	for _, e := range f.Engines {
		if e == s.Type {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	for k, v := range s.Labels {
		if f.Labels[k] != v {
			return false
		}
	}
	return true
}

// StageDetails is everything a runner needs to run a claimed stage.
type StageDetails struct {
	Stage   *Stage            `json:"stage"`
	Build   *Build            `json:"build"`
	Repo    *Repo             `json:"repo"`
	Spec    *Spec             `json:"spec"`
	Secrets map[string]string `json:"secrets,omitempty"` // name → value, only those the spec references
	Netrc   *Netrc            `json:"netrc,omitempty"`
}

// DefaultLease is how long a claim holds without a heartbeat.
const DefaultLease = 60 * time.Second

// Scheduler is the queue of stages, shared by every server replica through
// the store. Runners call it (over HTTP, or in-process for the local
// runner); the API calls Cancel. Safe for concurrent use.
//
// A runner's cycle: Request (long-poll; the stage is claimed for it and
// comes with everything needed to run it), then UpdateStep / AppendLogs /
// UpdateStage, while Heartbeat renews the leases of every stage it holds
// (and says which those are, so a runner learns of a stage it lost) and
// one Watch per runner tells it of cancels. A stage whose lease expires is
// requeued (or fails after too many attempts).
type Scheduler interface {
	// Request blocks until a pending stage matching f is claimed for the
	// runner and returns what the runner needs to run it: the stage is
	// running, held by f.RunnerID under a lease, with f.Machine recorded.
	// If ctx ends first it returns ctx's error and claims nothing.
	Request(ctx context.Context, f Filter) (*StageDetails, error)
	// Details returns what the runner needs to run a stage it holds.
	Details(ctx context.Context, runnerID, stageID int64) (*StageDetails, error)
	// Heartbeat renews the leases of every stage the runner holds and
	// returns their ids.
	Heartbeat(ctx context.Context, runnerID int64) ([]int64, error)
	// UpdateStage records a held stage's status; a final status releases
	// it, finishes the build when it was the last, and promotes waiting
	// stages that depended on it.
	UpdateStage(ctx context.Context, runnerID int64, stage *Stage) error
	// UpdateStep records a step's status for a held stage.
	UpdateStep(ctx context.Context, runnerID int64, step *Step) error
	// AppendLogs stores log lines of a step of a held stage and fans them
	// out to live viewers; lines already stored are ignored.
	AppendLogs(ctx context.Context, runnerID, stepID int64, lines []*LogLine) error
	// Watch blocks until stages the runner holds, other than those in
	// ignore, must stop because their build was cancelled, and returns
	// their ids; it returns nothing when ctx ends first.
	Watch(ctx context.Context, runnerID int64, ignore []int64) ([]int64, error)
	// Cancel kills a build: pending stages are skipped, running ones are
	// told to stop through Watch.
	Cancel(ctx context.Context, buildID int64) error
}

// StageParker is implemented by schedulers that can hold a runner's
// request without a goroutine waiting on it, so that thousands of idle
// runners' long-polls cost little memory.
type StageParker interface {
	// Park queues a request for a stage matching f, like Request. answer is
	// called exactly once, on another goroutine: with the stage claimed for
	// the runner (it reports whether the stage reached the runner; one that
	// did not is given back to the queue), with an error, or with neither
	// when timeout passes or cancel is called first.
	Park(f Filter, timeout time.Duration, answer func(*StageDetails, error) bool) (cancel func())
}
