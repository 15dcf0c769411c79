package build

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// logLine is a line as `build logs --json` prints it.
type logLine struct {
	Stage string `json:"stage"`
	Step  string `json:"step"`
	Pos   int64  `json:"pos"`
	Time  int64  `json:"time"`
	Out   string `json:"out"`
}

type logsOptions struct {
	follow, raw, failed bool
}

func newLogs(f *cmdutil.Factory) *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs OWNER/NAME NUMBER [STAGE [STEP]]",
		Short: "Print a build's logs: every step's, a stage's or one step's",
		Long: `Print the logs of a build's steps, in order. STAGE and STEP are names or
numbers; without them every step is printed, each line prefixed with
[stage/step]. --follow streams the lines as they are printed until the
build ends; --failed prints only the steps that failed.`,
		Example: "  drover build logs acme/app 42\n  drover build logs acme/app 42 default test -f",
		Args:    cmdutil.Args(2, 4),
	}
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "stream the lines until the build ends")
	cmd.Flags().BoolVar(&o.raw, "raw", false, "the whole log as the server stores it, as text (one step)")
	cmd.Flags().BoolVar(&o.failed, "failed", false, "only the steps that failed")
	out := cmdutil.AddExportFlags(cmd, logLine{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		if out.Active() && (o.follow || o.raw) {
			return cmdutil.Usagef("--json, --jq and --template print whole logs: not with --follow or --raw")
		}
		ref, n, c, err := buildArgs(f, args)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		b, err := c.Builds.Get(ctx, ref, n)
		if err != nil {
			return err
		}
		steps, err := selectSteps(b, args[2:], o.failed)
		if err != nil {
			return err
		}
		prefix := len(args) < 4
		switch {
		case o.raw:
			if len(steps) != 1 {
				return cmdutil.Usagef("--raw prints one step: name its STAGE and STEP")
			}
			return raw(ctx, f, c, ref, n, steps[0])
		case o.follow:
			return follow(ctx, f, c, ref, b, steps, prefix)
		}
		var all []logLine
		for _, s := range steps {
			lines, err := c.Logs.Lines(ctx, client.StepRef{Repo: ref, Build: n, Stage: s.stage.Number, Step: s.step.Number})
			if err != nil {
				return err
			}
			for _, l := range lines {
				all = append(all, logLine{Stage: s.stage.Name, Step: s.step.Name, Pos: l.Number, Time: l.Time, Out: l.Text})
			}
		}
		if all == nil {
			all = []logLine{}
		}
		return cmdutil.Print(f.IO, out, all, func() error {
			for _, l := range all {
				printLine(f.IO.Out, prefix, l.Stage, l.Step, l.Out)
			}
			return nil
		})
	}
	return cmd
}

func printLine(w io.Writer, prefix bool, stage, step, text string) {
	if prefix {
		fmt.Fprintf(w, "[%s/%s] %s\n", stage, step, text)
		return
	}
	fmt.Fprintln(w, text)
}

// stageStep is a step with its stage.
type stageStep struct {
	stage *client.StageView
	step  *core.Step
}

// selectSteps are the build's steps the arguments name (all without
// them), only failed ones with failed.
func selectSteps(b *client.BuildView, names []string, failed bool) ([]stageStep, error) {
	var out []stageStep
	found := false
	for _, st := range b.Stages {
		if len(names) > 0 && !named(names[0], st.Name, st.Number) {
			continue
		}
		found = true
		for _, step := range st.Steps {
			if len(names) > 1 && !named(names[1], step.Name, step.Number) {
				continue
			}
			if failed && !step.Status.Failed() {
				continue
			}
			out = append(out, stageStep{st, step})
		}
	}
	switch {
	case len(names) > 0 && !found:
		return nil, fmt.Errorf("build %d has no stage %q (see drover build info)", b.Number, names[0])
	case len(names) > 1 && len(out) == 0 && !failed:
		return nil, fmt.Errorf("stage %q of build %d has no step %q (see drover build info)", names[0], b.Number, names[1])
	}
	return out, nil
}

func named(arg, name string, number int) bool {
	return arg == name || arg == strconv.Itoa(number)
}

func raw(ctx context.Context, f *cmdutil.Factory, c *client.Client, ref client.Ref, n int64, s stageStep) error {
	body, err := c.Logs.Raw(ctx, client.StepRef{Repo: ref, Build: n, Stage: s.stage.Number, Step: s.step.Number})
	if err != nil {
		return err
	}
	defer body.Close()
	if _, err := io.Copy(f.IO.Out, body); err != nil {
		return fmt.Errorf("read the log: %w", err)
	}
	return nil
}
