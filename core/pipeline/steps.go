package pipeline

import "github.com/drover-ci/drover/core"

// CloneStep is the name of the step that shows the runner's clone.
const CloneStep = "clone"

// StepRecords returns the steps a stage shows to users, numbered from 1:
// the clone (unless disabled; the runner clones on its host before the
// runtime starts), then the spec's steps. Their status is pending, or
// skipped for a step whose run policy is never.
func StepRecords(spec *core.Spec) []*core.Step {
	out := make([]*core.Step, 0, len(spec.Steps)+1)
	if !spec.Clone.Disable {
		out = append(out, &core.Step{Number: 1, Name: CloneStep, Status: core.StatusPending})
	}
	for _, s := range spec.Steps {
		st := &core.Step{
			Number:    len(out) + 1,
			Name:      s.Name,
			Status:    core.StatusPending,
			Detached:  s.Detach,
			DependsOn: s.DependsOn,
		}
		if s.RunPolicy == core.RunNever {
			st.Status = core.StatusSkipped
		}
		out = append(out, st)
	}
	return out
}
