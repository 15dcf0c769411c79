package limiter

import (
	"context"
	"path"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Limits is the sync policy: an owner allow-list and a maximum number of
// repositories per user. It is the LimitRepos half of core.Limiter (the
// syncer's RepoLimiter).
type Limits struct {
	// Owners are the owners (users or organisations) whose repositories
	// may be synced, as case-insensitive path.Match patterns ("acme",
	// "team-*"); empty allows every owner.
	Owners []string
	// Max is the most repositories one user syncs; 0 means no maximum.
	// Beyond it the remote's order decides which are kept.
	Max int
}

// LimitRepos keeps, in the remote's order, the repositories of allowed
// owners, at most Max of them.
func (l Limits) LimitRepos(_ context.Context, _ *core.User, repos []*core.RemoteRepo) ([]*core.RemoteRepo, error) {
	out := make([]*core.RemoteRepo, 0, len(repos))
	for _, r := range repos {
		if l.Max > 0 && len(out) >= l.Max {
			break
		}
		if l.allowed(r.Owner) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (l Limits) allowed(owner string) bool {
	if len(l.Owners) == 0 {
		return true
	}
	owner = strings.ToLower(owner)
	for _, p := range l.Owners {
		if ok, err := path.Match(strings.ToLower(p), owner); err == nil && ok {
			return true
		}
	}
	return false
}
