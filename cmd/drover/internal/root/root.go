// Package root assembles the drover command tree and runs it: every
// group's package adds its commands here.
package root

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/account"
	"github.com/drover-ci/drover/cmd/drover/internal/build"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/cmd/drover/internal/cron"
	"github.com/drover-ci/drover/cmd/drover/internal/exec"
	"github.com/drover-ci/drover/cmd/drover/internal/mirror"
	"github.com/drover-ci/drover/cmd/drover/internal/pipelinecmd"
	"github.com/drover-ci/drover/cmd/drover/internal/plugin"
	"github.com/drover-ci/drover/cmd/drover/internal/registry"
	"github.com/drover-ci/drover/cmd/drover/internal/repo"
	"github.com/drover-ci/drover/cmd/drover/internal/runner"
	"github.com/drover-ci/drover/cmd/drover/internal/secret"
	"github.com/drover-ci/drover/cmd/drover/internal/user"
)

// New is the drover command with all its groups.
func New(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "drover <command>",
		Short: "Drover's command-line client",
		Long: `Drover's command-line client: builds, repositories, secrets, schedules,
mirrors, runners and users of a Drover server (through its HTTP API), and pipeline
files on this machine.

Start with: drover login https://ci.example.com
Lists print tables; --json (or --json=FIELD,FIELD), --jq EXPR and
--template TEXT print JSON for scripts.`,
		Version:       f.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.Usagef("unknown command %q (see drover --help)", args[0])
			}
			fmt.Fprintf(f.IO.Err, "usage: drover <command> [arguments]\n\n%s", cmd.UsageString())
			return cmdutil.Exit(cmdutil.ExitUsage)
		},
	}
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.Err)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.UsageError{Err: err} })
	cmd.PersistentFlags().StringVar(&f.Remote, "remote", "", "the remote of the repositories named, when not your own (a system admin's machine token has none)")
	cmd.AddGroup(&cobra.Group{ID: "server", Title: "Server commands:"}, &cobra.Group{ID: "local", Title: "Local commands:"})
	for _, c := range []*cobra.Command{
		account.NewLogin(f), account.NewLogout(f), account.NewContext(f), account.NewInfo(f),
		repo.NewCmd(f), build.NewCmd(f), secret.NewCmd(f), secret.NewOrgCmd(f), registry.NewCmd(f),
		cron.NewCmd(f), mirror.NewCmd(f), runner.NewCmd(f), user.NewCmd(f), plugin.NewCmd(f),
	} {
		c.GroupID = "server"
		cmd.AddCommand(c)
	}
	for _, c := range []*cobra.Command{pipelinecmd.NewCmd(f), exec.NewCmd(f)} {
		c.GroupID = "local"
		cmd.AddCommand(c)
	}
	cmd.InitDefaultCompletionCmd()
	for _, c := range cmd.Commands() {
		if c.Name() == "completion" {
			cmdutil.AsGroup(c) // drover completion tcsh: an error, not its help
		}
	}
	return cmd
}

// Run runs the command line and returns the exit code: 0 success, 1 the
// command failed (an API error, a failed build, an invalid file), 2 the
// command line is wrong. Errors are printed as one line on f.IO.Err.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := New(f)
	cmd.SetArgs(jsonFieldArgs(cmd, args))
	ran, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	code := cmdutil.Code(err)
	if code == cmdutil.ExitOK {
		return code
	}
	if _, silent := err.(*cmdutil.SilentError); !silent {
		name := "drover"
		if ran != nil {
			name = ran.CommandPath()
		}
		fmt.Fprintf(f.IO.Err, "%s: %s\n", name, cmdutil.OneLine(err))
	}
	return code
}

// jsonFieldArgs reads `--json a,b` as `--json=a,b` when every item of
// the next argument is a field of the command's output: --json alone
// means all fields, so the space would otherwise make them an argument.
func jsonFieldArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd.Annotations[cmdutil.FieldsAnnotation] == "" {
		return args
	}
	fields := strings.Split(cmd.Annotations[cmdutil.FieldsAnnotation], ",")
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == "--json" && i+1 < len(args) && allIn(strings.Split(args[i+1], ","), fields) {
			out = append(out, "--json="+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

func allIn(items, set []string) bool {
	for _, it := range items {
		if !slices.Contains(set, strings.TrimSpace(it)) {
			return false
		}
	}
	return len(items) > 0
}
