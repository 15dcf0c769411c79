// Package exec is the `drover exec` command: it runs a pipeline file on
// this machine, without a server, through the runtime and the engine
// plugins runners use (docker, local, ssh or any drover-engine-* binary),
// with the working directory as the workspace.
//
// Exit status (through cmdutil's errors): 0 success, 1 the build failed
// or was cancelled, 2 a usage or configuration error.
package exec

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// Options are the command's flags and streams.
type Options struct {
	IO   *cmdutil.IO
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
	// getenv reads the environment (the factory's; nil: os.Getenv).
	getenv func(string) string
}

// NewCmd is `drover exec`.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

// newCmd is the command; runF, when not nil, is called with the parsed
// options instead of running them (tests of the flags).
func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: f.IO, getenv: f.Getenv}
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
		Args: cmdutil.Args(0, 1),
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
	if f.IO != nil {
		cmd.SetOut(f.IO.Out)
		cmd.SetErr(f.IO.Err)
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringArrayVar(&o.Pipelines, "pipeline", nil, "run only the pipeline `NAME` (repeatable; default every one whose trigger matches)")
	fl.StringArrayVar(&o.Include, "include", nil, "run only the steps `NAME` (repeatable; a glob such as test-*); services still run")
	fl.StringArrayVar(&o.Exclude, "exclude", nil, "skip the steps or services `NAME` (repeatable; a glob)")
	fl.StringVar(&o.Event, "event", "push", "build event: push, tag, pull_request, promote, cron, custom")
	fl.StringVar(&o.Branch, "branch", "", "branch (default the checked-out branch, else main)")
	fl.StringVar(&o.Ref, "ref", "", "git ref (default refs/heads/BRANCH)")
	fl.StringVar(&o.SHA, "sha", "", "commit sha (default the checked-out commit)")
	fl.StringVar(&o.Repo, "repo", "", "repository owner/name (default local/DIRECTORY)")
	fl.StringArrayVar(&o.SecretFiles, "secret-file", nil, "`FILE` of KEY=VALUE secrets for from_secret (repeatable; masked in the output)")
	fl.StringArrayVar(&o.EnvFiles, "env-file", nil, "`FILE` of KEY=VALUE variables for every step (repeatable)")
	fl.StringToStringVar(&o.Params, "param", nil, "build parameter `KEY=VALUE` (repeatable): ${KEY} and the steps' environment")
	fl.BoolVar(&o.Trusted, "trusted", false, "run as for a trusted repository: privileged steps, host volumes, type: exec and the local engine")
	fl.StringVar(&o.Engine, "engine", "", "engine instance for every pipeline (default the pipeline's type; exec runs on local)")
	fl.StringToStringVar(&o.EngineOpts, "engine-opt", nil, "engine option `KEY=VALUE` (repeatable), as in a runner's [[engine]] table")
	fl.StringVar(&o.PluginDir, "plugin-dir", "", "directory of the drover-engine-* plugins (default $DROVER_PLUGIN_DIR, else drover's own directory)")
	fl.StringVar(&o.Dir, "workspace", "", "`DIR` used as the workspace and searched for the default file (default the working directory)")
	fl.BoolVar(&o.Clone, "clone", false, "clone the commit into a fresh workspace instead of using the working directory")
	fl.StringVar(&o.CloneURL, "clone-url", "", "repository --clone fetches from (default the working directory's repository)")
	fl.DurationVar(&o.Timeout, "timeout", 0, "stage timeout (default 1h)")
	fl.DurationVar(&o.Grace, "grace", 10*time.Second, "how long a stopped step has to exit before it is killed")
	fl.BoolVar(&o.Debug, "debug", false, "log what the plugin host and the runtime do")
	return cmd
}

// errFailed is the error of a build that ran and did not succeed: its
// outcome is printed already.
var errFailed = cmdutil.Exit(cmdutil.ExitError)

// usageErr marks err as a usage or configuration error (exit status 2).
func usageErr(err error) error { return &cmdutil.UsageError{Err: err} }

// usagef is a usage or configuration error made from a format.
func usagef(format string, a ...any) error { return usageErr(fmt.Errorf(format, a...)) }
