// Command drover is Drover's command-line client. Commands are grouped
// (`drover pipeline lint`, ...), one file per group.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// group is a command group: drover <name> <command> [args].
type group struct {
	summary string
	run     func(args []string, env *cliEnv) int
}

// cliEnv is what a command reads and writes, so tests can run commands
// in-process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

var groups = map[string]group{
	"pipeline": {summary: "lint and compile pipeline files (.drover.yml, .drone.yml)", run: runPipeline},
	"exec":     {summary: "run a pipeline file on this machine, without a server (drover exec --help)", run: runExec},
}

func main() {
	os.Exit(run(os.Args[1:], &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// run executes the command line and returns the exit code: 0 success,
// 1 the input is invalid (e.g. pipeline problems), 2 usage errors.
func run(args []string, env *cliEnv) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	g, ok := groups[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "drover: unknown command %q\n", args[0])
		usage(env.stderr)
		return 2
	}
	return g.run(args[1:], env)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: drover <command> [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, groups[n].summary)
	}
}
