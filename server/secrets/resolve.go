package secrets

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// Resolver picks the secrets a stage may see. It implements the
// scheduler's Secrets.
type Resolver struct {
	Store core.SecretStore
	// RegistryStore, when set, gives stages their registry credentials
	// (Registries).
	RegistryStore core.RegistryStore
}

// Resolve returns the named secrets of the repository and of its owner's
// organisation that the build may see, a repository secret winning over
// the organisation's of the same name (even for events it is not given
// to). A secret is given to the events it
// names (Secret.GivenTo). A pull request from a fork sees only secrets
// that allow forks, unless the repository trusts forks with all its
// secrets (ForkSecrets). A missing secret is simply absent; the step sees
// an empty variable, as with Drone.
func (r *Resolver) Resolve(ctx context.Context, repo *core.Repo, b *core.Build, names []string) (map[string]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	pr := b.Event == core.EventPullRequest
	fork := pr && b.Fork != "" && b.Fork != repo.Slug
	all, err := r.Store.List(ctx, repo.ID, repo.Owner)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	// A repository secret shadows the organisation's of the same name,
	// even for builds it is not given to.
	chosen := map[string]*core.Secret{}
	for _, s := range all {
		if prev := chosen[s.Name]; want[s.Name] && (prev == nil || prev.RepoID == 0) {
			chosen[s.Name] = s
		}
	}
	out := map[string]string{}
	for name, s := range chosen {
		if given(s, repo, b.Event, fork) {
			out[name] = s.Data
		}
	}
	return out, nil
}

// given reports whether the secret reaches a build of the event (fork:
// a pull request from a fork).
func given(s *core.Secret, repo *core.Repo, event string, fork bool) bool {
	if fork && repo.ForkSecrets {
		return true
	}
	if fork && !s.Fork {
		return false
	}
	return s.GivenTo(event)
}
