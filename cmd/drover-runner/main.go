// Command drover-runner is Drover's runner agent: see runner/cli.
package main

import (
	"context"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/drover-ci/drover/runner/cli"
)

// bundled holds the engines built into this binary (with the bundle tag,
// as the container image does), by the name of the link that starts each.
var bundled = map[string]func(){}

func main() {
	if serve, ok := bundled[filepath.Base(os.Args[0])]; ok {
		serve()
		return
	}
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Interactive: term.IsTerminal(int(os.Stdin.Fd())),
	}))
}
