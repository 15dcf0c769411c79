package server_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/server/auth"
)

// BenchmarkRunnerIdleRSS: the real drover-runner binary, with the local
// engine plugin, polls a real server (SQLite, over loopback) with nothing
// to do for about 10 s; the figure is the runner process's resident memory
// (VmRSS), the plugin's counted apart. Target: under 20 MB.
func BenchmarkRunnerIdleRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc")
	}
	e := newBenchEnv(b, "", nil)
	secret, hash, _ := auth.NewSecret(auth.RunnerTokenPrefix)
	r := &core.Runner{Name: "idle", TokenHash: hash, OS: runtime.GOOS, Arch: runtime.GOARCH, Capacity: 1}
	ctx := context.Background()
	if err := e.app.Store.Runners().Create(ctx, r); err != nil {
		b.Fatal(err)
	}
	bin := b.TempDir()
	for pkg, name := range map[string]string{"./cmd/drover-runner": "drover-runner", "./plugins/engine-local": "drover-engine-local"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, name), pkg)
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	cfg := filepath.Join(b.TempDir(), "runner.toml")
	conf := fmt.Sprintf("server = %q\ntoken = %q\nname = \"idle\"\ncapacity = 1\nplugin_dir = %q\nwork_dir = %q\n\n[[engine]]\nname = \"local\"\n",
		e.srv.URL, secret, bin, b.TempDir())
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		var logs strings.Builder
		cmd := exec.Command(filepath.Join(bin, "drover-runner"), "run", "--config", cfg)
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		stopped := false
		stop := func() {
			if !stopped {
				stopped = true
				_ = cmd.Process.Signal(syscall.SIGTERM)
				_ = cmd.Wait()
			}
		}
		defer stop()
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			got, err := e.app.Store.Runners().Find(ctx, r.ID)
			if err != nil {
				b.Fatal(err)
			}
			if !got.LastSeen.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("the runner never polled; log:\n%s", logs.String())
			}
		}
		time.Sleep(10 * time.Second) // idle polling
		rss, err := vmRSS(cmd.Process.Pid)
		if err != nil {
			b.Fatalf("rss: %v; log:\n%s", err, logs.String())
		}
		var plugins []string
		for _, pid := range childPIDs(cmd.Process.Pid) {
			if kb, err := vmRSS(pid); err == nil {
				plugins = append(plugins, fmt.Sprintf("%s %.1f MB", filepath.Base(testenv.CommandLine(pid)), float64(kb)/1024))
			}
		}
		b.Logf("runner %.1f MB; plugins (not counted): %v", float64(rss)/1024, plugins)
		testenv.Bench(b, "runner_rss_idle_mb", float64(rss)/1024, "MB")
		stop()
	}
}

// vmRSS returns a process's resident set in KiB (/proc/<pid>/status).
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// childPIDs returns the direct children of pid (the plugins of a runner),
// whichever of its threads started them.
func childPIDs(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
