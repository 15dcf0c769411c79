package runnerapi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover-ci/drover/server/store/storetest"
)

// TestRevokedRunnerBinaryExits runs the real drover-runner binary against
// the real runner API: once its runner is revoked, the server refuses its
// token and the runner exits with status 1, saying to register again,
// instead of retrying forever.
func TestRevokedRunnerBinaryExits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	st := storetest.SQLite(t)
	_, srv := realServer(t, st)
	reg := registerRunner(t, st, srv)
	bin := t.TempDir()
	runnerBin := buildBinary(t, bin, "./cmd/drover-runner", "drover-runner")
	buildBinary(t, bin, "./plugins/engine-local", "drover-engine-local")
	cfg := filepath.Join(t.TempDir(), "runner.toml")
	conf := fmt.Sprintf("server = %q\ntoken = %q\nname = \"doomed\"\ncapacity = 2\nplugin_dir = %q\nwork_dir = %q\n\n[[engine]]\nname = \"local\"\n",
		srv.URL, reg.Token, bin, t.TempDir())
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, runnerBin, "run", "--config", cfg)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Accepted first: the server records its contact.
	for {
		r, err := st.Runners().Find(ctx, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !r.LastSeen.IsZero() {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the runner never called the server; log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := st.Runners().Delete(ctx, reg.ID); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the revoked runner did not exit within a minute; log:\n%s", logs.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("the revoked runner exited with %v, want status 1; log:\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "drover-runner register") {
		t.Fatalf("the runner's message does not say to register again; log:\n%s", logs.String())
	}
}
