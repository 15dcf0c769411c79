package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/cmd/drover/internal/root"
	"github.com/drover-ci/drover/server/store/storetest"
)

// untested are the commands whose routes are still being built on other
// branches: their tests run once the server declares the route.
var untested = map[string]string{
	"drover repo update":   "PATCH /api/repos/{owner}/{name}",
	"drover repo repair":   "POST /api/repos/{owner}/{name}/repair",
	"drover repo chown":    "POST /api/repos/{owner}/{name}/chown",
	"drover build promote": "POST /api/repos/{owner}/{name}/builds/{number}/promote",
}

// TestMain runs the tests and then, when all of them ran, fails if a
// command of the tree was run by none.
func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		var missing []string
		for _, c := range commands(root.New(&cmdutil.Factory{IO: cmdutil.Test(nil, nil, nil), Getenv: os.Getenv})) {
			if _, ok := ran.Load(c.CommandPath()); !ok && untested[c.CommandPath()] == "" && c.Annotations[cmdutil.GroupAnnotation] == "" {
				missing = append(missing, c.CommandPath())
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			fmt.Fprintf(os.Stderr, "FAIL: no test runs %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// commands are every command of the tree but cobra's own help.
func commands(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if sub.Name() == "help" || strings.HasPrefix(sub.Name(), "__") {
			continue
		}
		out = append(out, sub)
		out = append(out, commands(sub)...)
	}
	return out
}

// TestEveryCommandHasHelp: --help of every command exits 0 with its usage.
func TestEveryCommandHasHelp(t *testing.T) {
	cfg := t.TempDir() + "/config.json"
	all := commands(root.New(&cmdutil.Factory{IO: cmdutil.Test(nil, nil, nil), Getenv: os.Getenv}))
	if len(all) < 60 {
		t.Fatalf("only %d commands", len(all))
	}
	for _, c := range all {
		path := strings.Fields(c.CommandPath())[1:]
		r := runCLI(t, cfg, nil, "", append(path, "--help")...)
		about := c.Long
		if about == "" {
			about = c.Short
		}
		if r.code != 0 || !strings.Contains(r.out, "Usage:") || !strings.Contains(r.out, about) {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", c.CommandPath(), r.code, r.out, r.err)
		}
	}
}

// TestCompletion: the completion scripts for bash, zsh and fish.
func TestCompletion(t *testing.T) {
	cfg := t.TempDir() + "/config.json"
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, cfg, nil, "", "completion", shell)
		if r.code != 0 || !strings.Contains(r.out, "drover") || len(r.out) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, r.code, len(r.out), r.err)
		}
	}
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}, {"build"}, {"runner", "tokenz"}} {
		r := runCLI(t, cfg, nil, "", args...)
		if r.code != 2 {
			t.Errorf("drover %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), r.code, r.err)
		}
	}
	// The dynamic completion of --json offers the command's fields.
	r := runCLI(t, cfg, nil, "", "__complete", "build", "ls", "acme/app", "--json=")
	if r.code != 0 || !strings.Contains(r.out, "\nnumber\n") || !strings.Contains(r.out, "\nstatus\n") {
		t.Errorf("completing --json: %d %q %q", r.code, r.out, r.err)
	}
}

// TestTerminalOutput: on a terminal statuses are coloured, a sync shows
// its progress and watch draws the build's stages; piped (the other
// tests) none of it.
func TestTerminalOutput(t *testing.T) {
	e := newServerEnv(t)
	env := map[string]string{"DROVER_SERVER": e.http.URL, "DROVER_TOKEN": e.alice}
	r := runTTY(t, e.config, env, "", true, "repo", "sync")
	if r.code != 0 || !strings.Contains(r.err, "Syncing.") || !strings.Contains(r.out, "Synced 2 repositories") {
		t.Fatalf("sync on a terminal: %d %q %q", r.code, r.out, r.err)
	}
	activeRepo(t, e)
	if r := e.run(t, e.alice, "build", "create", "acme/app"); r.code != 0 {
		t.Fatal(r.err)
	}
	r = runTTY(t, e.config, env, "", true, "build", "watch", "acme/app", "1", "--interval", "10ms")
	if r.code != 0 || !strings.Contains(r.out, "Build #1 \x1b[32msuccess\x1b[0m\n") || !strings.Contains(r.out, "    greet") {
		t.Fatalf("watch on a terminal: %d %q %q", r.code, r.out, r.err)
	}
	r = runTTY(t, e.config, env, "", true, "build", "ls", "acme/app")
	if r.code != 0 || !strings.Contains(r.out, "1       \x1b[32msuccess\x1b[0m  custom") {
		t.Fatalf("ls on a terminal: %d %q %q", r.code, r.out, r.err)
	}
	r = runTTY(t, e.config, env, "", true, "build", "ls", "acme/app", "--json=status")
	if r.code != 0 || strings.Contains(r.out, "\x1b[") {
		t.Errorf("JSON on a terminal is coloured: %q", r.out)
	}
}
