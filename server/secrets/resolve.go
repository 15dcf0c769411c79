package secrets

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// Resolver picks the secrets a stage may see. It implements the
// scheduler's Secrets.
type Resolver struct {
	Store core.SecretStore
}

// Resolve returns the named secrets of the repository (or, failing that,
// of its owner's organisation) that the build may see: none for a pull
// request from a fork unless the repository allows it, and for other pull
// requests only those marked for pull requests. A missing secret is
// simply absent; the step sees an empty variable, as with Drone.
func (r *Resolver) Resolve(ctx context.Context, repo *core.Repo, b *core.Build, names []string) (map[string]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	pr := b.Event == core.EventPullRequest
	fork := pr && b.Fork != "" && b.Fork != repo.Slug
	if fork && !repo.ForkSecrets {
		return nil, nil
	}
	all, err := r.Store.List(ctx, repo.ID, repo.Owner)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	out := map[string]string{}
	for _, s := range all {
		if !want[s.Name] || (pr && !fork && !s.PullRequest) {
			continue
		}
		// A repository secret wins over the organisation's of the same name.
		if _, taken := out[s.Name]; taken && s.RepoID == 0 {
			continue
		}
		out[s.Name] = s.Data
	}
	return out, nil
}
