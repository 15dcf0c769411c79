package build

import (
	"context"
	"time"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// pollEvery is how often a followed build is read again while its next
// step has not started.
const pollEvery = time.Second

// follow streams the steps' lines in order: each step once it started,
// until it ends (the server's stream says so), re-reading the build
// while the next step waits.
func follow(ctx context.Context, f *cmdutil.Factory, c *client.Client, ref client.Ref, b *client.BuildView, steps []stageStep, prefix bool) error {
	for _, s := range steps {
		for !hasStarted(s.step.Status) && !b.Status.Done() {
			if err := f.Wait(ctx, pollEvery); err != nil {
				return err
			}
			var err error
			if b, err = c.Builds.Get(ctx, ref, b.Number); err != nil {
				return err
			}
			if now := findStep(b, s); now != nil {
				s.step = now
			}
		}
		if !hasStarted(s.step.Status) || s.step.Status == core.StatusSkipped {
			continue
		}
		st := client.StepRef{Repo: ref, Build: b.Number, Stage: s.stage.Number, Step: s.step.Number}
		err := c.Logs.Follow(ctx, st, 0, func(l *core.LogLine) error {
			printLine(f.IO.Out, prefix, s.stage.Name, s.step.Name, l.Text)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// hasStarted says a step runs or ran.
func hasStarted(s core.Status) bool {
	return s != core.StatusPending && s != core.StatusWaiting && s != core.StatusBlocked && s != ""
}

// findStep is the step s names in b (read again), or nil.
func findStep(b *client.BuildView, s stageStep) *core.Step {
	for _, st := range b.Stages {
		if st.Number != s.stage.Number {
			continue
		}
		for _, step := range st.Steps {
			if step.Number == s.step.Number {
				return step
			}
		}
	}
	return nil
}
