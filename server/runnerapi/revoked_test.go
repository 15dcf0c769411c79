package runnerapi_test

import (
	"context"
	"errors"
	"os/exec"
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
	runnerBin, cfg := prepareRunner(t, srv.URL, reg.Token, "doomed", 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd, logs := startRunnerBinary(ctx, t, runnerBin, cfg)
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
