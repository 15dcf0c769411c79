package scheduler

import (
	"context"

	"github.com/drover-ci/drover/core"
)

// RegistryCredentials is implemented by a Secrets that also gives stages
// the registry credentials their engines pull images with
// (secrets.Resolver).
type RegistryCredentials interface {
	Registries(ctx context.Context, repo *core.Repo, build *core.Build) ([]core.RegistryAuth, error)
}

// fillRegistries puts the stage's registry credentials in its spec when
// the scheduler's Secrets can give them.
func (s *Scheduler) fillRegistries(ctx context.Context, d *core.StageDetails) error {
	rc, ok := s.opts.Secrets.(RegistryCredentials)
	if !ok || !pullsImages(d.Spec) {
		return nil
	}
	regs, err := rc.Registries(ctx, d.Repo, d.Build)
	if err != nil {
		return err
	}
	d.Spec.Registries = regs
	return nil
}

// pullsImages reports whether a step of the spec names an image: without
// one (exec, ssh pipelines) there is nothing to log in for, and no query.
func pullsImages(spec *core.Spec) bool {
	for _, st := range spec.Steps {
		if st.Image != "" {
			return true
		}
	}
	return false
}
