// Command drover-runner is Drover's runner agent: see runner/cli.
package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/term"

	"github.com/drover-ci/drover/runner/cli"
	"github.com/drover-ci/drover/runner/gitremote"
)

// bundled holds the engines built into this binary (with the bundle tag,
// as the container image does), by the name of the link that starts each.
var bundled = map[string]func(){}

func main() {
	name := filepath.Base(os.Args[0])
	if slices.Contains(gitremote.Names, name) { // git's http(s) helper, in the image
		os.Exit(gitremote.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if serve, ok := bundled[name]; ok {
		serve()
		return
	}
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Interactive: term.IsTerminal(int(os.Stdin.Fd())),
	}))
}
