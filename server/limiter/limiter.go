// Package limiter is the server's core.Limiter: the sync policy (owner
// allow-list, repositories per user) and how many stages a repository or
// an owner may run at once, all from the configuration.
package limiter

import (
	"context"
	"strings"

	"github.com/drover-ci/drover/core"
)

// Policy implements core.Limiter.
type Policy struct {
	Limits
	PerRepo  int // running stages per repository; 0: no limit
	PerOwner int // running stages per owner; 0: no limit
}

var _ core.Limiter = Policy{}

// New returns the policy for the configuration's values; owners is a
// comma-separated list of owner patterns (empty: every owner).
func New(owners string, maxRepos, perRepo, perOwner int) Policy {
	var list []string
	for _, o := range strings.Split(owners, ",") {
		if o = strings.TrimSpace(o); o != "" {
			list = append(list, o)
		}
	}
	return Policy{Limits: Limits{Owners: list, Max: maxRepos}, PerRepo: perRepo, PerOwner: perOwner}
}

// BuildLimits implements core.Limiter.
func (p Policy) BuildLimits(context.Context, *core.Repo) (int, int, error) {
	return p.PerRepo, p.PerOwner, nil
}

// Unlimited reports whether the policy sets no build limits (the
// scheduler then skips asking per claim).
func (p Policy) Unlimited() bool { return p.PerRepo == 0 && p.PerOwner == 0 }
