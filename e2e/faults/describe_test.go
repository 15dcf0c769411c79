package faults_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// describe is the build's state as the database holds it, with the
// runners': what a hang's failure needs to be understood.
func (e *env) describe(b *core.Build) string {
	ctx := context.Background()
	var out strings.Builder
	got, err := e.store.Builds().Find(ctx, b.ID)
	if err != nil {
		return fmt.Sprintf("read build %d: %v", b.Number, err)
	}
	fmt.Fprintf(&out, "build %d: %s (started %s, finished %s)\n", got.Number, got.Status, clock(got.Started), clock(got.Finished))
	stages, err := e.store.Stages().ListBuild(ctx, b.ID)
	if err != nil {
		fmt.Fprintf(&out, "read its stages: %v\n", err)
	}
	for _, st := range stages {
		fmt.Fprintf(&out, "  stage %d %s: %s, runner %d (%s), attempts %d, error %q, started %s, finished %s\n",
			st.Number, st.Name, st.Status, st.RunnerID, st.Machine, st.Attempts, st.Error, clock(st.Started), clock(st.Finished))
		for _, step := range st.Steps {
			fmt.Fprintf(&out, "    step %d %s: %s, exit %d, error %q\n", step.Number, step.Name, step.Status, step.ExitCode, step.Error)
		}
	}
	runners, err := e.store.Runners().List(ctx)
	if err != nil {
		fmt.Fprintf(&out, "read the runners: %v\n", err)
	}
	for _, r := range runners {
		fmt.Fprintf(&out, "  runner %d %s: last seen %s\n", r.ID, r.Name, clock(r.LastSeen))
	}
	for _, s := range e.servers {
		fmt.Fprintf(&out, "  server %s: exited %v\n", s.addr, s.p.Exited())
	}
	fmt.Fprintf(&out, "  now %s\n", clock(time.Now()))
	return out.String()
}

// clock is a time of day to the millisecond ("-" for none).
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05.000")
}
