// Package cli is the drover-runner command: register, run, and the
// system-service commands (install, start, stop, restart, status,
// uninstall). cmd/drover-runner only calls Main.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/drover-ci/drover/internal/version"
)

// Env is what a command works with, so tests can give their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Interactive says whether Stdin is a terminal (prompts are allowed).
	Interactive bool
}

const usage = `drover-runner runs Drover pipeline stages on this host.

Usage:
  drover-runner register [flags]   exchange a registration token for a runner token, write the config
  drover-runner run [--config F]   take and run stages until SIGTERM (then drain)
  drover-runner install|uninstall  manage the system service (runs "run" with the config)
  drover-runner start|stop|restart|status
  drover-runner version

Every command takes --config (default %s).
`

// Main runs the command in args (without the program name) and returns
// the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprintf(env.Stderr, usage, defaultConfig())
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "register":
		err = register(ctx, rest, env)
	case "run":
		err = run(ctx, rest, env)
	case "install", "uninstall", "start", "stop", "restart", "status":
		err = control(cmd, rest, env)
	case "version", "--version":
		fmt.Fprintln(env.Stdout, "drover-runner", version.Version)
	case "help", "-h", "--help":
		fmt.Fprintf(env.Stdout, usage, defaultConfig())
	default:
		fmt.Fprintf(env.Stderr, "drover-runner: unknown command %q\n\n"+usage, cmd, defaultConfig())
		return 2
	}
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "drover-runner %s: %v\n", cmd, err)
		if _, ok := err.(usageError); ok {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ error }

func defaultConfig() string {
	if p := os.Getenv("DROVER_RUNNER_CONFIG"); p != "" {
		return p
	}
	return defaultConfigPath()
}

// newFlags returns a flag set that reports errors through the returned
// error rather than exiting.
func newFlags(name string, env Env) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("drover-runner "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := fs.String("config", defaultConfig(), "configuration file")
	return fs, cfg
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	return nil
}
