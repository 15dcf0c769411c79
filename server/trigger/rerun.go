package trigger

import (
	"slices"
	"strings"

	"github.com/drover-ci/drover/core"
)

// keepStages keeps the specs named in only (every spec when only is nil)
// and returns them with their numbers in the whole build (from 1). A kept
// spec's dependencies on specs left out are dropped: they count as
// satisfied, so the stage is pending at once unless it waits for another
// kept stage. A name no spec has is core.ErrNotFound; an empty, non-nil
// only is core.ErrInvalid.
func keepStages(specs []*core.Spec, only []string) ([]*core.Spec, []int, error) {
	if only == nil {
		return specs, nil, nil
	}
	if len(only) == 0 {
		return nil, nil, core.Errorf(core.CodeInvalid, "no stage named to rerun")
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	for _, n := range only {
		if !slices.Contains(names, n) {
			return nil, nil, core.Errorf(core.CodeNotFound, "the build has no stage %q to rerun; its stages are %s", n, strings.Join(names, ", "))
		}
	}
	var kept []*core.Spec
	var numbers []int
	for i, s := range specs {
		if !slices.Contains(only, s.Name) {
			continue
		}
		cp := *s
		cp.DependsOn = nil
		for _, d := range s.DependsOn {
			if slices.Contains(only, d) {
				cp.DependsOn = append(cp.DependsOn, d)
			}
		}
		kept = append(kept, &cp)
		numbers = append(numbers, i+1)
	}
	return kept, numbers, nil
}
