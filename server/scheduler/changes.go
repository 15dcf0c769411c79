package scheduler

import "github.com/drover-ci/drover/core"

// Change says that a build, one of its stages (StepID 0) or one of their
// steps changed. What the scheduler does not know is zero (a step's
// build, a build's status) and is looked up by the receiver.
type Change struct {
	RepoID  int64
	BuildID int64 // 0 for a step: look it up through the stage
	StageID int64 // 0 for a change of the build
	StepID  int64 // 0 for a change of the build or the stage
	Status  core.Status
	// Created marks a build's creation; Status is then the status it was
	// created with (it may have changed by the time the change is read).
	Created bool
}

// changed hands c to Options.OnChange, which must not block.
func (s *Scheduler) changed(c Change) {
	if s.opts.OnChange != nil {
		s.opts.OnChange(c)
	}
}

// stageChanged reports the final states of the steps a stage carries,
// then the stage's.
func (s *Scheduler) stageChanged(st *core.Stage) {
	if s.opts.OnChange == nil {
		return
	}
	for _, step := range st.Steps {
		s.changed(Change{RepoID: st.RepoID, BuildID: st.BuildID, StageID: st.ID, StepID: step.ID, Status: step.Status})
	}
	s.changed(Change{RepoID: st.RepoID, BuildID: st.BuildID, StageID: st.ID, Status: st.Status})
}
