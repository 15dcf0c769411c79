package exec

import (
	"bytes"
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
)

// binaries builds, once per test binary, the drover CLI and the engine
// plugins the tests run, into one directory (the plugin directory).
var binaries struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

var builds = map[string]string{
	"drover":              "github.com/drover-ci/drover/cmd/drover",
	"drover-engine-local": "github.com/drover-ci/drover/plugins/engine-local",
}

// binDir returns the directory holding drover and drover-engine-local
// (and drover-engine-docker when docker is true).
func binDir(t testing.TB, docker bool) string {
	t.Helper()
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "drover-exec-bin-*")
		if binaries.err != nil {
			return
		}
		for name, pkg := range builds {
			if binaries.out, binaries.err = goBuild(binaries.dir, name, pkg); binaries.err != nil {
				return
			}
		}
	})
	if binaries.err != nil {
		t.Fatalf("build: %v\n%s", binaries.err, binaries.out)
	}
	if docker {
		if _, err := os.Stat(filepath.Join(binaries.dir, "drover-engine-docker")); err != nil {
			if out, err := goBuild(binaries.dir, "drover-engine-docker", "github.com/drover-ci/drover/plugins/engine-docker"); err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
		}
	}
	return binaries.dir
}

func goBuild(dir, name, pkg string) ([]byte, error) {
	return osexec.Command("go", "build", "-o", filepath.Join(dir, name), pkg).CombinedOutput()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

// workspaceWith returns a new workspace directory holding the files.
func workspaceWith(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// result is what one run of drover exec printed and returned.
type result struct {
	code        int
	out, errOut string
}

// execIn runs drover exec in-process in the workspace dir with args, on
// the local engine plugin rooted in root.
func execIn(t testing.TB, dir, root string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--workspace", dir, "--plugin-dir", binDir(t, false), "--engine-opt", "local.root=" + root}, args...)
	f := &cmdutil.Factory{IO: cmdutil.Test(strings.NewReader(""), &out, &errb), Getenv: os.Getenv}
	code := runCmd(context.Background(), newCmd(f, nil), full)
	return result{code: code, out: out.String(), errOut: errb.String()}
}

// runCmd runs the command with args as the drover root does: an error's
// one line on standard error, its exit status returned.
func runCmd(ctx context.Context, cmd *cobra.Command, args []string) int {
	root := &cobra.Command{Use: "drover", SilenceErrors: true, SilenceUsage: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.UsageError{Err: err} })
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	root.SetOut(cmd.OutOrStdout())
	err := root.ExecuteContext(ctx)
	if _, silent := err.(*cmdutil.SilentError); err != nil && !silent {
		fmt.Fprintf(cmd.ErrOrStderr(), "drover exec: %s\n", cmdutil.OneLine(err))
	}
	return cmdutil.Code(err)
}
