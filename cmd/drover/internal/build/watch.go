package build

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

func newWatch(f *cmdutil.Factory) *cobra.Command {
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "watch OWNER/NAME [NUMBER]",
		Short: "Follow a build's stages until it ends; the exit status is its result",
		Long: `Follow a build (the latest without NUMBER) until it ends, reading it again
whenever the server's event stream (GET /api/stream) says it changed, or
every --interval when the stream cannot be followed. On a terminal
its stages and steps are shown as they change; piped, only the outcome is
printed. The exit status is 0 when the build succeeded (or was skipped),
1 when it failed, errored, was killed or declined.`,
		Example: "  drover build create acme/app --json=number --jq .number | xargs drover build watch acme/app",
		Args:    cmdutil.Args(1, 2),
	}
	cmd.Flags().DurationVar(&interval, "interval", 2*time.Second, "how often the build is read when the server's event stream is not available")
	out := cmdutil.AddExportFlags(cmd, client.BuildView{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		if interval <= 0 {
			return cmdutil.Usagef("--interval must be positive")
		}
		ref, c, err := repoClient(f, args[0])
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		var b *client.BuildView
		if len(args) == 2 {
			n, err := cmdutil.Number("build", args[1])
			if err != nil {
				return err
			}
			b, err = c.Builds.Get(ctx, ref, n)
			if err != nil {
				return err
			}
		} else if b, err = last(ctx, c, ref, client.BuildList{}); err != nil {
			return err
		}
		live := f.IO.OutTTY && !out.Active()
		screen := &redraw{io: f.IO}
		b, err = watchBuild(ctx, c, ref, b, interval, func(b *client.BuildView) {
			if live {
				screen.show(b)
			}
		})
		if err != nil {
			return err
		}
		err = cmdutil.Print(f.IO, out, b, func() error {
			fmt.Fprintf(f.IO.Out, "Build %s#%d %s in %s.\n", ref, b.Number, cmdutil.Status(f.IO, string(b.Status)),
				cmdutil.Took(b.Started, b.Finished, time.Now()))
			return nil
		})
		if err != nil {
			return err
		}
		return cmdutil.Exit(result(b.Status))
	}
	return cmd
}

// result is the exit status of a finished build.
func result(s core.Status) int {
	if s == core.StatusSuccess || s == core.StatusSkipped {
		return cmdutil.ExitOK
	}
	return cmdutil.ExitError
}

// redraw shows a build's stages and steps on a terminal, replacing what
// it showed before.
type redraw struct {
	io    *cmdutil.IO
	lines int
	last  string
}

func (r *redraw) show(b *client.BuildView) {
	var buf bytes.Buffer
	s := *r.io
	s.Out = &buf
	fmt.Fprintf(&buf, "Build #%d %s\n", b.Number, cmdutil.Status(&s, string(b.Status)))
	t := cmdutil.NewTable(&s)
	for _, st := range b.Stages {
		t.Row("  "+st.Name, cmdutil.Status(&s, string(st.Status)), cmdutil.Took(st.Started, st.Finished, time.Now()))
		for _, step := range st.Steps {
			t.Row("    "+step.Name, cmdutil.Status(&s, string(step.Status)), cmdutil.Took(step.Started, step.Finished, time.Now()))
		}
	}
	_ = t.Flush()
	text := buf.String()
	if text == r.last {
		return
	}
	if r.lines > 0 {
		fmt.Fprintf(r.io.Out, "\x1b[%dA\x1b[J", r.lines) // up, and clear to the end
	}
	fmt.Fprint(r.io.Out, text)
	r.last, r.lines = text, strings.Count(text, "\n")
}
