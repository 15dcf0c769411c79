package secrets

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// Registries returns the registry credentials a stage's engine gets to
// pull images: the repository's and its owner's, the repository's
// winning for the same address. A pull request from a fork gets none
// unless the repository trusts forks with its secrets. Without a
// registry store there are none.
func (r *Resolver) Registries(ctx context.Context, repo *core.Repo, b *core.Build) ([]core.RegistryAuth, error) {
	if r.RegistryStore == nil {
		return nil, nil
	}
	fork := b.Event == core.EventPullRequest && b.Fork != "" && b.Fork != repo.Slug
	if fork && !repo.ForkSecrets {
		return nil, nil
	}
	all, err := r.RegistryStore.List(ctx, repo.ID, repo.Owner)
	if err != nil {
		return nil, err
	}
	var out []core.RegistryAuth
	seen := map[string]bool{}
	for _, reg := range all { // the repository's first for each address
		if seen[reg.Address] {
			continue
		}
		seen[reg.Address] = true
		out = append(out, core.RegistryAuth{Address: reg.Address, Username: reg.Username, Password: reg.Password})
	}
	return out, nil
}
