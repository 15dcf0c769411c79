// Package exec is the `drover exec` command: it runs a pipeline file on
// this machine, without a server, through the runtime and the engine
// plugins runners use (docker, local, ssh or any drover-engine-* binary),
// with the working directory as the workspace.
//
// The root command adds it with AddCommand(exec.NewCmd(io, nil)); its
// errors carry their exit status (ExitCode): 0 success, 1 the build
// failed (or was cancelled), 2 a usage or configuration error.
package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// IO is what the command reads and writes.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	// Color says whether output may be coloured (a terminal, NO_COLOR unset).
	Color bool
}

// SystemIO returns the process's streams; colour is on when standard
// output is a terminal and NO_COLOR is unset or empty.
func SystemIO() IO {
	return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Color: os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(os.Stdout.Fd()))}
}

// Options are the command's flags and streams.
type Options struct {
	IO   IO
	File string // the pipeline file; "" the default names; "-" standard input
	Dir  string // the workspace (--workspace); "" the working directory

	Pipelines        []string
	Include, Exclude []string
	Event, Branch    string
	Ref, SHA, Repo   string
	SecretFiles      []string
	EnvFiles         []string
	Params           map[string]string
	Trusted          bool

	Engine     string            // "" the pipeline's type
	EngineOpts map[string]string // options for the engine plugins' Configure
	PluginDir  string
	Clone      bool
	CloneURL   string
	Timeout    time.Duration
	Grace      time.Duration
	Debug      bool

	// set says which flags were given.
	set map[string]bool
}

// NewCmd returns the exec command. runF, when not nil, is called with the
// parsed options instead of running them (tests of the flags).
func NewCmd(ios IO, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "exec [FILE]",
		Short: "Run a pipeline file on this machine, without a server",
		Long: `Run the pipelines of FILE (default .drover.yml, then .drone.yml; "-" reads
standard input) on this machine, on the engine plugins runners use, with
the working directory as the workspace (copied by the engine; --clone
clones the commit instead). when and trigger conditions are evaluated for
the build the flags describe; depends_on is honoured. Logs stream with a
[step] prefix. Exit status: 0 success, 1 failure, 2 usage or configuration
error. Ctrl-C stops the running steps and removes what the engine made.`,
		Example: `  drover exec
  drover exec --pipeline test --exclude deploy --secret-file .secrets
  drover exec ci.yml --event tag --ref refs/tags/v1.2.0 --param VERSION=1.2.0
  drover exec --trusted --engine local`,
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.File = args[0]
			}
			o.set = map[string]bool{}
			cmd.Flags().Visit(func(f *pflag.Flag) { o.set[f.Name] = true })
			if runF != nil {
				return runF(o)
			}
			return Run(cmd.Context(), o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	f := cmd.Flags()
	f.SortFlags = false
	f.StringArrayVar(&o.Pipelines, "pipeline", nil, "run only the pipeline `NAME` (repeatable; default every one whose trigger matches)")
	f.StringArrayVar(&o.Include, "include", nil, "run only the steps `NAME` (repeatable; a glob such as test-*); services still run")
	f.StringArrayVar(&o.Exclude, "exclude", nil, "skip the steps or services `NAME` (repeatable; a glob)")
	f.StringVar(&o.Event, "event", "push", "build event: push, tag, pull_request, promote, cron, custom")
	f.StringVar(&o.Branch, "branch", "", "branch (default the checked-out branch, else main)")
	f.StringVar(&o.Ref, "ref", "", "git ref (default refs/heads/BRANCH)")
	f.StringVar(&o.SHA, "sha", "", "commit sha (default the checked-out commit)")
	f.StringVar(&o.Repo, "repo", "", "repository owner/name (default local/DIRECTORY)")
	f.StringArrayVar(&o.SecretFiles, "secret-file", nil, "`FILE` of KEY=VALUE secrets for from_secret (repeatable; masked in the output)")
	f.StringArrayVar(&o.EnvFiles, "env-file", nil, "`FILE` of KEY=VALUE variables for every step (repeatable)")
	f.StringToStringVar(&o.Params, "param", nil, "build parameter `KEY=VALUE` (repeatable): ${KEY} and the steps' environment")
	f.BoolVar(&o.Trusted, "trusted", false, "run as for a trusted repository: privileged steps, host volumes, type: exec and the local engine")
	f.StringVar(&o.Engine, "engine", "", "engine instance for every pipeline (default the pipeline's type; exec runs on local)")
	f.StringToStringVar(&o.EngineOpts, "engine-opt", nil, "engine option `KEY=VALUE` (repeatable), as in a runner's [[engine]] table")
	f.StringVar(&o.PluginDir, "plugin-dir", "", "directory of the drover-engine-* plugins (default $DROVER_PLUGIN_DIR, else drover's own directory)")
	f.StringVar(&o.Dir, "workspace", "", "`DIR` used as the workspace and searched for the default file (default the working directory)")
	f.BoolVar(&o.Clone, "clone", false, "clone the commit into a fresh workspace instead of using the working directory")
	f.StringVar(&o.CloneURL, "clone-url", "", "repository --clone fetches from (default the working directory's repository)")
	f.DurationVar(&o.Timeout, "timeout", 0, "stage timeout (default 1h)")
	f.DurationVar(&o.Grace, "grace", 10*time.Second, "how long a stopped step has to exit before it is killed")
	f.BoolVar(&o.Debug, "debug", false, "log what the plugin host and the runtime do")
	return cmd
}

// Main runs `drover exec` with args (those after "exec") until it ends or
// SIGINT/SIGTERM cancels it, and returns the exit status; it prints one
// line for an error.
func Main(ctx context.Context, args []string, ios IO) int {
	root := &cobra.Command{Use: "drover", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(NewCmd(ios, nil))
	root.SetArgs(append([]string{"exec"}, args...))
	root.SetOut(ios.Out)
	root.SetErr(ios.Err)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errFailed) {
		fmt.Fprintf(ios.Err, "drover exec: %v\n", err)
	}
	return ExitCode(err)
}

// ExitError is an error with the exit status it stands for.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode returns the status the error stands for.
func (e *ExitError) ExitCode() int { return e.Code }

// errFailed is the error of a build that ran and did not succeed; its
// outcome is printed already.
var errFailed = errors.New("the build failed")

// ExitCode returns the exit status for an error of the command: 0 for
// nil, an ExitError's code, 2 for cobra's own usage errors, else 1.
func ExitCode(err error) int {
	var ee *ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.Code
	case errors.Is(err, errFailed):
		return 1
	}
	return 2 // cobra's argument errors are the only others
}

// usageErr marks err as a usage or configuration error (exit status 2).
func usageErr(err error) error { return &ExitError{Code: 2, Err: err} }

// usagef is a usage or configuration error made from a format.
func usagef(format string, a ...any) error { return usageErr(fmt.Errorf(format, a...)) }
