package main

import (
	"context"
	"os"

	"golang.org/x/term"

	execcmd "github.com/drover-ci/drover/cmd/drover/internal/exec"
)

// runExec is `drover exec`: a pipeline file run on this machine. With the
// cobra command tree it is added as execcmd.NewCmd instead.
func runExec(args []string, env *cliEnv) int {
	ios := execcmd.IO{In: env.stdin, Out: env.stdout, Err: env.stderr}
	if f, ok := env.stdout.(*os.File); ok {
		ios.Color = os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(f.Fd()))
	}
	return execcmd.Main(context.Background(), args, ios)
}
