package runnerapi_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
)

// buildBinary builds a main package of the module into dir.
func buildBinary(t *testing.T, dir, pkg, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// TestRunnerBinaryDrainsOnSIGTERM runs the real drover-runner binary with
// the real local engine plugin against the protocol: on SIGTERM it takes
// no more stages, lets the running one finish, reports it, and exits 0.
func TestRunnerBinaryDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	f := newFixture(t)
	q := newMemQueue(f.sched)
	runnerBin, cfg := prepareRunner(t, f.srv.URL, f.token, "bin", 1)
	marker := filepath.Join(t.TempDir(), "started")
	st := &core.SpecStep{Name: "build", RunPolicy: core.RunOnSuccess, Shell: "/bin/sh",
		Commands: []string{"touch " + marker, "sleep 1", "echo finished"},
		Script:   "set -e\ntouch " + marker + "\nsleep 1\necho finished\n"}
	spec := &core.Spec{Name: "default", Type: "exec", Clone: core.Clone{Disable: true}, Steps: []*core.SpecStep{st}}
	stage := &core.Stage{ID: 1, Type: "exec", Status: core.StatusRunning, Version: 2,
		Steps: []*core.Step{{ID: 11, StageID: 1, Number: 1, Name: "build", Status: core.StatusPending}}}
	d := &core.StageDetails{Stage: stage, Spec: spec, Build: &core.Build{}, Repo: &core.Repo{Trusted: true}}
	q.mu.Lock()
	q.details[1] = d
	q.mu.Unlock()
	q.queue <- d

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd, logs := startRunnerBinary(ctx, t, runnerBin, cfg)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the step never started; runner log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	q.add(2, nil, "echo never") // queued after the signal: must not be taken
	if err := cmd.Wait(); err != nil {
		t.Fatalf("runner exited with %v; log:\n%s", err, logs.String())
	}
	select {
	case s := <-q.finished:
		if s.ID != 1 || s.Status != core.StatusSuccess {
			t.Fatalf("stage %d ended %s (%s), want stage 1 success; log:\n%s", s.ID, s.Status, s.Error, logs.String())
		}
	default:
		t.Fatalf("the running stage was not reported before exit; log:\n%s", logs.String())
	}
	if log := q.log(11); !strings.Contains(log, "finished") {
		t.Fatalf("step log %q", log)
	}
	if len(q.queue) != 1 {
		t.Fatal("the runner took a stage after SIGTERM")
	}
}

// startRunnerBinary starts runnerBin with `run --config cfg`, its
// output collected in logs.
func startRunnerBinary(ctx context.Context, t *testing.T, runnerBin, cfg string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.CommandContext(ctx, runnerBin, "run", "--config", cfg)
	logs := new(strings.Builder)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, logs
}

// prepareRunner builds drover-runner and the local engine plugin into one
// folder and writes a runner config for the server at url with token, the
// local engine enabled; it returns the runner binary and the config path.
func prepareRunner(t *testing.T, url, token, name string, capacity int) (runnerBin, cfg string) {
	t.Helper()
	bin := t.TempDir()
	runnerBin = buildBinary(t, bin, "./cmd/drover-runner", "drover-runner")
	buildBinary(t, bin, "./plugins/engine-local", "drover-engine-local")
	cfg = filepath.Join(t.TempDir(), "runner.toml")
	conf := fmt.Sprintf("server = %q\ntoken = %q\nname = %q\ncapacity = %d\nplugin_dir = %q\nwork_dir = %q\n\n[[engine]]\nname = \"local\"\n",
		url, token, name, capacity, bin, t.TempDir())
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return runnerBin, cfg
}
