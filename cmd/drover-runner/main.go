// Command drover-runner is Drover's runner agent: see runner/cli.
package main

import (
	"context"
	"os"

	"golang.org/x/term"

	"github.com/drover-ci/drover/runner/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Interactive: term.IsTerminal(int(os.Stdin.Fd())),
	}))
}
