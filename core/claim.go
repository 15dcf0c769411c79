package core

import (
	"context"
	"fmt"
)

// Claim is a stage handed to a runner by QueueClaims.Claim.
type Claim struct {
	Stage        *Stage
	For          int  // the index of the filter (the runner) it went to
	BuildStarted bool // it was the build's first stage to start
}

// LimitsFunc returns the build limits of a repository (see
// Limiter.BuildLimits): how many of its stages, and of its owner's, may run
// at once (0: no limit).
type LimitsFunc func(ctx context.Context, repo *Repo) (perRepo, perOwner int, err error)

// SettleError says a change of the queue committed but settling its build
// afterwards failed: the change stands; the build should be settled again
// (QueueReports.Settle).
type SettleError struct {
	BuildID int64
	Err     error
}

// Error implements error.
func (e *SettleError) Error() string {
	return fmt.Sprintf("settle build %d: %v", e.BuildID, e.Err)
}

// Unwrap returns the settle's failure.
func (e *SettleError) Unwrap() error { return e.Err }
