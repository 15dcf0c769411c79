package core

import "context"

// Limiter is the policy applied to what a remote returns before it is
// stored, and to how many builds may run at once. It is consulted
// concurrently and must be safe for that.
type Limiter interface {
	// LimitRepos returns the repositories the user may sync from those the
	// remote listed (owner allow-list, maximum count), in order.
	LimitRepos(ctx context.Context, user *User, repos []*RemoteRepo) ([]*RemoteRepo, error)
	// BuildLimits returns how many stages of the repository, and of its
	// owner, may run at once (0: no limit). The store checks them inside the
	// claim transaction so that concurrent claimers cannot exceed them.
	BuildLimits(ctx context.Context, repo *Repo) (perRepo, perOwner int, err error)
}
