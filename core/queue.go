package core

import (
	"context"
	"time"
)

// Queue is the stages' queue kept in the store: pending stages are claimed
// by runners under a lease, the runners report on what they hold, expired
// leases are requeued, and builds are cancelled, approved or declined. It
// is shared by every server replica through the database, so each
// guarantee below holds across processes, not only goroutines. Every
// method is safe for concurrent use. The Scheduler is built on it.
type Queue interface {
	// Claims hands pending stages to runners.
	Claims() QueueClaims
	// Reports records what runners report on the stages they hold.
	Reports() QueueReports
	// Leases renews, finds and requeues the leases of held stages.
	Leases() QueueLeases
	// Control cancels, approves and declines builds.
	Control() QueueControl
}

// QueueClaims hands pending stages to runners, each stage to one runner.
type QueueClaims interface {
	// Claim hands pending stages, oldest first, to the runners of filters
	// that can take the same stages (they differ only in RunnerID and
	// Machine), in the filters' order; each Claim says which filter it went
	// to. A claimed stage is running, held by that filter's runner with its
	// machine recorded, leased until leaseUntil, its attempt counted; a
	// build whose first stage it is starts. Exactly once: of concurrent
	// claimers, here or on other replicas, one gets a stage and the others
	// pass over it. A stage's concurrency limit and the limits returns
	// (per repository and owner; nil: none) are checked in the claim, so
	// concurrent claimers never exceed them. A filter whose runner was
	// revoked gets nothing and is listed in gone once a stage was there for
	// it. Nothing to claim is no claims and no error.
	Claim(ctx context.Context, filters []Filter, leaseUntil time.Time, limits LimitsFunc) (claimed []Claim, gone []int, err error)
	// Details loads what the runners of stages just claimed need: each
	// stage's steps and spec (into the stages given), its build and its
	// repository, in a few queries whatever the number of stages. The
	// details' Spec, Secrets and Netrc are left to the caller. A stage
	// whose build or repository is gone is ErrNotFound; no stages is none.
	Details(ctx context.Context, stages []*Stage) ([]*StageDetails, error)
	// Release gives back a stage claimed for a runner that never received
	// it: pending again, its attempt not counted. Once the stage changed
	// since the claim (st.Version) it changes nothing and returns nil.
	Release(ctx context.Context, st *Stage) error
	// Pending returns up to limit pending stages, oldest first (none: an
	// empty list).
	Pending(ctx context.Context, limit int) ([]*Stage, error)
}

// QueueReports records a runner's reports on the stages it holds. A report
// on a stage the runner does not hold (any more: its lease expired, it was
// requeued or given to another runner) is refused with ErrConflict and
// changes nothing, so a runner that lost a stage cannot overwrite the one
// now running it.
type QueueReports interface {
	// Held returns the stage if the runner holds it: ErrNotFound when there
	// is no such stage, ErrConflict when the runner does not hold it.
	Held(ctx context.Context, runnerID, stageID int64) (*Stage, error)
	// UpdateStep saves a step's status, error, exit code and times, if its
	// stage is held by the runner (else ErrConflict, also for an unknown
	// step), and counts its version.
	UpdateStep(ctx context.Context, runnerID int64, st *Step) error
	// AppendLogs stores lines of a step of a stage the runner holds (else
	// ErrConflict), in one statement that checks the hold. Lines already
	// stored (by number) are skipped, so a retried batch is stored once.
	// Within limits: a line longer than limits.LineBytes is cut with a
	// marker; with limits.Lines > 0 a step keeps lines 0..Lines-1, and with
	// limits.Bytes > 0 the lines whose text fits in Bytes; the first line
	// past either cap is replaced by one marker line saying the log was
	// cut, and later lines are dropped.
	AppendLogs(ctx context.Context, runnerID, stepID int64, lines []*LogLine, limits LogLimits) error
	// Finish records the final status of a stage the runner holds, the
	// final state of the steps st carries with their log lines (capped as
	// AppendLogs caps them), skips its steps never reported, and settles
	// its build (see Settle); st.BuildID is set from the stored stage. A
	// report on a stage not held is ErrConflict and one carrying a step of
	// another stage ErrInvalid; either stores nothing. Exactly once: of
	// two final reports of a stage, the second is refused. When the report
	// committed but settling its build failed, the error is a
	// *SettleError: the report stands and the build is to be settled again.
	// It reports whether a stage became pending and whether the build
	// finished.
	Finish(ctx context.Context, runnerID int64, st *Stage, limits LogLimits) (promoted, buildDone bool, err error)
	// Settle brings a build up to date: waiting stages whose dependencies
	// are done become pending (or skipped when their run policy says so),
	// and the build finishes once every stage is done. It is idempotent and
	// safe to race: of concurrent settles of a build each change is made
	// once. It reports whether a stage became pending and whether it (this
	// call) finished the build.
	Settle(ctx context.Context, buildID int64) (promoted, finished bool, err error)
}

// QueueLeases keeps the leases of held stages: a runner renews them while it
// is alive, and a stage whose lease ended is requeued.
type QueueLeases interface {
	// Renew extends to until the lease of every running stage the runner
	// holds and returns their ids (none: an empty list).
	Renew(ctx context.Context, runnerID int64, until time.Time) ([]int64, error)
	// Expired returns up to limit running stages whose lease ended before
	// now, oldest first (none: an empty list).
	Expired(ctx context.Context, now time.Time, limit int) ([]*Stage, error)
	// Requeue puts a stage whose lease expired back to pending, its steps
	// reset and their logs kept as the attempt's, or ends it as error once it used
	// maxAttempts (then its build is settled; a failure of that settle is a
	// *SettleError). Exactly once: it changes the stage only if it is still
	// running at st.Version, so of replicas racing on one stage one wins
	// and the others get false and no error. It reports whether it requeued.
	Requeue(ctx context.Context, st *Stage, maxAttempts int) (requeued bool, err error)
}

// QueueControl cancels, approves and declines builds, and says which
// runners must stop what.
type QueueControl interface {
	// Cancel kills a build that is not finished: its stages not yet
	// running are skipped, running ones keep running until their runner,
	// told through Killed, reports them. It returns the build as saved. A
	// missing build is ErrNotFound, a finished one ErrConflict (also when a
	// concurrent finish or cancel got there first); a failed settle after
	// the cancel committed is a *SettleError.
	Cancel(ctx context.Context, buildID int64) (*Build, error)
	// Approve releases a build waiting for approval: its stages become
	// pending, or waiting when they depend on others. A missing build is
	// ErrNotFound; one not waiting for approval (approved or declined
	// already, also concurrently) is ErrConflict.
	Approve(ctx context.Context, buildID int64) error
	// Decline refuses a build waiting for approval: it ends declined, its
	// stages skipped. Errors as Approve's.
	Decline(ctx context.Context, buildID int64) error
	// Killed returns the running stages the runner holds whose build was
	// cancelled, by id (none: an empty list).
	Killed(ctx context.Context, runnerID int64) ([]int64, error)
	// BuildRunners returns the runners holding running stages of the build,
	// each once (none: an empty list).
	BuildRunners(ctx context.Context, buildID int64) ([]int64, error)
}
