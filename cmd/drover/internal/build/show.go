package build

import (
	"fmt"
	"time"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

func buildTable(s *cmdutil.IO, builds []*core.Build) error {
	now := time.Now()
	t := cmdutil.NewTable(s, "NUMBER", "STATUS", "EVENT", "BRANCH", "COMMIT", "AUTHOR", "CREATED", "TOOK")
	for _, b := range builds {
		t.Row(fmt.Sprint(b.Number), cmdutil.Status(s, string(b.Status)), b.Event, cmdutil.OrDash(b.Target),
			cmdutil.OrDash(cmdutil.Short(b.After)), cmdutil.OrDash(b.Author), cmdutil.Ago(b.Created, now),
			cmdutil.Took(b.Started, b.Finished, now))
	}
	return t.Flush()
}

// showBuild prints a build's fields, then its stages' steps.
func showBuild(s *cmdutil.IO, b *client.BuildView) error {
	now := time.Now()
	kv := []string{"Build", fmt.Sprintf("#%d", b.Number), "Status", cmdutil.Status(s, string(b.Status)),
		"Event", b.Event, "Ref", b.Ref, "Commit", cmdutil.OrDash(b.After), "Branch", cmdutil.OrDash(b.Target),
		"Author", cmdutil.OrDash(b.Author), "Message", cmdutil.OrDash(firstLine(b.Message)),
		"Created", cmdutil.Ago(b.Created, now), "Took", cmdutil.Took(b.Started, b.Finished, now)}
	if b.Parent > 0 {
		kv = append(kv, "Restarts", fmt.Sprintf("#%d", b.Parent))
	}
	if b.Deploy != "" {
		kv = append(kv, "Deploy to", b.Deploy)
	}
	if b.Error != "" {
		kv = append(kv, "Error", b.Error)
	}
	if err := cmdutil.Fields(s, kv...); err != nil {
		return err
	}
	if len(b.Stages) == 0 {
		return nil
	}
	fmt.Fprintln(s.Out)
	t := cmdutil.NewTable(s, "STAGE", "STEP", "STATUS", "EXIT", "TOOK", "NOTE")
	for _, st := range b.Stages {
		note := st.Error
		if st.Unmatched != "" {
			note = st.Unmatched
		}
		t.Row(fmt.Sprintf("%d %s", st.Number, st.Name), "", cmdutil.Status(s, string(st.Status)), "",
			cmdutil.Took(st.Started, st.Finished, now), note)
		for _, step := range st.Steps {
			t.Row("", fmt.Sprintf("%d %s", step.Number, step.Name), cmdutil.Status(s, string(step.Status)),
				exit(step), cmdutil.Took(step.Started, step.Finished, now), step.Error)
		}
	}
	return t.Flush()
}

func exit(step *core.Step) string {
	if !step.Status.Done() || step.Status == core.StatusSkipped {
		return ""
	}
	return fmt.Sprint(step.ExitCode)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
