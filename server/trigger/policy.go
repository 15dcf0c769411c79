package trigger

import (
	"context"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// Canceller cancels a build (the scheduler, which tells the runners).
type Canceller interface {
	Cancel(ctx context.Context, buildID int64) error
}

// fromFork reports whether b is a pull request from another repository.
func fromFork(repo *core.Repo, b *core.Build) bool {
	return b.Event == core.EventPullRequest && b.Fork != "" && b.Fork != repo.Slug
}

// ignored is ErrSkipped (with the reason) for pull requests the
// repository's settings ignore.
func ignored(repo *core.Repo, b *core.Build) error {
	switch {
	case b.Event != core.EventPullRequest:
		return nil
	case repo.IgnorePulls:
		return fmt.Errorf("%w: %s ignores pull requests", ErrSkipped, repo.Slug)
	case repo.IgnoreForks && fromFork(repo, b):
		return fmt.Errorf("%w: %s ignores pull requests from forks (this one is from %s)", ErrSkipped, repo.Slug, b.Fork)
	}
	return nil
}

// needsApproval reports whether b waits for approval: every event of a
// protected repository, and pull requests as the approval policy says
// (by default those from forks). Manual builds and promotions were
// started by someone allowed to.
func needsApproval(repo *core.Repo, b *core.Build) bool {
	if b.Event == core.EventCustom || b.Event == core.EventPromote {
		return false
	}
	if repo.Protected || repo.Approval == "all" {
		return true
	}
	if b.Event != core.EventPullRequest {
		return false
	}
	switch repo.Approval {
	case core.ApprovalNone:
		return false
	case core.ApprovalPulls:
		return true
	default:
		return fromFork(repo, b)
	}
}

// unfinished are the statuses of builds a newer one can supersede.
var unfinished = []core.Status{core.StatusPending, core.StatusBlocked, core.StatusRunning}

// cancelPrevious cancels, in a repository with cancel_previous, the
// unfinished builds of the same event and ref (branch or pull request)
// older than b, a push or pull request build that is going to run.
// Failures are logged: the new build stands either way.
func (t *Trigger) cancelPrevious(ctx context.Context, repo *core.Repo, b *core.Build) {
	if !repo.CancelPrevious || t.Canceller == nil || (b.Event != core.EventPush && b.Event != core.EventPullRequest) {
		return
	}
	older, err := t.Store.Builds().ListRef(ctx, repo.ID, b.Ref, unfinished, 0)
	if err != nil {
		t.log().Warn("find the builds a new one supersedes", "repo", repo.Slug, "build", b.Number, "err", err)
		return
	}
	for _, o := range older {
		if o.Number >= b.Number || o.Event != b.Event {
			continue
		}
		if err := t.Canceller.Cancel(ctx, o.ID); err != nil && core.ErrorCode(err) != core.CodeConflict {
			t.log().Warn("cancel a superseded build", "repo", repo.Slug, "build", o.Number, "err", err)
			continue
		}
		t.log().Info("build superseded", "repo", repo.Slug, "build", o.Number, "by", b.Number)
	}
}
